"""The desk's morning work list: which dossiers need a hand today, by definition.

Each list is a status set and a range on one projection column, so db/worklist.py answers
it with one indexed range query; `lists_of` is the same definition in Python, and a test
holds the two to the same answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from core.calendar import WorkingCalendar
from core.lifecycle import DossierState, Status


class WorkList(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_NEXT = "due_next"                  # due on the next working day ("ngày mai")
    APOLOGY_NEEDED = "apology_needed"
    SUPPLEMENT_WAITING = "supplement_waiting"
    SUPPLEMENT_OVERDUE = "supplement_overdue"   # "quá hạn bổ sung": never refused automatically
    NOT_RETURNED = "not_returned"          # result ready, not yet returned


WORKLIST_VI = {
    WorkList.OVERDUE: "Quá hạn",
    WorkList.DUE_TODAY: "Đến hạn hôm nay",
    WorkList.DUE_NEXT: "Đến hạn ngày mai",
    WorkList.APOLOGY_NEEDED: "Cần xin lỗi, hẹn lại",
    WorkList.SUPPLEMENT_WAITING: "Chờ bổ sung",
    WorkList.SUPPLEMENT_OVERDUE: "Quá hạn bổ sung",
    WorkList.NOT_RETURNED: "Có kết quả, chưa trả",
}

IN_HAND = (Status.RECEIVED, Status.PROCESSING)
BEFORE_RESULT = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT)


@dataclass(frozen=True, slots=True)
class Rule:
    """`status IN statuses AND low <= column < high` (a missing bound is open), plus
    `apology_count = 0` when `no_apology`."""
    statuses: tuple[Status, ...]
    column: str | None = None
    low: datetime | None = None
    high: datetime | None = None
    no_apology: bool = False

    def matches(self, s: DossierState) -> bool:
        if s.status not in self.statuses:
            return False
        if self.no_apology and s.apology_count:
            return False
        if self.column is None:
            return True
        value = getattr(s, self.column)
        if value is None:
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


def rules(now: datetime, calendar: WorkingCalendar) -> dict[WorkList, Rule]:
    """Every list's rule at `now`. "Tomorrow" is the next working day (on a Friday, Monday)."""
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time.min, now.tzinfo)
    after_next = datetime.combine(calendar.next_working_day(now.date()) + timedelta(days=1), time.min, now.tzinfo)
    return {
        WorkList.OVERDUE: Rule(IN_HAND, "due_at", high=now),
        WorkList.DUE_TODAY: Rule(IN_HAND, "due_at", low=now, high=tomorrow),
        WorkList.DUE_NEXT: Rule(IN_HAND, "due_at", low=tomorrow, high=after_next),
        # The apology must be issued on a working day strictly before the appointment's
        # date: for an appointment on the next working day, today is the last chance.
        WorkList.APOLOGY_NEEDED: Rule(BEFORE_RESULT, "due_at", low=tomorrow, high=after_next, no_apology=True),
        WorkList.SUPPLEMENT_WAITING: Rule((Status.SUPPLEMENT,)),
        WorkList.SUPPLEMENT_OVERDUE: Rule((Status.SUPPLEMENT,), "supplement_due_at", high=now),
        WorkList.NOT_RETURNED: Rule((Status.RESOLVED,)),
    }


def lists_of(state: DossierState, now: datetime, calendar: WorkingCalendar) -> set[WorkList]:
    return {name for name, rule in rules(now, calendar).items() if rule.matches(state)}
