"""Supervisor statistics: the one place every figure is defined.

A figure is a count of dossiers that meet a predicate for a period [from, to] (dates,
inclusive, Vietnam local time). The predicates below are the definitions; db/stats.py
writes the same predicates as SQL, and a property test holds the two to the same answers.

Terms (Biểu số 06, TT 01/2020/TT-VPCP, and the lifecycle issue):
- a dossier is *accepted* unless its status is 3 (không được tiếp nhận);
- it *ends* at coalesce(resolved_at, returned_at, closed_at): a result (status 9, or
  10 without a recorded result) or a withdrawal / stop (statuses 7, 8). Its end date is
  never taken before its receipt date, so a clock error cannot break the identity;
- early / on time / late compare the calendar date of the result with the date of
  `original_due_at` (the legal appointment, moved only by a supplement restart);
- in progress at the end of `to` and late when the date of `original_due_at` is before
  `to`'s date; a dossier waiting for a supplement counts as on time (its term restarts).
The projection keeps only the current status, so "waiting for a supplement" is the
current status: exact for a period that ends today, an approximation for older ones.

For every period and grouping: carried_over + received = resolved + withdrawn_stopped +
in_progress.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Mapping

NOT_ACCEPTED, SUPPLEMENT = 3, 5
ONLINE, POSTAL = 2, 3

# Marks the province judges by (Quảng Ngãi reports; QĐ 766 gives the full online score at 50 %).
TARGET_ON_TIME, TARGET_ONLINE, TARGET_SATISFACTION = 0.95, 0.50, 0.90


@dataclass(frozen=True, slots=True)
class Facts:
    """What statistics read of a dossier's projection (the `dossier` row)."""
    id: str
    status: int
    channel: int
    received_at: datetime
    original_due_at: datetime
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    closed_at: datetime | None = None
    supplement_count: int = 0
    apology_count: int = 0
    procedure_code: str = ""
    procedure_name: str = ""
    procedure_field: str = ""
    received_by: str = ""
    agency_code: str = ""
    desk_number: int = 0

    @property
    def accepted(self) -> bool:
        return self.status != NOT_ACCEPTED

    @property
    def has_result(self) -> bool:
        return self.resolved_at is not None or self.returned_at is not None

    @property
    def ended_on(self) -> date | None:
        """The date the dossier left the open set, never before its receipt date."""
        end = self.resolved_at or self.returned_at or self.closed_at
        if end is None:
            return None
        return max(end.date(), self.received_at.date())


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date       # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"Ngày cuối ({self.end:%d/%m/%Y}) trước ngày đầu ({self.start:%d/%m/%Y}).")

    def label_vi(self) -> str:
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"


# -- the definitions ------------------------------------------------------------------

def _in(d: date | None, p: Period) -> bool:
    return d is not None and p.start <= d <= p.end


def is_received(f: Facts, p: Period) -> bool:
    return f.accepted and _in(f.received_at.date(), p)


def is_carried_over(f: Facts, p: Period) -> bool:
    e = f.ended_on
    return f.accepted and f.received_at.date() < p.start and (e is None or e >= p.start)


def is_resolved(f: Facts, p: Period) -> bool:
    return f.accepted and f.has_result and _in(f.ended_on, p)


def timeliness(f: Facts) -> str:
    """'early', 'on_time' or 'late': the result's date against the legal appointment's."""
    e, due = f.ended_on, f.original_due_at.date()
    return "early" if e < due else "on_time" if e == due else "late"


def is_withdrawn_stopped(f: Facts, p: Period) -> bool:
    return f.accepted and not f.has_result and f.closed_at is not None and _in(f.ended_on, p)


def is_in_progress(f: Facts, p: Period) -> bool:
    e = f.ended_on
    return f.accepted and f.received_at.date() <= p.end and (e is None or e > p.end)


def is_in_progress_late(f: Facts, p: Period) -> bool:
    return is_in_progress(f, p) and f.status != SUPPLEMENT and f.original_due_at.date() < p.end


def is_of_period(f: Facts, p: Period) -> bool:
    """Handled in the period: carried over into it or received in it."""
    return is_carried_over(f, p) or is_received(f, p)


def is_late(f: Facts, p: Period) -> bool:
    return (is_resolved(f, p) and timeliness(f) == "late") or is_in_progress_late(f, p)


