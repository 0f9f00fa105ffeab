"""Validation of the receive form: every field checked, every message in Vietnamese.

`validate_receive` takes what the clerk typed (strings) and returns either a ReceiveDraft
or a mapping field -> message that says what to fix. Nothing is saved unless it is valid.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from core.catalogue import Delivery, Procedure, RequiredDocument
from core.citizen_id import CitizenIdError, validate_id_number
from core.people import Applicant, Channel
from core.receive import ReceiveDraft

_PHONE = re.compile(r"^(?:\+?84|0)(\d{9})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")


@dataclass
class ReceiveForm:
    """The raw form, exactly as typed. Kept by the screen so nothing typed is ever lost."""
    procedure: Procedure | None = None
    full_name: str = ""
    id_number: str = ""
    birth_date: str = ""
    sex: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    documents: tuple[int, ...] = ()          # indexes into procedure.documents
    sets: str = "1"
    channel: Channel = Channel.IN_PERSON
    delivery: Delivery = Delivery.DESK
    notes: str = ""


@dataclass
class ValidationResult:
    draft: ReceiveDraft | None
    errors: dict[str, str] = field(default_factory=dict)


def normalize_phone(text: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", text)
    m = _PHONE.match(digits)
    if not m:
        raise ValueError("Số điện thoại phải có 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678).")
    return "0" + m.group(1)


def parse_birth_date(text: str, today: date) -> date:
    parts = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    if parts is None:
        raise ValueError("Ngày sinh phải có dạng ngày/tháng/năm, ví dụ 14/07/2003.")
    day, month, year = (int(p) for p in parts.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"«{text.strip()}» không phải ngày có thật: không có tháng {month}.")
    try:
        value = date(year, month, day)
    except ValueError:
        last = calendar.monthrange(year, month)[1]
        raise ValueError(f"«{text.strip()}» không phải ngày có thật: tháng {month}/{year} "
                         f"chỉ có {last} ngày.") from None
    if value > today:
        raise ValueError("Ngày sinh không thể sau hôm nay.")
    if value.year < 1900:
        raise ValueError("Năm sinh phải từ 1900 trở đi.")
    return value


def clean_name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def validate_receive(form: ReceiveForm, today: date) -> ValidationResult:
    errors: dict[str, str] = {}
    proc = form.procedure
    if proc is None:
        errors["procedure"] = "Chưa chọn thủ tục. Gõ tên hoặc mã thủ tục rồi chọn trong danh sách."

    name = clean_name(form.full_name)
    if not name:
        errors["full_name"] = "Chưa nhập họ tên người nộp hồ sơ."
    elif not _NAME_CHARS.match(name) or len(name) > 100:
        errors["full_name"] = "Họ tên chỉ gồm chữ cái và khoảng trắng (tối đa 100 ký tự)."

    birth: date | None = None
    if form.birth_date.strip():
        try:
            birth = parse_birth_date(form.birth_date, today)
        except ValueError as exc:
            errors["birth_date"] = str(exc)

    sex = form.sex.strip()
    if sex and sex not in ("Nam", "Nữ"):
        errors["sex"] = "Giới tính là «Nam» hoặc «Nữ»."

    id_number = ""
    if form.id_number.strip():
        try:
            id_number = validate_id_number(form.id_number, birth_date=birth, sex=sex or None)
        except CitizenIdError as exc:
            errors["id_number"] = str(exc)

    address = " ".join(form.address.split())
    if len(address) > 250:
        errors["address"] = "Địa chỉ quá dài (tối đa 250 ký tự)."
    if form.channel is Channel.POSTAL or form.delivery is Delivery.POST:
        if not address:
            errors["address"] = "Trả kết quả qua bưu chính cần địa chỉ nhận. Nhập địa chỉ đầy đủ."

    phone = ""
    if form.phone.strip():
        try:
            phone = normalize_phone(form.phone)
        except ValueError as exc:
            errors["phone"] = str(exc)

    email = form.email.strip()
    if email and not _EMAIL.match(email):
        errors["email"] = "Địa chỉ email không đúng dạng (ví dụ ten@example.vn)."
    if form.delivery is Delivery.ONLINE and not email and not phone:
        errors["delivery"] = "Nhận kết quả trực tuyến cần email hoặc số điện thoại."

    try:
        sets = int(form.sets.strip() or "0")
        if not 1 <= sets <= 50:
            raise ValueError
    except ValueError:
        errors["sets"] = "Số bộ hồ sơ là số nguyên từ 1 đến 50."
        sets = 0

    documents: tuple[RequiredDocument, ...] = ()
    if proc is not None:
        if proc.documents and not form.documents:
            errors["documents"] = "Chưa đánh dấu giấy tờ nào đã nhận. Dùng phím Cách để đánh dấu từng giấy, F6 để đánh dấu tất cả."
        if any(i < 0 or i >= len(proc.documents) for i in form.documents):
            errors["documents"] = "Danh sách giấy tờ không khớp thủ tục. Chọn lại thủ tục."
        else:
            documents = tuple(proc.documents[i] for i in sorted(set(form.documents)))
        if form.delivery not in proc.delivery:
            errors["delivery"] = "Thủ tục này không trả kết quả theo cách đã chọn."

    if len(form.notes) > 500:
        errors["notes"] = "Ghi chú tối đa 500 ký tự."

    if errors or proc is None:
        return ValidationResult(None, errors)
    applicant = Applicant(full_name=name, id_number=id_number, birth_date=birth, sex=sex,
                          address=address, phone=phone, email=email)
    return ValidationResult(ReceiveDraft(
        applicant=applicant, procedure=proc, documents=documents, sets=sets,
        channel=form.channel, delivery=form.delivery, notes=form.notes.strip(),
    ))
