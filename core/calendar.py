"""The working-day calendar and the appointment rule.

Days off come from the `holidays` package (country "VN", names in Vietnamese: the fixed
holidays, Tết and Giỗ Tổ from the lunar calendar, and the yearly swaps such as Mon
29/04/2024 off for Sat 04/05/2024 worked), corrected by a local override table that an
admin edits, because provinces and years differ and the package can be wrong or ahead of
the law (it lists 24/11 "Ngày Văn hóa Việt Nam" from 2026, UNCONFIRMED). A local override
always wins over the package. Saturday and Sunday are days off unless worked.

THE APPOINTMENT RULE

- The cut-off is `hours.cutoff` (default 15:00) when the procedure's cut-off applies
  (hộ tịch, chứng thực, the liên thông package), otherwise `hours.closing` (default 17:00).
- D0 is the receipt date if that is a working day and the receipt time is not after the
  cut-off (received at exactly 15:00 is not after it), otherwise the next working day.
- Same day: D0 at closing time.
- N working days: the N-th working day after D0, at closing time (N = 0 gives D0).
- Calendar days / months: D0 plus the term (months keep the day of the month, clamped to
  the month's end: 31/01 + 1 month = 28/02 or 29/02), moved to the next working day if
  that falls on a day off, at closing time.
- Working hours: counted through the office-hour sessions of working days, starting at the
  receipt moment (or at the next opening if received outside office hours); the due moment
  is when the N-th hour is used up (ending exactly at 11:30 gives 11:30, not 13:30).
  Counting starts on D0: if D0 is later than the receipt date (a day off, after closing,
  or after 15:00 when the cut-off applies) it starts at D0's first opening. So the due
  moment is never on a day before D0, whatever the unit.

Datetimes are naive local office time (see core.clock); an aware one keeps its tzinfo.
"""
from __future__ import annotations

import calendar as _stdcal
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Iterable

from core.catalogue import Term, TermUnit

# A run of days off longer than this means the override table is broken (e.g. every day
# marked off); fail loudly instead of looping for ever.
_MAX_DAYS_OFF_IN_A_ROW = 60


@dataclass(frozen=True, slots=True)
class OfficeHours:
    sessions: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
    cutoff: time = time(15, 0)
    closing: time = time(17, 0)

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("Cần ít nhất một buổi làm việc.")
        previous_end = time.min
        for start, end in self.sessions:
            if not start < end:
                raise ValueError(f"Buổi làm việc {start:%H:%M}–{end:%H:%M}: giờ bắt đầu phải trước giờ kết thúc.")
            if start < previous_end:
                raise ValueError("Các buổi làm việc phải theo thứ tự và không chồng lên nhau.")
            previous_end = end
        if self.cutoff > self.closing:
            raise ValueError("Giờ chốt nhận hồ sơ (15:00) không được sau giờ đóng cửa.")


class OverrideKind(StrEnum):
    DAY_OFF = "day_off"                  # an extra day off (or confirms one)
    CANCEL_DAY_OFF = "cancel_day_off"    # the package's day off is worked here
    WORKED_DAY = "worked_day"            # a Saturday/Sunday that is worked


OVERRIDE_KIND_VI = {
    OverrideKind.DAY_OFF: "Ngày nghỉ",
    OverrideKind.CANCEL_DAY_OFF: "Hủy ngày nghỉ",
    OverrideKind.WORKED_DAY: "Ngày làm việc bù",
}


@dataclass(frozen=True, slots=True)
class Override:
    day: date
    kind: OverrideKind
    name: str


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    name: str
    kind: str      # "day_off" | "worked_day"
    source: str    # "holidays" (the package) | "local" (the override table)


