"""Who is involved: the agency and its desks, clerks, and the applicant of a dossier."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum, StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    CLERK = "clerk"


ROLE_VI = {Role.ADMIN: "Quản trị", Role.SUPERVISOR: "Lãnh đạo/giám sát", Role.CLERK: "Cán bộ một cửa"}


class Channel(IntEnum):
    """KenhThucHien, kept as the national codes so exports map onto provincial systems."""
    IN_PERSON = 1
    ONLINE = 2
    POSTAL = 3


CHANNEL_VI = {Channel.IN_PERSON: "Trực tiếp", Channel.ONLINE: "Trực tuyến", Channel.POSTAL: "Bưu chính công ích"}


@dataclass(frozen=True, slots=True)
class Agency:
    code: str      # opaque dotted code, at most 13 characters, e.g. "000.00.53.H48"
    name: str


@dataclass(frozen=True, slots=True)
class Desk:
    agency_code: str
    number: int    # 1..99, part of every dossier code this desk issues
    name: str = ""


@dataclass(frozen=True, slots=True)
class Clerk:
    id: str
    username: str
    full_name: str
    role: Role
    agency_code: str


@dataclass(frozen=True, slots=True)
class Applicant:
    full_name: str
    id_number: str = ""
    birth_date: date | None = None
    sex: str = ""            # "Nam" / "Nữ" / ""
    address: str = ""
    phone: str = ""
    email: str = ""
    extra: dict = field(default_factory=dict, hash=False, compare=False)
