"""PostgreSQL central store: desk roles and row-level security, the per-agency ordering of
server sequence numbers under concurrent pushes, and refusals made by the server."""
from __future__ import annotations

import random
import threading
import time
from datetime import datetime

import psycopg
import pytest

from core.clock import Hlc
from core.ids import new_id
from core.lifecycle import EventKind
from db.sync.central import init_central
from db.sync import CentralUnavailable
from tests.db.sync_fixtures import pg_roles  # noqa: F401  (fixture)
from tests.db.sync_helpers import (
    AGENCY_A, AGENCY_B, act, advance, assert_converged, central_events, desk_events, make_desk,
    pg_connect, receive, with_user,
)


def test_init_central_is_idempotent_and_describes_itself(pg_url, pg_roles):
    first = init_central(pg_url)
    assert any("Đã tạo lược đồ" in line for line in first)
    assert any("RLS" in line for line in first)
    again = init_central(pg_url)
    assert any("mới nhất" in line for line in again)
    assert [line for line in first if line.startswith("Mã định danh")] == \
           [line for line in again if line.startswith("Mã định danh")]
    role, pw = pg_roles.make(AGENCY_A)
    lines = init_central(pg_url, desk_role=role, desk_password=None, agency_code=AGENCY_A)
    assert any("giữ mật khẩu cũ" in line for line in lines)
    assert any("sslmode=" in line for line in lines)
    with pytest.raises(ValueError):
        init_central(pg_url, desk_role="postgres", desk_password="x", agency_code=AGENCY_A)
    with pytest.raises(ValueError):
        init_central(pg_url, desk_role="Bad-Name", desk_password="x", agency_code=AGENCY_A)
    with pytest.raises(ValueError):
        init_central(pg_url, desk_role="t_nopass_role", desk_password=None, agency_code=AGENCY_A)


def test_desk_roles_see_only_their_agency_and_never_update_or_delete(pg_url, pg_roles, tmp_path):
    init_central(pg_url)
    role_a, pw_a = pg_roles.make(AGENCY_A)
    role_b, pw_b = pg_roles.make(AGENCY_B)
    url_a, url_b = with_user(pg_url, role_a, pw_a), with_user(pg_url, role_b, pw_b)
    rng = random.Random(21)
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    b1 = make_desk(tmp_path, AGENCY_B, 1)
    for box in (a1, a2, b1):
        for _ in range(3):
            d = receive(box, rng)
            advance(box, d.id, rng)
    for _ in range(2):
        a1.sync(url_a), a2.sync(url_a), b1.sync(url_b)
    assert_converged(pg_url, [a1, a2, b1])
    assert {e.agency_code for e in desk_events(a2)} == {AGENCY_A}
    assert {e.desk_number for e in desk_events(a2)} == {1, 2}           # the other desk's events came
    assert {e.agency_code for e in desk_events(b1)} == {AGENCY_B}

    # A desk pointed at the other agency's login is refused before anything moves.
    receive(a1, rng)
    with pytest.raises(CentralUnavailable) as info:
        a1.sync(url_b)
    assert AGENCY_A in info.value.message_vi and role_b in info.value.message_vi
    assert a1.sync_engine(url_a).status().waiting == 1

    total = len(central_events(pg_url)[0])
    with pg_connect(url_a) as conn:
        seen = conn.execute("SELECT agency_code, count(*) FROM event GROUP BY 1").fetchall()
        assert [r[0] for r in seen] == [AGENCY_A]
        assert conn.execute("SELECT count(*) FROM event WHERE agency_code = %s", (AGENCY_B,)).fetchone()[0] == 0
        assert {r[0] for r in conn.execute("SELECT agency_code FROM desk").fetchall()} <= {AGENCY_A}
        for sql in ("UPDATE event SET kind = 'note'", "DELETE FROM event", "TRUNCATE event",
                    "UPDATE account SET active = false", "DELETE FROM procedure_version",
                    "SELECT * FROM desk_role", "INSERT INTO desk_role VALUES ('x', 'y', now())",
                    "SELECT setval('motcua_event_seq', 1)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="another agency"):
            conn.execute(
                "INSERT INTO event (id, dossier_id, agency_code, desk_number, clerk_id, hlc, wall_time, kind, payload) "
                "VALUES (%s, %s, %s, 1, 'c', '000000000000001.00000.x', now(), 'note', '{}')",
                (new_id(), new_id(), AGENCY_B))
        # A desk cannot pick its own sequence numbers: the column is not its to write.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO event (id, dossier_id, agency_code, desk_number, clerk_id, hlc, wall_time, kind, "
                "payload, seq) VALUES (%s, %s, %s, 1, 'c', '000000000000001.00000.x', now(), 'note', '{}', 1)",
                (new_id(), new_id(), AGENCY_A))
    with pg_connect(pg_url) as admin:
        assert admin.execute("SELECT count(*) FROM event").fetchone()[0] == total


def _stamp_pushes(box, n, rng):
    d = receive(box, rng)
    for _ in range(n - 1):
        act(box, d.id, EventKind.NOTE)


