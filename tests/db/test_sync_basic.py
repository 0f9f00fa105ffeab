"""Sync between desks and a central store, on a central SQLite file and on PostgreSQL:
convergence of several desks and agencies, refused events, reference data, redelivery,
clocks that jump back, and two desks that both return one dossier."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from core.calendar import Override, OverrideKind
from core.clock import Hlc
from core.demo_catalogue import DEMO_PROCEDURES
from core.ids import new_id
from core.lifecycle import EventKind, Status
from db.sync import apply as sync_apply, local as sync_local
from db.calendar import CalendarRepo
from db.catalogue import CatalogueRepo
from db.engine import make_engine, read_conn, write_tx
from db.models import account, agency as agency_t, event
from db.sql import dumps
from db.sync import CentralUnavailable, SyncReport, SyncStatus
from tests.db.sync_fixtures import central  # noqa: F401  (fixture)
from tests.db.sync_helpers import (
    AGENCY_A, AGENCY_B, act, advance, assert_converged, central_events, desk_events, fold_all,
    make_desk, receive,
)


def _busy(desks, rng, receipts=4, steps=6):
    made = []
    for box in desks:
        for _ in range(receipts):
            made.append((box, receive(box, rng).id))
    for _ in range(steps):
        box, did = rng.choice(made)
        advance(box, did, rng)
    return made


def _sync_all(url, desks, rounds=2, **kw):
    reports = []
    for _ in range(rounds):
        for box in desks:
            reports.append(box.sync(url, **kw))
    return reports


def test_desks_of_one_agency_and_of_two_converge(central, tmp_path):
    rng = random.Random(3)
    a1, a2, a3 = (make_desk(tmp_path, AGENCY_A, n) for n in (1, 2, 3))
    b1 = make_desk(tmp_path, AGENCY_B, 1)
    desks = [a1, a2, a3, b1]
    _busy(desks, rng)
    first = _sync_all(central, desks, rounds=1, batch_size=3)
    assert sum(r.pushed for r in first) == sum(len(desk_events(d)) for d in desks) - sum(r.pulled for r in first)
    # A citizen collects at another desk: a2 acts on dossiers a1 received.
    a2.sync(central)
    for did in [s for s in a2.repo.received_between(a2.clock.now() - timedelta(days=9), a2.clock.now() + timedelta(days=1))
                if s.desk_number == 1][:3]:
        advance(a2, did.id, rng)
    _busy(desks, rng, receipts=2, steps=4)
    _sync_all(central, desks, batch_size=4)
    central_state = assert_converged(central, desks)
    assert {s.agency_code for s in central_state.values()} == {AGENCY_A, AGENCY_B}
    assert all(e.agency_code == AGENCY_B for e in desk_events(b1))
    status = a1.sync_engine(central).status()
    assert isinstance(status, SyncStatus) and status.waiting == 0 and status.last_error is None
    assert status.last_success is not None


def test_report_status_and_dossier_synced(central, tmp_path):
    rng = random.Random(5)
    box = make_desk(tmp_path, AGENCY_A, 1)
    d = receive(box, rng)
    sync = box.sync_engine(central)
    st = sync.status()
    assert (st.waiting, st.online, st.last_success) == (1, None, None)
    assert sync.dossier_synced(d.id) is False
    report = sync.run_once()
    assert isinstance(report, SyncReport)
    assert (report.pushed, report.pulled, report.rejected) == (1, 0, [])
    assert report.started_at <= report.finished_at
    assert sync.dossier_synced(d.id) is True
    assert sync.status().online is True and sync.status().waiting == 0
    act(box, d.id, EventKind.NOTE)
    assert sync.dossier_synced(d.id) is False
    assert sync.status().waiting == 1
    assert sync.dossier_synced("no-such-dossier") is False


def test_offline_raises_vietnamese_message_and_keeps_local_data(tmp_path, central):
    rng = random.Random(6)
    box = make_desk(tmp_path, AGENCY_A, 1)
    receive(box, rng)
    box.sync(central)
    receive(box, rng)
    before = sorted((e.id, e.synced_at) for e in desk_events(box))
    if central.startswith("sqlite"):
        bad = f"sqlite:///{tmp_path / 'unmounted-share' / 'central.sqlite'}"
    else:
        bad = "postgresql://postgres@127.0.0.1:1/motcua"           # nothing listens on port 1
    sync = box.sync_engine(bad, connect_timeout=2)
    with pytest.raises(CentralUnavailable) as info:
        sync.run_once()
    msg = info.value.message_vi
    assert "máy chủ trung tâm" in msg.lower() or "CSDL trung tâm" in msg
    assert "vẫn được lưu trên máy này" in msg
    assert sorted((e.id, e.synced_at) for e in desk_events(box)) == before
    st = sync.status()
    assert st.online is False and st.waiting == 1 and st.last_error == msg
    assert not (tmp_path / "unmounted-share").exists(), "an empty centre must never be created"
    # Back online (the right address): everything waiting goes up.
    good = box.sync_engine(central)
    assert good.run_once().pushed == 1
    assert good.status().online is True and good.status().last_error is None


def test_uninitialised_central_is_unavailable(tmp_path):
    box = make_desk(tmp_path, AGENCY_A, 1)
    receive(box)
    empty = tmp_path / "empty.sqlite"
    make_engine(f"sqlite:///{empty}").dispose()
    import sqlite3
    sqlite3.connect(empty).close()
    with pytest.raises(CentralUnavailable) as info:
        box.sync(f"sqlite:///{empty}")
    assert "motcua central init" in info.value.message_vi


def _insert_raw(box, **overrides):
    """An event written straight into the desk's log, as a bug or a bad restore could."""
    rows = desk_events(box)
    hlc = Hlc.decode(max(r.hlc for r in rows))
    row = {"id": new_id(), "dossier_id": rows[0].dossier_id, "agency_code": box.agency.code,
           "desk_number": box.desk.number, "clerk_id": box.clerk.id,
           "hlc": Hlc(hlc.physical_ms, hlc.counter + 1, hlc.node).encode(),
           "wall_time": box.clock.now(), "kind": "note", "payload": dumps({"text": "x"}), "synced_at": None}
    row.update(overrides)
    with write_tx(box.engine) as conn:
        conn.execute(event.insert().values(**row))
    box.hlc.observe(row["hlc"])
    return row["id"]


