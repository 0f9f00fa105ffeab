"""What a ratings summary reads of each `rated` event, kept in a narrow SQLite table by a
trigger on `event`, so the dashboard counts a year's ratings from one covering index
instead of parsing every payload's JSON a dozen times (issue 10, speed).

`rated_fact` holds, per rated event: its dossier, the payload's `step`, its source (`source
or "kiosk"`, as RatingsRepo.rated_events reads it), HLC, wall time, agency, and the JSON
types and values of `clerk_id`, `level` and `satisfied` -- the fields core.ratings.summarize
looks at. Events are append-only: an insert trigger fills it whoever writes the event (a
kiosk answer, the sync pull, the demo seeder, a central SQLite store), and a delete trigger
(tests, a repair) keeps it equal to the events. Like the search index (db/search_index.py)
it is SQLite's alone: PostgreSQL reads the payloads (db/ratings.py). `ensure` puts it back
after a migration that rebuilt `event`.

A trigger on `event` costs little per statement, but an `executemany` of single-row
inserts pays it on every row (about 25 µs, whether or not the row is rated: more than the
insert itself); multi-row statements (the sync pull) barely notice. A bulk load of
events by executemany (the demo seeder) runs `paused`: no trigger, one pass at the end.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine

from db.engine import write_tx

TABLE = "rated_fact"
_TRIGGERS = ("event_rated_fact_insert", "event_rated_fact_delete")


def _values(row: str) -> str:
    """The rated_fact columns of the event `row` ('new.' in a trigger, '' in a SELECT)."""
    def j(field: str) -> str:
        return f"json_extract({row}payload, '$.{field}')"

    def jt(field: str) -> str:
        return f"json_type({row}payload, '$.{field}')"
    # `source or "kiosk"`: a false JSON value (missing, null, "", 0, false, [], {}) is the kiosk.
    source = (f"CASE WHEN {jt('source')} IN ('text', 'integer', 'real', 'true') "
              f"AND {j('source')} NOT IN ('', 0) THEN {j('source')} "
              f"WHEN {jt('source')} IN ('array', 'object') AND {j('source')} NOT IN ('[]', '{{}}') "
              f"THEN {j('source')} ELSE 'kiosk' END")
    return (f"{row}id, {row}dossier_id, {j('step')}, {source}, {row}hlc, {row}wall_time, {row}agency_code, "
            f"CASE WHEN {jt('clerk_id')} = 'text' THEN {j('clerk_id')} END, {jt('level')}, {j('level')}, "
            f"{jt('satisfied')}")


# Untyped columns keep each JSON value's own type (text, integer, real), as json_extract gives it.
_CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} (event_id TEXT PRIMARY KEY, dossier_id TEXT NOT NULL, step, "
    "source NOT NULL, hlc TEXT NOT NULL, wall_time TEXT NOT NULL, agency_code TEXT NOT NULL, clerk, "
    "level_type TEXT, level, satisfied_type TEXT)",
    # Every column a summary reads, period first: the counts never touch the table.
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_wall_time ON {TABLE} (wall_time, dossier_id, step, source, hlc, "
    "event_id, clerk, level_type, level, satisfied_type, agency_code)",
    "CREATE TRIGGER IF NOT EXISTS event_rated_fact_insert AFTER INSERT ON event WHEN new.kind = 'rated' BEGIN "
    f"INSERT OR REPLACE INTO {TABLE} VALUES ({_values('new.')}); END",
    "CREATE TRIGGER IF NOT EXISTS event_rated_fact_delete AFTER DELETE ON event WHEN old.kind = 'rated' BEGIN "
    f"DELETE FROM {TABLE} WHERE event_id = old.id; END",
]
_FILL = f"INSERT OR REPLACE INTO {TABLE} SELECT {_values('')} FROM event WHERE kind = 'rated' AND rowid > ?"

# The period's ratings counted per (clerk, level's JSON type, level, satisfied's JSON type),
# each (dossier, step, source) once: its first `rated` event of the period in (HLC, id)
# order, as RatingsRepo.rated_events chooses. Rows (clerk, level type, level, satisfied
# type, n) to be summed per key: every rating counted once, then, with a negative count,
# the ones after the first of their (dossier, step, source) -- duplicates are few, so only
# they go through the window (numbering every rating cost twice the whole count).
COUNTS_SQL = (
    "WITH r AS MATERIALIZED (SELECT dossier_id, step, source, hlc, event_id, clerk, level_type, level, "
    f"satisfied_type FROM {TABLE} WHERE wall_time >= :start AND wall_time < :end{{own}}), "
    "twice AS MATERIALIZED (SELECT dossier_id, step, source FROM r GROUP BY 1, 2, 3 HAVING COUNT(*) > 1) "
    "SELECT clerk, level_type, level, satisfied_type, COUNT(*) FROM r GROUP BY 1, 2, 3, 4 "
    "UNION ALL SELECT clerk, level_type, level, satisfied_type, -COUNT(*) FROM (SELECT clerk, level_type, level, "
    "satisfied_type, ROW_NUMBER() OVER (PARTITION BY r.dossier_id, r.step, r.source ORDER BY hlc, event_id) AS rn "
    "FROM r JOIN twice AS t ON t.dossier_id = r.dossier_id AND t.step IS r.step AND t.source = r.source) AS l "
    "WHERE rn > 1 GROUP BY 1, 2, 3, 4")


def installed(conn: Connection) -> bool:
    names = {r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE '%rated_fact%'")}
    return {TABLE, *_TRIGGERS} <= names


def install(conn: Connection) -> None:
    """Create the table, its index and triggers, and fill it from the events (SQLite only;
    idempotent)."""
    if conn.dialect.name != "sqlite":
        return
    for ddl in _CREATE:
        conn.exec_driver_sql(ddl)
    conn.exec_driver_sql(f"DELETE FROM {TABLE}")
    conn.exec_driver_sql(_FILL, (0,))


@contextmanager
def paused(engine: Engine) -> Iterator[None]:
    """For a bulk load of events that only adds rows (the demo seeder): no insert trigger
    while it runs, then the rated events past the old end taken in one pass."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with write_tx(engine) as conn:
        if not installed(conn):
            install(conn)
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_TRIGGERS[0]}")
        after = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM event").scalar_one()
    try:
        yield
    finally:
        with write_tx(engine) as conn:
            conn.exec_driver_sql(_FILL, (after,))
            for ddl in _CREATE:
                conn.exec_driver_sql(ddl)


def ensure(conn: Connection) -> bool:
    """After a migration: put it back if a rebuilt `event` table lost the triggers. True if
    it was redone."""
    if conn.dialect.name != "sqlite" or installed(conn):
        return False
    install(conn)
    return True


def uninstall(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    for name in _TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's filter: the table is made here, not from the models."""
    return not (type_ == "table" and name == TABLE)
