"""Applying pulled events on the desk: decode, fold, and write them with the cursor.

This does what `DossierRepo.apply_events` does -- insert the events not yet here, re-fold
every dossier they touch in (HLC, id) order, raise the HLC high-water mark -- inside one
local transaction that also stores the pull cursor and marks this desk's own events found
at the centre as sent. So the cursor never runs ahead of the events, and a page delivered
twice or out of order changes nothing. Two things keep a 100,000-event pull quick: a
dossier new to the desk is folded from its page alone (`prefold`, done by the fetcher
thread while the previous page is written), and rows go in as plain driver SQL with many
rows per statement.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

from sqlalchemy import Connection, DateTime, Engine, delete, select

from core.lifecycle import DossierState, Event, EventKind, fold
from db.engine import write_conn, write_tx
from db.meta import raise_hlc, set_meta
from db.models import dossier, event, sync_rejection
from db.rows import events_of, state_to_row, upsert_projection
from db.sql import insert_for
from db.sync_local import KEY_CURSOR, chunks, mark_sent, sqlite_dt

log = logging.getLogger(__name__)


class Pulled(NamedTuple):
    event: Event
    payload: str            # the JSON text as the centre holds it, stored as is


_HLC_RE = re.compile(r"\d{15}\.\d{5}\..+")
_KIND_OF = {k.value: k for k in EventKind}


def decode_pulled(rows: Iterable[Any], agency_code: str) -> list[Pulled]:
    """Rows from the centre (PUSH_FIELDS order) as events; a row this build cannot read is
    logged and skipped (it stays on the centre) rather than stalling every later pull."""
    out = []
    for r in rows:
        eid, dossier_id, agency, desk_number, clerk_id, hlc, wall_time, kind, text = tuple(r)[:9]
        try:
            if agency != agency_code:
                raise ValueError("other agency")
            payload = {} if text == "{}" else json.loads(text)
            if not isinstance(payload, dict) or kind not in _KIND_OF or not _HLC_RE.fullmatch(hlc):
                raise ValueError("malformed event")
            e = Event(eid, dossier_id, agency, desk_number, clerk_id, hlc,
                      wall_time if isinstance(wall_time, datetime) else datetime.fromisoformat(wall_time),
                      _KIND_OF[kind], payload)
            out.append(Pulled(e, text))
        except (ValueError, TypeError) as exc:
            log.warning("skipping unreadable central event %s: %s", eid, type(exc).__name__)
    return out


def prefold(pulled: Sequence[Pulled]) -> dict[str, tuple[DossierState, dict[str, Any]] | None]:
    """The projection each dossier of a page would have if the page held all its events
    (None: no receipt yet). Pure, so it can run while the previous page is being written;
    `apply_pulled` uses it only for dossiers that have no events here yet."""
    by_dossier: dict[str, dict[str, Event]] = {}
    for p in pulled:
        by_dossier.setdefault(p.event.dossier_id, {})[p.event.id] = p.event
    out: dict[str, tuple[DossierState, dict[str, Any]] | None] = {}
    for dossier_id, evs in by_dossier.items():
        try:
            state = fold(evs.values())
            out[dossier_id] = (state, state_to_row(state))
        except ValueError:
            out[dossier_id] = None
    return out


PULL_CACHE_KIB = -16384          # 16 MB (negative: KiB, SQLite's convention)


@contextmanager
def puller_connection(engine: Engine) -> Iterator[Connection]:
    """One desk connection for a whole pull, its transactions taking the write lock at
    BEGIN, with a bigger page cache while it lasts (a large pull touches the event and
    dossier indexes all over; the cache is put back afterwards: memory stays bounded)."""
    with write_conn(engine) as conn:
        raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            before = raw.execute("PRAGMA cache_size").fetchone()[0]
            raw.execute(f"PRAGMA cache_size = {PULL_CACHE_KIB}")
        try:
            yield conn
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA cache_size = {int(before)}")


def apply_pulled(engine: Engine, pulled: Sequence[Pulled], confirmed: Sequence[str], *,
                 store_key: str, cursor: int, now: datetime,
                 prefolded: dict[str, tuple[DossierState, dict[str, Any]] | None] | None = None,
                 conn: Connection | None = None) -> tuple[int, str | None]:
    """One local transaction: store the new events as sent, mark `confirmed` (ours, found
    at the centre) as sent, re-fold the touched dossiers, advance the cursor.
    Returns (events newly stored, highest HLC among them). `conn`: a connection from
    `puller_connection` (else one is taken from the engine for this page)."""
    if conn is None:
        with write_tx(engine) as own:
            return _apply(own, pulled, confirmed, store_key, cursor, now, prefolded)
    with conn.begin():
        return _apply(conn, pulled, confirmed, store_key, cursor, now, prefolded)


def _apply(conn: Connection, pulled: Sequence[Pulled], confirmed: Sequence[str], store_key: str,
           cursor: int, now: datetime, prefolded) -> tuple[int, str | None]:
    present = _existing(conn, "id", [p.event.id for p in pulled])
    fresh: dict[str, Pulled] = {}
    for p in pulled:
        if p.event.id not in present and p.event.id not in fresh:
            fresh[p.event.id] = p
    top = None
    if fresh:
        by_dossier: dict[str, list[Event]] = {}
        for p in fresh.values():
            by_dossier.setdefault(p.event.dossier_id, []).append(p.event)
        seen_before = _existing(conn, "dossier_id", list(by_dossier))
        sqlite = conn.dialect.name == "sqlite"
        _insert_many(conn, event, _EVENT_INSERT_COLS, [_pulled_row(p, now, sqlite) for p in fresh.values()],
                     update=False)
        _refold(conn, by_dossier, seen_before, prefolded)
        top = max(p.event.hlc for p in fresh.values())
        raise_hlc(conn, top)
    mark_sent(conn, confirmed, now)
    for part in chunks(list(confirmed)):
        conn.execute(delete(sync_rejection).where(sync_rejection.c.event_id.in_(part)))
    set_meta(conn, KEY_CURSOR + store_key, str(cursor))
    return len(fresh), top


_EVENT_INSERT_COLS = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc", "wall_time",
                      "kind", "payload", "synced_at")


def _pulled_row(p: Pulled, now: datetime, sqlite: bool) -> tuple:
    e = p.event
    if sqlite:
        return (e.id, e.dossier_id, e.agency_code, e.desk_number, e.clerk_id, e.hlc, sqlite_dt(e.wall_time),
                e.kind.value, p.payload, sqlite_dt(now))
    return (e.id, e.dossier_id, e.agency_code, e.desk_number, e.clerk_id, e.hlc, e.wall_time,
            e.kind.value, p.payload, now)


def _existing(conn: Connection, column: str, values: Sequence[str]) -> set[str]:
    """Which of `values` occur in event.<column> (id or dossier_id; both indexed)."""
    out: set[str] = set()
    col = event.c[column]
    for part in chunks(list(values), 5000):
        if conn.dialect.name == "sqlite":
            out.update(r[0] for r in conn.exec_driver_sql(
                f"SELECT DISTINCT {column} FROM event WHERE {column} IN ({','.join('?' * len(part))})", tuple(part)))
        else:
            out.update(conn.execute(select(col).distinct().where(col.in_(part))).scalars())
    return out


_DOSSIER_COLS = tuple(c.name for c in dossier.c)
_DOSSIER_DATETIMES = {i for i, c in enumerate(dossier.c) if isinstance(c.type, DateTime)}


def _dossier_tuple(row: dict[str, Any], sqlite: bool) -> tuple:
    values = [row[c] for c in _DOSSIER_COLS]
    if sqlite:
        for i in _DOSSIER_DATETIMES:
            if values[i] is not None:
                values[i] = sqlite_dt(values[i])
    return tuple(values)


def _insert_many(conn: Connection, table, cols: Sequence[str], rows: list[tuple], *, update: bool) -> None:
    """INSERT ... ON CONFLICT (id) DO NOTHING / DO UPDATE for many rows (tuples in `cols`
    order, values already in the driver's form)."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        stmt = insert_for(conn, table)
        stmt = (stmt.on_conflict_do_update(index_elements=[table.c.id],
                                           set_={c: stmt.excluded[c] for c in cols if c != "id"})
                if update else stmt.on_conflict_do_nothing(index_elements=[table.c.id]))
        conn.execute(stmt, [dict(zip(cols, r)) for r in rows])
        return
    action = ("UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")) if update else "NOTHING"
    # Plain driver SQL, many rows per statement: SQLAlchemy's per-value processing was
    # most of a large pull's time, and sqlite3 lets go of the GIL for every statement
    # step, so with another busy thread (the fetcher) each row of an executemany would
    # wait for the GIL again.
    per = max(1, 30000 // len(cols))          # SQLite allows 32,766 parameters
    one = "(" + ", ".join("?" * len(cols)) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES "
    tail = f" ON CONFLICT (id) DO {action}"
    for i in range(0, len(rows), per):
        part = rows[i:i + per]
        conn.exec_driver_sql(head + ", ".join([one] * len(part)) + tail,
                             tuple(v for r in part for v in r))


def _refold(conn: Connection, fresh: dict[str, list[Event]], seen_before: set[str],
            prefolded: dict[str, tuple[DossierState, dict[str, Any]] | None] | None = None) -> None:
    """Projection of every touched dossier = fold of all its events here, in (HLC, id) order."""
    whole = events_of(conn, sorted(seen_before)) if seen_before else {}
    states, rows, gone = [], [], []
    for dossier_id, evs in fresh.items():
        if dossier_id not in seen_before and prefolded is not None and dossier_id in prefolded:
            done = prefolded[dossier_id]           # all its events are in this page
        else:
            try:
                state = fold(whole[dossier_id] if dossier_id in seen_before else evs)
                done = (state, state_to_row(state))
            except ValueError:
                done = None
        if done is None:
            gone.append(dossier_id)          # its receipt has not arrived yet
        else:
            states.append(done[0])
            rows.append(done[1])
    for part in chunks(gone):
        conn.execute(delete(dossier).where(dossier.c.id.in_(part)))
    if not states:
        return
    holders: dict[str, str] = {}
    for part in chunks([r["code"] for r in rows]):
        holders.update({r.code: r.id for r in conn.execute(
            select(dossier.c.code, dossier.c.id).where(dossier.c.code.in_(part)))})
    twice = {c for c, n in Counter(r["code"] for r in rows).items() if n > 1}
    clean = [r for r in rows if r["code"] not in twice and holders.get(r["code"], r["id"]) == r["id"]]
    sqlite = conn.dialect.name == "sqlite"
    _insert_many(conn, dossier, _DOSSIER_COLS, [_dossier_tuple(r, sqlite) for r in clean], update=True)
    # Two dossiers, one code (two desks set up with one number): the guarded path marks it.
    clean_ids = {r["id"] for r in clean}
    for s in states:
        if s.id not in clean_ids:
            upsert_projection(conn, s)
