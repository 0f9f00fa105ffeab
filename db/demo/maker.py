"""Making demo dossiers: the stories, the rows, the projection (see db/demo/seed.py).

DEMO DATA. A `DossierMaker` turns a plan (agency, desk, clerks, procedures, calendar, "now")
and a chunk of days into event rows and projection rows as plain tuples, ready for
executemany. It is picklable input in, plain data out, so chunks can be made in worker
processes while the parent writes. Every row is what `DossierRepo.receive` and `record`
write: the RECEIVED payload comes from `core.receive.receipt_payload`, the projection is
`core.lifecycle.fold_fields` of the dossier's events turned into a row by db/rows.py.
"""
from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import msgspec
from sqlalchemy import DateTime

from core.calendar import OfficeHours, Override, WorkingCalendar
from core.catalogue import Delivery, Procedure, TermUnit
from core.lifecycle import EventKind, fold_fields, make_event
from core.people import Agency, Applicant, Channel, Desk, Role
from core.receive import ReceiveDraft, receipt_payload
from db.demo.people import PeopleMaker
from db.models import dossier as dossier_table
from db.rows import fields_to_row
from db.sql import dumps

# How often each procedure is filed at a commune desk (DEMO weights): copies certified
# from originals and birth registrations dominate.
_PROC_WEIGHT = {
    "2.000815": 30, "1.001193": 12, "2.000635": 8, "2.000884": 8, "1.000656": 4, "1.000894": 4,
    "1.004873": 6, "2.000986": 5, "2.001035": 4, "2.000908": 2, "2.000913": 1, "2.000942": 1,
    "2.001019": 1, "2.001016": 1, "2.001406": 1, "1.004859": 2, "1.001022": 1, "1.000689": 1,
    "1.004884": 1, "1.004837": 1, "1.004845": 1,
}
# (in person, online, postal) by field: certification needs the originals at the desk.
_CHANNELS = {"Hộ tịch": (0.20, 0.75, 0.05), "Chứng thực": (0.88, 0.12, 0.0)}
_DEFAULT_CHANNELS = (0.5, 0.45, 0.05)

# Scenario -> weight (per mille). Recent dossiers stop wherever "now" cuts their story.
_SCENARIOS = (
    ("normal", 780), ("late", 30), ("apology", 20), ("supplement", 50), ("supplement_stuck", 10),
    ("refused", 20), ("withdrawn", 10), ("uncollected", 30), ("uncollected_late", 10),
    ("processing", 25), ("received_only", 15),
)
SCENARIO_NAMES = tuple(s for s, _ in _SCENARIOS)
_SCENARIO_CUM = tuple(itertools.accumulate(w for _, w in _SCENARIOS))

_TRANSFER_TO = "Công chức Tư pháp - Hộ tịch"
_REFUSAL = ("Yêu cầu không thuộc thẩm quyền giải quyết của UBND xã.",
            "Giấy tờ xuất trình không hợp lệ, không đủ căn cứ để giải quyết.")
_SUPPLEMENT_REASON = "Thiếu giấy tờ theo quy định; đề nghị bổ sung để hoàn thiện hồ sơ."
_APOLOGY_REASON = "Hồ sơ cần xác minh thêm nên chưa trả kết quả đúng hẹn."
_DISSATISFIED = ("Thời gian chờ lâu", "Hướng dẫn chưa rõ ràng")


def _const(payload: dict) -> tuple[dict, str]:
    """A payload with its JSON, made once (most payloads repeat)."""
    return payload, dumps(payload)


_TRANSFERRED = _const({"from_body": "Bộ phận Một cửa", "from_person": "", "to_body": _TRANSFER_TO,
                       "to_person": "", "step_due_at": None})
_READY = _const({})
_WITHDRAWN = _const({"reason": "Công dân đề nghị rút hồ sơ."})
_REFUSED = tuple(_const({"reason": r}) for r in _REFUSAL)
_RETURNED = {d.value: _const({"method": "post" if d is Delivery.POST else "desk", "delivery": d.value})
             for d in Delivery}
_RATED = {"very_satisfied": _const({"level": "very_satisfied"}),
          "satisfied": _const({"level": "satisfied"})}
