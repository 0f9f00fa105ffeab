"""Slips the desk hands out, as plain data: `printers/` lays them out on paper.

A slip is a title, labelled fields, sections of lines, tables, signature blocks and an
optional QR payload. Slips show what the form requires and no more: the receipt carries the
applicant's name, address, phone and email (form 01), never the ID number.

Every output walks the same slip: the A4 PDF draws `tables` as tables and `place_date`
under the national header; the thermal printer and the text preview walk
`printable(slip, copy)`, which turns the tables into numbered lines (before the sections),
puts the copy's label ("Liên 1 …") first and the marks ("BẢN IN LẠI …") under the agency
header.
A signature is "CAPTION\n(hint)\nname…": lines in brackets right after the caption
(e.g. SIGN_HINT) belong above the room to sign, the rest below it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.catalogue import DELIVERY_VI, DOC_FORM_VI, Delivery, Procedure, RequiredDocument
from core.people import Agency, Applicant, Desk


SIGN_HINT = "(Ký, ghi rõ họ tên)"
# The dossier code's label on every slip (the printer sets its value in bold: printers/layout.py).
CODE_LABEL = "Mã hồ sơ"
COPY_LABELS = ("Liên 1: giao người nộp hồ sơ", "Liên 2: lưu hồ sơ")


@dataclass(frozen=True, slots=True)
class SlipTable:
    """A form's table ("STT | Thành phần hồ sơ | Bản chính | …"): a first column "STT"
    numbers the rows; a cell "x" ticks its column."""
    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...] = ()                # relative column widths on A4 (optional)


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
    tables: tuple[SlipTable, ...] = ()          # between the fields and the sections
    marks: tuple[str, ...] = ()                 # "BẢN IN LẠI …": above the title, every copy
    copy_labels: tuple[str, ...] = ()           # one per copy ("Liên 1 …", "Liên 2 …")
    place_date: str = ""                        # "Tịnh Ấn Tây, ngày 22 tháng 9 năm 2025" (A4)


def table_lines(table: SlipTable) -> tuple[str, ...]:
    """A table as numbered lines for narrow paper: "1. Giấy chứng sinh — Bản chính"."""
    numbered = bool(table.columns) and table.columns[0].strip().upper() == "STT"
    out = []
    for i, row in enumerate(table.rows, 1):
        cells = list(row[1:] if numbered else row)
        names = table.columns[1:] if numbered else table.columns
        parts = [name if cell.strip().lower() == "x" else cell.replace("\n", "; ")
                 for name, cell in zip(names, cells) if cell.strip()]
        prefix = f"{row[0] or i}. " if numbered else "- "
        out.append(prefix + " — ".join(parts))
    return tuple(out)


def copy_label(slip: Slip, copy: int) -> str:
    """The label of copy `copy` (0-based); copies past the labels repeat the last one."""
    if not slip.copy_labels:
        return ""
    return slip.copy_labels[min(copy, len(slip.copy_labels) - 1)]


def printable(slip: Slip, copy: int = 0) -> Slip:
    """The slip as narrow paper shows it (see the module docstring): the same slip with
    copy label and marks in the header and tables as sections."""
    if not (slip.tables or slip.marks or slip.copy_labels):
        return slip
    label = copy_label(slip, copy)
    return replace(
        slip, header=((label,) if label else ()) + slip.header + slip.marks,
        sections=tuple((t.heading, table_lines(t)) for t in slip.tables) + slip.sections,
        tables=(), marks=(), copy_labels=())


def with_reprint_mark(slip: Slip, at: datetime) -> Slip:
    """The slip again, marked "BẢN IN LẠI" with the time (an earlier mark is replaced)."""
    marks = tuple(m for m in slip.marks if not m.startswith(REPRINT_MARK))
    return replace(slip, marks=marks + (f"{REPRINT_MARK} — {format_dt(at)}",))


REPRINT_MARK = "BẢN IN LẠI"

_MONTHS_PLAIN = "ngày {d:02d} tháng {m:02d} năm {y}"


def place_date(place: str, at: datetime) -> str:
    """The place-and-date line of an A4 form: "Tịnh Ấn Tây, ngày 03 tháng 12 năm 2026"."""
    when = _MONTHS_PLAIN.format(d=at.day, m=at.month, y=at.year)
    return f"{place}, {when}" if place else when.capitalize()


def place_of(agency_name: str) -> str:
    """The place for the date line, from the agency's name: "UBND xã Tịnh Ấn Tây, tỉnh
    Quảng Ngãi" -> "Tịnh Ấn Tây"; a name without xã/phường/đặc khu/thị trấn -> its first part."""
    head = agency_name.split(",")[0].strip()
    low = head.lower()
    for unit in ("thị trấn ", "đặc khu ", "phường ", "xã "):
        at = low.rfind(unit)
        if at >= 0:
            return head[at + len(unit):].strip()
    return head