def test_sequence_numbers_commit_in_order_per_agency(pg_url, tmp_path):
    """Desk 1's batch holds numbers it has not committed; desk 2 of the same agency must
    wait for them, or a reader could move its cursor past desk 1's rows for ever."""
    init_central(pg_url)
    rng = random.Random(23)
    a1, a2, reader = (make_desk(tmp_path, AGENCY_A, n) for n in (1, 2, 3))
    b1 = make_desk(tmp_path, AGENCY_B, 1)
    for box in (a1, a2, b1):
        _stamp_pushes(box, 5, rng)
    inside, release = threading.Event(), threading.Event()
    s1 = a1.sync_engine(pg_url)

    def hold(ids):
        inside.set()
        assert release.wait(20)
    s1.before_central_commit = hold
    errors: list[BaseException] = []

    def run(engine):
        try:
            engine.run_once()
        except BaseException as exc:       # surfaced below
            errors.append(exc)
    t1 = threading.Thread(target=run, args=(s1,))
    t1.start()
    assert inside.wait(20)
    t2 = threading.Thread(target=run, args=(a2.sync_engine(pg_url),))
    t2.start()
    with pg_connect(pg_url) as admin:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            # A row lock wait: on the holder's transaction id (its agency's numbering row).
            waiting = admin.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted "
                                    "AND locktype = 'transactionid'").fetchone()[0]
            if waiting:
                break
            time.sleep(0.05)
        assert waiting == 1, "desk 2 should wait on its agency's numbering lock"
    # Another agency is not held up by it.
    assert b1.sync(pg_url).pushed == 5
    # A reader of agency A now sees nothing of either uncommitted batch, so its cursor stays.
    assert reader.sync(pg_url).pulled == 0
    release.set()
    t1.join(20), t2.join(20)
    assert not errors and not t1.is_alive() and not t2.is_alive()
    assert reader.sync(pg_url).pulled == 10
    rows, _ = central_events(pg_url)
    a_rows = [r for r in rows if r.agency_code == AGENCY_A]
    assert max(r.seq for r in a_rows if r.desk_number == 1) < min(r.seq for r in a_rows if r.desk_number == 2)
    for box in (a1, a2, reader, b1):
        box.sync(pg_url)
    assert_converged(pg_url, [a1, a2, reader, b1])


def test_concurrent_pushers_never_make_a_reader_skip(pg_url, tmp_path):
    init_central(pg_url)
    rng = random.Random(29)
    writers = [make_desk(tmp_path, AGENCY_A, n) for n in (1, 2, 3, 4)]
    reader = make_desk(tmp_path, AGENCY_A, 9)
    for box in writers:
        for _ in range(6):
            _stamp_pushes(box, 5, rng)
    stop = threading.Event()
    errors: list[BaseException] = []

    def push(box):
        # Hold each batch's numbers uncommitted for a moment: the window in which a plain
        # sequence would let a later number commit first and a reader pass the earlier one.
        sync = box.sync_engine(pg_url, batch_size=3)
        pause = random.Random(box.desk.number)
        sync.before_central_commit = lambda ids: time.sleep(pause.random() * 0.03)
        try:
            sync.run_once()
        except BaseException as exc:
            errors.append(exc)

    def read():
        try:
            while not stop.is_set():
                reader.sync(pg_url, batch_size=2)
        except BaseException as exc:
            errors.append(exc)
    r = threading.Thread(target=read)
    r.start()
    threads = [threading.Thread(target=push, args=(b,)) for b in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    stop.set()
    r.join(60)
    assert not errors
    # Every writer is done, so the reader's next sync must close any gap -- unless its
    # cursor had already passed a row that committed late.
    reader.sync(pg_url)
    a_ids = {r.id for r in central_events(pg_url)[0]}
    assert {e.id for e in desk_events(reader)} == a_ids
    for box in writers:
        box.sync(pg_url)
    assert_converged(pg_url, writers + [reader])


def test_server_refuses_one_row_and_the_rest_go_through(pg_url, tmp_path):
    """A value PostgreSQL cannot store (a NUL in text) passes the desk's checks; the server
    refuses that row alone and the batch around it commits."""
    init_central(pg_url)
    from db.engine import write_tx
    from db.models import event
    rng = random.Random(31)
    box = make_desk(tmp_path, AGENCY_A, 1)
    d = receive(box, rng)
    act(box, d.id, EventKind.NOTE)
    bad = new_id()
    top = Hlc.decode(max(e.hlc for e in desk_events(box)))
    stamp = Hlc(top.physical_ms, top.counter + 1, top.node).encode()
    with write_tx(box.engine) as conn:
        conn.execute(event.insert().values(
            id=bad, dossier_id=d.id, agency_code=AGENCY_A, desk_number=1, clerk_id="clerk\x00nul",
            hlc=stamp, wall_time=datetime(2025, 9, 22, 9, 0), kind="note", payload="{}"))
    box.hlc.observe(stamp)
    act(box, d.id, EventKind.NOTE)
    report = box.sync(pg_url, batch_size=10)
    assert [i for i, _ in report.rejected] == [bad]
    assert "Máy chủ trung tâm từ chối" in report.rejected[0][1]
    assert report.pushed == 3
    assert bad not in {r.id for r in central_events(pg_url)[0]}
