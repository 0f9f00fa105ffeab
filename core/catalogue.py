"""The procedure catalogue: what a desk can receive, with its term, fee and documents.

A procedure is versioned: a dossier keeps the version it was received under, so a later
edit of the catalogue never changes the appointment or the checklist of an old dossier.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TermUnit(StrEnum):
    SAME_DAY = "same_day"
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"


TERM_UNIT_VI = {
    TermUnit.SAME_DAY: "trong ngày",
    TermUnit.WORKING_DAYS: "ngày làm việc",
    TermUnit.WORKING_HOURS: "giờ làm việc",
    TermUnit.CALENDAR_DAYS: "ngày",
    TermUnit.MONTHS: "tháng",
}


@dataclass(frozen=True, slots=True)
class Term:
    amount: int
    unit: TermUnit

    def label_vi(self) -> str:
        if self.unit is TermUnit.SAME_DAY:
            return "Trong ngày"
        return f"{self.amount} {TERM_UNIT_VI[self.unit]}"


class DocForm(StrEnum):
    ORIGINAL = "original"
    COPY = "copy"
    CERTIFIED_COPY = "certified_copy"
    ORIGINAL_OR_COPY = "original_or_copy"


DOC_FORM_VI = {
    DocForm.ORIGINAL: "Bản chính",
    DocForm.COPY: "Bản sao",
    DocForm.CERTIFIED_COPY: "Bản sao chứng thực",
    DocForm.ORIGINAL_OR_COPY: "Bản chính hoặc bản sao",
}


class Delivery(StrEnum):
    DESK = "desk"
    POST = "post"
    ONLINE = "online"


DELIVERY_VI = {
    Delivery.DESK: "Trực tiếp tại Bộ phận Một cửa",
    Delivery.POST: "Qua dịch vụ bưu chính công ích",
    Delivery.ONLINE: "Trực tuyến (bản điện tử)",
}


@dataclass(frozen=True, slots=True)
class RequiredDocument:
    name: str
    form: DocForm = DocForm.ORIGINAL
    count: int = 1

    def label_vi(self) -> str:
        return f"{self.name} ({DOC_FORM_VI[self.form]}: {self.count})"


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str                      # national code, e.g. "1.001193"
    name: str
    field: str                     # lĩnh vực, e.g. "Hộ tịch"
    level: str                     # e.g. "Cấp xã"
    term: Term
    cutoff_applies: bool           # 15:00 rule (hộ tịch, chứng thực, liên thông)
    fee: int = 0                   # VND; 0 = free or see fee_note
    fee_note: str = ""
    documents: tuple[RequiredDocument, ...] = ()
    delivery: tuple[Delivery, ...] = (Delivery.DESK, Delivery.POST)
    version: int = 1
    demo: bool = False
    active: bool = True
    # Words clerks and citizens use for it that its official name lacks ("chứng thực hợp
    # đồng" for "Chứng thực giao dịch về động sản…"); the desk's procedure search reads them.
    keywords: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def fee_label_vi(self) -> str:
        if self.fee_note and not self.fee:
            return self.fee_note
        if not self.fee:
            return "Miễn phí"
        amount = f"{self.fee:,}".replace(",", ".") + " đồng"
        return f"{amount} ({self.fee_note})" if self.fee_note else amount


# Sane bounds of a procedure's processing term per unit (issue 7): a catalogue with a term of
# 10^9 months once made `calendar due` throw and the receive screen exit. The longest terms
# in the national catalogue are a few months; these leave ample room above them.
TERM_MAX = {
    TermUnit.SAME_DAY: 0,
    TermUnit.WORKING_DAYS: 365,
    TermUnit.WORKING_HOURS: 480,
    TermUnit.CALENDAR_DAYS: 730,
    TermUnit.MONTHS: 36,
}
FEE_MAX = 1_000_000_000          # VND


def term_problem(term: Term) -> str | None:
    """Why a term cannot be used (Vietnamese), or None."""
    if isinstance(term.amount, bool) or not isinstance(term.amount, int):
        return "Thời hạn phải là số nguyên."
    top = TERM_MAX[TermUnit(term.unit)]
    if not 0 <= term.amount <= top:
        return (f"Thời hạn {term.amount} {TERM_UNIT_VI[TermUnit(term.unit)]} ngoài giới hạn cho phép "
                f"(0–{top}).")
    return None