def test_refused_events_are_reported_remembered_and_never_block(central, tmp_path):
    rng = random.Random(8)
    box = make_desk(tmp_path, AGENCY_A, 1)
    other = make_desk(tmp_path, AGENCY_A, 2)
    d = receive(box, rng)
    bad = [
        _insert_raw(box, agency_code=AGENCY_B),
        _insert_raw(box, kind="teleported"),
        _insert_raw(box, payload="{not json"),
        _insert_raw(box, kind="received", dossier_id=new_id(), payload=dumps({"code": "X"})),
    ]
    for _ in range(3):
        act(box, d.id, EventKind.NOTE)
    report = box.sync(central, batch_size=2)
    assert sorted(i for i, _ in report.rejected) == sorted(bad)
    reasons = dict(report.rejected)
    assert "cơ quan" in reasons[bad[0]] and "Loại sự kiện" in reasons[bad[1]]
    assert "JSON" in reasons[bad[2]] and "tiếp nhận" in reasons[bad[3]]
    assert report.pushed == 4            # the receipt and three notes, past the bad ones
    sync = box.sync_engine(central)
    st = sync.status()
    assert st.waiting == 4 and st.rejected == 4 and "từ chối" in st.last_error
    again = sync.run_once()
    assert again.rejected == [] and again.pushed == 0           # not re-sent every run
    assert sync.dossier_synced(d.id) is False                   # its note is still not there
    assert sorted(i for i, _ in sync_local.refused(box.engine)) == sorted(bad)
    assert sync_local.retry_refused(box.engine) == 4          # what `motcua sync retry` does
    assert len(sync.run_once().rejected) == 4                   # retried, refused again
    other.sync(central)
    central_ids = {r.id for r in central_events(central)[0]}
    assert not central_ids & set(bad)
    assert {e.id for e in desk_events(other)} == central_ids


