"""The statistics columns of the dossier projection (received_day, ended_day, stat_class) are
core.stats.stored_facts of the row, whoever wrote it: the local fold, the sync pull's apply,
`db rebuild`, the demo seeder, migration 0013's fill of older rows and stored_facts_sql."""
from __future__ import annotations

import importlib
import random
from datetime import timedelta

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select, text

from core.clock import HybridClock
from core.lifecycle import EventKind
from core.stats import (SC_NOT_ACCEPTED, SC_RESULT, SC_TIMELINESS_SHIFT, SC_WAITING, Facts, from_day_number,
                        stored_facts, timeliness)
from db.demo.seed import DEMO_AGENCY, seed_dossiers
from db.engine import make_engine
from db.migrate import alembic_config, upgrade
from db.models import dossier
from db.stats_sql import stored_facts_sql
from tests.core.stats_cases import CASES, random_facts
from tests.db.stats_helpers import facts_row, unique_ids

from .conftest import CLERK
from .test_record import _event, apply_remote

_COLUMNS = ("received_day", "ended_day", "stat_class")


def _facts(r) -> Facts:
    return Facts(r.id, r.status, r.channel, r.received_at, r.original_due_at, r.resolved_at, r.returned_at,
                 r.closed_at, r.supplement_count, r.apology_count)


