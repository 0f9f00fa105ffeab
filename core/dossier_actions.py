"""What a clerk can do to a dossier, and the rules that need the clock and the calendar.

`core.lifecycle` holds the state machine (which action fits which status) and the fold.
This module turns a clerk's request into the payload of one event, or refuses it with a
Vietnamese reason: `decide(state, kind, fields, ctx)`. The TUI and the CLI both go through
it (via `tui.dossier_actions.perform`), inside the transaction that writes the event.

Everything the fold must know later is decided here and written into the payload (the new
appointment after a supplement, the citizen's deadline to supplement), so the fold stays a
pure function of the events, whatever calendar another desk has.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from core.calendar import WorkingCalendar
from core.catalogue import Term, TermUnit
from core.lifecycle import DossierState, EventKind, transition_error
from core.people import Role


class SupplementMode(StrEnum):
    RESTART = "restart"      # "tính lại từ đầu": the full term again from the complete supplement
    PAUSE = "pause"          # the old appointment moves by the working days spent waiting


class OnTimeBy(StrEnum):
    DATE = "date"            # compare calendar dates (the common vendor practice)
    DATETIME = "datetime"    # compare the exact moments


@dataclass(frozen=True, slots=True)
class Policy:
    """The configurable lifecycle rules (settings [lifecycle] in the TOML file)."""
    supplement_mode: SupplementMode = SupplementMode.RESTART
    supplement_days: int = 15            # working days the citizen has to supplement
    on_time_by: OnTimeBy = OnTimeBy.DATE


class Refused(Exception):
    """The action does not fit; `message_vi` says why. Nothing was written."""

    def __init__(self, message_vi: str):
        super().__init__(message_vi)
        self.message_vi = message_vi


@dataclass(frozen=True, slots=True)
class Context:
    now: datetime
    calendar: WorkingCalendar
    policy: Policy
    term: Term                           # the procedure's term as received
    cutoff_applies: bool
    desk_body: str = "Bộ phận Một cửa"   # who gives the dossier on the first hand-off
    clerk_name: str = ""
    override_role: Role | None = None    # the role of the supervisor allowing a 2nd supplement


DOC_FORMS = ("chinh", "chung_thuc", "photo")
DOC_FORM_VI = {"chinh": "Bản chính", "chung_thuc": "Bản chứng thực", "photo": "Bản photo"}
RETURN_METHOD_VI = {"desk": "Tại Bộ phận Một cửa", "post": "Qua dịch vụ bưu chính công ích"}


def _text(fields: dict, key: str) -> str:
    return str(fields.get(key) or "").strip()


def _need(fields: dict, key: str, what: str) -> str:
    value = _text(fields, key)
    if not value:
        raise Refused(f"Cần nhập {what}.")
    return value


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def decide(state: DossierState, kind: EventKind, fields: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """The payload of the event that records `kind` on `state` now, or `Refused`."""
    kind = EventKind(kind)
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise Refused("Thao tác này không ghi được từ quầy.")
    problem = check(state, kind)
    if problem:
        raise Refused(problem)
    payload = builder(state, fields, ctx)
    problem = transition_error(state, kind, payload)
    if problem:
        raise Refused(problem)
    return payload


def check(state: DossierState, kind: EventKind) -> str | None:
    """Whether `kind` fits the dossier's state at all (before its form is filled): the
    dossier screen offers exactly the actions for which this is None."""
    kind = EventKind(kind)
    probe = {"override": True} if kind is EventKind.SUPPLEMENT_REQUESTED and state.supplement_count else {}
    if kind is EventKind.APOLOGY_ISSUED:
        probe = {"new_due_at": datetime.max.isoformat()}
    return transition_error(state, kind, probe)


def available(state: DossierState, kind: EventKind, now: datetime, calendar: WorkingCalendar) -> str | None:
    """`check`, plus the rules of the moment that need no form: an apology only on a working
    day strictly before the appointment's date."""
    problem = check(state, kind)
    if problem is None and EventKind(kind) is EventKind.APOLOGY_ISSUED:
        if now.date() >= state.due_at.date():
            return "Đã đến (hoặc đã qua) ngày hẹn trả: không còn gửi được văn bản xin lỗi, hẹn lại."
        if not calendar.is_working_day(now.date()):
            return "Hôm nay không phải ngày làm việc; chỉ gửi văn bản xin lỗi vào ngày làm việc."
    return problem