_RATED_BAD = tuple(_const({"level": "dissatisfied", "reasons": [r]}) for r in _DISSATISFIED)

# Enum members looked up once: attribute access on an Enum class is slow in a hot loop.
_RECEIVED_K, _RATED_K = EventKind.RECEIVED, EventKind.RATED
_KIND_TEXT = {k: k.value for k in EventKind}
_DESK, _POST, _ONLINE = Delivery.DESK.value, Delivery.POST.value, Delivery.ONLINE.value

_EPOCH_LOCAL = datetime(1970, 1, 1) + timedelta(hours=7)     # Unix epoch in VN local time
_ONE_MS = timedelta(milliseconds=1)

EVENT_COLS = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc", "wall_time",
               "kind", "payload", "synced_at")
DOSSIER_COLS = tuple(c.name for c in dossier_table.c)
_DOSSIER_DATETIMES = tuple(i for i, c in enumerate(dossier_table.c) if isinstance(c.type, DateTime))
# The receipt JSON, compact UTF-8 like db.sql.dumps but quicker: this runs once per dossier
# of a million-dossier seed, and a receipt holds only JSON types.
_encode = msgspec.json.Encoder().encode


def _sqlite_dt(value: datetime | None) -> str | None:
    # The exact text SQLAlchemy's SQLite DateTime writes, so comparisons keep working.
    return None if value is None else value.isoformat(" ", "microseconds")



def _same(value):
    return value


class _Proc(NamedTuple):
    proc: Procedure
    channel_cum: tuple[float, float, float]
    optional_docs: tuple[bool, ...]


@dataclass(frozen=True)
class SeedPlan:
    """Everything a maker needs, picklable for worker processes."""
    agency: Agency
    desk: Desk
    clerks: tuple[tuple[str, str, str], ...]      # (id, full name, role)
    procedures: tuple[Procedure, ...]
    overrides: tuple[Override, ...]
    hours: OfficeHours
    now: datetime
    node: str                                     # HLC node of this desk
    rng_seed: int
    sqlite: bool                                  # datetimes as SQLite text, else objects


@dataclass(frozen=True)
class SeedTask:
    """A run of whole days: (day, first sequence number, how many) each."""
    index: int
    days: tuple[tuple[date, int, int], ...]
    first: int                                    # index of its first dossier in the run
    forced: dict[int, str] = field(default_factory=dict)   # dossier index -> scenario


