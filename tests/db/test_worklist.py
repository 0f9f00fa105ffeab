"""The morning work list in SQL equals its definition in core, on seeded demo dossiers;
today's list counts every dossier and pages through them."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from core.calendar import WorkingCalendar
from core.clock import HybridClock
from core.worklist import WorkList, lists_of, rules
from db.demo.seed import DEMO_AGENCY, seed_dossiers
from db.worklist import WorkListRepo


def test_sql_lists_equal_the_core_definition_at_several_moments(engine, clock):
    hlc = HybridClock(clock, f"{DEMO_AGENCY.code}/1")
    seed_dossiers(engine, n=700, days=30, clock=clock, hlc=hlc, rng_seed=5)
    repo = WorkListRepo(engine)
    everything = repo.listing()
    assert len(everything) == 700
    cal = WorkingCalendar()
    for now in (clock.now(), clock.now() - timedelta(days=3, hours=2), clock.now() + timedelta(days=4)):
        r = rules(now, cal)
        expected = {name: sorted(s.id for s in everything if name in lists_of(s, now, cal)) for name in WorkList}
        counts = repo.counts(r)
        for name in WorkList:
            assert counts[name] == len(expected[name]), name
            paged = repo.page(r[name], 0, 10_000)
            assert sorted(s.id for s in paged) == expected[name], name
    now = clock.now()
    counts = repo.counts(rules(now, cal))
    assert counts[WorkList.OVERDUE] and counts[WorkList.SUPPLEMENT_WAITING] and counts[WorkList.NOT_RETURNED]
    # Overdue rows come oldest appointment first.
    overdue = repo.page(rules(now, cal)[WorkList.OVERDUE], 0, 50)
    assert [s.due_at for s in overdue] == sorted(s.due_at for s in overdue)


def test_todays_list_has_a_true_count_and_pages(engine, clock, receive):
    for i in range(7):
        receive()
        clock.advance(minutes=3)
    start = datetime.combine(clock.now().date(), time.min)
    repo = WorkListRepo(engine)
    assert repo.received_count(start, start + timedelta(days=1)) == 7
    pages = [repo.received_page(start, start + timedelta(days=1), offset, 3) for offset in (0, 3, 6)]
    assert [len(p) for p in pages] == [3, 3, 1]
    codes = [s.code for p in pages for s in p]
    assert len(set(codes)) == 7 and codes == sorted(codes, reverse=True)