# -- one builder per action ---------------------------------------------------------------

def _supplement(state: DossierState, fields: dict, ctx: Context) -> dict:
    missing = []
    for item in fields.get("missing") or ():
        if isinstance(item, str):
            item = {"name": item, "form": "photo"}
        name = str(item.get("name") or "").strip()
        form = str(item.get("form") or "photo")
        if not name:
            continue
        if form not in DOC_FORMS:
            raise Refused(f"Hình thức giấy tờ «{form}» không hợp lệ: chọn bản chính, bản chứng thực hoặc bản photo.")
        missing.append({"name": name, "form": form})
    if not missing:
        raise Refused("Cần liệt kê ít nhất một thành phần hồ sơ còn thiếu.")
    reason = _need(fields, "reason", "lý do yêu cầu bổ sung")
    payload = {"missing": missing, "reason": reason,
               "contact_name": _text(fields, "contact_name") or ctx.clerk_name,
               "contact_phone": _text(fields, "contact_phone"),
               "override": False, "override_reason": "", "at": ctx.now.isoformat(),
               "citizen_due_at": ctx.calendar.due(ctx.now, Term(ctx.policy.supplement_days, TermUnit.WORKING_DAYS),
                                                  False).isoformat()}
    if state.supplement_count >= 1:
        if ctx.override_role not in (Role.SUPERVISOR, Role.ADMIN):
            raise Refused("Hồ sơ đã được yêu cầu bổ sung một lần (chỉ được hướng dẫn bổ sung một lần); "
                          "yêu cầu lần nữa cần tài khoản lãnh đạo và lý do.")
        payload["override"] = True
        payload["override_reason"] = _need(fields, "override_reason", "lý do yêu cầu bổ sung lần nữa")
        payload["override_by"] = _need(fields, "override_by", "tài khoản lãnh đạo cho phép")
    return payload


def working_days_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    """Working days d with start < d <= end (0 when end is not after start)."""
    n, d = 0, start
    while d < end:
        d = calendar.next_working_day(d)
        if d <= end:
            n += 1
    return n


def shift_working_days(calendar: WorkingCalendar, moment: datetime, days: int) -> datetime:
    d = moment.date()
    for _ in range(days):
        d = calendar.next_working_day(d)
    return datetime.combine(d, moment.time(), moment.tzinfo)


def _supplemented(state: DossierState, fields: dict, ctx: Context) -> dict:
    if ctx.policy.supplement_mode is SupplementMode.PAUSE:
        since = state.supplement_requested_at or ctx.now
        waited = working_days_between(ctx.calendar, since.date(), ctx.now.date())
        original = shift_working_days(ctx.calendar, state.original_due_at, waited)
        due = shift_working_days(ctx.calendar, state.due_at, waited)
        return {"mode": "pause", "at": ctx.now.isoformat(), "waited_days": waited,
                "original_due_at": original.isoformat(), "due_at": due.isoformat()}
    new_due = ctx.calendar.due(ctx.now, ctx.term, ctx.cutoff_applies)
    return {"mode": "restart", "at": ctx.now.isoformat(),
            "original_due_at": new_due.isoformat(), "due_at": new_due.isoformat()}


def _reasoned(what: str):
    def build(state: DossierState, fields: dict, ctx: Context) -> dict:
        return {"reason": _need(fields, "reason", what), "at": ctx.now.isoformat()}
    return build