class WorkingCalendar:
    """Which days are worked, and when a dossier is due.

    Overrides are keyed by day; if the table has several for one day, the last one wins.
    """

    def __init__(self, overrides: Iterable[Override] = (), hours: OfficeHours = OfficeHours()):
        self.hours = hours
        self._overrides: dict[date, Override] = {}
        for o in overrides:
            self._overrides[o.day] = Override(o.day, OverrideKind(o.kind), o.name)
        import holidays     # here, not at import: the override types travel without the package
        self._package = holidays.country_holidays("VN", language="vi")
        self._years: dict[int, tuple[dict[date, str], dict[date, str]]] = {}
        self._lock = threading.Lock()

    @property
    def overrides(self) -> tuple[Override, ...]:
        return tuple(sorted(self._overrides.values(), key=lambda o: o.day))

    # -- the package, one year at a time --------------------------------------------
    def _year(self, year: int) -> tuple[dict[date, str], dict[date, str]]:
        """The package's days off and worked weekend days of `year`, with their names."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._years.get(year)
            if cached is None:
                # Looking a date up makes the package populate that year; neighbours too,
                # because a swap can cross New Year (off 31/12/2018, worked 05/01/2019).
                for y in (year - 1, year, year + 1):
                    self._package.get(date(y, 6, 1))
                days_off = {d: n for d, n in self._package.items() if d.year == year}
                worked = {d: self._worked_name(d) for d in self._package.weekend_workdays
                          if d.year == year}
                cached = (days_off, worked)
                self._years[year] = cached
        return cached

    def _worked_name(self, d: date) -> str:
        # The package names the swapped day off "Ngày nghỉ (thay cho ngày 22/08/2026)".
        mark = f"{d:%d/%m/%Y}"
        swapped = sorted(off for off, name in self._package.items() if mark in name)
        if swapped:
            return f"Ngày làm việc bù (cho ngày nghỉ {swapped[0]:%d/%m/%Y})"
        return "Ngày làm việc bù"

    # -- days ------------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        local = self._overrides.get(d)
        if local is not None:
            if local.kind is OverrideKind.DAY_OFF:
                return False
            if local.kind is OverrideKind.WORKED_DAY:
                return True
            # CANCEL_DAY_OFF: ignore the package's day off; a weekend stays a weekend.
            return d.weekday() < 5 or d in self._year(d.year)[1]
        days_off, worked = self._year(d.year)
        if d in days_off:
            return False
        return d.weekday() < 5 or d in worked

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise ValueError(f"Không có ngày làm việc nào trong {_MAX_DAYS_OFF_IN_A_ROW} ngày sau {d:%d/%m/%Y}; "
                         "kiểm tra bảng ngày nghỉ.")

    def _on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def special_days(self, year: int) -> list[DayInfo]:
        """Every day off and every worked weekend day of `year`, sorted by day.

        A day the local table mentions is reported from the table: DAY_OFF as a local day
        off, WORKED_DAY as a local worked day. A package day off cancelled locally
        (CANCEL_DAY_OFF) is an ordinary day, so it is not listed at all; `overrides` shows
        the cancellation itself.
        """
        days_off, worked = self._year(year)
        out: dict[date, DayInfo] = {}
        for d, name in days_off.items():
            out[d] = DayInfo(d, name, OverrideKind.DAY_OFF.value, "holidays")
        for d, name in worked.items():
            out[d] = DayInfo(d, name, OverrideKind.WORKED_DAY.value, "holidays")
        for d, o in self._overrides.items():
            if d.year != year:
                continue
            out.pop(d, None)
            if o.kind is not OverrideKind.CANCEL_DAY_OFF:
                out[d] = DayInfo(d, o.name, o.kind.value, "local")
        return [out[d] for d in sorted(out)]

    # -- the appointment rule ------------------------------------------------------------
    def d0(self, received: datetime, cutoff_applies: bool) -> date:
        limit = self.hours.cutoff if cutoff_applies else self.hours.closing
        day = received.date()
        if self.is_working_day(day) and received.time() <= limit:
            return day
        return self.next_working_day(day)

    def due(self, received: datetime, term: Term, cutoff_applies: bool) -> datetime:
        if term.amount < 0:
            raise ValueError("Thời hạn giải quyết không được âm.")
        start = self.d0(received, cutoff_applies)
        unit = TermUnit(term.unit)
        if unit is TermUnit.WORKING_HOURS:
            begin = received if start == received.date() else datetime.combine(start, time.min, received.tzinfo)
            return self._add_working_hours(begin, term.amount)
        if unit is TermUnit.SAME_DAY:
            day = start
        elif unit is TermUnit.WORKING_DAYS:
            day = start
            for _ in range(term.amount):
                day = self.next_working_day(day)
        elif unit is TermUnit.CALENDAR_DAYS:
            day = self._on_or_after(start + timedelta(days=term.amount))
        elif unit is TermUnit.MONTHS:
            day = self._on_or_after(add_months(start, term.amount))
        else:  # pragma: no cover - TermUnit is closed
            raise ValueError(f"Đơn vị thời hạn không hỗ trợ: {unit}")
        return datetime.combine(day, self.hours.closing, received.tzinfo)

    def _add_working_hours(self, begin: datetime, hours: int) -> datetime:
        remaining = timedelta(hours=hours)
        day = self._on_or_after(begin.date())
        cursor = begin if day == begin.date() else datetime.combine(day, time.min, begin.tzinfo)
        while True:
            for opens, closes in self.hours.sessions:
                seg_start = max(datetime.combine(day, opens, begin.tzinfo), cursor)
                seg_end = datetime.combine(day, closes, begin.tzinfo)
                if seg_start >= seg_end:
                    continue
                if remaining <= seg_end - seg_start:
                    return seg_start + remaining
                remaining -= seg_end - seg_start
            day = self.next_working_day(day)
            cursor = datetime.combine(day, time.min, begin.tzinfo)


def add_months(d: date, months: int) -> date:
    """`d` plus whole months, the day of the month clamped to the month's end."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _stdcal.monthrange(year, month)[1]))