def _stored(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {r.id: tuple(getattr(r, c) for c in _COLUMNS) for r in conn.execute(select(dossier))}


def _assert_stored_right(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(dossier)).all()
    assert rows
    for r in rows:
        want = stored_facts(_facts(r))
        assert {c: getattr(r, c) for c in _COLUMNS} == want, r.id
    return _stored(engine)


def test_stored_facts_follow_the_definitions():
    a, b, g, e = (next(f for f in CASES if f.id == i) for i in "ABGE")
    sa = stored_facts(a)
    assert sa["received_day"] == 20250220 and sa["ended_day"] == 20250303
    assert sa["stat_class"] & SC_RESULT and (sa["stat_class"] >> SC_TIMELINESS_SHIFT) & 3 == 2 == \
        ("early", "on_time", "late").index(timeliness(a))
    assert stored_facts(b)["ended_day"] is None and not stored_facts(b)["stat_class"] & SC_RESULT
    assert stored_facts(g)["stat_class"] & SC_WAITING
    assert stored_facts(e)["stat_class"] & SC_NOT_ACCEPTED
    assert from_day_number(sa["received_day"]) == a.received_at.date()


def test_the_local_fold_the_pull_and_a_rebuild_store_them(receive, repo, engine, clock):
    ids = []
    for n in range(4):
        d = receive(received_at=clock.now() - timedelta(days=n)).dossier
        ids.append(d.id)
    repo.record(ids[0], EventKind.TRANSFERRED, {}, CLERK)
    repo.record(ids[0], EventKind.RESULT_READY, {}, CLERK)
    repo.record(ids[1], EventKind.SUPPLEMENT_REQUESTED, {"missing": ["Giấy chứng sinh"]}, CLERK)
    repo.record(ids[2], EventKind.WITHDRAWN, {}, CLERK)
    first = _assert_stored_right(engine)
    assert first[ids[0]][1] is not None and first[ids[0]][2] & SC_RESULT
    assert first[ids[1]][2] & SC_WAITING and first[ids[3]][1] is None
    # Another desk hands the result back and issues one: applied as a pull applies it.
    d3 = repo.get(ids[3])
    ms = clock.epoch_ms() + 5000
    apply_remote(repo, [_event(d3, EventKind.RESULT_READY, f"{ms:015d}.00001.desk2"),
                        _event(repo.get(ids[0]), EventKind.RETURNED, f"{ms:015d}.00002.desk2")])
    pulled = _assert_stored_right(engine)
    assert pulled[ids[3]] != first[ids[3]] and pulled[ids[3]][2] & SC_RESULT
    with engine.begin() as conn:        # a damaged projection: the rebuild writes them again
        conn.execute(text("UPDATE dossier SET stat_class = 0, received_day = 0, ended_day = NULL"))
    assert repo.rebuild() == 4
    assert _assert_stored_right(engine) == pulled


def test_the_demo_seeder_stores_them(engine, clock):
    seed_dossiers(engine, n=300, days=20, clock=clock, hlc=HybridClock(clock, f"{DEMO_AGENCY.code}/1"),
                  rng_seed=5)
    stored = _assert_stored_right(engine)
    assert len({v[2] for v in stored.values()}) > 10        # many classes, not one default
    # The seeder loads events with its rated_fact trigger lifted, then takes them in one pass.
    from db import rated_facts
    seeded = _facts_of_events(engine)
    with engine.connect() as conn:
        rated = conn.exec_driver_sql("SELECT count(*) FROM event WHERE kind = 'rated'").scalar_one()
        assert rated_facts.installed(conn)
    assert rated and len(seeded) == rated
    with engine.begin() as conn:
        rated_facts.install(conn)                           # from scratch: the same rows
    assert _facts_of_events(engine) == seeded


def _upgrade_to(engine, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _varied_facts(n: int, seed: int) -> list[Facts]:
    """Dossiers of every outcome, with ends before receipt and on the due day among them."""
    from datetime import datetime
    rng = random.Random(seed)
    out = []
    for i in range(n):
        received = datetime(2025, 1, 1, 8) + timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
        due = received + timedelta(days=rng.randint(-1, 6), hours=rng.randint(0, 9))
        end = received + timedelta(days=rng.randint(-2, 8), minutes=rng.randint(0, 900))
        kw = rng.choice([{"status": 4}, {"status": 5}, {"status": 9, "resolved_at": end},
                         {"status": 10, "resolved_at": end, "returned_at": end + timedelta(days=1)},
                         {"status": 10, "returned_at": end}, {"status": 7, "closed_at": end},
                         {"status": 8, "closed_at": end}, {"status": 3, "closed_at": end}])
        out.append(Facts(id=f"v{i:04d}", channel=rng.choice([1, 2, 3]), received_at=received, original_due_at=due,
                         supplement_count=rng.randint(0, 3), apology_count=rng.randint(0, 1),
                         procedure_code="1.001193", procedure_name="Thủ tục", procedure_field="Hộ tịch",
                         received_by="c1", agency_code="000.21.53.H48", desk_number=1, **kw))
    return out


def test_migration_0013_fills_the_rows_of_an_older_desk(tmp_path):
    """A desk upgrading from 0011 keeps exact figures: every older row gets its facts."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    _upgrade_to(engine, "0011")
    facts = unique_ids(CASES) + _varied_facts(200, 1)
    with engine.connect() as conn:
        old_columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(dossier)")]
    assert "stat_class" not in old_columns
    filler = {"applicant_id_number": "", "applicant_phone": "", "conflicts": "[]", "last_hlc": "", "event_count": 1}
    given_columns = [c for c in old_columns if c in {**filler, **facts_row(facts[0], 0)}]
    rows = [{c: {**filler, **facts_row(f, n)}[c] for c in given_columns} for n, f in enumerate(facts)]
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO dossier ({', '.join(given_columns)}) "
                          f"VALUES ({', '.join(':' + c for c in given_columns)})"), rows)
    upgrade(engine)
    stored = _assert_stored_right(engine)
    assert len(stored) == len(facts) and len({v[2] for v in stored.values()}) > 20
    engine.dispose()


def _check_fill_sql(engine, facts, sql: str) -> None:
    with engine.begin() as conn:
        conn.execute(dossier.delete())
        conn.execute(dossier.insert(), [{**facts_row(f, n), "received_day": 0, "ended_day": None, "stat_class": 0}
                                        for n, f in enumerate(facts)])
        conn.execute(text(sql))
    _assert_stored_right(engine)


def _fills(dialect: str) -> list[str]:
    migration = importlib.import_module("db.migrations.versions.0013_stats_stored_facts")
    return [stored_facts_sql(dialect), migration._fill_sql(dialect)]


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('stored') / 's.sqlite'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(random_facts(), min_size=1, max_size=25))
def test_the_sql_fills_equal_stored_facts_sqlite(lite, facts):
    for sql in _fills("sqlite"):
        _check_fill_sql(lite, unique_ids(facts), sql)


@pytest.mark.postgres
def test_the_sql_fills_equal_stored_facts_postgresql(pg_url):
    pg = make_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    upgrade(pg)
    try:
        @settings(max_examples=25, deadline=None)
        @given(st.lists(random_facts(), min_size=1, max_size=25))
        def check(facts):
            for sql in _fills("postgresql"):
                _check_fill_sql(pg, unique_ids(facts), sql)
        check()
    finally:
        pg.dispose()


def _rated(i: int, dossier_id: str, payload: dict, hlc: str | None = None):
    from datetime import datetime

    from core.lifecycle import Event
    from db.rows import event_to_row
    return event_to_row(Event(id=f"e{i:03d}", dossier_id=dossier_id, agency_code="000.21.53.H48", desk_number=1,
                              clerk_id="c1", hlc=hlc or f"{i:04d}", wall_time=datetime(2025, 3, 10, 9, i % 60),
                              kind=EventKind.RATED, payload=payload))


def _facts_of_events(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT event_id, dossier_id, step, source, clerk, level_type, level, satisfied_type FROM rated_fact "
            "ORDER BY event_id")]


def test_rated_facts_follow_the_events_from_an_older_desk_on(tmp_path):
    """Migration 0013 fills rated_fact from the rated events already there; the triggers keep
    it equal to the events after (inserts by any writer, deletes), and `ensure` restores it."""
    from db import rated_facts
    from db.models import event
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    _upgrade_to(engine, "0011")
    with engine.begin() as conn:
        conn.execute(event.insert(), [
            _rated(1, "A", {"step": "receive", "level": 1, "source": "kiosk", "clerk_id": "c1", "satisfied": True}),
            _rated(2, "A", {"step": "receive", "level": 2.0, "source": "", "clerk_id": 7}),
            _rated(3, "B", {"step": "return", "level": None, "source": "paper"}),
        ])
        conn.execute(event.insert(), {**_rated(4, "B", {}), "kind": "note"})
    upgrade(engine)
    assert _facts_of_events(engine) == [
        ("e001", "A", "receive", "kiosk", "c1", "integer", 1, "true"),
        ("e002", "A", "receive", "kiosk", None, "real", 2.0, None),
        ("e003", "B", "return", "paper", None, "null", None, None),
    ]
    with engine.begin() as conn:
        conn.execute(event.insert(), _rated(5, "C", {"step": "return", "level": 3, "source": ["x"]}))
        conn.exec_driver_sql("DELETE FROM event WHERE id = 'e002'")
    assert [r[0] for r in _facts_of_events(engine)] == ["e001", "e003", "e005"]
    assert _facts_of_events(engine)[-1][3] == '["x"]'
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER event_rated_fact_insert")
        assert not rated_facts.installed(conn)
        assert rated_facts.ensure(conn) and not rated_facts.ensure(conn)
    assert [r[0] for r in _facts_of_events(engine)] == ["e001", "e003", "e005"]
    engine.dispose()
