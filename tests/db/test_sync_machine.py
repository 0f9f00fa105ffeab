"""A hypothesis state machine: desks of two agencies write, sync, fail and retry in any
interleaving; whatever happened, once every desk has synced (twice) after the last write
the invariants of issue 3 hold (tests/db/sync_helpers.assert_converged).

Faults are injected through the engine's test hooks: the central transaction fails just
before COMMIT, the desk "dies" right after the central COMMIT (before the local mark), or
while applying a pulled page; plus the centre being unreachable, the desk clock jumping
back a day, a desk restarting, and a desk that re-reads everything from cursor zero.
The main run uses a central SQLite file; a smaller run uses PostgreSQL.
"""
from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from core.lifecycle import EventKind
from db.sync.central import init_central
from db.engine import write_tx
from db.models import meta
from db.sync import CentralUnavailable
from db.sync import local as sync_local
from tests.db.sync_helpers import (
    AGENCY_A, AGENCY_B, act, assert_converged, make_desk, pg_connect, receive,
)


class InjectedFault(Exception):
    pass


DESKS = ((AGENCY_A, 1), (AGENCY_A, 2), (AGENCY_B, 1))
KINDS = (EventKind.TRANSFERRED, EventKind.RESULT_READY, EventKind.RETURNED, EventKind.NOTE,
         EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED, EventKind.RATED,
         EventKind.WITHDRAWN)


class SyncMachine(RuleBasedStateMachine):
    central_url: str | None = None        # set for a PostgreSQL run (database reused, emptied)

    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="motcua-sync-sm-"))
        if self.central_url is None:
            self.url = f"sqlite:///{self.tmp / 'central.sqlite'}"
            init_central(self.url)
        else:
            self.url = self.central_url
            with pg_connect(self.url) as conn:
                conn.execute("TRUNCATE event, desk_registration")
        self.desks = [make_desk(self.tmp, a, n) for a, n in DESKS]
        self.rng = random.Random(0)

    def teardown(self):
        for box in self.desks:
            box.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- writes -------------------------------------------------------------------------
    @rule(i=st.integers(0, len(DESKS) - 1), seed=st.integers(0, 2**16))
    def receive(self, i, seed):
        receive(self.desks[i], random.Random(seed))

    @rule(i=st.integers(0, len(DESKS) - 1), pick=st.integers(0, 10**6), kind=st.sampled_from(KINDS))
    def act(self, i, pick, kind):
        box = self.desks[i]
        states = box.repo.received_between(box.clock.now().replace(year=2000), box.clock.now().replace(year=2100))
        if states:
            act(box, sorted(s.id for s in states)[pick % len(states)], kind)

    @rule(i=st.integers(0, len(DESKS) - 1))
    def clock_back_a_day(self, i):
        self.desks[i].clock.advance(days=-1)

    @rule(i=st.integers(0, len(DESKS) - 1))
    def restart(self, i):
        self.desks[i].restart()

    # -- syncs --------------------------------------------------------------------------
    @rule(i=st.integers(0, len(DESKS) - 1), batch=st.sampled_from([1, 3, 50]))
    def sync(self, i, batch):
        self.desks[i].sync(self.url, batch_size=batch)

    @rule(i=st.integers(0, len(DESKS) - 1), batch=st.sampled_from([1, 2, 5]),
          where=st.sampled_from(["before_central_commit", "after_central_commit", "before_local_apply"]),
          after=st.integers(0, 3))
    def failing_sync(self, i, batch, where, after):
        box = self.desks[i]
        sync = box.sync_engine(self.url, batch_size=batch)
        calls = []

        def fault(_):
            calls.append(1)
            if len(calls) > after:
                raise InjectedFault(where)
        setattr(sync, where, fault)
        try:
            sync.run_once()
        except InjectedFault:
            pass
        finally:
            sync.close()

    @rule(i=st.integers(0, len(DESKS) - 1))
    def centre_unreachable(self, i):
        box = self.desks[i]
        bad = (f"sqlite:///{self.tmp / 'nowhere' / 'c.sqlite'}" if self.url.startswith("sqlite")
               else "postgresql://postgres@127.0.0.1:1/none")
        try:
            box.sync(bad)
        except CentralUnavailable:
            pass
        else:
            raise AssertionError("an unreachable centre must raise CentralUnavailable")

    @rule(i=st.integers(0, len(DESKS) - 1))
    def pull_everything_again(self, i):
        with write_tx(self.desks[i].engine) as conn:
            conn.execute(meta.delete().where(meta.c.key.like(sync_local.KEY_CURSOR + "%")))

    # -- checks -------------------------------------------------------------------------
    @invariant()
    def never_ahead_of_the_centre(self):
        # Whatever failed, nothing is marked sent that the centre does not have.
        if not hasattr(self, "desks"):
            return
        from tests.db.sync_helpers import central_events, desk_events
        central_ids = {r.id for r in central_events(self.url)[0]}
        for box in self.desks:
            marked = {e.id for e in desk_events(box) if e.synced_at is not None}
            assert marked <= central_ids, f"{box.name}: marked sent but not at the centre"

    def check_converged(self):
        for _ in range(2):
            for box in self.desks:
                box.sync(self.url, batch_size=7)
        assert_converged(self.url, self.desks)


def _run(machine, examples, steps):
    class Checked(machine):
        def teardown(self):
            try:
                self.check_converged()
            finally:
                super().teardown()
    run_state_machine_as_test(Checked, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def test_sync_state_machine_sqlite_centre():
    _run(SyncMachine, examples=20, steps=25)


def test_sync_state_machine_postgresql_centre(pg_url):
    init_central(pg_url)

    class OnPostgres(SyncMachine):
        central_url = pg_url
    _run(OnPostgres, examples=5, steps=15)