def test_reference_data_comes_down(central, tmp_path):
    from datetime import datetime
    box = make_desk(tmp_path, AGENCY_A, 1)
    engine = make_engine(central)
    now = datetime(2025, 9, 1, 8, 0)
    from core.clock import FixedClock
    CatalogueRepo(engine, FixedClock(now)).import_procedures(DEMO_PROCEDURES[:4])
    CalendarRepo(engine, FixedClock(now)).put(Override(day=date(2025, 9, 1), kind=OverrideKind.DAY_OFF,
                                                       name="Nghỉ bù Quốc khánh"), by="admin")
    with write_tx(engine) as conn:
        for code in (AGENCY_A, AGENCY_B):
            conn.execute(agency_t.insert().values(code=code, name=code, created_at=now))
            conn.execute(account.insert().values(id=new_id(), agency_code=code, username="lanhdao",
                                                 password_hash="h", full_name="Lãnh đạo", role="supervisor",
                                                 active=True, created_at=now))
    engine.dispose()
    report = box.sync(central)
    assert report.reference["catalogue"] == 4
    assert report.reference["holidays"] == 1
    assert report.reference["accounts"] == 1
    assert {p.code for p in CatalogueRepo(box.engine, box.clock).current()} == {p.code for p in DEMO_PROCEDURES[:4]}
    assert [o.name for o in CalendarRepo(box.engine).overrides()] == ["Nghỉ bù Quốc khánh"]
    with read_conn(box.engine) as conn:
        agencies = set(conn.execute(select(account.c.agency_code)).scalars())
    assert agencies == {AGENCY_A}
    again = box.sync(central)
    assert again.reference == {"catalogue": 0, "holidays": 0, "accounts": 0, "desks": 0}


def test_batches_delivered_twice_and_out_of_order(central, tmp_path):
    rng = random.Random(11)
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    _busy([a1, a2], rng, receipts=6, steps=15)
    _sync_all(central, [a1, a2], batch_size=5)
    rows, _ = central_events(central)
    seqs = {r.id: r.seq for r in rows}
    # Push again everything a1 has (its marks "lost"): harmless, numbers unchanged.
    with write_tx(a1.engine) as conn:
        conn.execute(update(event).values(synced_at=None))
    again = a1.sync(central, batch_size=4)
    assert again.pushed == len(desk_events(a1)) and again.pulled == 0
    assert {r.id: r.seq for r in central_events(central)[0]} == seqs
    # Pull again from zero: nothing new, nothing twice.
    with write_tx(a2.engine) as conn:
        from db.models import meta
        conn.execute(meta.delete().where(meta.c.key.like(sync_local.KEY_CURSOR + "%")))
    assert a2.sync(central, batch_size=3).pulled == 0
    # A fresh desk gets the pages shuffled and each twice: same projection as the centre.
    a3 = make_desk(tmp_path, AGENCY_A, 3)
    events = sync_apply.decode_pulled(rows, AGENCY_A)
    rng.shuffle(events)
    pages = [events[i:i + 7] for i in range(0, len(events), 7)]
    deliveries = pages + pages[::-1]
    rng.shuffle(deliveries)
    for page in deliveries:
        sync_apply.apply_pulled(a3.engine, page, [], store_key="x", cursor=0, now=a3.clock.now())
    assert fold_all(desk_events(a3)) == fold_all(rows)
    a3.sync(central, batch_size=6)
    assert_converged(central, [a1, a2, a3])


def test_clock_set_back_a_day_keeps_the_desk_order(central, tmp_path):
    rng = random.Random(13)
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    d = receive(a1, rng)
    act(a1, d.id, EventKind.TRANSFERRED)
    a1.sync(central)
    a1.clock.advance(days=-1)                 # the desk's clock jumps back a day
    act(a1, d.id, EventKind.RESULT_READY)
    a1.restart()                              # and the app restarts on the wrong clock
    act(a1, d.id, EventKind.RETURNED)
    mine = sorted(desk_events(a1), key=lambda e: (e.hlc, e.id))
    assert [e.kind for e in mine] == ["received", "transferred", "result_ready", "returned"]
    assert a1.repo.get(d.id).status is Status.RETURNED and a1.repo.get(d.id).conflicts == ()
    # A desk with a correct clock acted after the centre saw a1's later stamps: still after.
    a1.sync(central)
    a2.sync(central)
    act(a2, d.id, EventKind.RATED)
    _sync_all(central, [a1, a2])
    central_state = assert_converged(central, [a1, a2])
    assert central_state[d.id].status is Status.RETURNED and central_state[d.id].rating == "hai_long"
    assert central_state[d.id].conflicts == ()