def _handoff(state: DossierState, fields: dict, ctx: Context) -> dict:
    step_due = fields.get("step_due_at")
    if step_due:
        step_due = parse_moment(step_due) if isinstance(step_due, str) else step_due
        if step_due < ctx.now:
            raise Refused("Hạn của bước xử lý không được trước thời điểm chuyển.")
    else:
        step_due = state.due_at          # by default the step is due when the citizen is
    return {"from_body": _text(fields, "from_body") or state.holder or ctx.desk_body,
            "from_person": _text(fields, "from_person") or (ctx.clerk_name if not state.holder else ""),
            "to_body": _need(fields, "to_body", "cơ quan nhận hồ sơ"),
            "to_person": _text(fields, "to_person"), "step_due_at": step_due.isoformat(),
            "at": ctx.now.isoformat()}


def _takeback(state: DossierState, fields: dict, ctx: Context) -> dict:
    return {"from_body": state.holder, "from_person": _text(fields, "from_person"),
            "note": _text(fields, "note"), "at": ctx.now.isoformat()}


def _result(state: DossierState, fields: dict, ctx: Context) -> dict:
    return {"at": ctx.now.isoformat()}


def _returned(state: DossierState, fields: dict, ctx: Context) -> dict:
    method = _text(fields, "method") or "desk"
    if method not in RETURN_METHOD_VI:
        raise Refused("Cách trả kết quả phải là tại quầy hoặc qua bưu chính.")
    tracking = _text(fields, "tracking")
    if method == "post" and not tracking:
        raise Refused("Trả qua bưu chính cần số hiệu bưu gửi (mã vận đơn).")
    to_name = _text(fields, "to_name") or state.applicant_name
    to_id = _text(fields, "to_id_number")
    if to_name != state.applicant_name and method == "desk" and not to_id:
        raise Refused("Người nhận thay (được ủy quyền) phải có số giấy tờ tùy thân.")
    if to_id and not (to_id.isdigit() and len(to_id) in (9, 12)):
        raise Refused("Số giấy tờ của người nhận phải gồm 9 hoặc 12 chữ số.")
    return {"at": ctx.now.isoformat(), "to_name": to_name, "to_id_number": to_id or
            (state.applicant_id_number if to_name == state.applicant_name else ""),
            "method": method, "tracking": tracking}


def _apology(state: DossierState, fields: dict, ctx: Context) -> dict:
    new_due = fields.get("new_due_at")
    if not new_due:
        raise Refused("Văn bản xin lỗi phải có ngày hẹn trả kết quả mới.")
    if isinstance(new_due, str):
        new_due = parse_moment(new_due)
    today = ctx.now.date()
    # At least one working day before the appointment: today is a working day strictly
    # before the appointment's date (the last working day before it is the last chance).
    if today >= state.due_at.date():
        raise Refused("Văn bản xin lỗi phải gửi trước ngày hẹn ít nhất 01 ngày làm việc; "
                      f"hôm nay đã là (hoặc đã qua) ngày hẹn trả {state.due_at:%d/%m/%Y}.")
    if not ctx.calendar.is_working_day(today):
        raise Refused("Hôm nay không phải ngày làm việc; chỉ gửi văn bản xin lỗi vào ngày làm việc.")
    if not ctx.calendar.is_working_day(new_due.date()):
        raise Refused(f"Ngày hẹn mới {new_due:%d/%m/%Y} không phải ngày làm việc.")
    return {"new_due_at": new_due.isoformat(), "original_due_at": state.due_at.isoformat(),
            "reason": _need(fields, "reason", "lý do chậm trễ"),
            "delay_body": _text(fields, "delay_body"), "at": ctx.now.isoformat()}


def _note(state: DossierState, fields: dict, ctx: Context) -> dict:
    return {"text": _need(fields, "text", "nội dung ghi chú")}


