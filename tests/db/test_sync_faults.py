"""Real faults during a sync: the server kills the backend mid-batch, a TCP proxy drops the
stream mid-statement, the desk process is SIGKILLed between the central commit and the
local mark. After each, a retry converges: central event set == union of the desk logs,
nothing twice, every projection equal to the centre's."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from core.lifecycle import EventKind
from db.sync.central import init_central
from db.sync import CentralUnavailable
from tests.db.sync_fixtures import central  # noqa: F401  (fixture)
from tests.db.sync_helpers import (
    AGENCY_A, act, assert_converged, central_events, desk_events, make_desk, pg_connect, receive,
    with_port,
)
from tests.db.tcp_proxy import DropProxy

ROOT = Path(__file__).resolve().parents[2]


def _fill(box, dossiers, notes, rng):
    for _ in range(dossiers):
        d = receive(box, rng)
        for _ in range(notes):
            act(box, d.id, EventKind.NOTE)


def _synced_ids(box):
    return {e.id for e in desk_events(box) if e.synced_at is not None}


def _terminate_sync_backends(admin_url: str) -> int:
    with pg_connect(admin_url) as conn:
        return len(conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name LIKE 'motcua-sync/%%' AND datname = current_database() "
            "AND pid <> pg_backend_pid()").fetchall())


def test_backend_terminated_mid_batch(pg_url, tmp_path):
    init_central(pg_url)
    rng = random.Random(41)
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    _fill(a1, 10, 2, rng)                      # 30 events
    sync = a1.sync_engine(pg_url, batch_size=8)
    batches = []

    def kill_on_third(ids):
        batches.append(ids)
        if len(batches) == 3:
            assert _terminate_sync_backends(pg_url) == 1      # inserted, not yet committed
    sync.before_central_commit = kill_on_third
    with pytest.raises(CentralUnavailable) as info:
        sync.run_once()
    assert "Mất kết nối" in info.value.message_vi
    central_ids = {r.id for r in central_events(pg_url)[0]}
    assert central_ids == set(batches[0] + batches[1]) == _synced_ids(a1)
    assert sync.status().waiting == 14 and sync.status().online is False
    # Killed while a desk applies pulled pages: the applied pages stay, the rest comes later.
    a1.sync(pg_url, batch_size=8)
    pull = a2.sync_engine(pg_url, batch_size=2)
    pages = []

    def kill_after_second(events):
        pages.append(len(events))
        if len(pages) == 2:
            _terminate_sync_backends(pg_url)
    pull.before_local_apply = kill_after_second
    with pytest.raises(CentralUnavailable):
        pull.run_once()
    got = len(desk_events(a2))
    # Pages already downloaded (the fetcher reads up to three ahead) are applied; the rest not.
    assert 4 <= got <= 12
    assert a2.sync(pg_url, batch_size=7).pulled == 30 - got
    assert_converged(pg_url, [a1, a2])


def test_proxy_drops_the_stream_mid_batch(pg_url, tmp_path):
    init_central(pg_url)
    u = make_url(pg_url)
    proxy = DropProxy((u.host or "127.0.0.1", u.port or 5432)).start()
    via_proxy = with_port(pg_url, proxy.port)
    try:
        rng = random.Random(43)
        a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
        _fill(a1, 40, 4, rng)                   # 200 events, ~1-2 kB each
        proxy.drop_up_after = 60_000            # inside the second or third 50-event INSERT
        with pytest.raises(CentralUnavailable) as info:
            a1.sync(via_proxy, batch_size=50)
        assert proxy.cuts == 1
        assert "máy chủ trung tâm" in info.value.message_vi.lower()
        central_ids = {r.id for r in central_events(pg_url)[0]}
        assert 0 < len(central_ids) < 200
        assert central_ids == _synced_ids(a1), "marked locally == committed centrally"
        # Offline altogether: refused at connect, quickly, nothing changes.
        proxy.refuse = True
        before = _synced_ids(a1)
        with pytest.raises(CentralUnavailable):
            a1.sync(via_proxy, batch_size=50)
        assert _synced_ids(a1) == before
        proxy.refuse = False
        proxy.drop_up_after = None
        assert a1.sync(via_proxy, batch_size=50).pushed == 200 - len(before)
        # The stream dropped while a desk downloads: pages already applied stay applied.
        proxy.drop_down_after = 30_000
        with pytest.raises(CentralUnavailable):
            a2.sync(via_proxy, batch_size=40)
        got = len(desk_events(a2))
        assert 0 < got < 200
        proxy.drop_down_after = None
        assert a2.sync(via_proxy, batch_size=40).pulled == 200 - got
        assert_converged(pg_url, [a1, a2])
    finally:
        proxy.stop()


def test_desk_killed_between_central_commit_and_local_mark(central, tmp_path):
    rng = random.Random(47)
    a1, a2 = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    _fill(a1, 6, 3, rng)                       # 24 events
    a1.engine.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.db.sync_child", str(a1.path), central, AGENCY_A, "1", "10",
         "after-central-commit"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    assert proc.stdout.strip() == "committed 10"
    rows, _ = central_events(central)
    assert len(rows) == 10                     # at the centre ...
    assert _synced_ids(a1) == set()            # ... but never marked at the desk
    seqs = {r.id: r.seq for r in rows}
    report = a1.sync(central, batch_size=10)   # re-sends the batch: harmless
    assert report.pushed == 24
    rows, dups = central_events(central)
    assert len(rows) == 24 and dups == 0
    assert all(r.seq == seqs[r.id] for r in rows if r.id in seqs)
    a2.sync(central)
    assert_converged(central, [a1, a2])


def test_pull_confirms_events_whose_mark_was_lost(central, tmp_path):
    """Killed after the central commit, then the desk pulls before pushing again: finding
    its own events at the centre marks them sent, without sending them."""
    rng = random.Random(53)
    a1 = make_desk(tmp_path, AGENCY_A, 1)
    _fill(a1, 2, 2, rng)
    sync = a1.sync_engine(central)

    def lost(ids):
        raise KeyboardInterrupt          # stands in for the process dying here
    sync.after_central_commit = lost
    with pytest.raises(KeyboardInterrupt):
        sync.run_once()
    assert _synced_ids(a1) == set()
    sync.after_central_commit = None
    sync._push = lambda session, report: None      # pull only
    report = sync.run_once()
    assert report.pulled == 0 and _synced_ids(a1) == {e.id for e in desk_events(a1)}
    assert_converged(central, [a1])
