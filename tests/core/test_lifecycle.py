"""The dossier fold: order independence, stepwise equivalence, conflicts, statuses."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from core.lifecycle import Event, EventKind, Status, accepted_events, apply, fold, start

T0 = datetime(2025, 9, 22, 8, 0)
RECEIPT = {
    "code": "000.21.53.H48-250922-01001", "channel": 2,
    "procedure": {"code": "1.000689", "name": "Đăng ký khai sinh", "version": 3},
    "applicant": {"full_name": "Trần Thị Bích Ngọc", "id_number": "051273878287", "phone": "0915826780"},
    "received_at": "2025-09-22T08:00:00", "due_at": "2025-09-25T08:00:00",
}


def ev(n: int, kind: EventKind, payload: dict | None = None, *, desk: int = 1) -> Event:
    return Event(f"e{n:04d}-{desk}", "d1", "000.21.53.H48", desk, f"clerk{desk}",
                 f"{n:015d}.00000.000.21.53.H48/{desk}", T0 + timedelta(minutes=n), kind,
                 payload if payload is not None else (RECEIPT if kind is EventKind.RECEIVED else {}))


def stepwise(events: list[Event]):
    ordered = sorted(events, key=Event.sort_key)
    first = next(e for e in ordered if e.kind is EventKind.RECEIVED)
    state = start(first)
    for e in ordered:
        if e is not first:
            state = apply(state, e)
    return state


def test_a_full_story_folds_to_the_returned_state():
    events = [ev(1, EventKind.RECEIVED), ev(2, EventKind.TRANSFERRED),
              ev(3, EventKind.SUPPLEMENT_REQUESTED), ev(4, EventKind.SUPPLEMENT_RECEIVED),
              ev(5, EventKind.APOLOGY_ISSUED, {"new_due_at": "2025-09-30T17:00:00"}),
              ev(6, EventKind.RESULT_READY), ev(7, EventKind.RETURNED, {"at": "2025-09-30T09:15:00"}),
              ev(8, EventKind.RATED, {"level": "hai_long"})]
    s = fold(reversed(events))
    assert (s.status, s.code, s.procedure_code, s.procedure_version, s.channel) == \
        (Status.RETURNED, RECEIPT["code"], "1.000689", 3, 2)
    assert s.applicant_name == "Trần Thị Bích Ngọc" and s.received_by == "clerk1"
    assert s.due_at == datetime(2025, 9, 30, 17) and s.original_due_at == datetime(2025, 9, 25, 8)
    assert s.resolved_at == T0 + timedelta(minutes=6) and s.returned_at == datetime(2025, 9, 30, 9, 15)
    assert (s.supplement_count, s.apology_count, s.rating, s.event_count) == (1, 1, "hai_long", 8)
    assert s.conflicts == () and s.last_hlc == events[-1].hlc


def test_two_desks_returning_one_result_keep_both_and_flag_the_later():
    events = [ev(1, EventKind.RECEIVED), ev(2, EventKind.RESULT_READY),
              ev(3, EventKind.RETURNED, desk=2), ev(4, EventKind.RETURNED, desk=1)]
    s = fold(events)
    assert s.status is Status.RETURNED and s.returned_at == T0 + timedelta(minutes=3)
    assert s.conflicts == ("returned:e0004-1",) and s.event_count == 4


def test_misplaced_and_repeated_events_are_flagged_not_raised():
    s = fold([ev(1, EventKind.RECEIVED), ev(2, EventKind.RETURNED), ev(3, EventKind.RECEIVED),
              ev(4, EventKind.APOLOGY_ISSUED, {"new_due_at": "2025-09-29T08:00:00"}),
              ev(5, EventKind.APOLOGY_ISSUED, {"new_due_at": "2025-10-09T08:00:00"})])
    assert s.status is Status.RECEIVED
    assert s.conflicts == ("returned:e0002-1", "received-twice:e0003-1", "apology_issued:e0005-1")
    # The second apology is kept and flagged, and moves nothing.
    assert s.apology_count == 1 and s.due_at == datetime(2025, 9, 29, 8)


def test_a_dossier_without_its_receipt_does_not_fold():
    with pytest.raises(ValueError):
        fold([ev(2, EventKind.TRANSFERRED)])
    with pytest.raises(ValueError):
        fold([])


KINDS = [k for k in EventKind if k is not EventKind.APOLOGY_ISSUED]


@st.composite
def histories(draw):
    n = draw(st.integers(0, 12))
    stamps = draw(st.lists(st.integers(2, 60), min_size=n, max_size=n))
    events = [ev(1, EventKind.RECEIVED)]
    for i, stamp in enumerate(stamps):
        kind = draw(st.sampled_from(KINDS + [EventKind.APOLOGY_ISSUED]))
        payload = {"new_due_at": (T0 + timedelta(days=stamp)).isoformat()} \
            if kind is EventKind.APOLOGY_ISSUED else {"level": "hai_long"} if kind is EventKind.RATED \
            else RECEIPT if kind is EventKind.RECEIVED else {}      # a replayed receipt
        if kind is EventKind.SUPPLEMENT_RECEIVED and draw(st.booleans()):
            moved = (T0 + timedelta(days=stamp, hours=3)).isoformat()
            payload = {"mode": "restart", "original_due_at": moved, "due_at": moved}
        if kind is EventKind.SUPPLEMENT_REQUESTED:
            payload = {"override": draw(st.booleans())}
        events.append(Event(f"x{i:03d}", "d1", "000.21.53.H48", 1 + i % 2, "c", f"{stamp:015d}.00000.d",
                            T0 + timedelta(minutes=stamp), kind, payload))
    return events


def _without_bookkeeping(state):
    return replace(state, conflicts=(), event_count=0, last_hlc="")


@settings(max_examples=300, deadline=None)
@given(histories())
def test_fold_equals_stepwise_apply_and_every_event_is_applied_or_flagged(events):
    s = fold(events)
    assert s == stepwise(events)
    assert s.event_count == len(events)
    assert s.last_hlc == max(e.hlc for e in events)
    # Exactly the events the fold did not apply are flagged, each once, none dropped ...
    applied = {e.id for e in accepted_events(events)}
    flagged = [c.split(":", 1)[1] for c in s.conflicts]
    assert sorted(flagged) == sorted(e.id for e in events if e.id not in applied)
    # Whatever arrives by sync: at most one apology and one supplement without a supervisor's
    # override, and the legal appointment moves only with a received supplement.
    assert s.apology_count <= 1 and s.supplement_count - s.supplement_overrides <= 1
    # ... and a flagged event changes nothing but the bookkeeping.
    state = start(events[0])
    for e in sorted(events[1:], key=Event.sort_key):
        after = apply(state, e)
        if e.id in flagged:
            assert _without_bookkeeping(after) == _without_bookkeeping(state)
        if after.original_due_at != state.original_due_at:
            assert e.kind is EventKind.SUPPLEMENT_RECEIVED and e.payload.get("original_due_at")
        state = after


@settings(max_examples=300, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_events_arriving_in_any_order_reach_the_fold_of_all(events, rnd: random.Random):
    # What a desk does as events trickle in by sync, in whatever order they arrive: an
    # event that sorts after everything folded so far is applied onto the state; any other
    # (or one before its receipt) makes it fold everything it has again.
    arrival = list(events)
    rnd.shuffle(arrival)
    seen, state, top = [], None, ("", "")
    for e in arrival:
        seen.append(e)
        if state is not None and e.sort_key() > top:
            state = apply(state, e)
        elif any(x.kind is EventKind.RECEIVED for x in seen):
            state = fold(seen)
        top = max(top, e.sort_key())
    assert state == fold(events)


def test_make_event_builds_the_same_frozen_event():
    import dataclasses
    from core.lifecycle import make_event
    args = ("e1", "d1", "000.21.53.H48", 2, "clerk", "000001758528000.00000.x/2", T0, EventKind.NOTE, {"text": "a"})
    fast, slow = make_event(*args), Event(*args)
    assert fast == slow and hash(fast) == hash(slow) and type(fast) is Event
    assert dataclasses.astuple(fast) == dataclasses.astuple(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.kind = EventKind.RETURNED
