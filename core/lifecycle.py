"""Dossier lifecycle: events, national status codes, and the fold that projects a dossier.

Events are facts and are never changed. The dossier's current state is a fold of its
events in (HLC, id) order; the fold is deterministic, so every desk and the central store
reach the same state from the same set of events, whatever order they arrived in. An event
that does not fit the state it lands on (two desks both returned the result while offline)
is kept, applied by a fixed rule, and flagged as a conflict for a supervisor.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any, Iterable


class Status(IntEnum):
    """National status codes (TrangThaiHoSo)."""
    NEW = 1                 # Mới đăng ký
    RECEIVED = 2            # Được tiếp nhận
    NOT_ACCEPTED = 3        # Không được tiếp nhận
    PROCESSING = 4          # Đang xử lý
    SUPPLEMENT = 5          # Yêu cầu bổ sung giấy tờ
    FINANCIAL = 6           # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7           # Công dân yêu cầu rút hồ sơ
    STOPPED = 8             # Dừng xử lý
    RESOLVED = 9            # Đã xử lý xong
    RETURNED = 10           # Đã trả kết quả


STATUS_VI = {
    Status.NEW: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.NOT_ACCEPTED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    Status.FINANCIAL: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.RESOLVED: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}


class EventKind(StrEnum):
    RECEIVED = "received"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    REFUSED = "refused"
    TRANSFERRED = "transferred"          # forwarded for processing
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    APOLOGY_ISSUED = "apology_issued"    # payload: new_due_at, reason
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"                  # the desk stops processing (form 05)
    TAKEN_BACK = "taken_back"            # a processing body hands the dossier back
    RATED = "rated"                      # payload: level, reasons
    NOTE = "note"


EVENT_VI = {
    EventKind.RECEIVED: "Tiếp nhận hồ sơ",
    EventKind.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung hồ sơ",
    EventKind.SUPPLEMENT_RECEIVED: "Nhận hồ sơ bổ sung",
    EventKind.REFUSED: "Từ chối tiếp nhận",
    EventKind.TRANSFERRED: "Chuyển xử lý",
    EventKind.RESULT_READY: "Có kết quả",
    EventKind.RETURNED: "Trả kết quả",
    EventKind.APOLOGY_ISSUED: "Xin lỗi, hẹn lại ngày trả",
    EventKind.WITHDRAWN: "Rút hồ sơ",
    EventKind.STOPPED: "Dừng giải quyết",
    EventKind.TAKEN_BACK: "Nhận lại hồ sơ",
    EventKind.RATED: "Đánh giá",
    EventKind.NOTE: "Ghi chú",
}


@dataclass(frozen=True, slots=True)
class Event:
    id: str                  # UUIDv7
    dossier_id: str
    agency_code: str
    desk_number: int
    clerk_id: str
    hlc: str                 # HLC stamp, see core.clock
    wall_time: datetime      # device wall time (naive local)
    kind: EventKind
    payload: dict[str, Any] = field(default_factory=dict, hash=False)

    def sort_key(self) -> tuple[str, str]:
        return (self.hlc, self.id)


def _event_builder():
    # Sets the slots through their descriptors: the frozen dataclass's __init__ goes
    # through object.__setattr__ once per field, twice the cost, which showed in the
    # decoding of a 100,000-event pull. The result is an ordinary (frozen) Event.
    new = object.__new__
    s_id, s_dossier, s_agency, s_desk, s_clerk, s_hlc, s_wall, s_kind, s_payload = (
        Event.__dict__[f.name].__set__ for f in fields(Event))

    def build(id: str, dossier_id: str, agency_code: str, desk_number: int, clerk_id: str, hlc: str,
              wall_time: datetime, kind: EventKind, payload: dict[str, Any]) -> Event:
        e = new(Event)
        s_id(e, id)
        s_dossier(e, dossier_id)
        s_agency(e, agency_code)
        s_desk(e, desk_number)
        s_clerk(e, clerk_id)
        s_hlc(e, hlc)
        s_wall(e, wall_time)
        s_kind(e, kind)
        s_payload(e, payload)
        return e
    return build


make_event = _event_builder()
"""`Event(...)` with every field given, about twice as fast (for decoding in bulk)."""


TERMINAL = frozenset({Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
BEFORE_RESULT = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT})

# Which statuses an action may land on. Notes, ratings and print records fit any state.
_ALLOWED: dict[EventKind, frozenset[Status]] = {
    EventKind.SUPPLEMENT_REQUESTED: frozenset({Status.RECEIVED, Status.PROCESSING}),
    EventKind.SUPPLEMENT_RECEIVED: frozenset({Status.SUPPLEMENT}),
    EventKind.REFUSED: frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT}),
    EventKind.TRANSFERRED: frozenset({Status.RECEIVED, Status.PROCESSING}),
    EventKind.TAKEN_BACK: frozenset({Status.PROCESSING}),
    EventKind.RESULT_READY: frozenset({Status.RECEIVED, Status.PROCESSING}),
    EventKind.RETURNED: frozenset({Status.RESOLVED}),
    EventKind.APOLOGY_ISSUED: BEFORE_RESULT,
    EventKind.WITHDRAWN: BEFORE_RESULT,
    EventKind.STOPPED: BEFORE_RESULT,
    EventKind.RATED: frozenset(Status),
    EventKind.NOTE: frozenset(Status),
}
ALWAYS_ALLOWED = frozenset({EventKind.RATED, EventKind.NOTE})

_NEXT_STATUS: dict[EventKind, Status] = {
    EventKind.SUPPLEMENT_REQUESTED: Status.SUPPLEMENT,
    EventKind.REFUSED: Status.NOT_ACCEPTED,
    EventKind.TRANSFERRED: Status.PROCESSING,
    EventKind.RESULT_READY: Status.RESOLVED,
    EventKind.RETURNED: Status.RETURNED,
    EventKind.WITHDRAWN: Status.WITHDRAWN,
    EventKind.STOPPED: Status.STOPPED,
}
_CLOSES = {EventKind.REFUSED, EventKind.WITHDRAWN, EventKind.STOPPED}


@dataclass(frozen=True, slots=True)
class DossierState:
    """The projection of one dossier. Built only by `fold`."""
    id: str
    code: str
    agency_code: str
    desk_number: int
    procedure_code: str
    procedure_name: str
    procedure_version: int
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    channel: int
    status: Status
    received_at: datetime
    due_at: datetime                           # what the citizen was last told
    original_due_at: datetime                  # the legal appointment (moved only by a supplement)
    received_by: str
    resolved_at: datetime | None = None        # the result is ready
    returned_at: datetime | None = None
    closed_at: datetime | None = None          # refused / withdrawn / stopped
    supplement_count: int = 0                  # every request, overridden ones included
    apology_count: int = 0
    rating: str | None = None
    conflicts: tuple[str, ...] = ()
    last_hlc: str = ""
    event_count: int = 0
    prior_status: Status | None = None         # the status a supplement request interrupted
    supplement_requested_at: datetime | None = None
    supplement_due_at: datetime | None = None  # the citizen's deadline to supplement
    supplement_overrides: int = 0              # requests beyond the first (a supervisor allowed them)
    holder: str = ""                           # the body a hand-off gave it to ("" = the desk)
    step_due_at: datetime | None = None        # that hand-off step's own due date

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL and self.status is not Status.RESOLVED

    @property
    def conflict(self) -> bool:
        return bool(self.conflicts)

    def is_late(self, now: datetime) -> bool:
        """Late against the legal appointment: resolved after it, or still open past it."""
        if self.resolved_at is not None:
            return self.resolved_at > self.original_due_at
        if self.status in TERMINAL:
            return False
        return now > self.original_due_at


def transition_error(state: DossierState, kind: EventKind, payload: dict | None = None) -> str | None:
    """Why `kind` cannot be recorded on `state` (Vietnamese), or None if it fits.

    These are the rules that depend only on the dossier; the fold applies the same ones to
    events arriving by sync (and flags instead of refusing). `core.dossier_actions.decide`
    adds the rules that need the clock and the calendar."""
    return _transition_error(state.status, state.apology_count, state.supplement_count, state.holder,
                             state.due_at, kind, payload or {})


def _transition_error(status: Status, apologies: int, supplements: int, holder: str, due_at: datetime,
                      kind: EventKind, payload: dict) -> str | None:
    if kind is EventKind.RECEIVED:
        return "Hồ sơ đã được tiếp nhận."
    if kind in ALWAYS_ALLOWED:
        return None
    action = EVENT_VI[kind]
    if status is Status.RETURNED:
        return f"Hồ sơ đã trả kết quả; không thể «{action}» nữa."
    if status in TERMINAL:
        return f"Hồ sơ đã ở trạng thái «{STATUS_VI[status]}»; không thể «{action}»."
    if status not in _ALLOWED[kind]:
        return _misfit(status, kind, action)
    if kind is EventKind.APOLOGY_ISSUED:
        if apologies >= 1:
            return "Đã xin lỗi và hẹn lại ngày trả một lần; chỉ được hẹn lại một lần."
        new_due = payload.get("new_due_at")
        if not new_due:
            return "Văn bản xin lỗi phải có ngày hẹn trả kết quả mới."
        if _dt(new_due) <= due_at:
            return f"Ngày hẹn mới phải sau ngày hẹn hiện tại ({due_at:%H:%M %d/%m/%Y})."
    if kind is EventKind.SUPPLEMENT_REQUESTED and supplements >= 1 and not payload.get("override"):
        return ("Hồ sơ đã được yêu cầu bổ sung một lần (chỉ được hướng dẫn bổ sung một lần); "
                "yêu cầu lần nữa cần tài khoản lãnh đạo và lý do.")
    if kind is EventKind.TAKEN_BACK and not holder:
        return "Hồ sơ chưa được chuyển cho cơ quan nào; không có gì để nhận lại."
    return None


def _misfit(status: Status, kind: EventKind, action: str) -> str:
    if status is Status.RESOLVED:
        if kind is EventKind.APOLOGY_ISSUED:
            return "Hồ sơ đã có kết quả; không thể xin lỗi, hẹn lại ngày trả."
        if kind in (EventKind.STOPPED, EventKind.WITHDRAWN):
            return "Hồ sơ đã có kết quả; không thể dừng giải quyết hay rút hồ sơ. Hãy trả kết quả."
        if kind is EventKind.RESULT_READY:
            return "Hồ sơ đã có kết quả."
        return f"Hồ sơ đã có kết quả; không thể «{action}». Hãy trả kết quả."
    if kind is EventKind.RETURNED:
        return "Hồ sơ chưa có kết quả; ghi nhận có kết quả trước khi trả."
    if status is Status.SUPPLEMENT:
        if kind is EventKind.SUPPLEMENT_REQUESTED:
            return "Hồ sơ đang chờ công dân bổ sung."
        return f"Hồ sơ đang chờ công dân bổ sung; ghi nhận đã bổ sung trước khi «{action}»."
    if kind is EventKind.SUPPLEMENT_RECEIVED:
        return "Hồ sơ không ở trạng thái chờ bổ sung."
    if kind is EventKind.TAKEN_BACK:
        return "Hồ sơ chưa được chuyển cho cơ quan nào; không có gì để nhận lại."
    return f"Không thể «{action}» khi hồ sơ đang ở trạng thái «{STATUS_VI[status]}»."


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _maybe_dt(value: Any) -> datetime | None:
    return _dt(value) if value else None


# The fold works on a plain dict of DossierState's fields and builds the frozen state once
# at the end: a dossier with many events costs one object, not one per event.
_FIELDS = tuple(f.name for f in fields(DossierState))


def _start_fields(event: Event) -> dict[str, Any]:
    p = event.payload
    proc = p["procedure"]
    appl = p["applicant"]
    due = _dt(p["due_at"])
    return {
        "id": event.dossier_id, "code": p["code"], "agency_code": event.agency_code,
        "desk_number": event.desk_number, "procedure_code": proc["code"],
        "procedure_name": proc["name"], "procedure_version": int(proc.get("version", 1)),
        "applicant_name": appl["full_name"], "applicant_id_number": appl.get("id_number") or "",
        "applicant_phone": appl.get("phone") or "", "channel": int(p.get("channel", 1)),
        "status": Status.RECEIVED, "received_at": _dt(p["received_at"]), "due_at": due,
        "original_due_at": due, "received_by": event.clerk_id, "resolved_at": None,
        "returned_at": None, "closed_at": None, "supplement_count": 0, "apology_count": 0,
        "rating": None, "conflicts": (), "last_hlc": event.hlc, "event_count": 1,
        "prior_status": None, "supplement_requested_at": None, "supplement_due_at": None,
        "supplement_overrides": 0, "holder": "", "step_due_at": None,
    }


def _apply_fields(s: dict[str, Any], event: Event) -> bool:
    """Apply one event to the fields `s` in place. Returns False, and flags the event as a
    conflict, when it does not fit the state it lands on: a misplaced event never raises."""
    kind = event.kind if type(event.kind) is EventKind else EventKind(event.kind)
    if event.hlc > s["last_hlc"]:
        s["last_hlc"] = event.hlc
    s["event_count"] += 1
    p = event.payload
    if kind is EventKind.RECEIVED:
        # A second "received" for one dossier id can only be a replayed duplicate.
        s["conflicts"] += (f"received-twice:{event.id}",)
        return False
    if _transition_error(s["status"], s["apology_count"], s["supplement_count"], s["holder"],
                         s["due_at"], kind, p) is not None:
        # Deterministic rule: the first action in (HLC, id) order wins; the later one is
        # kept in the log, changes nothing, and is surfaced to a supervisor.
        s["conflicts"] += (f"{kind.value}:{event.id}",)
        return False
    at = p.get("at") or event.wall_time
    if kind is EventKind.SUPPLEMENT_REQUESTED:
        s["prior_status"] = s["status"]
        s["supplement_count"] += 1
        if s["supplement_count"] > 1:
            s["supplement_overrides"] += 1
        s["supplement_requested_at"] = _dt(at)
        s["supplement_due_at"] = _maybe_dt(p.get("citizen_due_at"))
    elif kind is EventKind.SUPPLEMENT_RECEIVED:
        s["status"] = s["prior_status"] or Status.PROCESSING
        s["prior_status"] = None
        # The desk worked out the new appointment when it recorded the supplement (restart
        # or pause, with its calendar): the fold takes it as a fact.
        if p.get("original_due_at"):
            s["original_due_at"] = _dt(p["original_due_at"])
        if p.get("due_at"):
            s["due_at"] = _dt(p["due_at"])
    elif kind is EventKind.TRANSFERRED:
        s["holder"] = p.get("to_body") or p.get("to") or "?"
        s["step_due_at"] = _maybe_dt(p.get("step_due_at"))
    elif kind is EventKind.TAKEN_BACK:
        s["holder"], s["step_due_at"] = "", None
    elif kind is EventKind.RESULT_READY:
        s["resolved_at"] = _dt(at)
        s["holder"], s["step_due_at"] = "", None
    elif kind is EventKind.RETURNED:
        s["returned_at"] = _dt(at)
    elif kind in _CLOSES:
        s["closed_at"] = _dt(at)
    elif kind is EventKind.APOLOGY_ISSUED:
        s["due_at"] = _dt(p["new_due_at"])
        s["apology_count"] += 1
    elif kind is EventKind.RATED:
        s["rating"] = p.get("level")
    if kind in _NEXT_STATUS:
        s["status"] = _NEXT_STATUS[kind]
    return True


def start(event: Event) -> DossierState:
    return DossierState(**_start_fields(event))


def state_fields(state: DossierState) -> dict[str, Any]:
    return {name: getattr(state, name) for name in _FIELDS}


def apply(state: DossierState, event: Event) -> DossierState:
    """Apply one event; never raises for a misplaced event, flags it instead."""
    s = state_fields(state)
    _apply_fields(s, event)
    return DossierState(**s)


def fold(events: Iterable[Event]) -> DossierState:
    return DossierState(**fold_fields(events))


def _ordered(events: Iterable[Event]) -> tuple[list[Event], Event]:
    ordered = sorted(events, key=Event.sort_key)
    if not ordered:
        raise ValueError("no events")
    for first in ordered:
        if first.kind == EventKind.RECEIVED:
            return ordered, first
    raise ValueError("a dossier's events must include its receipt")


def fold_fields(events: Iterable[Event]) -> dict[str, Any]:
    """`fold` as a plain dict of DossierState's fields, for callers that only turn the
    state into a row (a large sync pull): building the frozen state is skipped."""
    ordered, first = _ordered(events)
    s = _start_fields(first)
    for e in ordered:
        if e is not first:
            _apply_fields(s, e)
    return s


def accepted_events(events: Iterable[Event]) -> list[Event]:
    """The events the fold applied, in fold order (conflicting ones left out): what a
    timeline of hand-offs or a slip should be built from."""
    ordered, first = _ordered(events)
    s = _start_fields(first)
    out = [first]
    for e in ordered:
        if e is not first and _apply_fields(s, e):
            out.append(e)
    return out