# -- facts kept on the projection ---------------------------------------------------------
# Every write of a dossier row (the local fold, the sync pull, `motcua db rebuild`, the demo
# seeder: all through db/rows.py) stores three columns computed here, so a desk's report
# counts stored classes with one GROUP BY over an index instead of classifying each dossier:
#   received_day  the receipt date, as the integer yyyymmdd;
#   ended_day     `ended_on` as yyyymmdd, NULL while open;
#   stat_class    every class of the dossier that does not depend on the period (SC_* bits).
# All three are calendar-free: processing working days, which depend on the holiday
# calendar and its local overrides (an admin edits them, the pull brings them), are NOT
# stored; a report counts them from the receipt and result days with the calendar of the
# moment, so a calendar change needs no recomputation of any row.
SC_NOT_ACCEPTED = 1          # status 3: counted only as not_accepted
SC_ONLINE = 2                # channel 2
SC_POSTAL = 4                # channel 3
SC_RESULT = 8                # has_result
SC_WITHDRAWN = 16            # ended by a withdrawal or stop (closed, no result)
SC_TIMELINESS_SHIFT = 5      # 2 bits, with a result: 0 early, 1 on time, 2 late
SC_SAME_DAY = 128            # with a result: ended on its receipt date
SC_APOLOGY = 256             # apology_count > 0
SC_SUPPLEMENT_OVER_ONCE = 512  # supplement_count > 1
SC_WAITING = 1024            # status 5: waiting for a supplement (never late while open)
TIMELINESS = ("early", "on_time", "late")


def day_number(d: date) -> int:
    """A date as the integer yyyymmdd (the stored day columns)."""
    return d.year * 10000 + d.month * 100 + d.day