def test_two_desks_return_the_same_dossier_while_apart(central, tmp_path):
    rng = random.Random(17)
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    d = receive(a1, rng)
    act(a1, d.id, EventKind.TRANSFERRED)
    act(a1, d.id, EventKind.RESULT_READY)
    _sync_all(central, [a1, a2], rounds=1)
    a1.sync(central)
    assert a2.repo.get(d.id).status is Status.RESOLVED
    # Network down: the citizen is handed the result at both desks (or the clerk repeats it).
    r1 = act(a1, d.id, EventKind.RETURNED)
    r2 = act(a2, d.id, EventKind.RETURNED)
    assert r1.status is r2.status is Status.RETURNED and r1.conflicts == r2.conflicts == ()
    _sync_all(central, [a2, a1])
    central_state = assert_converged(central, [a1, a2])
    returned = sorted((e for e in desk_events(a1) if e.kind == "returned"), key=lambda e: (e.hlc, e.id))
    assert len(returned) == 2                                      # neither action dropped
    for box in (a1, a2):
        s = box.repo.get(d.id)
        assert s.status is Status.RETURNED
        assert s.conflicts == (f"returned:{returned[1].id}",)      # the later one is flagged
        assert s == central_state[d.id]


def test_later_steps_apply_onto_the_stored_projection_and_earlier_ones_refold(tmp_path, monkeypatch):
    rng = random.Random(17)
    a1, a2, a3 = (make_desk(tmp_path, AGENCY_A, n) for n in (1, 2, 3))
    d = receive(a1, rng)
    act(a1, d.id, EventKind.TRANSFERRED)
    early = act(a2, receive(a2, rng).id, EventKind.TRANSFERRED)      # a2's clock: same start as a1's
    act(a1, d.id, EventKind.RESULT_READY)
    rows = sorted(desk_events(a1), key=lambda r: (r.hlc, r.id))
    pulled = sync_apply.decode_pulled(rows, AGENCY_A)
    whole_folds = []
    real_events_of = sync_apply.events_of
    monkeypatch.setattr(sync_apply, "events_of", lambda conn, ids: whole_folds.append(list(ids)) or real_events_of(conn, ids))

    def deliver(page):
        sync_apply.apply_pulled(a3.engine, page, [], store_key="x", cursor=0, now=a3.clock.now(),
                                prepared=sync_apply.prefold(page))

    deliver(pulled[:2])                       # receipt + transfer: a dossier new to a3
    deliver(pulled[2:])                       # result ready sorts last: applied onto the projection
    assert whole_folds == []
    assert a3.repo.get(d.id) == a1.repo.get(d.id) and a3.repo.get(d.id).status is Status.RESOLVED
    # A note stamped before the result (another desk, offline for a while) must be folded in order.
    with write_tx(a2.engine) as conn:
        conn.execute(update(event).where(event.c.dossier_id == early.id).values(dossier_id=d.id))
    late = sync_apply.decode_pulled([r for r in desk_events(a2) if r.dossier_id == d.id and r.kind != "received"],
                                    AGENCY_A)
    assert late and all(p.event.hlc < a3.repo.get(d.id).last_hlc for p in late)
    deliver(late)
    assert whole_folds == [[d.id]]
    with read_conn(a3.engine) as conn:
        mine = [r for r in conn.execute(select(event).where(event.c.dossier_id == d.id))]
    assert a3.repo.get(d.id) == fold_all(mine)[d.id]
    # The earlier hand-off is folded in its place (a second hand-off: allowed, no conflict).
    assert a3.repo.get(d.id).event_count == 4 and a3.repo.get(d.id).conflicts == ()


def test_pull_pages_are_larger_than_push_batches_by_default(tmp_path):
    box, url = make_desk(tmp_path, AGENCY_A, 1), f"sqlite:///{tmp_path / 'never-opened.sqlite'}"
    assert box.sync_engine(url).pull_page_size == 4000
    assert box.sync_engine(url, batch_size=7, pull_page_size=None).pull_page_size == 4000
    assert box.sync_engine(url, batch_size=7, pull_page_size=50).pull_page_size == 50
    with pytest.raises(ValueError):
        box.sync_engine(url, batch_size=0)


def test_a_pull_puts_the_interpreter_settings_back_even_when_it_fails(central, tmp_path):
    import gc
    import sys
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    receive(a1)
    a1.sync(central)
    interval = sys.getswitchinterval()
    seen = []
    sync = a2.sync_engine(central)

    def fail(events):
        seen.append((gc.isenabled(), sys.getswitchinterval()))
        raise RuntimeError("disk full")

    sync.before_local_apply = fail
    with pytest.raises(RuntimeError):
        sync.run_once()
    sync.before_local_apply = None
    assert seen == [(False, 0.0005)]                       # paused while the page was applied
    assert gc.isenabled() and sys.getswitchinterval() == interval
    assert sync.run_once().pulled == len(desk_events(a1))
    sync.close()
    assert gc.isenabled() and sys.getswitchinterval() == interval