def desk_header(agency_name: str, desk_number: int) -> tuple[str, ...]:
    """The agency lines at the top of every slip the desk issues."""
    return (agency_name.upper(), f"BỘ PHẬN MỘT CỬA — QUẦY {desk_number}")


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
    ledger_book: str = "",
    ledger_seq: str = "",
) -> Slip:
    fields: list[tuple[str, str]] = [
        (CODE_LABEL, code),
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
    if ledger_book:
        fields.append(("Quyển số", ledger_book))
    if ledger_seq:
        fields.append(("Số thứ tự", ledger_seq))
    docs = tuple(
        f"{i}. {d.name} — {DOC_FORM_VI[d.form]}: {d.count}" for i, d in enumerate(documents, 1)
    )
    return Slip(
        kind="receipt",
        header=desk_header(agency.name, desk.number),
        title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        fields=tuple(fields),
        sections=(("Thành phần hồ sơ đã nhận", docs or ("(không có)",)),),
        signatures=(f"NGƯỜI NỘP HỒ SƠ\n{SIGN_HINT}\n{applicant.full_name}",
                    f"NGƯỜI TIẾP NHẬN\n{SIGN_HINT}\n{clerk_name}"),
        qr_payload=qr_payload(code, qr_template),
        qr_caption="Quét mã để tra cứu hồ sơ",
        footer=("Vui lòng mang theo giấy này khi nhận kết quả.",),
        copy_labels=COPY_LABELS,
        place_date=place_date(place_of(agency.name), received_at),
    )


def slip_to_dict(slip: Slip) -> dict:
    """JSON-ready form, so a queued print job can be printed again later exactly as it was."""
    return {
        "kind": slip.kind, "header": list(slip.header), "title": slip.title,
        "fields": [list(f) for f in slip.fields],
        "sections": [[h, list(lines)] for h, lines in slip.sections],
        "signatures": list(slip.signatures), "qr_payload": slip.qr_payload,
        "qr_caption": slip.qr_caption, "footer": list(slip.footer),
        # Newer keys: a job stored before them still loads (see slip_from_dict).
        "tables": [[t.heading, list(t.columns), [list(r) for r in t.rows], list(t.widths)]
                   for t in slip.tables],
        "marks": list(slip.marks), "copy_labels": list(slip.copy_labels),
        "place_date": slip.place_date,
    }


def slip_from_dict(d: dict) -> Slip:
    return Slip(
        kind=d["kind"], header=tuple(d["header"]), title=d["title"],
        fields=tuple((a, b) for a, b in d["fields"]),
        sections=tuple((h, tuple(lines)) for h, lines in d["sections"]),
        signatures=tuple(d["signatures"]), qr_payload=d.get("qr_payload"),
        qr_caption=d.get("qr_caption", ""), footer=tuple(d.get("footer", ())),
        tables=tuple(SlipTable(h, tuple(cols), tuple(tuple(r) for r in rows), tuple(widths))
                     for h, cols, rows, widths in d.get("tables", ())),
        marks=tuple(d.get("marks", ())), copy_labels=tuple(d.get("copy_labels", ())),
        place_date=d.get("place_date", ""),
    )
