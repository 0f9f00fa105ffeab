"""Slips the desk hands out, as plain data: `printers/` lays them out on paper.

A slip is a title, labelled fields, sections of lines, signature blocks and an optional
QR payload. Slips show what the form requires and no more: the receipt carries the
applicant's name, address, phone and email (form 01), never the ID number.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.catalogue import DELIVERY_VI, DOC_FORM_VI, Delivery, Procedure, RequiredDocument
from core.people import Agency, Applicant, Desk


@dataclass(frozen=True, slots=True)
class Slip:
    kind: str                                   # "receipt", "supplement", ...
    header: tuple[str, ...]                     # agency lines, centred, bold
    title: str                                  # centred, large
    fields: tuple[tuple[str, str], ...] = ()    # "label: value" rows
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    signatures: tuple[str, ...] = ()            # signature boxes, side by side
    qr_payload: str | None = None
    qr_caption: str = ""
    footer: tuple[str, ...] = ()


def format_dt(value: datetime) -> str:
    """`HH giờ MM phút, ngày DD/MM/YYYY` as written on the forms."""
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}"


def qr_payload(code: str, template: str = "") -> str:
    """The receipt QR: the dossier code, or a lookup URL built from `template` ({code})."""
    return template.replace("{code}", code) if template else code


def build_receipt(
    *,
    agency: Agency,
    desk: Desk,
    code: str,
    applicant: Applicant,
    procedure: Procedure,
    documents: tuple[RequiredDocument, ...],
    sets: int,
    received_at: datetime,
    due_at: datetime,
    delivery: Delivery,
    clerk_name: str,
    qr_template: str = "",
    ledger_no: str = "",
) -> Slip:
    fields: list[tuple[str, str]] = [
        ("Mã hồ sơ", code),
        ("Người nộp", applicant.full_name),
        ("Địa chỉ", applicant.address or "—"),
        ("Số điện thoại", applicant.phone or "—"),
    ]
    if applicant.email:
        fields.append(("Email", applicant.email))
    fields += [
        ("Nội dung yêu cầu", f"{procedure.name} ({procedure.code})"),
        ("Số bộ hồ sơ", str(sets)),
        ("Thời hạn giải quyết", procedure.term.label_vi()),
        ("Thời gian nhận hồ sơ", format_dt(received_at)),
        ("Thời gian trả kết quả", format_dt(due_at)),
        ("Nơi/cách nhận kết quả", DELIVERY_VI[delivery]),
        ("Phí, lệ phí", procedure.fee_label_vi()),
    ]
    if ledger_no:
        fields.append(("Vào sổ theo dõi số", ledger_no))
    docs = tuple(
        f"{i}. {d.name} — {DOC_FORM_VI[d.form]}: {d.count}" for i, d in enumerate(documents, 1)
    )
    return Slip(
        kind="receipt",
        header=(agency.name.upper(), f"BỘ PHẬN MỘT CỬA — QUẦY {desk.number}"),
        title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        fields=tuple(fields),
        sections=(("Thành phần hồ sơ đã nhận", docs or ("(không có)",)),),
        signatures=("NGƯỜI NỘP HỒ SƠ", f"NGƯỜI TIẾP NHẬN\n{clerk_name}"),
        qr_payload=qr_payload(code, qr_template),
        qr_caption="Quét mã để tra cứu hồ sơ",
        footer=("Vui lòng mang theo giấy này khi nhận kết quả.",),
    )


def slip_to_dict(slip: Slip) -> dict:
    """JSON-ready form, so a queued print job can be printed again later exactly as it was."""
    return {
        "kind": slip.kind, "header": list(slip.header), "title": slip.title,
        "fields": [list(f) for f in slip.fields],
        "sections": [[h, list(lines)] for h, lines in slip.sections],
        "signatures": list(slip.signatures), "qr_payload": slip.qr_payload,
        "qr_caption": slip.qr_caption, "footer": list(slip.footer),
    }


def slip_from_dict(d: dict) -> Slip:
    return Slip(
        kind=d["kind"], header=tuple(d["header"]), title=d["title"],
        fields=tuple((a, b) for a, b in d["fields"]),
        sections=tuple((h, tuple(lines)) for h, lines in d["sections"]),
        signatures=tuple(d["signatures"]), qr_payload=d.get("qr_payload"),
        qr_caption=d.get("qr_caption", ""), footer=tuple(d.get("footer", ())),
    )
