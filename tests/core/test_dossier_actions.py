"""The lifecycle state machine as the clerk meets it: every action in every state, the
calendar rules (supplement restart/pause, apology boundary), timeliness, hand-off steps."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from core.calendar import Override, OverrideKind, WorkingCalendar
from core.catalogue import Term, TermUnit
from core.dossier_actions import (
    Context, OnTimeBy, Policy, Refused, SupplementMode, Timeliness, check, decide, handoff_steps,
    result_timeliness, timeliness,
)
from core.lifecycle import Event, EventKind, Status, apply, fold, start
from core.people import Role

CAL = WorkingCalendar()
K = EventKind


def receipt(received: datetime, due: datetime) -> Event:
    payload = {"code": "000.21.53.H48-260210-01001", "channel": 1,
               "procedure": {"code": "1.004873", "name": "Cấp Giấy xác nhận tình trạng hôn nhân", "version": 1},
               "applicant": {"full_name": "Lê Thị Hoa", "id_number": "051303004512", "phone": "0912345678"},
               "received_at": received.isoformat(), "due_at": due.isoformat()}
    return Event("e0000", "d1", "000.21.53.H48", 1, "clerk", f"{0:015d}.00000.n", received, K.RECEIVED, payload)


class Desk:
    """A dossier driven through `decide` + `apply`, as the repository does it."""

    def __init__(self, received=datetime(2026, 2, 9, 9), term=Term(5, TermUnit.WORKING_DAYS),
                 policy=Policy(), calendar=CAL):
        self.term, self.policy, self.calendar = term, policy, calendar
        self.events = [receipt(received, calendar.due(received, term, False))]
        self.state = start(self.events[0])
        self.now = received

    def ctx(self, role: Role | None = None) -> Context:
        return Context(now=self.now, calendar=self.calendar, policy=self.policy, term=self.term,
                       cutoff_applies=False, clerk_name="Trần Thị Mai", override_role=role)

    def do(self, kind: EventKind, fields: dict | None = None, *, at: datetime | None = None,
           role: Role | None = None):
        if at is not None:
            self.now = at
        payload = decide(self.state, kind, fields or {}, self.ctx(role))
        n = len(self.events)
        e = Event(f"e{n:04d}", "d1", "000.21.53.H48", 1, "clerk", f"{n:015d}.00000.n", self.now, kind, payload)
        self.events.append(e)
        self.state = apply(self.state, e)
        assert self.state.conflicts == ()
        return self.state


FIELDS = {
    K.SUPPLEMENT_REQUESTED: {"missing": [{"name": "Giấy khai sinh", "form": "chinh"}], "reason": "Thiếu bản chính"},
    K.SUPPLEMENT_RECEIVED: {}, K.REFUSED: {"reason": "Không thuộc thẩm quyền"},
    K.TRANSFERRED: {"to_body": "Công chức Tư pháp - Hộ tịch"}, K.TAKEN_BACK: {}, K.RESULT_READY: {},
    K.RETURNED: {}, K.WITHDRAWN: {"reason": "Công dân xin rút"}, K.STOPPED: {"reason": "Công dân đề nghị dừng"},
    K.APOLOGY_ISSUED: {"new_due_at": "2026-03-02 17:00", "reason": "Cần xác minh"}, K.NOTE: {"text": "Đã gọi điện"},
}

# Reach each status, then try every action: allowed exactly where the table says.
PATHS = {
    Status.RECEIVED: [],
    Status.PROCESSING: [K.TRANSFERRED],
    Status.SUPPLEMENT: [K.SUPPLEMENT_REQUESTED],
    Status.RESOLVED: [K.RESULT_READY],
    Status.RETURNED: [K.RESULT_READY, K.RETURNED],
    Status.NOT_ACCEPTED: [K.REFUSED],
    Status.WITHDRAWN: [K.WITHDRAWN],
    Status.STOPPED: [K.STOPPED],
}
ALLOWED = {
    Status.RECEIVED: {K.SUPPLEMENT_REQUESTED, K.REFUSED, K.TRANSFERRED, K.RESULT_READY, K.WITHDRAWN,
                      K.STOPPED, K.APOLOGY_ISSUED, K.NOTE},
    Status.PROCESSING: {K.SUPPLEMENT_REQUESTED, K.REFUSED, K.TRANSFERRED, K.TAKEN_BACK, K.RESULT_READY,
                        K.WITHDRAWN, K.STOPPED, K.APOLOGY_ISSUED, K.NOTE},
    Status.SUPPLEMENT: {K.SUPPLEMENT_RECEIVED, K.REFUSED, K.WITHDRAWN, K.STOPPED, K.APOLOGY_ISSUED, K.NOTE},
    Status.RESOLVED: {K.RETURNED, K.NOTE},
    Status.RETURNED: {K.NOTE},
    Status.NOT_ACCEPTED: {K.NOTE},
    Status.WITHDRAWN: {K.NOTE},
    Status.STOPPED: {K.NOTE},
}
NEXT = {K.SUPPLEMENT_REQUESTED: Status.SUPPLEMENT, K.REFUSED: Status.NOT_ACCEPTED, K.TRANSFERRED: Status.PROCESSING,
        K.RESULT_READY: Status.RESOLVED, K.RETURNED: Status.RETURNED, K.WITHDRAWN: Status.WITHDRAWN,
        K.STOPPED: Status.STOPPED}


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("kind", list(FIELDS))
def test_every_action_in_every_state(status, kind):
    desk = Desk()
    for step in PATHS[status]:
        desk.do(step, FIELDS[step], at=desk.now + timedelta(minutes=5))
    assert desk.state.status is status
    desk.now = datetime(2026, 2, 10, 9)                   # a working day before the appointment
    before = desk.state
    if kind in ALLOWED[status]:
        assert check(before, kind) is None
        after = desk.do(kind, FIELDS[kind])
        expected = NEXT.get(kind, Status.RECEIVED if kind is K.SUPPLEMENT_RECEIVED else before.status)
        assert after.status is expected
    else:
        assert check(before, kind)
        with pytest.raises(Refused) as refused:
            desk.do(kind, FIELDS[kind])
        assert refused.value.message_vi and desk.state == before


@pytest.mark.parametrize("path, kind, message", [
    ([], K.RETURNED, "Hồ sơ chưa có kết quả; ghi nhận có kết quả trước khi trả."),
    ([K.RESULT_READY], K.APOLOGY_ISSUED, "Hồ sơ đã có kết quả; không thể xin lỗi, hẹn lại ngày trả."),
    ([K.RESULT_READY], K.STOPPED, "Hồ sơ đã có kết quả; không thể dừng giải quyết hay rút hồ sơ. Hãy trả kết quả."),
    ([K.APOLOGY_ISSUED], K.APOLOGY_ISSUED, "Đã xin lỗi và hẹn lại ngày trả một lần; chỉ được hẹn lại một lần."),
    ([K.RESULT_READY, K.RETURNED], K.TRANSFERRED, "Hồ sơ đã trả kết quả; không thể «Chuyển xử lý» nữa."),
    ([K.RESULT_READY, K.RETURNED], K.RETURNED, "Hồ sơ đã trả kết quả; không thể «Trả kết quả» nữa."),
    ([], K.TAKEN_BACK, "Hồ sơ chưa được chuyển cho cơ quan nào; không có gì để nhận lại."),
])
def test_refusals_say_why_in_vietnamese(path, kind, message):
    desk = Desk()
    desk.now = datetime(2026, 2, 10, 9)
    for step in path:
        fields = {"new_due_at": "2026-02-27 17:00", "reason": "Chờ xác minh"} if step is K.APOLOGY_ISSUED else FIELDS[step]
        desk.do(step, fields)
    with pytest.raises(Refused) as refused:
        desk.do(kind, {**FIELDS[kind], "new_due_at": "2026-03-10 17:00"} if kind is K.APOLOGY_ISSUED else FIELDS[kind])
    assert refused.value.message_vi == message


def test_missing_fields_are_refused_with_what_to_enter():
    desk = Desk()
    for kind, fields, words in [(K.SUPPLEMENT_REQUESTED, {"reason": "x"}, "thành phần"),
                                (K.SUPPLEMENT_REQUESTED, {"missing": ["Giấy A"]}, "lý do"),
                                (K.REFUSED, {}, "lý do từ chối"), (K.TRANSFERRED, {}, "cơ quan nhận"),
                                (K.NOTE, {"text": "  "}, "nội dung"), (K.APOLOGY_ISSUED, {"reason": "x"}, "ngày hẹn")]:
        with pytest.raises(Refused, match=words):
            desk.do(kind, fields)
    desk.do(K.RESULT_READY)
    with pytest.raises(Refused, match="số hiệu bưu gửi"):
        desk.do(K.RETURNED, {"method": "post"})
    with pytest.raises(Refused, match="giấy tờ tùy thân"):
        desk.do(K.RETURNED, {"to_name": "Lê Văn Nam"})
    s = desk.do(K.RETURNED, {"to_name": "Lê Văn Nam", "to_id_number": "051090000123"})
    assert desk.events[-1].payload["to_name"] == "Lê Văn Nam" and s.status is Status.RETURNED


def test_a_second_supplement_needs_a_supervisor_and_a_reason_and_is_flagged():
    desk = Desk()
    desk.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED])
    desk.do(K.SUPPLEMENT_RECEIVED, at=datetime(2026, 2, 10, 9))
    with pytest.raises(Refused, match="lãnh đạo"):
        desk.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED])
    with pytest.raises(Refused, match="lãnh đạo"):
        desk.do(K.SUPPLEMENT_REQUESTED, {**FIELDS[K.SUPPLEMENT_REQUESTED], "override_reason": "x"}, role=Role.CLERK)
    with pytest.raises(Refused, match="lý do yêu cầu bổ sung lần nữa"):
        desk.do(K.SUPPLEMENT_REQUESTED, {**FIELDS[K.SUPPLEMENT_REQUESTED], "override_by": "lanhdao"},
                role=Role.SUPERVISOR)
    s = desk.do(K.SUPPLEMENT_REQUESTED, {**FIELDS[K.SUPPLEMENT_REQUESTED], "override_by": "lanhdao",
                                         "override_reason": "Hướng dẫn sót giấy tờ"}, role=Role.SUPERVISOR)
    assert (s.supplement_count, s.supplement_overrides, s.status) == (2, 1, Status.SUPPLEMENT)
    assert desk.events[-1].payload["override"] is True


def test_supplement_received_returns_to_the_status_before_the_request():
    desk = Desk()
    desk.do(K.TRANSFERRED, FIELDS[K.TRANSFERRED])
    s = desk.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED])
    assert s.prior_status is Status.PROCESSING
    assert desk.do(K.SUPPLEMENT_RECEIVED, at=datetime(2026, 2, 10, 9)).status is Status.PROCESSING
    other = Desk()
    other.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED])
    assert other.do(K.SUPPLEMENT_RECEIVED, at=datetime(2026, 2, 10, 9)).status is Status.RECEIVED


# -- restart and pause across Tết 2026 and a worked Saturday --------------------------

def test_restart_counts_the_full_term_again_from_the_complete_supplement_across_tet():
    desk = Desk(received=datetime(2026, 2, 10, 9), term=Term(3, TermUnit.WORKING_DAYS))
    assert desk.state.original_due_at == datetime(2026, 2, 13, 17)
    s = desk.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED], at=datetime(2026, 2, 11, 9))
    # The citizen has 15 working days: Tết (14-22/02) does not count.
    assert s.supplement_due_at == datetime(2026, 3, 11, 17)     # 12-13/02, 23/02-06/03, 09-11/03
    s = desk.do(K.SUPPLEMENT_RECEIVED, at=datetime(2026, 2, 13, 10))
    # 13/02 is D0; the next three working days are 23, 24 and 25/02.
    assert s.original_due_at == s.due_at == datetime(2026, 2, 25, 17)
    assert desk.events[-1].payload["mode"] == "restart"


def test_pause_moves_the_old_appointment_by_the_working_days_spent_waiting_across_tet():
    desk = Desk(received=datetime(2026, 2, 9, 9), policy=Policy(supplement_mode=SupplementMode.PAUSE))
    assert desk.state.original_due_at == datetime(2026, 2, 23, 17)      # 10,11,12,13 then 23/02
    desk.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED], at=datetime(2026, 2, 11, 9))
    s = desk.do(K.SUPPLEMENT_RECEIVED, at=datetime(2026, 2, 24, 9))
    # Waited 12, 13, 23 and 24/02 (4 working days): 23/02 moves to 27/02.
    assert desk.events[-1].payload["waited_days"] == 4
    assert s.original_due_at == s.due_at == datetime(2026, 2, 27, 17)


def test_restart_and_pause_across_a_worked_saturday_and_quoc_khanh():
    restart = Desk(received=datetime(2026, 8, 19, 9), term=Term(1, TermUnit.WORKING_DAYS))
    restart.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED], at=datetime(2026, 8, 19, 10))
    # Saturday 22/08/2026 is worked (for Monday 31/08): one working day after Friday 21/08.
    assert restart.do(K.SUPPLEMENT_RECEIVED, at=datetime(2026, 8, 21, 16)).original_due_at == datetime(2026, 8, 22, 17)
    pause = Desk(received=datetime(2026, 8, 24, 8), term=Term(4, TermUnit.WORKING_DAYS),
                 policy=Policy(supplement_mode=SupplementMode.PAUSE))
    assert pause.state.original_due_at == datetime(2026, 8, 28, 17)
    pause.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED], at=datetime(2026, 8, 21, 9))
    s = pause.do(K.SUPPLEMENT_RECEIVED, at=datetime(2026, 8, 24, 9))
    # Waited Sat 22 (worked) and Mon 24/08: 28/08 moves past 31/08-02/09 (days off) to 04/09.
    assert pause.events[-1].payload["waited_days"] == 2
    assert s.original_due_at == datetime(2026, 9, 4, 17)


def test_a_local_day_off_counts_in_the_restart():
    cal = WorkingCalendar([Override(datetime(2026, 2, 24).date(), OverrideKind.DAY_OFF, "Nghỉ bù tỉnh")])
    desk = Desk(received=datetime(2026, 2, 10, 9), term=Term(3, TermUnit.WORKING_DAYS), calendar=cal)
    desk.do(K.SUPPLEMENT_REQUESTED, FIELDS[K.SUPPLEMENT_REQUESTED], at=datetime(2026, 2, 11, 9))
    assert desk.do(K.SUPPLEMENT_RECEIVED, at=datetime(2026, 2, 13, 10)).due_at == datetime(2026, 2, 26, 17)


# -- the apology ----------------------------------------------------------------------

def apology_desk() -> Desk:
    desk = Desk(received=datetime(2026, 2, 9, 9))       # due Monday 23/02/2026 17:00, after Tết
    assert desk.state.due_at == datetime(2026, 2, 23, 17)
    return desk


def test_apology_on_the_last_working_day_before_the_appointment_is_allowed():
    desk = apology_desk()
    s = desk.do(K.APOLOGY_ISSUED, {"new_due_at": "2026-02-26 17:00", "reason": "Chờ xác minh", "delay_body": "UBND xã"},
                at=datetime(2026, 2, 13, 16, 59))
    assert s.due_at == datetime(2026, 2, 26, 17) and s.original_due_at == datetime(2026, 2, 23, 17)
    assert desk.events[-1].payload["original_due_at"] == "2026-02-23T17:00:00"


@pytest.mark.parametrize("at, words", [
    (datetime(2026, 2, 23, 8), "ít nhất 01 ngày làm việc"),          # the appointment's day
    (datetime(2026, 2, 24, 8), "ít nhất 01 ngày làm việc"),          # after it
    (datetime(2026, 2, 16, 9), "không phải ngày làm việc"),           # in Tết: not a working day
])
def test_apology_on_or_after_the_appointment_day_or_on_a_day_off_is_refused(at, words):
    desk = apology_desk()
    with pytest.raises(Refused, match=words):
        desk.do(K.APOLOGY_ISSUED, {"new_due_at": "2026-02-26 17:00", "reason": "x"}, at=at)


def test_the_new_appointment_must_be_later_and_a_working_day():
    desk = apology_desk()
    desk.now = datetime(2026, 2, 12, 9)
    with pytest.raises(Refused, match="phải sau ngày hẹn hiện tại"):
        desk.do(K.APOLOGY_ISSUED, {"new_due_at": "2026-02-23 16:00", "reason": "x"})
    with pytest.raises(Refused, match="không phải ngày làm việc"):
        desk.do(K.APOLOGY_ISSUED, {"new_due_at": "2026-02-28 17:00", "reason": "x"})
    with pytest.raises(Refused, match="YYYY-MM-DD HH:MM"):
        desk.do(K.APOLOGY_ISSUED, {"new_due_at": "hai mươi sáu", "reason": "x"})


# -- timeliness and hand-off steps ----------------------------------------------------------

def test_result_is_judged_by_date_against_the_original_appointment():
    due = datetime(2026, 3, 10, 17)
    assert timeliness(datetime(2026, 3, 9, 17), due) is Timeliness.EARLY
    assert timeliness(datetime(2026, 3, 10, 17, 30), due) is Timeliness.ON_TIME          # same date
    assert timeliness(datetime(2026, 3, 10, 17, 30), due, OnTimeBy.DATETIME) is Timeliness.LATE
    assert timeliness(datetime(2026, 3, 10, 16, 0), due, OnTimeBy.DATETIME) is Timeliness.ON_TIME
    assert timeliness(datetime(2026, 3, 11, 8), due) is Timeliness.LATE
    desk = apology_desk()
    desk.do(K.APOLOGY_ISSUED, {"new_due_at": "2026-02-26 17:00", "reason": "x"}, at=datetime(2026, 2, 12, 9))
    s = desk.do(K.RESULT_READY, at=datetime(2026, 2, 25, 9))
    # Within the apology's date, but late against the legal appointment: late it is.
    assert result_timeliness(s) is Timeliness.LATE and s.is_late(datetime(2026, 2, 25, 9))


def test_hand_off_steps_each_have_a_due_date_and_an_outcome():
    desk = Desk(received=datetime(2026, 3, 2, 8))
    desk.do(K.TRANSFERRED, {"to_body": "Tư pháp - Hộ tịch", "to_person": "Ông Bình", "step_due_at": "2026-03-04 17:00"},
            at=datetime(2026, 3, 2, 9))
    s = desk.do(K.TRANSFERRED, {"to_body": "Chủ tịch UBND xã", "step_due_at": "2026-03-05 17:00"},
                at=datetime(2026, 3, 4, 10))
    assert s.holder == "Chủ tịch UBND xã" and s.step_due_at == datetime(2026, 3, 5, 17)
    s = desk.do(K.TAKEN_BACK, {"from_person": "Bà Lan"}, at=datetime(2026, 3, 6, 8))
    assert s.holder == "" and s.status is Status.PROCESSING
    desk.do(K.TRANSFERRED, {"to_body": "Tư pháp - Hộ tịch", "step_due_at": "2026-03-09 17:00"}, at=datetime(2026, 3, 6, 9))
    desk.do(K.RESULT_READY, at=datetime(2026, 3, 6, 15))
    steps = handoff_steps(desk.events)
    assert [(st.from_body, st.to_body, st.outcome) for st in steps] == [
        ("Bộ phận Một cửa", "Tư pháp - Hộ tịch", Timeliness.ON_TIME),
        ("Tư pháp - Hộ tịch", "Chủ tịch UBND xã", Timeliness.LATE),
        ("Bộ phận Một cửa", "Tư pháp - Hộ tịch", Timeliness.EARLY),
    ]
    assert steps[0].from_person == "Trần Thị Mai" and steps[0].to_person == "Ông Bình"


def test_a_hand_off_step_due_before_now_is_refused_the_default_is_the_appointment():
    desk = Desk(received=datetime(2026, 3, 2, 8))
    with pytest.raises(Refused, match="Hạn của bước"):
        desk.do(K.TRANSFERRED, {"to_body": "Tư pháp", "step_due_at": "2026-03-01 17:00"})
    # An overdue dossier can still be handed off: its step is due at the appointment (late).
    s = desk.do(K.TRANSFERRED, {"to_body": "Tư pháp"}, at=datetime(2026, 3, 20, 8))
    assert s.step_due_at == desk.state.due_at == datetime(2026, 3, 9, 17)


# -- properties ------------------------------------------------------------------------------

ACTION_KINDS = list(FIELDS)


@st.composite
def clerk_sessions(draw):
    """A sequence of attempted actions at moving times, some with a supervisor."""
    n = draw(st.integers(1, 14))
    steps = []
    for _ in range(n):
        kind = draw(st.sampled_from(ACTION_KINDS))
        hours = draw(st.integers(1, 60))
        role = draw(st.sampled_from([None, None, Role.SUPERVISOR]))
        days = draw(st.integers(1, 20))
        steps.append((kind, hours, role, days))
    mode = draw(st.sampled_from(list(SupplementMode)))
    return steps, mode


@settings(max_examples=150, deadline=None)
@given(clerk_sessions(), st.randoms(use_true_random=False))
def test_any_sequence_keeps_the_limits_and_folds_the_same_in_any_order(session, rnd: random.Random):
    steps, mode = session
    desk = Desk(received=datetime(2026, 2, 2, 8), policy=Policy(supplement_mode=mode))
    for kind, hours, role, days in steps:
        desk.now += timedelta(hours=hours)
        fields = dict(FIELDS[kind])
        if kind is K.APOLOGY_ISSUED:
            fields["new_due_at"] = CAL.due(desk.state.due_at, Term(days, TermUnit.WORKING_DAYS), False).isoformat()
        if role is not None:
            fields.update(override_by="lanhdao", override_reason="Cho phép")
        before = desk.state
        try:
            after = desk.do(kind, fields, role=role)
        except Refused:
            assert desk.state == before
            continue
        if kind is not K.SUPPLEMENT_RECEIVED:
            assert after.original_due_at == before.original_due_at
        assert after.apology_count <= 1
        assert after.supplement_count - after.supplement_overrides <= 1
    shuffled = list(desk.events)
    rnd.shuffle(shuffled)
    assert fold(shuffled) == desk.state
