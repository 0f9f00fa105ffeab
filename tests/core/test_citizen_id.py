"""Citizen ID number and the chip-card QR (core.citizen_id)."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.citizen_id import (PROVINCE_CODES, CitizenCard, CitizenIdError, card_to_applicant,
                             looks_like_id_qr, parse_id_qr, validate_id_number)
from core.people import Applicant

NAME = "Trần Thị Bích Ngọc"
ADDRESS = "Tổ 3, phường Cẩm Thành, tỉnh Quảng Ngãi"
EXAMPLE = f"051303004512|212345678|{NAME}|14072003|Nữ|{ADDRESS}|20052021"
CARD = CitizenCard("051303004512", "212345678", NAME, date(2003, 7, 14), "Nữ", ADDRESS,
                   date(2021, 5, 20), ())


def test_province_codes_are_the_63_official_ones():
    assert len(PROVINCE_CODES) == 63
    assert all(len(c) == 3 and c.isdigit() for c in PROVINCE_CODES)
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["051"] == "Quảng Ngãi"
    assert PROVINCE_CODES["062"] == "Kon Tum"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert "003" not in PROVINCE_CODES and "099" not in PROVINCE_CODES


# -- the number ------------------------------------------------------------------------------

def test_valid_number_with_matching_sex_and_year():
    assert validate_id_number("051303004512", date(2003, 7, 14), "Nữ") == "051303004512"
    assert validate_id_number(" 051 303 004 512 ") == "051303004512"
    assert validate_id_number("001090001234", date(1990, 1, 1), "Nam") == "001090001234"
    assert validate_id_number("079203000001", date(2003, 1, 1), "nam") == "079203000001"


@pytest.mark.parametrize("number, born, sex", [
    ("001400000001", date(2100, 1, 1), "Nam"),    # 22nd century
    ("001500000001", date(2100, 1, 1), "Nữ"),
    ("001899000001", date(2399, 1, 1), "Nam"),
    ("001999000001", date(2399, 1, 1), "Nữ"),
])
def test_later_centuries_follow_the_decree(number, born, sex):
    assert validate_id_number(number, born, sex) == number


def test_eleven_digits_says_how_many():
    with pytest.raises(CitizenIdError) as e:
        validate_id_number("05130300451")
    assert str(e.value) == "Số định danh phải có đúng 12 chữ số (đang có 11)."


@pytest.mark.parametrize("number, fragment", [
    ("", "Chưa nhập"),
    ("05130300451A", "chỉ gồm chữ số"),
    ("０５１３０３００４５１２", "chỉ gồm chữ số"),            # full-width digits
    ("0513030045123", "đang có 13"),
    ("099303004512", "mã tỉnh"),
    ("003303004512", "mã tỉnh"),
])
def test_malformed_numbers(number, fragment):
    with pytest.raises(CitizenIdError, match=fragment):
        validate_id_number(number)


def test_wrong_sex_digit():
    with pytest.raises(CitizenIdError, match="giới tính"):
        validate_id_number("051303004512", sex="Nam")
    with pytest.raises(CitizenIdError, match="giới tính"):
        validate_id_number("051203004512", sex="Nữ")


def test_wrong_birth_year_or_century():
    with pytest.raises(CitizenIdError, match="năm sinh"):
        validate_id_number("051303004512", birth_date=date(2004, 7, 14))
    with pytest.raises(CitizenIdError, match="năm sinh"):
        validate_id_number("051103004512", birth_date=date(2003, 7, 14))   # 1903, not 2003


def test_unknown_sex_word():
    with pytest.raises(CitizenIdError, match="Nam hoặc Nữ"):
        validate_id_number("051303004512", sex="khác")


def test_error_messages_do_not_repeat_birth_data():
    with pytest.raises(CitizenIdError) as e:
        validate_id_number("051303004512", birth_date=date(2004, 7, 14))
    assert "2004" not in str(e.value) and "2003" not in str(e.value)


# -- the QR ----------------------------------------------------------------------------------

def test_seven_field_example():
    assert parse_id_qr(EXAMPLE) == CARD


def test_six_field_variant_without_old_id():
    payload = f"051303004512|{NAME}|14072003|Nữ|{ADDRESS}|20052021"
    assert parse_id_qr(payload) == CitizenCard("051303004512", "", NAME, date(2003, 7, 14), "Nữ",
                                               ADDRESS, date(2021, 5, 20), ())


def test_seven_fields_with_empty_old_id():
    payload = f"051303004512||{NAME}|14072003|Nữ|{ADDRESS}|20052021"
    card = parse_id_qr(payload)
    assert card.old_id == "" and card.full_name == NAME and card.issue_date == date(2021, 5, 20)


def test_extra_trailing_fields_are_kept():
    card = parse_id_qr(EXAMPLE + "|Trần Văn Hùng|Nguyễn Thị Lan")
    assert card.extra == ("Trần Văn Hùng", "Nguyễn Thị Lan")
    assert card.issue_date == date(2021, 5, 20)
    assert parse_id_qr(EXAMPLE + "|").extra == ()


def test_six_field_variant_with_extra_fields():
    payload = f"051303004512|{NAME}|14072003|Nữ|{ADDRESS}|20052021|X"
    card = parse_id_qr(payload)
    assert (card.old_id, card.extra, card.address) == ("", ("X",), ADDRESS)


@pytest.mark.parametrize("noise", ["{}\r\n", "{}\n", "  {}  \r\n", "\r\n{}\r", "{}\r\n\r\n"])
def test_scanner_cr_lf_and_spaces(noise):
    assert parse_id_qr(noise.format(EXAMPLE)) == CARD


def test_text_is_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", EXAMPLE)
    assert decomposed != EXAMPLE
    assert parse_id_qr(decomposed) == CARD


def test_empty_issue_date_is_none():
    assert parse_id_qr(EXAMPLE.rsplit("|", 1)[0] + "|").issue_date is None


@pytest.mark.parametrize("payload, fragment", [
    ("", "trống"),
    ("\r\n", "trống"),
    ("xin chào", "12 chữ số"),
    ("051303004512", "thiếu trường"),
    ("051303004512|abc|def", "thiếu trường"),
    (EXAMPLE.replace("051303004512", "051203004512"), "giới tính"),      # wrong sex digit
    (EXAMPLE.replace("14072003", "14072004"), "năm sinh"),               # wrong year
    (EXAMPLE.replace("051303004512", "099303004512"), "mã tỉnh"),        # unknown province
    (EXAMPLE.replace("051303004512", "05130300451"), "12 chữ số"),       # 11 digits
    (EXAMPLE.replace("051303004512", "05130300451a"), "12 chữ số"),      # a letter
    (EXAMPLE.replace("14072003", "32072003"), "Ngày sinh"),
    (EXAMPLE.replace("20052021", "2005202"), "Ngày cấp"),
    (EXAMPLE.replace("|Nữ|", "|X|"), "Nam hoặc Nữ"),
    (EXAMPLE.replace(NAME, ""), "họ tên"),
])
def test_bad_payloads(payload, fragment):
    with pytest.raises(CitizenIdError, match=fragment) as e:
        parse_id_qr(payload)
    # The message tells what to fix without repeating the card's personal data.
    assert NAME not in str(e.value) and "Cẩm Thành" not in str(e.value)


def test_looks_like_id_qr():
    assert looks_like_id_qr(EXAMPLE)
    assert looks_like_id_qr(EXAMPLE + "\r\n")
    assert looks_like_id_qr(f"051303004512|{NAME}|14072003|Nữ|{ADDRESS}|20052021")
    assert not looks_like_id_qr("051303004512")
    assert not looks_like_id_qr("051303004512|a|b")
    assert not looks_like_id_qr("000.00.53.H48-220921-01099")
    assert not looks_like_id_qr("05130300451|a|b|c|d|e|f")
    assert not looks_like_id_qr("")


def test_card_to_applicant():
    a = card_to_applicant(CARD)
    assert a == Applicant(full_name=NAME, id_number="051303004512", birth_date=date(2003, 7, 14),
                          sex="Nữ", address=ADDRESS)
    assert a.extra == {"old_id": "212345678", "id_issue_date": "2021-05-20"}


# -- properties -------------------------------------------------------------------------------

_pieces = st.sampled_from(["|", "||", "051303004512", "212345678", "14072003", "20052021", "Nam", "Nữ",
                           "\r\n", " ", NAME, "0", "31022003", "001400000001", "x", ""])


@settings(max_examples=300)
@given(st.one_of(st.text(), st.lists(_pieces, max_size=12).map("".join),
                 st.lists(st.one_of(_pieces, st.text(max_size=5)), max_size=10).map("|".join)))
def test_parse_raises_only_citizen_id_error(text):
    try:
        card = parse_id_qr(text)
    except CitizenIdError:
        return
    assert validate_id_number(card.id_number, card.birth_date, card.sex) == card.id_number


_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
_word = st.text(alphabet=_LETTERS + _LETTERS.upper(), min_size=1, max_size=8)
name_st = st.lists(_word, min_size=1, max_size=4).map(" ".join)
address_st = st.lists(st.one_of(_word, st.integers(1, 300).map(str), st.just("Tổ 3,")),
                      min_size=1, max_size=8).map(" ".join)


@st.composite
def cards(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    born = draw(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
    sex = draw(st.sampled_from(["Nam", "Nữ"]))
    digit = (born.year - 1900) // 100 * 2 + (sex == "Nữ")
    number = f"{province}{digit}{born.year % 100:02d}{draw(st.integers(0, 999_999)):06d}"
    old_id = draw(st.one_of(st.just(""), st.integers(0, 999_999_999).map(lambda n: f"{n:09d}")))
    issued = draw(st.one_of(st.none(), st.dates(date(2016, 1, 1), date(2030, 12, 31))))
    extra = tuple(draw(st.lists(name_st, max_size=3)))
    return CitizenCard(number, old_id, draw(name_st), born, sex, draw(address_st), issued, extra)


@settings(max_examples=150)
@given(cards(), st.sampled_from(["", "\r\n", "\n", "  "]))
def test_round_trip_of_generated_payloads(card, suffix):
    payload = card.to_payload() + suffix
    assert looks_like_id_qr(payload)
    assert parse_id_qr(payload) == card


@settings(max_examples=100)
@given(cards())
def test_six_field_round_trip(card):
    issued = f"{card.issue_date:%d%m%Y}" if card.issue_date else ""
    payload = "|".join((card.id_number, card.full_name, f"{card.birth_date:%d%m%Y}", card.sex,
                        card.address, issued, *card.extra))
    parsed = parse_id_qr(payload)
    assert parsed == CitizenCard(card.id_number, "", card.full_name, card.birth_date, card.sex,
                                 card.address, card.issue_date, card.extra)