def from_day_number(n: int) -> date:
    return date(n // 10000, n // 100 % 100, n % 100)


def stat_class(f: Facts) -> int:
    """The period-independent classes of a dossier, by the definitions above."""
    c = 0 if f.accepted else SC_NOT_ACCEPTED
    if f.channel == ONLINE:
        c |= SC_ONLINE
    elif f.channel == POSTAL:
        c |= SC_POSTAL
    if f.has_result:
        c |= SC_RESULT | TIMELINESS.index(timeliness(f)) << SC_TIMELINESS_SHIFT
        if f.ended_on == f.received_at.date():
            c |= SC_SAME_DAY
    elif f.closed_at is not None:
        c |= SC_WITHDRAWN
    if f.apology_count > 0:
        c |= SC_APOLOGY
    if f.supplement_count > 1:
        c |= SC_SUPPLEMENT_OVER_ONCE
    if f.status == SUPPLEMENT:
        c |= SC_WAITING
    return c


STORED_FACTS = ("received_day", "ended_day", "stat_class")


def stored_facts(f: Facts) -> dict[str, int | None]:
    """The statistics columns of a dossier row (received_day, ended_day, stat_class)."""
    return dict(zip(STORED_FACTS, stored_fact_values(
        f.status, f.channel, f.received_at, f.original_due_at, f.resolved_at, f.returned_at, f.closed_at,
        f.supplement_count, f.apology_count)))


def stored_fact_values(status: int, channel: int, received_at: datetime, original_due_at: datetime,
                       resolved_at: datetime | None, returned_at: datetime | None, closed_at: datetime | None,
                       supplement_count: int, apology_count: int) -> tuple[int, int | None, int]:
    """`stored_facts` of these values as a tuple (STORED_FACTS order): the definitions above
    (ended_on, timeliness, stat_class) worked out once each, without building the Facts --
    every projection a sync pull writes goes through here (tests/core/test_stats.py holds
    it to stat_class and ended_on)."""
    received = received_at.date()
    end = resolved_at or returned_at or closed_at
    ended = None if end is None else max(end.date(), received)
    c = SC_NOT_ACCEPTED if status == NOT_ACCEPTED else 0
    if channel == ONLINE:
        c |= SC_ONLINE
    elif channel == POSTAL:
        c |= SC_POSTAL
    if resolved_at is not None or returned_at is not None:
        due = original_due_at.date()
        c |= SC_RESULT | (0 if ended < due else 1 if ended == due else 2) << SC_TIMELINESS_SHIFT
        if ended == received:
            c |= SC_SAME_DAY
    elif closed_at is not None:
        c |= SC_WITHDRAWN
    if apology_count > 0:
        c |= SC_APOLOGY
    if supplement_count > 1:
        c |= SC_SUPPLEMENT_OVER_ONCE
    if status == SUPPLEMENT:
        c |= SC_WAITING
    return (received.year * 10000 + received.month * 100 + received.day,
            None if ended is None else ended.year * 10000 + ended.month * 100 + ended.day, c)


# Every counted figure: name -> predicate. db/stats.py has one SQL predicate per name.
PREDICATES: dict[str, Callable[[Facts, Period], bool]] = {
    "received": is_received,
    "received_online": lambda f, p: is_received(f, p) and f.channel == ONLINE,
    "received_direct_postal": lambda f, p: is_received(f, p) and f.channel != ONLINE,
    "received_postal": lambda f, p: is_received(f, p) and f.channel == POSTAL,
    "not_accepted": lambda f, p: not f.accepted and _in(f.received_at.date(), p),
    "carried_over": is_carried_over,
    "resolved": is_resolved,
    "resolved_early": lambda f, p: is_resolved(f, p) and timeliness(f) == "early",
    "resolved_on_time": lambda f, p: is_resolved(f, p) and timeliness(f) == "on_time",
    "resolved_late": lambda f, p: is_resolved(f, p) and timeliness(f) == "late",
    "withdrawn_stopped": is_withdrawn_stopped,
    "in_progress": is_in_progress,
    "in_progress_on_time": lambda f, p: is_in_progress(f, p) and not is_in_progress_late(f, p),
    "in_progress_late": is_in_progress_late,
    "waiting_supplement": lambda f, p: is_in_progress(f, p) and f.status == SUPPLEMENT,
    "same_day": lambda f, p: is_resolved(f, p) and f.ended_on == f.received_at.date(),
    "apologies": lambda f, p: is_of_period(f, p) and f.apology_count > 0,
    "late_with_apology": lambda f, p: is_late(f, p) and f.apology_count > 0,
    "late_without_apology": lambda f, p: is_late(f, p) and f.apology_count == 0,
    "supplement_over_once": lambda f, p: is_of_period(f, p) and f.supplement_count > 1,
}
COUNTS = tuple(PREDICATES)

FIGURE_VI = {
    "received": "Nhận giải quyết trong kỳ", "received_online": "Trực tuyến",
    "received_direct_postal": "Trực tiếp, dịch vụ bưu chính", "received_postal": "Bưu chính công ích",
    "not_accepted": "Không được tiếp nhận", "carried_over": "Từ kỳ trước", "resolved": "Đã giải quyết",
    "resolved_early": "Trước hạn", "resolved_on_time": "Đúng hạn", "resolved_late": "Quá hạn",
    "withdrawn_stopped": "Rút / dừng xử lý", "in_progress": "Đang giải quyết",
    "in_progress_on_time": "Trong hạn", "in_progress_late": "Quá hạn (đang giải quyết)",
    "waiting_supplement": "Chờ bổ sung", "same_day": "Trả ngay trong ngày",
    "apologies": "Có thư xin lỗi", "late_with_apology": "Quá hạn đã có thư xin lỗi",
    "late_without_apology": "Quá hạn chưa có thư xin lỗi", "supplement_over_once": "Bổ sung quá 1 lần",
}


@dataclass(frozen=True, slots=True)
class Ratings:
    """Ratings of the period (from db.ratings once it exists; zero until then)."""
    ratings: int = 0
    by_level: Mapping[str, int] = field(default_factory=dict)
    not_rated: int = 0
    misuse: int | None = 0              # None: not known (a centre keeps no kiosk presses)
    satisfaction_rate: float | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """Every figure of one period (and one group)."""
    period: Period
    counts: Mapping[str, int]
    processing_working_days: int = 0        # sum over resolved dossiers
    ratings: Ratings = Ratings()
    key: str | None = None
    label: str | None = None
    resolved_by_day: Mapping[date, int] = field(default_factory=dict)   # when working days are counted
    received_by_day: Mapping[date, int] = field(default_factory=dict)   # likewise

    def __getattr__(self, name: str) -> Any:
        try:
            return self.counts[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.counts["resolved_early"] + self.counts["resolved_on_time"], self.counts["resolved"])

    @property
    def online_share(self) -> float | None:
        return rate(self.counts["received_online"], self.counts["received"])

    @property
    def avg_processing_working_days(self) -> float | None:
        return rate(self.processing_working_days, self.counts["resolved"])

    def identity_holds(self) -> bool:
        c = self.counts
        return c["carried_over"] + c["received"] == c["resolved"] + c["withdrawn_stopped"] + c["in_progress"]


@dataclass(frozen=True, slots=True)
class Report:
    """A period's figures: the whole, and per group when grouped."""
    period: Period
    by: str | None
    whole: Figures
    groups: list[Figures]


def working_days_counter(is_working_day: Callable[[date], bool]) -> Callable[[date, date], int]:
    """`f(a, b)`: the working days after `a` up to and including `b` (0 on the same day)."""
    cache: dict[date, bool] = {}

    def count(a: date, b: date) -> int:
        n = 0
        for i in range(1, (b - a).days + 1):
            d = a + timedelta(days=i)
            w = cache.get(d)
            if w is None:
                w = cache[d] = is_working_day(d)
            n += w
        return n
    return count


def rate(numerator: int, denominator: int) -> float | None:
    """A fraction, or None for an empty denominator (shown "—", never 0 % or 100 %)."""
    return numerator / denominator if denominator else None


def percent_vi(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}".replace(".", ",") + " %"


def number_vi(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}".replace(".", ",")


JSON_KEYS = (
    "from", "to", "received", "received_online", "received_direct_postal", "received_postal",
    "not_accepted", "carried_over", "resolved", "resolved_early", "resolved_on_time", "resolved_late",
    "withdrawn_stopped", "in_progress", "in_progress_on_time", "in_progress_late",
    "waiting_supplement", "on_time_rate", "online_share", "same_day", "avg_processing_working_days",
    "apologies", "supplement_over_once", "ratings", "ratings_by_level", "not_rated", "misuse",
    "satisfaction_rate",
)


def to_json(f: Figures) -> dict[str, Any]:
    """Exactly the keys of `motcua stats --json` (rates as fractions or null)."""
    c, r = f.counts, f.ratings
    extra = {"from": f.period.start.isoformat(), "to": f.period.end.isoformat(),
             "on_time_rate": f.on_time_rate, "online_share": f.online_share,
             "avg_processing_working_days": f.avg_processing_working_days,
             "ratings": r.ratings, "ratings_by_level": dict(r.by_level), "not_rated": r.not_rated,
             "misuse": r.misuse, "satisfaction_rate": r.satisfaction_rate}
    out = {k: extra[k] if k in extra else c[k] for k in JSON_KEYS}
    if f.key is not None:
        out = {"key": f.key, "label": f.label, **out}
    return out


# -- the plain Python fold (the reference the SQL is tested against) --------------------

GROUPINGS = ("field", "procedure", "clerk", "desk", "agency", "day", "month")
GROUPING_VI = {"field": "Lĩnh vực", "procedure": "Thủ tục", "clerk": "Cán bộ", "desk": "Quầy",
               "agency": "Cơ quan", "day": "Ngày", "month": "Tháng"}
NO_FIELD_VI = "Chưa rõ lĩnh vực"


def group_key(f: Facts, by: str) -> str:
    if by == "field":
        return f.procedure_field
    if by == "procedure":
        return f.procedure_code
    if by == "clerk":
        return f.received_by
    if by == "desk":
        return f"{f.agency_code}/{f.desk_number}"
    if by == "agency":
        return f.agency_code
    raise ValueError(f"not a dossier grouping: {by}")


def buckets(period: Period, by: str | None) -> list[tuple[str | None, Period]]:
    """Time groupings are periods of their own (each day, each month, clipped to the period)."""
    if by == "day":
        days = (period.end - period.start).days + 1
        return [(d.isoformat(), Period(d, d)) for d in (period.start + timedelta(n) for n in range(days))]
    if by == "month":
        out, d = [], period.start
        while d <= period.end:
            nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
            out.append((f"{d:%Y-%m}", Period(d, min(period.end, nxt - timedelta(1)))))
            d = nxt
        return out
    return [(None, period)]


def fold_figures(dossiers: Iterable[Facts], period: Period, by: str | None = None,
                 working_days: Callable[[date, date], int] | None = None) -> dict[str | None, Figures]:
    """Every figure by group, by counting each predicate over the dossiers one by one.

    `working_days(a, b)`: working days after `a` up to and including `b` (0 on the same
    day); without it, processing days are not counted."""
    items = list(dossiers)
    out: dict[str | None, Figures] = {}
    for bkey, p in buckets(period, by):
        sums: dict[str | None, dict[str, int]] = {}
        wdays: dict[str | None, int] = {}
        for f in items:
            hits = [name for name, pred in PREDICATES.items() if pred(f, p)]
            if not hits:
                continue
            key = bkey if by in (None, "day", "month") else group_key(f, by)
            c = sums.setdefault(key, dict.fromkeys(COUNTS, 0))
            for name in hits:
                c[name] += 1
            if working_days is not None and "resolved" in hits:
                wdays[key] = wdays.get(key, 0) + working_days(f.received_at.date(), f.ended_on)
        if by in ("day", "month") or by is None:
            sums.setdefault(bkey, dict.fromkeys(COUNTS, 0))
        for key, c in sums.items():
            out[key] = Figures(p, c, wdays.get(key, 0), key=key if by else None)
    return out


def total(groups: Iterable[Figures], period: Period) -> Figures:
    """The sum of groups of a dossier grouping (each dossier in one group; not days or
    months, whose carried-over figures overlap): rates are recomputed, never averaged."""
    c = dict.fromkeys(COUNTS, 0)
    days = 0
    by_day: dict[date, int] = {}
    received: dict[date, int] = {}
    for g in groups:
        for k in COUNTS:
            c[k] += g.counts[k]
        days += g.processing_working_days
        for d, n in g.resolved_by_day.items():
            by_day[d] = by_day.get(d, 0) + n
        for d, n in g.received_by_day.items():
            received[d] = received.get(d, 0) + n
    return Figures(period, c, days, resolved_by_day=by_day, received_by_day=received)
