"""db.stats: SQL aggregates give exactly what the plain fold of core.stats gives, on SQLite
and PostgreSQL; hand-made histories with known answers; the dossiers behind a number."""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.stats import GROUPINGS, fold_figures
from db.engine import make_engine
from db.migrate import upgrade
from db.stats import StatsRepo
from tests.core.stats_cases import (CASES, EXPECTED, EXPECTED_WORKING_DAYS, MARCH, random_facts,
                                    random_period, weekdays_between)
from tests.db.stats_helpers import unique_ids, write_facts


def _same(repo: StatsRepo, facts, period, by):
    want = fold_figures(facts, period, by=by, working_days=weekdays_between)
    got = repo.figures(period, by=by)
    # The fold keeps only groups with a counted dossier; SQL also returns groups whose
    # dossiers touch the period without counting (e.g. refused long ago): compare counts.
    nonzero = {k: v.counts for k, v in got.items() if any(v.counts.values()) or by in (None, "day", "month")}
    assert nonzero == {k: v.counts for k, v in want.items()}
    for k, v in want.items():
        assert got[k].processing_working_days == v.processing_working_days, k
    if by not in ("day", "month"):
        # The daily chart's receipts and results come from the same pass.
        for k, v in want.items():
            assert sum(got[k].received_by_day.values()) == v.counts["received"], k
            assert sum(got[k].resolved_by_day.values()) == v.counts["resolved"], k
        if by is None and (period.end - period.start).days <= 62:
            daily = fold_figures(facts, period, by="day")
            for name, per_day in (("received", got[None].received_by_day), ("resolved", got[None].resolved_by_day)):
                assert {d: n for d, n in per_day.items() if n} == \
                    {f.period.start: f.counts[name] for f in daily.values() if f.counts[name]}, name
    return got


def test_hand_made_histories_sqlite(engine):
    write_facts(engine, CASES)
    repo = StatsRepo(engine, working_days=weekdays_between)
    fig = _same(repo, CASES, MARCH, None)[None]
    assert dict(fig.counts) == EXPECTED
    assert fig.processing_working_days == EXPECTED_WORKING_DAYS
    for by in GROUPINGS:
        _same(repo, CASES, MARCH, by)


def test_report_labels_and_groups(engine):
    write_facts(engine, CASES)
    report = StatsRepo(engine).report(MARCH, by="field")
    assert [g.label for g in report.groups] == ["Chứng thực", "Hộ tịch"]
    assert report.whole.counts["received"] == 6
    assert sum(g.counts["received"] for g in report.groups) == 6


def test_dossiers_behind_a_number_and_late_list(engine):
    write_facts(engine, CASES)
    repo = StatsRepo(engine)
    assert [s.id for s in repo.behind("resolved_early", MARCH)] == ["C", "H"]
    assert [s.id for s in repo.behind("carried_over", MARCH, by="field", key="Chứng thực")] == ["B"]
    late = repo.late_list(MARCH)
    assert [(s.id, s.apology_count) for s in late] == [("B", 1), ("A", 0)]
    assert [s.id for s in repo.behind("received", MARCH, by="day", key="2025-03-05")] == ["C", "D"]


def test_agency_filter_sees_only_its_dossiers(engine):
    from dataclasses import replace
    other = [replace(f, id=f.id + "x", agency_code="000.22.53.H48") for f in CASES]
    write_facts(engine, CASES + other)
    mine = StatsRepo(engine, agency_code="000.21.53.H48").figures(MARCH)[None]
    both = StatsRepo(engine).figures(MARCH)[None]
    assert mine.counts == EXPECTED
    assert both.counts["received"] == 2 * EXPECTED["received"]


def test_today_at_a_glance(engine):
    write_facts(engine, CASES)
    glance = StatsRepo(engine).today(datetime(2025, 3, 30, 12, 0))
    # K received on 30/03; B overdue (G waits for a supplement, so not counted overdue).
    assert glance["received_today"] == 1
    assert glance["overdue"] == 1
    assert glance["waiting_supplement"] == 1
    assert glance["not_returned"] == 3            # A, C, I: result ready, not handed back


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory):
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('stats') / 's.sqlite'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(random_facts(), max_size=30), random_period(), st.sampled_from([None, *GROUPINGS]))
def test_sql_equals_the_plain_fold_sqlite(sqlite_engine, facts, period, by):
    facts = unique_ids(facts)
    write_facts(sqlite_engine, facts)
    _same(StatsRepo(sqlite_engine, working_days=weekdays_between), facts, period, by)


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_the_same_numbers(pg_url, sqlite_engine):
    pg = make_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    upgrade(pg)
    try:
        write_facts(pg, CASES)
        assert dict(StatsRepo(pg).figures(MARCH)[None].counts) == EXPECTED

        @settings(max_examples=40, deadline=None)
        @given(st.lists(random_facts(), max_size=30), random_period(), st.sampled_from([None, *GROUPINGS]))
        def check(facts, period, by):
            facts = unique_ids(facts)
            write_facts(pg, facts)
            write_facts(sqlite_engine, facts)
            got_pg = _same(StatsRepo(pg, working_days=weekdays_between), facts, period, by)
            got_lite = StatsRepo(sqlite_engine, working_days=weekdays_between).figures(period, by=by)
            assert {k: (v.counts, v.processing_working_days) for k, v in got_pg.items()} == \
                   {k: (v.counts, v.processing_working_days) for k, v in got_lite.items()}
        check()
    finally:
        pg.dispose()


