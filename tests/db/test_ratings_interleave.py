"""Hypothesis: any interleaving of completed steps, kiosk polls, presses and clock jumps on
one real SQLite file gives at most one rating per dossier and step, and every press is kept
once as a rating, a selection, a reason (inside an open reasons screen) or misuse."""
from __future__ import annotations

import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from core.clock import FixedClock, HybridClock
from core.lifecycle import EventKind
from core.ratings import KioskMachine, Mode, Outcome, RatingConfig
from db.dossiers import DossierRepo
from db.engine import make_engine
from db.migrate import upgrade
from db.ratings import RatingsRepo
from tests.db.conftest import AGENCY, CLERK, DESK1, TUESDAY, make_draft

_TEMPLATE: list[Path] = []


def fresh_db(tmp: Path) -> str:
    # Migrate once, copy the file for every example: each example starts from empty.
    if not _TEMPLATE:
        base = Path(tempfile.mkdtemp()) / "template.sqlite"
        engine = make_engine(f"sqlite:///{base}")
        upgrade(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _TEMPLATE.append(base)
    target = tmp / "desk.sqlite"
    target.write_bytes(_TEMPLATE[0].read_bytes())
    return f"sqlite:///{target}"


ACTION = st.one_of(
    st.tuples(st.just("receive"), st.none()),
    st.tuples(st.just("return"), st.none()),
    st.tuples(st.just("poll"), st.none()),
    st.tuples(st.just("press"), st.sampled_from(["1", "2", "3", "5", "down", "enter", "space"])),
    st.tuples(st.just("kiosk_clock"), st.integers(-20, 40)),
    st.tuples(st.just("clerk_clock"), st.integers(-20, 40)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ACTION, min_size=1, max_size=40))
def test_any_interleaving_keeps_one_rating_per_dossier_and_step(actions):
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(fresh_db(Path(tmp)))
        try:
            check(engine, actions)
        finally:
            engine.dispose()


def check(engine, actions) -> None:
    config = RatingConfig()
    cclock, kclock = FixedClock(TUESDAY), FixedClock(TUESDAY)
    hlc = HybridClock(cclock, f"{AGENCY.code}/1")
    dossiers = DossierRepo(engine, hlc, cclock)
    clerk_side = RatingsRepo(engine, cclock, hlc, config)
    dossiers.hooks.append(clerk_side.on_event)
    kiosk = RatingsRepo(engine, kclock, HybridClock(kclock, f"{AGENCY.code}/1"), config)
    machine = KioskMachine(config)
    received: list[str] = []
    reasons_presses = 0

    def apply_write(write, key=None):
        now = kclock.now()
        if write.kind == "answer":
            kiosk.answer(write.prompt_id, write.level, key, now)
        elif write.kind == "finish":
            kiosk.finish(write.prompt_id, write.reasons, now, key)
        else:
            kiosk.time_out(write.prompt_id, now)

    for kind, arg in actions:
        if kind == "receive":
            at = cclock.now()
            r = dossiers.receive(make_draft(), agency=AGENCY, desk=DESK1, clerk=CLERK, received_at=at,
                                 due_at=at + timedelta(days=1))
            received.append(r.dossier.id)
        elif kind == "return":
            if not received:
                continue
            d = dossiers.get(received[0])
            if d.returned_at is None:
                dossiers.record(d.id, EventKind.RESULT_READY, {"at": cclock.now().isoformat()}, CLERK)
                dossiers.record(d.id, EventKind.RETURNED, {"at": cclock.now().isoformat()}, CLERK)
        elif kind == "poll":
            prompt = kiosk.current(AGENCY.code, 1, kclock.now())
            if machine.offer(prompt, kclock.now()) and machine.state.mode is Mode.PROMPT \
                    and machine.state.prompt.shown_at is None:
                kiosk.mark_shown(machine.state.prompt.id, kclock.now())
        elif kind == "press":
            before = machine.state
            outcome, write = machine.press(arg, kclock.now())
            if write is not None and write.kind == "answer":
                apply_write(write, arg)
            elif write is not None:
                apply_write(write, arg)
                reasons_presses += 1
            else:
                if outcome is Outcome.REASON:
                    reasons_presses += 1
                pid = before.prompt.id if before.prompt is not None else None
                kiosk.press(AGENCY.code, 1, arg, outcome, kclock.now(), pid)
        elif kind == "kiosk_clock":
            kclock.advance(seconds=arg)
            write = machine.tick(kclock.now())
            if write is not None:
                apply_write(write)
        elif kind == "clerk_clock":
            cclock.advance(seconds=arg)

    presses = kiosk.presses()
    assert len(presses) == sum(1 for k, _ in actions if k == "press")
    outcomes = Counter(p.outcome for p in presses)
    assert set(outcomes) <= {o.value for o in Outcome}
    assert outcomes[Outcome.REASON.value] == reasons_presses
    per_step: Counter = Counter()
    ratings_by_prompt: Counter = Counter(p.prompt_id for p in presses if p.outcome == Outcome.RATING.value)
    assert all(n == 1 for n in ratings_by_prompt.values())        # one answer per prompt
    for dossier_id in received:
        for e in dossiers.events(dossier_id):
            if e.kind is EventKind.RATED:
                per_step[(dossier_id, e.payload["step"])] += 1
    assert all(n == 1 for n in per_step.values()), per_step
    # Every valid rating came from exactly one rating press on its prompt.
    for p in kiosk.prompts():
        if p.status == "rated":
            assert ratings_by_prompt[p.id] == 1
        if p.status in ("expired", "replaced"):
            assert not any(e.kind is EventKind.RATED for e in dossiers.events(p.dossier_id)
                           if e.payload.get("step") == p.step)