_BUILDERS = {
    EventKind.SUPPLEMENT_REQUESTED: _supplement,
    EventKind.SUPPLEMENT_RECEIVED: _supplemented,
    EventKind.REFUSED: _reasoned("lý do từ chối"),
    EventKind.TRANSFERRED: _handoff,
    EventKind.TAKEN_BACK: _takeback,
    EventKind.RESULT_READY: _result,
    EventKind.RETURNED: _returned,
    EventKind.WITHDRAWN: _reasoned("lý do rút hồ sơ"),
    EventKind.STOPPED: _reasoned("lý do dừng giải quyết"),
    EventKind.APOLOGY_ISSUED: _apology,
    EventKind.NOTE: _note,
}
ACTIONS = tuple(_BUILDERS)


def parse_moment(text: str) -> datetime:
    """'YYYY-MM-DD HH:MM' (or ISO 8601, or dd/mm/yyyy [HH:MM]) as a naive local moment."""
    text = text.strip()
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            value = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return value if " " in text else value.replace(hour=17)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise Refused(f"Thời điểm «{text}» không đúng dạng YYYY-MM-DD HH:MM (ví dụ 2026-03-20 17:00).") from None


# -- early / on time / late ---------------------------------------------------------------

class Timeliness(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


TIMELINESS_VI = {Timeliness.EARLY: "Trước hạn", Timeliness.ON_TIME: "Đúng hạn", Timeliness.LATE: "Quá hạn"}


def timeliness(done_at: datetime, due_at: datetime, by: OnTimeBy = OnTimeBy.DATE) -> Timeliness:
    """Early / on time / late: by calendar date (default), or by the exact moment."""
    if done_at.date() < due_at.date():
        return Timeliness.EARLY
    if by is OnTimeBy.DATETIME:
        return Timeliness.LATE if done_at > due_at else Timeliness.ON_TIME
    return Timeliness.ON_TIME if done_at.date() == due_at.date() else Timeliness.LATE


def result_timeliness(state: DossierState, by: OnTimeBy = OnTimeBy.DATE) -> Timeliness | None:
    """The result judged against the legal appointment (`original_due_at`), never the
    apology's new date. None before a result."""
    if state.resolved_at is None:
        return None
    return timeliness(state.resolved_at, state.original_due_at, by)


# -- hand-off steps (phiếu kiểm soát) ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Step:
    from_body: str
    from_person: str
    to_body: str
    to_person: str
    given_at: datetime
    due_at: datetime | None
    ended_at: datetime | None            # the next hand-off, the take-back or the result
    outcome: Timeliness | None           # None while the step is still open or has no due date


def handoff_steps(events, by: OnTimeBy = OnTimeBy.DATE) -> list[Step]:
    """Each hand-off of the dossier as a step with its own due date and outcome, from the
    events the fold accepted (a conflicting hand-off is not a step)."""
    from core.lifecycle import accepted_events
    steps: list[Step] = []
    open_step: dict | None = None

    def close(at: datetime) -> None:
        nonlocal open_step
        if open_step is not None:
            due = open_step["due_at"]
            steps.append(Step(**open_step, ended_at=at,
                              outcome=timeliness(at, due, by) if due is not None else None))
            open_step = None

    for e in accepted_events(events):
        p = e.payload
        at = datetime.fromisoformat(p["at"]) if p.get("at") else e.wall_time
        if e.kind in (EventKind.TRANSFERRED, EventKind.TAKEN_BACK, EventKind.RESULT_READY):
            close(at)
        if e.kind is EventKind.TRANSFERRED:
            due = p.get("step_due_at")
            open_step = {"from_body": p.get("from_body", ""), "from_person": p.get("from_person", ""),
                         "to_body": p.get("to_body") or p.get("to") or "", "to_person": p.get("to_person", ""),
                         "given_at": at, "due_at": datetime.fromisoformat(due) if due else None}
    if open_step is not None:
        steps.append(Step(**open_step, ended_at=None, outcome=None))
    return steps