def test_behind_today_matches_the_glance(engine):
    write_facts(engine, CASES)
    repo = StatsRepo(engine)
    now = datetime(2025, 3, 30, 12, 0)
    glance = repo.today(now)
    for name, n in glance.items():
        assert len(repo.behind_today(name, now)) == n, name
    assert [s.id for s in repo.behind_today("overdue", now)] == ["B"]


def test_received_and_resolved_by_day_match_the_day_buckets(engine):
    write_facts(engine, CASES)
    repo = StatsRepo(engine, working_days=weekdays_between)
    days = repo.figures(MARCH, by="day")
    report = repo.report(MARCH, "field")
    by_day = report.whole.resolved_by_day
    assert [by_day.get(f.period.start, 0) for f in days.values()] == [f.resolved for f in days.values()]
    received = report.whole.received_by_day
    assert [received.get(f.period.start, 0) for f in days.values()] == [f.received for f in days.values()]
    assert report.whole.counts == repo.figures(MARCH)[None].counts
    by_field, by_clerk = repo.report_pair(MARCH, "field", "clerk")
    assert by_field.whole.received_by_day == received and by_field.whole.resolved_by_day == by_day
    for g in by_field.groups:
        assert sum(g.received_by_day.values()) == g.received, g.key


def test_report_pair_equals_two_reports(engine):
    write_facts(engine, CASES)
    repo = StatsRepo(engine, working_days=weekdays_between)
    by_field, by_clerk = repo.report_pair(MARCH, "field", "clerk")
    for pair, by in ((by_field, "field"), (by_clerk, "clerk")):
        alone = repo.report(MARCH, by)
        assert [(g.key, g.label, g.counts) for g in pair.groups] == \
               [(g.key, g.label, g.counts) for g in alone.groups]
        assert pair.whole.counts == alone.whole.counts == EXPECTED
    assert by_field.whole.processing_working_days == EXPECTED_WORKING_DAYS


def test_ratings_read_once_match_the_per_group_summaries(engine):
    """report_pair / report by clerk read the period's ratings once; every figure equals
    RatingsRepo.summary with the group's filter (duplicates, odd levels, other clerks)."""
    from sqlalchemy import insert

    from core.lifecycle import Event, EventKind
    from db.models import event
    from db.ratings import RatingsRepo
    from db.rows import event_to_row
    from db.stats import ratings_of
    write_facts(engine, CASES)
    payloads = [
        ("A", {"step": "receive", "level": 1, "source": "kiosk", "clerk_id": "c1"}),
        ("A", {"step": "receive", "level": 3, "source": "kiosk", "clerk_id": "c2"}),   # duplicate: ignored
        ("B", {"step": "receive", "level": 3, "clerk_id": "c2", "satisfied": False}),
        ("C", {"step": "return", "level": None, "clerk_id": "c2"}),                   # not rated
        ("D", {"step": "return", "level": 2.0, "clerk_id": "c1"}),                    # not of the scale
        ("E", {"step": "receive", "level": 2, "source": "paper", "clerk_id": "c9"}),  # no dossier of c9
        ("F", {"step": "receive", "level": 1, "satisfied": True}),                    # no clerk named
        ("G", {"step": "receive", "level": 2, "clerk_id": 7}),
        ("H", {"step": "receive", "level": 2, "source": "", "clerk_id": "c1"}),
        ("H", {"step": "receive", "level": 3, "clerk_id": "c1"}),                     # the same source
        ("H", {"step": "receive", "level": 3, "source": "paper", "clerk_id": "c1"}),  # another source
        ("I", {"step": "return", "level": True, "clerk_id": "c1"}),                   # not of the scale
        ("J", {"step": "return", "level": 2, "satisfied": "yes", "clerk_id": "c2"}),
        ("K", {"step": "return", "level": 3, "clerk_id": "c2"}),                      # later by HLC
        ("K", {"step": "return", "level": 1, "clerk_id": "c2"}),
    ]
    hlcs = [f"{i:04d}" for i in range(len(payloads))]
    hlcs[-2], hlcs[-1] = "9999", "9998"
    with engine.begin() as conn:
        conn.execute(insert(event), [event_to_row(Event(
            id=f"r{i}", dossier_id=d, agency_code="000.21.53.H48", desk_number=1, clerk_id="c1",
            hlc=hlcs[i], wall_time=datetime(2025, 3, 10 + i, 9), kind=EventKind.RATED, payload=p))
            for i, (d, p) in enumerate(payloads)])
    ratings = RatingsRepo(engine)
    repo = StatsRepo(engine, working_days=weekdays_between, ratings=ratings)
    whole = ratings_of(ratings, MARCH.start, MARCH.end)
    assert whole.ratings == 9 and whole.not_rated == 1 and whole.by_level == {"1": 3, "2": 4, "3": 2}
    by_field, by_clerk = repo.report_pair(MARCH, "field", "clerk")
    assert by_field.whole.ratings == whole and by_clerk.whole.ratings == whole
    assert repo.report(MARCH).whole.ratings == whole and repo.report(MARCH, "day").whole.ratings == whole
    assert all(g.ratings == ratings_of(None, MARCH.start, MARCH.end) for g in by_field.groups)
    assert {g.key for g in by_clerk.groups} == {"c1", "c2"}
    for g in by_clerk.groups + repo.report(MARCH, "clerk").groups:
        assert g.ratings == ratings_of(ratings, MARCH.start, MARCH.end, clerk_id=g.key), g.key
    assert [g.ratings.ratings for g in by_clerk.groups] == [3, 3]
