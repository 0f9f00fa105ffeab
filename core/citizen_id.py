"""The citizen ID number (số định danh cá nhân) and the QR code on the chip ID card.

Number: 12 digits = 3-digit province of birth registration + 1 sex/century digit + 2 digits
of the birth year + 6 random digits; there is no check digit (Nghị định 137/2015/NĐ-CP,
Thông tư 07/2016/TT-BCA as amended by 59/2021/TT-BCA). The sex/century digit: 20th century
(1900s) male 0 / female 1, 21st 2/3, 22nd 4/5, 23rd 6/7, 24th 8/9.

QR: `ID | old 9-digit ID (may be empty) | full name | birth ddMMyyyy | sex | address |
issue date ddMMyyyy`; a 6-field variant lacks the old ID; newer cards may append fields.

This is personal data (Nghị định 13/2023/NĐ-CP): nothing here logs, and error messages say
what to fix without repeating the card's content.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from core.people import Applicant
from core.text import fold

PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

MALE, FEMALE = "Nam", "Nữ"
_SEX_WORDS = {"nam": MALE, "male": MALE, "m": MALE, "nu": FEMALE, "female": FEMALE, "f": FEMALE}

# ASCII only: \d would also accept Arabic-Indic or full-width digits.
_DIGITS12 = re.compile(r"\d{12}", re.ASCII)
_OLD_ID = re.compile(r"(?:\d{9})?", re.ASCII)
_DATE8 = re.compile(r"\d{8}", re.ASCII)
_QR_START = re.compile(r"\s*\d{12}\|", re.ASCII)


class CitizenIdError(ValueError):
    """A citizen ID number or ID-card QR that cannot be used; the message is for the clerk."""


def normalize_sex(value: str) -> str:
    """"Nam"/"Nữ" from the usual spellings (nam, NU, Nữ, male, F); CitizenIdError otherwise."""
    sex = _SEX_WORDS.get(fold(value or ""))
    if sex is None:
        raise CitizenIdError("Giới tính phải là Nam hoặc Nữ.")
    return sex


def century_and_sex(digit: int) -> tuple[int, str]:
    """(first year of the century, "Nam"/"Nữ") encoded by the 4th digit of the number."""
    return 1900 + (digit // 2) * 100, (MALE if digit % 2 == 0 else FEMALE)


def validate_id_number(number: str, birth_date: date | None = None, sex: str | None = None) -> str:
    """The 12-digit number without spaces, checked against birth year and sex when given."""
    number = "".join((number or "").split())
    if not number:
        raise CitizenIdError("Chưa nhập số định danh cá nhân (12 chữ số trên thẻ căn cước).")
    if not number.isascii() or not number.isdigit():
        raise CitizenIdError("Số định danh chỉ gồm chữ số; xóa chữ cái hoặc ký tự khác.")
    if len(number) != 12:
        raise CitizenIdError(f"Số định danh phải có đúng 12 chữ số (đang có {len(number)}).")
    if number[:3] not in PROVINCE_CODES:
        raise CitizenIdError(
            f"Ba chữ số đầu ({number[:3]}) không phải mã tỉnh nơi đăng ký khai sinh; kiểm tra lại số định danh.")
    century, encoded_sex = century_and_sex(int(number[3]))
    if sex:
        if normalize_sex(sex) != encoded_sex:
            raise CitizenIdError(
                f"Chữ số thứ 4 của số định danh ứng với giới tính {encoded_sex}, khác giới tính đã nhập; "
                "kiểm tra lại số định danh hoặc giới tính.")
    if birth_date is not None and century + int(number[4:6]) != birth_date.year:
        raise CitizenIdError(
            "Chữ số thứ 4–6 của số định danh không khớp năm sinh; kiểm tra lại số định danh hoặc ngày sinh.")
    return number


@dataclass(frozen=True, slots=True)
class CitizenCard:
    id_number: str
    old_id: str                  # 9-digit CMND, "" when absent
    full_name: str
    birth_date: date
    sex: str                     # "Nam" / "Nữ"
    address: str
    issue_date: date | None
    extra: tuple[str, ...] = ()  # fields after the issue date (newer cards), kept as read

    def to_payload(self) -> str:
        """The 7-field QR text this card would carry (for tests and demo data)."""
        issued = f"{self.issue_date:%d%m%Y}" if self.issue_date else ""
        return "|".join((self.id_number, self.old_id, self.full_name, f"{self.birth_date:%d%m%Y}",
                         self.sex, self.address, issued, *self.extra))


def looks_like_id_qr(text: str) -> bool:
    """Cheap test for scanner input: 12 digits then `|`, and at least 5 pipes."""
    return bool(text) and _QR_START.match(text) is not None and text.count("|") >= 5


def _clean(field: str) -> str:
    return " ".join(unicodedata.normalize("NFC", field).split())


def _ddmmyyyy(text: str, what: str) -> date:
    if not _DATE8.fullmatch(text):
        raise CitizenIdError(f"{what} trong mã QR phải có dạng ngàythángnăm (8 chữ số).")
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise CitizenIdError(f"{what} trong mã QR không phải ngày có thật.") from None


def parse_id_qr(payload: str) -> CitizenCard:
    """Read the chip ID card's QR text into a CitizenCard, or raise CitizenIdError.

    The layout is recognised by content: the second field is the old ID slot when it is
    9 digits or empty and the birth date sits in the 4th field; otherwise the 6-field
    layout (birth date in the 3rd field). Line breaks anywhere are treated as spaces.
    """
    if not isinstance(payload, str):
        raise CitizenIdError("Mã QR trống.")
    fields = [_clean(f) for f in payload.split("|")]
    if not any(fields):
        raise CitizenIdError("Mã QR trống.")
    if not _DIGITS12.fullmatch(fields[0]):
        raise CitizenIdError("Mã QR không phải của thẻ căn cước: phần đầu phải là số định danh 12 chữ số.")
    if len(fields) >= 7 and _OLD_ID.fullmatch(fields[1]) and _DATE8.fullmatch(fields[3]):
        number, old_id, name, birth, sex, address, issued = fields[:7]
        extra = fields[7:]
    elif len(fields) >= 6 and _DATE8.fullmatch(fields[2]):
        number, name, birth, sex, address, issued = fields[:6]
        old_id, extra = "", fields[6:]
    else:
        raise CitizenIdError("Mã QR thẻ căn cước thiếu trường hoặc sai thứ tự "
                             "(cần số định danh, họ tên, ngày sinh, giới tính, nơi thường trú, ngày cấp).")
    if not name:
        raise CitizenIdError("Mã QR thẻ căn cước không có họ tên.")
    birth_date = _ddmmyyyy(birth, "Ngày sinh")
    issue_date = _ddmmyyyy(issued, "Ngày cấp") if issued else None
    sex = normalize_sex(sex)
    number = validate_id_number(number, birth_date, sex)
    # Trailing empty fields are scanner noise, not data.
    while extra and not extra[-1]:
        extra.pop()
    return CitizenCard(number, old_id, name, birth_date, sex, address, issue_date, tuple(extra))


def card_to_applicant(card: CitizenCard) -> Applicant:
    """Applicant fields filled from the card; old ID and issue date go to `extra` (JSON-ready)."""
    extra: dict[str, str] = {}
    if card.old_id:
        extra["old_id"] = card.old_id
    if card.issue_date is not None:
        extra["id_issue_date"] = card.issue_date.isoformat()
    return Applicant(full_name=card.full_name, id_number=card.id_number, birth_date=card.birth_date,
                     sex=card.sex, address=card.address, extra=extra)