class DossierMaker:
    def __init__(self, plan: SeedPlan, calendar: WorkingCalendar | None = None):
        self.plan = plan
        self.now = plan.now
        self.rng = random.Random(plan.rng_seed)
        self.id_rng = random.Random()          # ids must differ between runs, data need not
        self.people = PeopleMaker(self.rng)
        self.calendar = calendar or WorkingCalendar(plan.overrides, plan.hours)
        self.hours = self.calendar.hours
        self.agency, self.desk = plan.agency, plan.desk
        desk_clerks = [cid for cid, _n, role in plan.clerks if role == Role.CLERK.value]
        desk_clerks = desk_clerks or [cid for cid, _n, _r in plan.clerks]
        self.clerks = desk_clerks * 4 + [cid for cid, _n, _r in plan.clerks]   # mostly desk clerks
        self.clerk_names = {cid: name for cid, name, _r in plan.clerks}
        procs = [p for p in plan.procedures if p.active]
        self.procs = [self._proc(p) for p in procs]
        self.multi_day = [i for i, pr in enumerate(self.procs) if pr.proc.term.unit is not TermUnit.SAME_DAY]
        self.proc_cum = list(itertools.accumulate(_PROC_WEIGHT.get(p.code, 1) for p in procs))
        self.dt = _sqlite_dt if plan.sqlite else _same
        self.docs: dict[tuple, tuple] = {}
        self.due_cache: dict[tuple, datetime] = {}
        self.made = 0
        self.hlc_counter = 0
        self.max_hlc = ""

    def make(self, task: SeedTask) -> tuple[list[tuple], list[tuple], str]:
        """Event rows, projection rows and the highest HLC stamp of one task."""
        self.rng.seed(f"{self.plan.rng_seed}:{task.index}")
        self.people = PeopleMaker(self.rng)
        self.max_hlc = ""
        ev_rows: list[tuple] = []
        dossier_rows: list[tuple] = []
        index = task.first
        agency, desk_no = self.agency.code, self.desk.number
        for day, seq, k in task.days:
            # Codes of one day share all but the counter (core.codes: desk, then counter).
            head = f"{agency}-{day:%y%m%d}-{desk_no:02d}"
            for t0 in self.times_on(day, k):
                scenario = task.forced.get(index) or self.scenario()
                rows, projection = self.dossier(t0, f"{head}{seq:03d}", scenario)
                ev_rows.extend(rows)
                dossier_rows.append(projection)
                seq += 1
                index += 1
        return ev_rows, dossier_rows, self.max_hlc

    @staticmethod
    def _proc(p: Procedure) -> _Proc:
        a, b, _c = _CHANNELS.get(p.field, _DEFAULT_CHANNELS)
        optional = tuple("(nếu" in doc.name or "nếu có" in doc.name for doc in p.documents)
        return _Proc(p, (a, a + b, 1.0), optional)

    # -- time helpers ----------------------------------------------------------------------
    def working_days(self, days: int) -> list[date]:
        out: list[date] = []
        d = self.now.date()
        first_open = self.hours.sessions[0][0]
        if not (self.calendar.is_working_day(d) and self.now.time() > first_open):
            d = d - timedelta(days=1)
        while len(out) < days:
            if self.calendar.is_working_day(d):
                out.append(d)
            d -= timedelta(days=1)
        return out[::-1]

    def times_on(self, day: date, k: int) -> list[datetime]:
        sessions = self.hours.sessions
        spans = []
        for a, b in sessions:
            s = datetime.combine(day, a)
            e = datetime.combine(day, b)
            if day == self.now.date():
                e = min(e, self.now)
            if e > s:
                spans.append((s, int((e - s).total_seconds())))
        total = sum(n for _, n in spans)
        if total <= 0:
            return []
        rng = self.rng
        out = []
        for _ in range(k):
            x = int(rng.random() * total)
            for s, n in spans:
                if x < n:
                    out.append(s + timedelta(seconds=x))
                    break
                x -= n
        out.sort()
        return out

    def snap(self, t: datetime) -> datetime:
        """`t`, or the next moment the office is open after it."""
        d = t.date()
        if self.calendar.is_working_day(d):
            tt = t.time()
            for a, b in self.hours.sessions:
                if tt < a:
                    return datetime.combine(d, a) + timedelta(minutes=self.ri(1, 40))
                if tt < b:
                    return t
        nd = self.calendar.next_working_day(d)
        return datetime.combine(nd, self.hours.sessions[0][0]) + timedelta(minutes=self.ri(1, 90))

    def after(self, t: datetime, lo_min: int, hi_min: int) -> datetime:
        return self.snap(t + timedelta(minutes=self.ri(lo_min, hi_min)))

    def working_days_after(self, t: datetime, n: int) -> datetime:
        d = t.date()
        for _ in range(n):
            d = self.calendar.next_working_day(d)
        return datetime.combine(d, self.hours.closing)

    def due(self, received: datetime, p: Procedure) -> datetime:
        unit = TermUnit(p.term.unit)
        if unit is TermUnit.WORKING_HOURS:
            return self.calendar.due(received, p.term, p.cutoff_applies)
        limit = self.hours.cutoff if p.cutoff_applies else self.hours.closing
        key = (received.date(), received.time() > limit, p.term.amount, unit, p.cutoff_applies)
        value = self.due_cache.get(key)
        if value is None:
            value = self.due_cache[key] = self.calendar.due(received, p.term, p.cutoff_applies)
        return value

    # -- ids and stamps --------------------------------------------------------------------
    def uuid7(self, ms: int) -> str:
        """A UUIDv7 for a moment in the past (core.ids only makes them for now)."""
        r = self.id_rng.getrandbits(74)
        return (f"{ms >> 16:08x}-{ms & 0xFFFF:04x}-7{r >> 62:03x}-"
                f"{0x8000 | ((r >> 48) & 0x3FFF):04x}-{r & 0xFFFFFFFFFFFF:012x}")

    def ri(self, lo: int, hi: int) -> int:
        """random.randint without its overhead (this runs a dozen times per dossier)."""
        return lo + int(self.rng.random() * (hi - lo + 1))

    def stamp(self, ms: int) -> str:
        # Counter varies so seeded stamps are unique; order within a dossier follows time.
        self.hlc_counter = (self.hlc_counter + 1) % 100_000
        return f"{ms:015d}.{self.hlc_counter:05d}.{self.plan.node}"

    def prev_working_day(self, d: date) -> date:
        for _ in range(60):
            d -= timedelta(days=1)
            if self.calendar.is_working_day(d):
                return d
        return d

    # -- one dossier -----------------------------------------------------------------------
    def scenario(self) -> str:
        x = int(self.rng.random() * _SCENARIO_CUM[-1])
        return SCENARIO_NAMES[bisect.bisect_right(_SCENARIO_CUM, x)]

    def story(self, scenario: str, t0: datetime, due: datetime, p: Procedure, channel: int,
              delivery: str) -> list[tuple[EventKind, datetime, tuple[dict, str]]]:
        """What happens to one dossier after its receipt: (kind, when, (payload, JSON))."""
        rng = self.rng
        steps: list[tuple[EventKind, datetime, tuple[dict, str]]] = []
        last = t0

        def add(kind: EventKind, at: datetime, payload: tuple[dict, str]) -> None:
            nonlocal last
            if at <= last:
                at = last + timedelta(seconds=self.ri(5, 120))
            steps.append((kind, at, payload))
            last = at

        if scenario == "received_only":
            return steps
        same_day = p.term.unit is TermUnit.SAME_DAY
        if scenario == "processing" or not same_day or rng.random() < 0.5:
            add(EventKind.TRANSFERRED, self.after(last, 5, 90), _TRANSFERRED)
        if scenario == "processing":
            return steps
        if scenario == "refused":
            add(EventKind.REFUSED, self.after(last, 60, 960), rng.choice(_REFUSED))
            return steps
        if scenario == "withdrawn":
            add(EventKind.WITHDRAWN, self.after(last, 60, 1440), _WITHDRAWN)
            return steps
        if scenario in ("supplement", "supplement_stuck"):
            missing = [{"name": rng.choice(p.documents).name, "form": "chinh"}] if p.documents else []
            asked = self.after(last, 30, 480)
            add(EventKind.SUPPLEMENT_REQUESTED, asked,
                _const({"missing": missing, "reason": _SUPPLEMENT_REASON, "override": False,
                        "citizen_due_at": self.working_days_after(asked, 15).isoformat()}))
            if scenario == "supplement_stuck":
                return steps
            add(EventKind.SUPPLEMENT_RECEIVED, self.after(last, 240, 3 * 1440), _const({"documents": missing}))
        if scenario == "apology":
            issue = self.snap(datetime.combine(self.prev_working_day(due.date()), time(9, 0))
                              + timedelta(minutes=self.ri(0, 300)))
            if issue > last:
                new_due = self.working_days_after(due, 3)
                add(EventKind.APOLOGY_ISSUED, issue, _const({"new_due_at": new_due.isoformat(),
                                                             "original_due_at": due.isoformat(),
                                                             "reason": _APOLOGY_REASON}))
                ready = min(self.snap(due + timedelta(hours=self.ri(16, 40))), new_due)
            else:
                scenario = "late"
        if scenario in ("late", "uncollected_late"):
            ready = self.snap(due + timedelta(minutes=self.ri(16 * 60, 4 * 1440)))
        elif scenario != "apology":
            span = (due - last).total_seconds()
            ready = self.snap(last + timedelta(seconds=span * rng.uniform(0.2, 0.9))) if span > 600 else last
            if ready > due:
                ready = due - timedelta(minutes=self.ri(1, 30))
        add(EventKind.RESULT_READY, ready, _READY)
        if scenario.startswith("uncollected"):
            return steps
        if delivery == _ONLINE:
            back = self.after(last, 1, 30)
        elif delivery == _POST:
            back = self.after(last, 1440, 3 * 1440)
        else:
            back = self.after(last, 10, rng.choice((60, 480, 2 * 1440, 5 * 1440)))
        add(EventKind.RETURNED, back, _RETURNED[delivery])
        if channel == 1 and delivery == _DESK and rng.random() < 0.6:
            x = int(rng.random() * 100)
            rating = _RATED["very_satisfied"] if x < 80 else (
                _RATED["satisfied"] if x < 99 else rng.choice(_RATED_BAD))
            add(EventKind.RATED, last + timedelta(seconds=self.ri(10, 60)), rating)
        return steps

    def dossier(self, t0: datetime, code: str, scenario: str) -> tuple[list[tuple], tuple]:
        """One dossier: its event rows and its projection row (both as tuples)."""
        rng = self.rng
        dt = self.dt
        pi = bisect.bisect_right(self.proc_cum, rng.random() * self.proc_cum[-1])
        if scenario == "apology" and self.procs[pi].proc.term.unit is TermUnit.SAME_DAY and self.multi_day:
            pi = rng.choice(self.multi_day)      # an apology needs a deadline days away
        pr = self.procs[pi]
        p = pr.proc
        x = rng.random()
        channel = 1 if x < pr.channel_cum[0] else (2 if x < pr.channel_cum[1] else 3)
        if channel == 3:
            delivery = _POST
        elif channel == 2:
            delivery = _ONLINE if Delivery.ONLINE in p.delivery else _DESK
        else:
            delivery = _POST if rng.random() < 0.08 and Delivery.POST in p.delivery else _DESK
        due = self.due(t0, p)
        applicant = self.people.person(t0.date())
        mask = tuple(not optional or rng.random() < 0.3 for optional in pr.optional_docs)
        documents = self.docs.get((pi, mask))
        if documents is None:
            documents = self.docs[(pi, mask)] = tuple(d for d, keep in zip(p.documents, mask) if keep)
        clerk = self.clerks[int(rng.random() * len(self.clerks))]
        draft = ReceiveDraft(
            applicant=Applicant(full_name=applicant["full_name"], id_number=applicant["id_number"],
                                birth_date=date.fromisoformat(applicant["birth_date"]),
                                sex=applicant["sex"], address=applicant["address"],
                                phone=applicant["phone"], email=applicant["email"]),
            procedure=p, documents=documents, channel=Channel(channel), delivery=Delivery(delivery))
        payload = receipt_payload(draft, code=code, agency_name=self.agency.name,
                                  desk_number=self.desk.number, clerk_name=self.clerk_names[clerk],
                                  received_at=t0, due_at=due)
        payload["demo"] = True
        ms = (t0 - _EPOCH_LOCAL) // _ONE_MS
        dossier_id = self.uuid7(ms)
        agency, desk_no = self.agency.code, self.desk.number
        stamp = self.stamp(ms)
        events = [make_event(self.uuid7(ms), dossier_id, agency, desk_no, clerk, stamp, t0,
                             _RECEIVED_K, payload)]
        jsons = [_encode(payload).decode()]
        for kind, at, (pl, pl_json) in self.story(scenario, t0, due, p, channel, delivery):
            if at > self.now:
                break
            ms = (at - _EPOCH_LOCAL) // _ONE_MS
            who = clerk if kind is _RATED_K else self.clerks[int(rng.random() * len(self.clerks))]
            events.append(make_event(self.uuid7(ms), dossier_id, agency, desk_no, who, self.stamp(ms),
                                     at, kind, pl))
            jsons.append(pl_json)
        rows = [(e.id, e.dossier_id, e.agency_code, e.desk_number, e.clerk_id, e.hlc, dt(e.wall_time),
                 _KIND_TEXT[e.kind], j, None) for e, j in zip(events, jsons)]
        # The projection is core.lifecycle's fold of these very events (the one fold).
        row = fields_to_row(fold_fields(events))
        if row["last_hlc"] > self.max_hlc:
            self.max_hlc = row["last_hlc"]
        projection = [row[c] for c in DOSSIER_COLS]
        for i in _DOSSIER_DATETIMES:
            projection[i] = dt(projection[i])
        projection = tuple(projection)
        self.made += 1
        return rows, projection
