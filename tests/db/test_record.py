"""Recording actions, applying events from elsewhere (through the sync pull's apply), rebuilding
projections."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

import pytest

from core.clock import HybridClock
from core.ids import new_id
from core.lifecycle import Event, EventKind, Status
from db.dossiers import DossierNotFound, DossierRepo, TransitionError
from db.engine import make_engine
from db.meta import last_local_hlc
from db.migrate import upgrade
from db.sql import dumps
from db.sync.apply import apply_pulled, decode_pulled

from .conftest import AGENCY, CLERK


def test_record_walks_the_lifecycle(receive, repo, clock):
    d = receive().dossier
    clock.advance(minutes=10)
    s = repo.record(d.id, EventKind.TRANSFERRED, {"to": "Tư pháp"}, CLERK)
    assert s.status is Status.PROCESSING
    s = repo.record(d.id, EventKind.SUPPLEMENT_REQUESTED, {"missing": ["Giấy chứng sinh"]}, CLERK)
    assert s.status is Status.SUPPLEMENT and s.supplement_count == 1
    s = repo.record(d.id, EventKind.SUPPLEMENT_RECEIVED, {}, CLERK)
    new_due = datetime(2025, 3, 14, 17, 0)
    s = repo.record(d.id, EventKind.APOLOGY_ISSUED, {"new_due_at": new_due, "reason": "Cần xác minh"}, CLERK)
    assert s.due_at == new_due and s.original_due_at == d.due_at and s.apology_count == 1
    clock.advance(hours=2)
    s = repo.record(d.id, EventKind.RESULT_READY, {}, CLERK)
    assert s.status is Status.RESOLVED and s.resolved_at == clock.now()
    s = repo.record(d.id, EventKind.RETURNED, {"delivery": "desk"}, CLERK)
    s = repo.record(d.id, EventKind.RATED, {"level": "very_satisfied"}, CLERK)
    assert s.status is Status.RETURNED and s.rating == "very_satisfied" and s.event_count == 8
    assert repo.get(d.id) == s
    assert [e.kind for e in repo.events(d.id)][-2:] == [EventKind.RETURNED, EventKind.RATED]
    assert last_local_hlc(repo.engine) == s.last_hlc


def test_record_rejects_invalid_actions_in_vietnamese(receive, repo):
    d = receive().dossier
    with pytest.raises(TransitionError) as caught:
        repo.record(d.id, EventKind.RETURNED, {}, CLERK)
    assert caught.value.message_vi == "Hồ sơ chưa có kết quả; ghi nhận có kết quả trước khi trả."
    with pytest.raises(TransitionError, match="đã được tiếp nhận"):
        repo.record(d.id, EventKind.RECEIVED, {}, CLERK)
    with pytest.raises(TransitionError, match="ngày hẹn"):
        repo.record(d.id, EventKind.APOLOGY_ISSUED, {}, CLERK)
    repo.record(d.id, EventKind.APOLOGY_ISSUED, {"new_due_at": "2025-03-20T17:00:00"}, CLERK)
    with pytest.raises(TransitionError, match="một lần"):
        repo.record(d.id, EventKind.APOLOGY_ISSUED, {"new_due_at": "2025-03-25T17:00:00"}, CLERK)
    repo.record(d.id, EventKind.WITHDRAWN, {}, CLERK)
    # Notes, ratings and prints are allowed whatever the state.
    assert repo.record(d.id, EventKind.NOTE, {"text": "Gọi lại sau"}, CLERK).status is Status.WITHDRAWN
    assert len(repo.events(d.id)) == 4            # rejected actions left nothing behind
    with pytest.raises(DossierNotFound):
        repo.record("no-such-id", EventKind.NOTE, {}, CLERK)


def apply_remote(repo, events) -> int:
    """Apply events from elsewhere the way a sync pull does (db.sync.apply); the number stored."""
    rows = [(e.id, e.dossier_id, e.agency_code, e.desk_number, e.clerk_id, e.hlc, e.wall_time,
             EventKind(e.kind).value, dumps(e.payload)) for e in events]
    stored, top = apply_pulled(repo.engine, decode_pulled(rows, AGENCY.code), [], store_key="test",
                               cursor=0, now=repo.clock.now())
    if top:
        repo.hlc.observe(top)
    return stored


def _unsent(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM event WHERE synced_at IS NULL").scalar()


def _event(dossier, kind, hlc, payload=None, desk=2):
    return Event(id=new_id(), dossier_id=dossier.id, agency_code=AGENCY.code, desk_number=desk,
                 clerk_id=CLERK.id, hlc=hlc, wall_time=datetime(2025, 3, 12, 10, 0), kind=kind,
                 payload=payload or {})


def test_two_desks_returning_one_dossier_is_a_surfaced_conflict(receive, repo):
    d = receive().dossier
    ready = repo.record(d.id, EventKind.RESULT_READY, {}, CLERK)
    # Desk 1 returns the result; desk 2, offline, returned it too (its event arrives later).
    mine = repo.record(d.id, EventKind.RETURNED, {}, CLERK)
    theirs = _event(d, EventKind.RETURNED, hlc="9" * 15 + ".00000.desk2")
    assert apply_remote(repo, [theirs]) == 1
    s = repo.get(d.id)
    assert s.status is Status.RETURNED and s.returned_at == mine.returned_at
    assert s.conflicts == (f"returned:{theirs.id}",)
    assert s.event_count == 4 and ready.event_count == 2


def _busy_history(repo, receive, clock, n=4):
    """A few dossiers with events from this desk, plus a batch from 'another desk'."""
    remote = []
    for i in range(n):
        d = receive().dossier
        clock.advance(minutes=3)
        repo.record(d.id, EventKind.TRANSFERRED, {}, CLERK)
        ms = clock.epoch_ms() + 1000 * (i + 1)
        kinds = [EventKind.RESULT_READY, EventKind.RETURNED, EventKind.RATED]
        for j, kind in enumerate(kinds):
            remote.append(_event(d, kind, f"{ms:015d}.{j:05d}.desk2",
                                 {"level": "satisfied"} if kind is EventKind.RATED else {}))
        if i == 0:
            remote.append(_event(d, EventKind.RETURNED, f"{ms:015d}.00009.desk2"))   # a clash
    return remote


def test_applying_remote_events_is_idempotent_and_order_free(receive, repo, clock):
    remote = _busy_history(repo, receive, clock)
    assert apply_remote(repo, remote) == len(remote)
    affected = {e.dossier_id for e in remote}
    assert len(affected) == 4
    first = {d: repo.get(d) for d in affected}
    assert {s.status for s in first.values()} == {Status.RETURNED}
    assert sum(1 for s in first.values() if s.conflicts) == 1
    shuffled = remote[:]
    random.Random(7).shuffle(shuffled)
    assert apply_remote(repo, shuffled) == 0                  # nothing new
    assert apply_remote(repo, shuffled[:3] + shuffled[:3]) == 0
    assert {d: repo.get(d) for d in affected} == first
    assert repo.rebuild() == 4
    assert {d: repo.get(d) for d in affected} == first


def test_the_same_events_in_any_order_give_the_same_projection(tmp_path, receive, repo, clock, engine):
    remote = _busy_history(repo, receive, clock)
    apply_remote(repo, remote)
    local = [e for d in {e.dossier_id for e in remote} for e in repo.events(d)]
    # A second database receives everything, in pieces, reversed, with duplicates.
    other = make_engine(f"sqlite:///{tmp_path / 'central.sqlite'}")
    upgrade(other)
    central = DossierRepo(other, HybridClock(clock, "central"), clock)
    pieces = list(reversed(local))
    for k in range(0, len(pieces), 3):
        apply_remote(central, pieces[k:k + 3] + pieces[:1])
    for d in {e.dossier_id for e in remote}:
        assert central.get(d) == repo.get(d)
        assert central.events(d) == repo.events(d)
    other.dispose()


def test_events_before_their_receipt_wait_for_it(receive, repo, tmp_path, clock):
    d = receive().dossier
    later = repo.record(d.id, EventKind.TRANSFERRED, {}, CLERK)
    events = repo.events(d.id)
    other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    upgrade(other)
    central = DossierRepo(other, HybridClock(clock, "central"), clock)
    assert apply_remote(central, [events[1]]) == 1
    assert central.get(d.id) is None                     # no receipt yet: no projection
    apply_remote(central, [events[0]])
    assert central.get(d.id) == later
    other.dispose()


def test_applying_remote_events_moves_the_local_clock_past_them(receive, repo, clock):
    d = receive().dossier
    future = _event(d, EventKind.NOTE, hlc=f"{clock.epoch_ms() + 86_400_000:015d}.00003.desk2")
    apply_remote(repo, [future])
    mine = repo.record(d.id, EventKind.NOTE, {"text": "sau"}, CLERK)
    assert mine.last_hlc > future.hlc
    assert repo.events(d.id)[-1].payload == {"text": "sau"}


def test_local_events_wait_to_be_sent_and_remote_ones_do_not(receive, repo, engine):
    d = receive().dossier
    repo.record(d.id, EventKind.TRANSFERRED, {}, CLERK)
    assert _unsent(engine) == 2
    apply_remote(repo, [_event(d, EventKind.NOTE, hlc="9" * 15 + ".00000.desk2")])
    assert _unsent(engine) == 2


def test_rebuild_restores_a_damaged_projection(receive, repo, engine):
    ids = [receive().dossier.id for _ in range(3)]
    repo.record(ids[0], EventKind.TRANSFERRED, {}, CLERK)
    good = {i: repo.get(i) for i in ids}
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE dossier SET status = 10, applicant_name = 'x'")
        conn.exec_driver_sql(f"DELETE FROM dossier WHERE id = '{ids[2]}'")
    assert repo.rebuild() == 3
    assert {i: repo.get(i) for i in ids} == good
    assert replace(good[ids[0]]) == repo.get(ids[0])
