"""Two desks rate offline, then sync: the centre and both desks report the same figures."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine

from core.clock import FixedClock, HybridClock
from core.lifecycle import EventKind
from core.ratings import Outcome, rating_config
from db.engine import make_engine
from db.ratings import RatingsRepo
from tests.db.sync_fixtures import central  # noqa: F401  (fixture)
from tests.db.sync_helpers import AGENCY_A, START, make_desk, pg_sa, receive


def rate(box, kiosk: RatingsRepo, level: int | None, reasons=()) -> None:
    kiosk.clock.at = box.clock.now()
    now = kiosk.clock.now()
    p = kiosk.current(box.agency.code, box.desk.number, now)
    kiosk.mark_shown(p.id, now)
    if level is None:
        kiosk.time_out(p.id, now + timedelta(seconds=600))
        return
    kiosk.answer(p.id, level, str(level), now)
    if reasons:
        kiosk.finish(p.id, tuple(reasons), now, "enter")


def desk_with_kiosk(tmp_path, number):
    box = make_desk(tmp_path, AGENCY_A, number)
    # receive() moves the desk's clock on by up to 5 minutes: a long prompt window.
    config = rating_config({"timeout": 600})
    box.repo.hooks.append(RatingsRepo(box.engine, box.clock, box.hlc, config).on_event)
    kclock = FixedClock(box.clock.now())
    kiosk = RatingsRepo(box.engine, kclock, HybridClock(kclock, box.name), config)
    return box, kiosk


def test_two_desks_rating_offline_then_synced_agree(central, tmp_path):
    (d1, k1), (d2, k2) = desk_with_kiosk(tmp_path, 1), desk_with_kiosk(tmp_path, 2)
    for level in (1, 2, None, 3):
        receive(d1)
        rate(d1, k1, level, ["Thời gian giải quyết"] if level == 3 else ())
    k1.press(AGENCY_A, 1, "1", Outcome.MISUSE, k1.clock.now())
    for level in (1, 1):
        receive(d2)
        rate(d2, k2, level)
    # Desk 1 received one more; the citizen collects the result at desk 2 and rates there.
    collected = receive(d1)
    d1.sync(central)
    d2.sync(central)
    d2.repo.record(collected.id, EventKind.RESULT_READY, {}, d2.clerk)
    d2.repo.record(collected.id, EventKind.RETURNED, {"method": "desk"}, d2.clerk)
    rate(d2, k2, 2)
    for _ in range(2):
        d1.sync(central)
        d2.sync(central)

    day = START.date()
    engine = make_engine(central) if central.startswith("sqlite") else create_engine(pg_sa(central))
    try:
        figures = [RatingsRepo(e).summary(day, day).as_dict() for e in (engine, d1.engine, d2.engine)]
    finally:
        engine.dispose()
    central_fig, desk1_fig, desk2_fig = figures
    expected = {"ratings": 6, "by_level": {"1": 3, "2": 2, "3": 1}, "not_rated": 1,
                "satisfaction_rate": 5 / 6}
    for fig in figures:
        assert {k: v for k, v in fig.items() if k != "misuse"} == expected
    # Misuse presses stay on the desk whose kiosk saw them (they are not dossier events).
    assert (central_fig["misuse"], desk1_fig["misuse"], desk2_fig["misuse"]) == (0, 1, 0)
    steps = [(x["step"], x["level"]) for x in RatingsRepo(d1.engine).for_dossier(collected.id)]
    assert steps == [("return", 2)]
    assert RatingsRepo(d1.engine).summary(day, day, desk_number=2).ratings == 3
