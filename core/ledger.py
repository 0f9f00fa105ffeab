"""The ledger (Sổ theo dõi hồ sơ, form 07): one row per dossier received in a period.

Pure: `ledger_entry` turns a dossier's projection, the payload of its receipt and the
events that matter to the ledger into a `LedgerEntry`; `ledger_cells` gives the row as
printed (dates dd/mm/yyyy). The XLSX and PDF writers in printers/ and the queries in db/
use these, so every output has the same columns and values.

The ledger book (Quyển số) is one per desk and year, "NN/YYYY" (desk number, year); the
sequence number (Số thứ tự) of a dossier is its place among the dossiers that desk
received that year, in order of receipt (db.forms.ledger_position).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from core.lifecycle import STATUS_VI, Status

LEDGER_TITLE = "SỔ THEO DÕI HỒ SƠ"
LEDGER_COLUMNS = (
    "STT", "Mã hồ sơ", "Nội dung hồ sơ (thủ tục)", "Số lượng (bộ)", "Họ tên chủ hồ sơ",
    "Địa chỉ", "Số điện thoại", "Ngày nhận hồ sơ", "Ngày hẹn trả kết quả", "Ngày có kết quả",
    "Ngày trả kết quả", "Người nhận kết quả", "Người tiếp nhận", "Trạng thái", "Ghi chú",
)
DATE_COLUMNS = frozenset({7, 8, 9, 10})           # indices into LEDGER_COLUMNS
# Relative widths, shared by the spreadsheet and the PDF.
COLUMN_WIDTHS = (5, 24, 30, 7, 20, 28, 12, 11, 11, 11, 11, 18, 18, 18, 30)
# The event kinds (EventKind values) that the ledger reads besides the receipt.
LEDGER_EVENT_KINDS = ("received", "supplement_requested", "refused", "withdrawn", "stopped",
                      "apology_issued", "returned")


def ledger_book(desk_number: int, year: int) -> str:
    return f"{desk_number:02d}/{year}"


def ledger_period(date_from: date, date_to: date) -> str:
    return f"(Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y})"


def status_label(status: int) -> str:
    try:
        return f"{int(status)} - {STATUS_VI[Status(int(status))]}"
    except ValueError:
        return str(status)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    code: str
    procedure: str
    sets: int
    applicant_name: str
    address: str
    phone: str
    received_at: datetime
    due_at: datetime                  # the legal appointment (original_due_at)
    resolved_at: datetime | None
    returned_at: datetime | None
    result_receiver: str
    received_by: str                  # the receiving clerk's name
    status: int
    note: str


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def ledger_entry(d: Mapping[str, Any], receipt: Mapping[str, Any],
                 events: Iterable[tuple[str, Mapping[str, Any]]]) -> LedgerEntry:
    """`d`: the dossier's projection fields (DossierState names); `receipt`: the payload of
    its receipt; `events`: (kind, payload) of its other events, in fold order."""
    applicant = receipt.get("applicant", {}) or {}
    notes: list[str] = []
    if receipt.get("notes"):
        notes.append(str(receipt["notes"]))
    receiver = ""
    supplements = 0
    for kind, p in events:
        if kind == "supplement_requested":
            supplements += 1
        elif kind == "apology_issued" and p.get("new_due_at"):
            notes.append(f"Xin lỗi, hẹn lại ngày {_dt(p['new_due_at']):%d/%m/%Y}")
        elif kind in ("refused", "withdrawn", "stopped"):
            what = {"refused": "Từ chối", "withdrawn": "Rút hồ sơ", "stopped": "Dừng"}[kind]
            reason = p.get("reason") or "; ".join(p.get("reasons", ()))
            notes.append(f"{what}: {reason}" if reason else what)
        elif kind == "returned":
            receiver = p.get("to_name") or str(applicant.get("full_name", d["applicant_name"]))
            if p.get("method") == "post":
                notes.append("Trả qua bưu chính" + (f", mã {p['tracking']}" if p.get("tracking") else ""))
    if supplements:
        notes.insert(0, f"Yêu cầu bổ sung {supplements} lần")
    if d.get("conflicts"):
        notes.append("Có xung đột cần lãnh đạo xem")
    return LedgerEntry(
        code=d["code"], procedure=f"{d['procedure_name']} ({d['procedure_code']})",
        sets=int(receipt.get("sets", 1) or 1), applicant_name=d["applicant_name"],
        address=str(applicant.get("address", "") or ""),
        phone=str(applicant.get("phone", "") or d.get("applicant_phone", "") or ""),
        received_at=d["received_at"], due_at=d["original_due_at"],
        resolved_at=d.get("resolved_at"), returned_at=d.get("returned_at"),
        result_receiver=receiver, received_by=str(receipt.get("clerk_name", "")),
        status=int(d["status"]), note="; ".join(notes))


def ledger_values(n: int, e: LedgerEntry) -> tuple:
    """Row `n` (1-based) with dates as `date` (or None): what the spreadsheet stores."""
    day = lambda v: v.date() if v is not None else None   # noqa: E731
    return (n, e.code, e.procedure, e.sets, e.applicant_name, e.address, e.phone,
            day(e.received_at), day(e.due_at), day(e.resolved_at), day(e.returned_at),
            e.result_receiver, e.received_by, status_label(e.status), e.note)


def ledger_cells(n: int, e: LedgerEntry) -> tuple[str, ...]:
    """Row `n` as printed text: dates dd/mm/yyyy, empty where there is nothing yet."""
    return tuple("" if v is None else f"{v:%d/%m/%Y}" if isinstance(v, date) else str(v)
                 for v in ledger_values(n, e))
