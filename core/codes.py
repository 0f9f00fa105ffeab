"""Dossier codes in the national format `<agency code>-<yyMMdd>-<sequence>`.

Example: `000.00.53.H48-220921-0099`, received 21/09/2022, the 99th that day.

Codes are issued at the desk, offline, so two desks of one agency must never produce the
same code without talking to each other. The desk's number (1..99) leads the sequence:

    sequence = f"{desk:02d}{seq:03d}"   desk 1, 99th that day -> "01099"
                                        desk 12, 7th that day -> "12007"
                                        desk 1, 1000th        -> "011000"

Why this never collides: the first two digits are always the desk, and the rest is the
desk's own counter written with at least three digits and no extra leading zeros, so a
sequence string splits back into exactly one (desk, counter) pair. Two desks differ in the
first two digits; one desk never repeats its counter within a day. The sequence always has
at least 5 digits, so it cannot be mistaken for a 4-digit code from the national system
(read back as desk 0, see `parse_dossier_code`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

AGENCY_CODE_MAX = 13
_AGENCY_RE = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*")
_CODE_RE = re.compile(r"(?P<agency>[A-Za-z0-9.]{1,13})-(?P<day>\d{6})-(?P<seq>\d{4,})", re.ASCII)
_CODE_IN_TEXT_RE = re.compile(r"(?<![A-Za-z0-9.])[A-Za-z0-9.]{1,13}-\d{6}-\d{4,}(?!\d)", re.ASCII)


def validate_agency_code(code: str) -> str:
    """The agency code, stripped, or ValueError with a Vietnamese message."""
    code = (code or "").strip()
    if not code:
        raise ValueError("Chưa nhập mã cơ quan (ví dụ 000.00.53.H48).")
    if len(code) > AGENCY_CODE_MAX:
        raise ValueError(f"Mã cơ quan dài tối đa {AGENCY_CODE_MAX} ký tự (đang có {len(code)}).")
    if not _AGENCY_RE.fullmatch(code):
        raise ValueError("Mã cơ quan chỉ gồm chữ, số và dấu chấm giữa các nhóm (ví dụ 000.00.53.H48).")
    return code


def _check_desk(desk_number: int) -> None:
    if not 1 <= desk_number <= 99:
        raise ValueError(f"Số quầy phải từ 1 đến 99 (đang là {desk_number}).")


@dataclass(frozen=True, slots=True)
class DossierCode:
    agency_code: str
    day: date
    desk_number: int    # 0 for a code from the national system (4-digit sequence)
    seq: int

    def __str__(self) -> str:
        if self.desk_number == 0:
            return f"{self.agency_code}-{self.day:%y%m%d}-{self.seq:04d}"
        return format_dossier_code(self.agency_code, self.day, self.desk_number, self.seq)


def format_dossier_code(agency_code: str, day: date, desk_number: int, seq: int) -> str:
    """`<agency>-<yyMMdd>-<desk:02><seq:03>`; `seq` is the desk's counter for `day` (from 1)."""
    agency_code = validate_agency_code(agency_code)
    _check_desk(desk_number)
    if seq < 1:
        raise ValueError(f"Số thứ tự hồ sơ trong ngày phải từ 1 (đang là {seq}).")
    return f"{agency_code}-{day:%y%m%d}-{desk_number:02d}{seq:03d}"


def parse_dossier_code(text: str) -> DossierCode:
    """Read a code back. Surrounding whitespace and CR/LF (scanners add them) are ignored.

    A sequence of 5+ digits is this app's: desk = first two digits, seq = the rest. A
    4-digit sequence (or one starting "00") is a code from the national system: desk 0.
    """
    m = _CODE_RE.fullmatch((text or "").strip())
    if m is None:
        raise ValueError("Mã hồ sơ không đúng dạng <mã cơ quan>-<yyMMdd>-<số thứ tự>, "
                         "ví dụ 000.00.53.H48-220921-01099.")
    agency = validate_agency_code(m["agency"])
    digits = m["day"]
    try:
        day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        raise ValueError(f"Ngày trong mã hồ sơ không hợp lệ: {digits}.") from None
    sequence = m["seq"]
    if len(sequence) == 4 or sequence.startswith("00"):
        return DossierCode(agency, day, 0, int(sequence))
    desk, seq = int(sequence[:2]), int(sequence[2:])
    if seq < 1:
        raise ValueError("Số thứ tự trong mã hồ sơ phải từ 1.")
    return DossierCode(agency, day, desk, seq)


def find_dossier_code(text: str) -> DossierCode | None:
    """The first dossier code inside `text` (e.g. a lookup URL from a receipt QR), or None."""
    for m in _CODE_IN_TEXT_RE.finditer(text or ""):
        try:
            return parse_dossier_code(m.group())
        except ValueError:
            continue
    return None
