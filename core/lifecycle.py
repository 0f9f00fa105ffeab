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
    RATED = "rated"                      # payload: level, reasons
    NOTE = "note"
    PRINTED = "printed"                  # a slip was printed (payload: slip, copies)


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
    EventKind.RATED: "Đánh giá",
    EventKind.NOTE: "Ghi chú",
    EventKind.PRINTED: "In phiếu",
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


TERMINAL = {Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED}

# Which statuses an event may land on without being a conflict.
_ALLOWED: dict[EventKind, set[Status]] = {
    EventKind.SUPPLEMENT_REQUESTED: {Status.RECEIVED, Status.PROCESSING},
    EventKind.SUPPLEMENT_RECEIVED: {Status.SUPPLEMENT},
    EventKind.REFUSED: {Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT},
    EventKind.TRANSFERRED: {Status.RECEIVED, Status.SUPPLEMENT},
    EventKind.RESULT_READY: {Status.RECEIVED, Status.PROCESSING},
    EventKind.RETURNED: {Status.RESOLVED},
    EventKind.APOLOGY_ISSUED: {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT},
    EventKind.WITHDRAWN: {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT},
    EventKind.RATED: set(Status),
    EventKind.NOTE: set(Status),
    EventKind.PRINTED: set(Status),
}

_NEXT_STATUS: dict[EventKind, Status] = {
    EventKind.SUPPLEMENT_REQUESTED: Status.SUPPLEMENT,
    EventKind.SUPPLEMENT_RECEIVED: Status.PROCESSING,
    EventKind.REFUSED: Status.NOT_ACCEPTED,
    EventKind.TRANSFERRED: Status.PROCESSING,
    EventKind.RESULT_READY: Status.RESOLVED,
    EventKind.RETURNED: Status.RETURNED,
    EventKind.WITHDRAWN: Status.WITHDRAWN,
}


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
    due_at: datetime
    original_due_at: datetime
    received_by: str
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    closed_at: datetime | None = None          # refused / withdrawn
    supplement_count: int = 0
    apology_count: int = 0
    rating: str | None = None
    conflicts: tuple[str, ...] = ()
    last_hlc: str = ""
    event_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL and self.status is not Status.RESOLVED

    def is_late(self, now: datetime) -> bool:
        """Late: resolved after the (possibly extended) appointment, or still open past it."""
        if self.resolved_at is not None:
            return self.resolved_at > self.due_at
        if self.status in TERMINAL:
            return False
        return now > self.due_at


def transition_error(state: DossierState, kind: EventKind) -> str | None:
    """Why `kind` cannot be recorded on `state` now (Vietnamese), or None if it can."""
    return _transition_error(state.status, state.apology_count, kind)


def _transition_error(status: Status, apology_count: int, kind: EventKind) -> str | None:
    if kind is EventKind.RECEIVED:
        return "Hồ sơ đã được tiếp nhận."
    if status in _ALLOWED[kind]:
        # A second supplement request is allowed: NĐ 118 Art. 11 only counts it as late.
        if kind is EventKind.APOLOGY_ISSUED and apology_count >= 1:
            return "Đã hẹn lại ngày trả một lần; chỉ được hẹn lại một lần."
        return None
    return f"Không thể «{EVENT_VI[kind]}» khi hồ sơ đang ở trạng thái «{STATUS_VI[status]}»."


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


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
        "applicant_name": appl["full_name"], "applicant_id_number": appl.get("id_number", ""),
        "applicant_phone": appl.get("phone", ""), "channel": int(p.get("channel", 1)),
        "status": Status.RECEIVED, "received_at": _dt(p["received_at"]), "due_at": due,
        "original_due_at": due, "received_by": event.clerk_id, "resolved_at": None,
        "returned_at": None, "closed_at": None, "supplement_count": 0, "apology_count": 0,
        "rating": None, "conflicts": (), "last_hlc": event.hlc, "event_count": 1,
    }


def _apply_fields(s: dict[str, Any], event: Event) -> None:
    """Apply one event to the fields `s` in place; a misplaced event is flagged, never raised."""
    kind = event.kind if type(event.kind) is EventKind else EventKind(event.kind)
    if event.hlc > s["last_hlc"]:
        s["last_hlc"] = event.hlc
    s["event_count"] += 1
    if kind is EventKind.RECEIVED:
        # A second "received" for one dossier id can only be a replayed duplicate.
        s["conflicts"] += (f"received-twice:{event.id}",)
        return
    conflict = _transition_error(s["status"], s["apology_count"], kind)
    if conflict is not None and kind is not EventKind.APOLOGY_ISSUED:
        # Deterministic rule: the first action in HLC order wins the status; the later
        # one is kept in the log and surfaced to a supervisor.
        s["conflicts"] += (f"{kind.value}:{event.id}",)
        return
    if kind in _NEXT_STATUS:
        s["status"] = _NEXT_STATUS[kind]
    if kind is EventKind.SUPPLEMENT_REQUESTED:
        s["supplement_count"] += 1
    elif kind in _STAMPS:
        s[_STAMPS[kind]] = _dt(event.payload.get("at", event.wall_time))
    elif kind is EventKind.APOLOGY_ISSUED:
        if conflict is not None:
            s["conflicts"] += (f"{kind.value}:{event.id}",)
        else:
            s["due_at"] = _dt(event.payload["new_due_at"])
        s["apology_count"] += 1
    elif kind is EventKind.RATED:
        # The latest answer's level as text (the column is text); "not rated" keeps it.
        level = event.payload.get("level")
        if level is not None:
            s["rating"] = str(level)


_STAMPS = {EventKind.RESULT_READY: "resolved_at", EventKind.RETURNED: "returned_at",
           EventKind.REFUSED: "closed_at", EventKind.WITHDRAWN: "closed_at"}


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


def fold_fields(events: Iterable[Event]) -> dict[str, Any]:
    """`fold` as a plain dict of DossierState's fields, for callers that only turn the
    state into a row (a large sync pull): building the frozen state is skipped."""
    ordered = sorted(events, key=Event.sort_key)
    if not ordered:
        raise ValueError("no events")
    for first in ordered:
        if first.kind == EventKind.RECEIVED:
            break
    else:
        raise ValueError("a dossier's events must include its receipt")
    s = _start_fields(first)
    for e in ordered:
        if e is not first:
            _apply_fields(s, e)
    return s