def test_a_desk_keeps_no_synced_at_index_entries_and_counts_waiting_off_the_unsent_index(central, tmp_path):
    """Migration 0012: on a desk ix_event_synced_at stays empty (no push mark or pulled
    event touches it) while a SQLite centre keeps every row in it; the waiting count reads
    the partial index of unsent events, so its cost follows what waits."""
    rng = random.Random(11)
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    _busy([a1, a2], rng)
    assert a1.sync_engine(central).status().waiting == len(desk_events(a1)) > 0
    _sync_all(central, [a1, a2])
    everything = len(central_events(central)[0])
    for box in (a1, a2):
        with read_conn(box.engine) as conn:
            partial = {r[1]: r[4] for r in conn.exec_driver_sql("PRAGMA index_list(event)")}["ix_event_synced_at"]
            numbered = conn.exec_driver_sql("SELECT count(*) FROM event WHERE seq IS NOT NULL").scalar_one()
            plan = " ".join(r[-1] for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM event INDEXED BY ix_event_unsent WHERE synced_at IS NULL"))
            synced = conn.exec_driver_sql("SELECT count(*) FROM event WHERE synced_at IS NOT NULL").scalar_one()
        assert partial == 1 and numbered == 0 and synced == everything and "ix_event_unsent" in plan
        assert box.sync_engine(central).status().waiting == 0
    receive(a1, rng)
    assert a1.sync_engine(central).status().waiting == 1
    if central.startswith("sqlite"):
        centre = make_engine(central)
        with read_conn(centre) as conn:
            assert conn.exec_driver_sql(
                "SELECT count(*) FROM event INDEXED BY ix_event_synced_at WHERE seq IS NOT NULL").scalar_one() \
                == everything
        centre.dispose()


_CENTRE_ONLY = ("ix_event_agency_seq", "ix_event_agency_dossier_code", "ix_event_desk_synced")


def test_a_desk_keeps_no_entries_in_the_centres_event_indexes_and_a_sqlite_centre_plans_on_them(central, tmp_path):
    """Migration 0014: on a desk the three indexes only a centre reads are partial and stay
    empty through pushes and pulls; a SQLite centre keeps every row in them and its
    queries (numbering, pull by sequence, desks' freshness) still read them."""
    from db.stats_central import _PAIRS, freshness
    rng = random.Random(14)
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    _busy([a1, a2], rng)
    _sync_all(central, [a1, a2])
    everything = len(central_events(central)[0])

    def entries(conn, name):
        return conn.exec_driver_sql(f"SELECT count(*) FROM event INDEXED BY {name} WHERE seq IS NOT NULL").scalar_one()

    for box in (a1, a2):
        with read_conn(box.engine) as conn:
            partial = {r[1]: r[4] for r in conn.exec_driver_sql("PRAGMA index_list(event)")}
            assert [partial[name] for name in _CENTRE_ONLY] == [1, 1, 1]
            assert [entries(conn, name) for name in _CENTRE_ONLY] == [0, 0, 0]
            assert conn.exec_driver_sql("SELECT count(*) FROM event").scalar_one() == everything
    if not central.startswith("sqlite"):
        return
    centre = make_engine(central)
    with read_conn(centre) as conn:
        assert [entries(conn, name) for name in _CENTRE_ONLY] == [everything] * 3

        def plan(sql, *params):
            return " ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
        assert "ix_event_agency_seq" in plan(
            "SELECT max(seq) FROM event WHERE agency_code = ? AND seq IS NOT NULL", AGENCY_A)
        assert "ix_event_agency_seq" in plan(
            "SELECT id FROM event WHERE agency_code = ? AND seq > ? ORDER BY agency_code, seq LIMIT 10", AGENCY_A, 3)
        assert "ix_event_desk_synced" in plan(_PAIRS)
    assert {(f.agency_code, f.desk_number) for f in freshness(centre)} == {(AGENCY_A, 1), (AGENCY_A, 2)}
    assert all(f.last_sync is not None for f in freshness(centre))
    centre.dispose()
    # The centre still numbers on from its highest number: a new receipt comes back numbered.
    receive(a1, rng)
    _sync_all(central, [a1, a2])
    assert len(central_events(central)[0]) == everything + 1
