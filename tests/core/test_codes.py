"""Dossier codes (core.codes)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.codes import (DossierCode, find_dossier_code, format_dossier_code,
                        parse_dossier_code, validate_agency_code)

AGENCY = "000.00.53.H48"
DAY = date(2022, 9, 21)


@pytest.mark.parametrize("desk, seq, expected", [
    (1, 99, "000.00.53.H48-220921-01099"),
    (12, 7, "000.00.53.H48-220921-12007"),
    (1, 1000, "000.00.53.H48-220921-011000"),
    (99, 999, "000.00.53.H48-220921-99999"),
])
def test_format(desk, seq, expected):
    code = format_dossier_code(AGENCY, DAY, desk, seq)
    assert code == expected
    assert parse_dossier_code(code) == DossierCode(AGENCY, DAY, desk, seq)
    assert str(parse_dossier_code(code)) == code


def test_sequence_always_has_at_least_four_digits():
    assert format_dossier_code("H48.123", date(2026, 1, 5), 1, 1).split("-")[-1] == "01001"


def test_parse_national_code_with_a_four_digit_sequence():
    parsed = parse_dossier_code("000.00.53.H48-220921-0099")
    assert parsed == DossierCode(AGENCY, DAY, 0, 99)
    assert str(parsed) == "000.00.53.H48-220921-0099"


def test_parse_tolerates_scanner_whitespace():
    assert parse_dossier_code("  H48.123-260105-03042\r\n") == DossierCode("H48.123", date(2026, 1, 5), 3, 42)
    assert find_dossier_code("H48.123-260105-03042\n") == DossierCode("H48.123", date(2026, 1, 5), 3, 42)


@pytest.mark.parametrize("text", [
    "", "abc", "H48.123-260105", "H48.123-260105-099",        # 3-digit sequence
    "H48.123-261305-01001",                                    # month 13
    "H48.123-260230-01001",                                    # 30 February
    "1234567890.ABC-260105-01001",                             # agency > 13 characters
    "H48..1-260105-01001", ".H48-260105-01001", "H48 1-260105-01001",
    "H48.123-260105-01000",                                    # desk 1, counter 0
    "H48.123-260105-01001x", "H48.123-260105-٠١٠٠١",
])
def test_parse_rejects_malformed(text):
    with pytest.raises(ValueError):
        parse_dossier_code(text)


@pytest.mark.parametrize("code", ["000.00.53.H48", "H48.123", "G22", "1234567890123"])
def test_valid_agency_codes(code):
    assert validate_agency_code(f" {code} ") == code


@pytest.mark.parametrize("code, fragment", [
    ("", "Chưa nhập"),
    ("12345678901234", "tối đa 13"),
    ("H48-1", "chữ, số và dấu chấm"),
    (".H48", "chữ, số và dấu chấm"),
    ("H48.", "chữ, số và dấu chấm"),
    ("H 48", "chữ, số và dấu chấm"),
])
def test_invalid_agency_codes_explain_in_vietnamese(code, fragment):
    with pytest.raises(ValueError, match=fragment):
        validate_agency_code(code)


@pytest.mark.parametrize("desk, seq", [(0, 1), (100, 1), (1, 0), (-1, 5)])
def test_format_rejects_bad_desk_or_sequence(desk, seq):
    with pytest.raises(ValueError):
        format_dossier_code(AGENCY, DAY, desk, seq)


def test_find_code_in_a_lookup_url():
    url = "https://dichvucong.quangngai.gov.vn/tra-cuu?ma=000.00.53.H48-220921-01099&x=1"
    assert find_dossier_code(url) == DossierCode(AGENCY, DAY, 1, 99)
    assert find_dossier_code("https://example.vn/no-code-here") is None


# -- properties ----------------------------------------------------------------------------

_segment = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                   min_size=1, max_size=5)
agency_st = st.lists(_segment, min_size=1, max_size=4).map(".".join).filter(lambda s: len(s) <= 13)
day_st = st.dates(date(2000, 1, 1), date(2099, 12, 31))
desk_st = st.integers(1, 99)
seq_st = st.integers(1, 200_000)


@settings(max_examples=200)
@given(agency_st, day_st, desk_st, seq_st)
def test_format_parse_round_trip(agency, day, desk, seq):
    code = format_dossier_code(agency, day, desk, seq)
    assert parse_dossier_code(code) == DossierCode(agency, day, desk, seq)
    assert find_dossier_code(f"{code}\r\n") == DossierCode(agency, day, desk, seq)
    assert len(code.rsplit("-", 1)[1]) >= 5


@settings(max_examples=300)
@given(agency_st, day_st, desk_st, desk_st, seq_st, seq_st)
def test_two_desks_never_produce_the_same_code(agency, day, desk_a, desk_b, seq_a, seq_b):
    assume(desk_a != desk_b)
    assert format_dossier_code(agency, day, desk_a, seq_a) != format_dossier_code(agency, day, desk_b, seq_b)


@settings(max_examples=200)
@given(desk_st, seq_st, desk_st, seq_st)
def test_codes_are_injective_in_desk_and_sequence(desk_a, seq_a, desk_b, seq_b):
    assume((desk_a, seq_a) != (desk_b, seq_b))
    assert format_dossier_code(AGENCY, DAY, desk_a, seq_a) != format_dossier_code(AGENCY, DAY, desk_b, seq_b)
