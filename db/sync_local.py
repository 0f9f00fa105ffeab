"""The desk's side of sync: reading what waits, marking what the centre confirmed or
refused, and applying what came down -- each step one local transaction.

Applying pulled events does what `DossierRepo.apply_events` does (insert the events not
yet here, re-fold every dossier they touch in (HLC, id) order, raise the HLC high-water
mark) but inside a transaction that also advances the pull cursor, so the cursor can
never run ahead of the events, nor behind them by more than one harmless re-delivery.
It also folds dossiers first seen in the batch straight from the batch and writes their
projections in bulk, which keeps a 100,000-event pull fast.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from datetime import datetime
from typing import Any, Iterable, NamedTuple, Sequence

from sqlalchemy import Connection, DateTime, Engine, delete, exists, func, select, tuple_, update

from core.clock import Hlc
from core.lifecycle import DossierState, Event, EventKind, fold, start
from db.engine import read_conn, write_tx
from db.meta import get_meta, raise_hlc, set_meta
from db.models import account, desk as desk_t, dossier, event, holiday_override, procedure_version, sync_rejection
from db.rows import events_of, state_to_row, upsert_projection
from db.sql import insert_for, loads

log = logging.getLogger(__name__)

KEY_CURSOR = "sync_cursor:"              # + the centre's identity
KEY_LAST_SUCCESS = "sync_last_success"   # ISO datetime of the last complete sync

_EVENT_COLS = [event.c[f] for f in ("id", "dossier_id", "agency_code", "desk_number", "clerk_id",
                                    "hlc", "wall_time", "kind", "payload")]
_CHUNK = 500           # ids per IN list (keeps SQLite plans on the index)
_KINDS = {k.value for k in EventKind}


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


# -- push ------------------------------------------------------------------------------

_UNSENT_SQL = (
    "SELECT id, dossier_id, agency_code, desk_number, clerk_id, hlc, wall_time, kind, payload "
    "FROM event INDEXED BY ix_event_unsent WHERE synced_at IS NULL AND {after}"
    "NOT EXISTS (SELECT 1 FROM sync_rejection r WHERE r.event_id = event.id) "
    "ORDER BY hlc, id LIMIT ?"
)


class Unsent(NamedTuple):
    """An unsent event as stored (payload still JSON text), in central column order."""
    id: str
    dossier_id: str
    agency_code: str
    desk_number: int
    clerk_id: str
    hlc: str
    wall_time: datetime
    kind: str
    payload: str


def unsent_batch(engine: Engine, limit: int, after: tuple[str, str] | None = None) -> list[Unsent]:
    """The next `limit` events not yet at the centre nor refused by it, in (HLC, id) order,
    after `after` = (hlc, id) of the previous batch (keyset: one index range, no sort)."""
    if engine.dialect.name != "sqlite":          # a PostgreSQL "desk" (tests, tools)
        refused = exists().where(sync_rejection.c.event_id == event.c.id)
        q = select(*_EVENT_COLS).where(event.c.synced_at.is_(None), ~refused)
        if after is not None:
            q = q.where(tuple_(event.c.hlc, event.c.id) > tuple_(*after))
        q = q.order_by(event.c.hlc, event.c.id).limit(limit)
        with read_conn(engine) as conn:
            return [Unsent(*r) for r in conn.execute(q)]
    # Plain driver SQL on the desk: this runs for every event pushed, and SQLAlchemy's
    # row processing was a third of the push time. SQLite keeps DATETIME as ISO text.
    sql = _UNSENT_SQL.format(after="(hlc, id) > (?, ?) AND " if after else "")
    params = (*after, limit) if after else (limit,)
    with read_conn(engine) as conn:
        rows = conn.exec_driver_sql(sql, params).fetchall()
    return [Unsent(r[0], r[1], r[2], r[3], r[4], r[5], _as_datetime(r[6]), r[7], r[8]) for r in rows]


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def problem_of(row: Any, agency_code: str) -> str | None:
    """Why the centre would refuse this event (Vietnamese), or None. Same rules for a
    SQLite and a PostgreSQL centre; PostgreSQL also enforces the agency itself (RLS)."""
    if row.agency_code != agency_code:
        return (f"Sự kiện thuộc cơ quan «{row.agency_code}», không phải cơ quan của quầy này "
                f"(«{agency_code}»).")
    if row.kind not in _KINDS:
        return f"Loại sự kiện không hợp lệ: «{row.kind}»."
    if not row.id or not row.dossier_id:
        return "Sự kiện thiếu mã định danh."
    try:
        Hlc.decode(row.hlc)
    except (ValueError, AttributeError):
        return "Dấu thời gian HLC của sự kiện không hợp lệ."
    if row.payload == "{}" and row.kind != EventKind.RECEIVED.value:
        return None                                      # most events: nothing to parse
    try:
        payload = loads(row.payload)
    except ValueError:
        return "Nội dung sự kiện bị hỏng (không đọc được JSON)."
    if payload is not None and not isinstance(payload, dict):
        return "Nội dung sự kiện bị hỏng (không phải đối tượng JSON)."
    if row.kind == EventKind.RECEIVED.value:
        try:
            start(Event(row.id, row.dossier_id, row.agency_code, row.desk_number, row.clerk_id,
                        row.hlc, row.wall_time, EventKind.RECEIVED, payload or {}))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return f"Sự kiện tiếp nhận thiếu thông tin bắt buộc ({exc})."
    return None


def _mark_sent(conn: Connection, ids: Sequence[str], now: datetime) -> None:
    for part in _chunks(list(ids)):
        if conn.dialect.name == "sqlite":
            # Plain SQL (the hot path of push), and "+synced_at": with a long IN list the
            # planner would otherwise walk every unsent event through ix_event_synced_at
            # for each batch, and a 100,000-event backlog would take quadratic time.
            conn.exec_driver_sql(
                f"UPDATE event SET synced_at = ? WHERE +synced_at IS NULL AND id IN ({','.join('?' * len(part))})",
                (_sqlite_dt(now), *part))
        else:
            conn.execute(update(event).where(event.c.id.in_(part), event.c.synced_at.is_(None))
                         .values(synced_at=now))


def mark_pushed(engine: Engine, sent: Sequence[str], refused: Sequence[tuple[str, str]], now: datetime) -> None:
    """After the central commit: what arrived is sent; what was refused is remembered."""
    with write_tx(engine) as conn:
        _mark_sent(conn, sent, now)
        if refused:
            stmt = insert_for(conn, sync_rejection)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=[sync_rejection.c.event_id],
                set_={"reason": stmt.excluded.reason, "rejected_at": stmt.excluded.rejected_at}),
                [{"event_id": i, "reason": r, "rejected_at": now} for i, r in refused])


# -- pull ------------------------------------------------------------------------------

def get_cursor(engine: Engine, store_key: str) -> int:
    with read_conn(engine) as conn:
        return int(get_meta(conn, KEY_CURSOR + store_key) or 0)


def local_status(engine: Engine, ids: Sequence[str]) -> dict[str, bool]:
    """id -> already marked as at the centre, for the ids present here."""
    out: dict[str, bool] = {}
    with read_conn(engine) as conn:
        for part in _chunks(list(ids)):
            for r in conn.execute(select(event.c.id, event.c.synced_at).where(event.c.id.in_(part))):
                out[r.id] = r.synced_at is not None
    return out


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


def apply_pulled(engine: Engine, pulled: Sequence[Pulled], confirmed: Sequence[str], *,
                 store_key: str, cursor: int, now: datetime,
                 prefolded: dict[str, tuple[DossierState, dict[str, Any]] | None] | None = None,
                 ) -> tuple[int, str | None]:
    """One local transaction: store the new events as sent, mark `confirmed` (ours, found
    at the centre) as sent, re-fold the touched dossiers, advance the cursor.
    Returns (events newly stored, highest HLC among them)."""
    with write_tx(engine) as conn:
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
            stamp = _sqlite_dt(now) if conn.dialect.name == "sqlite" else now
            _insert_many(conn, event, _EVENT_INSERT_COLS, [_pulled_row(p, stamp) for p in fresh.values()],
                         update=False)
            _refold(conn, by_dossier, seen_before, prefolded)
            top = max(p.event.hlc for p in fresh.values())
            raise_hlc(conn, top)
        _mark_sent(conn, confirmed, now)
        for part in _chunks(list(confirmed)):
            conn.execute(delete(sync_rejection).where(sync_rejection.c.event_id.in_(part)))
        set_meta(conn, KEY_CURSOR + store_key, str(cursor))
    return len(fresh), top


_EVENT_INSERT_COLS = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc", "wall_time",
                      "kind", "payload", "synced_at")


def _pulled_row(p: Pulled, now: Any) -> tuple:
    e = p.event
    return (e.id, e.dossier_id, e.agency_code, e.desk_number, e.clerk_id, e.hlc,
            _sqlite_dt(e.wall_time) if isinstance(now, str) else e.wall_time, e.kind.value, p.payload, now)


def _existing(conn: Connection, column: str, values: Sequence[str]) -> set[str]:
    """Which of `values` occur in event.<column> (id or dossier_id; both indexed)."""
    out: set[str] = set()
    col = event.c[column]
    for part in _chunks(list(values), 5000):
        if conn.dialect.name == "sqlite":
            out.update(r[0] for r in conn.exec_driver_sql(
                f"SELECT DISTINCT {column} FROM event WHERE {column} IN ({','.join('?' * len(part))})", tuple(part)))
        else:
            out.update(conn.execute(select(col).distinct().where(col.in_(part))).scalars())
    return out


def _sqlite_dt(value: datetime) -> str:
    # Exactly SQLAlchemy's SQLite DATETIME text, so range queries compare like with like.
    return value.isoformat(" ", "microseconds")


_DOSSIER_COLS = tuple(c.name for c in dossier.c)
_DOSSIER_DATETIMES = {i for i, c in enumerate(dossier.c) if isinstance(c.type, DateTime)}


def _dossier_tuple(row: dict[str, Any], sqlite: bool) -> tuple:
    values = [row[c] for c in _DOSSIER_COLS]
    if sqlite:
        for i in _DOSSIER_DATETIMES:
            if values[i] is not None:
                values[i] = _sqlite_dt(values[i])
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
    for part in _chunks(gone):
        conn.execute(delete(dossier).where(dossier.c.id.in_(part)))
    if not states:
        return
    holders: dict[str, str] = {}
    for part in _chunks([r["code"] for r in rows]):
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


# -- reference data --------------------------------------------------------------------

def procedure_keys(engine: Engine) -> set[tuple[str, int]]:
    with read_conn(engine) as conn:
        return {(r.code, r.version) for r in conn.execute(
            select(procedure_version.c.code, procedure_version.c.version))}


def apply_reference(engine: Engine, *, procedures: list[dict], overrides: list[dict],
                    accounts: list[dict], desks: list[dict], agency_code: str) -> dict[str, int]:
    """Catalogue versions and accounts are added, never changed (a desk's own rows win);
    holiday overrides from the centre replace the desk's for the same day."""
    counts = {"catalogue": 0, "holidays": 0, "accounts": 0, "desks": 0}
    with write_tx(engine) as conn:
        for p in procedures:
            r = conn.execute(insert_for(conn, procedure_version).values(**p).on_conflict_do_nothing())
            counts["catalogue"] += r.rowcount or 0
        current = {r.day: (r.kind, r.name) for r in conn.execute(select(holiday_override))}
        for o in overrides:
            if current.get(o["day"]) != (o["kind"], o["name"]):
                stmt = insert_for(conn, holiday_override).values(**o)
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=[holiday_override.c.day],
                    set_={k: stmt.excluded[k] for k in o if k != "day"}))
                counts["holidays"] += 1
        if accounts or desks:
            from db.models import agency as agency_t
            if conn.execute(select(agency_t.c.code).where(agency_t.c.code == agency_code)).first() is None:
                return counts     # a desk not set up yet has nowhere to put them
        for d in desks:
            if d["agency_code"] == agency_code:
                r = conn.execute(insert_for(conn, desk_t).values(**d).on_conflict_do_nothing())
                counts["desks"] += r.rowcount or 0
        for a in accounts:
            if a["agency_code"] == agency_code:
                # Either key may clash (same id, or same username made locally): keep ours.
                r = conn.execute(insert_for(conn, account).values(**a).on_conflict_do_nothing())
                counts["accounts"] += r.rowcount or 0
    return counts


# -- status ----------------------------------------------------------------------------

def waiting_count(engine: Engine) -> tuple[int, int]:
    """(events not at the centre, of which refused by it)."""
    with read_conn(engine) as conn:
        waiting = conn.execute(select(func.count()).select_from(event)
                               .where(event.c.synced_at.is_(None))).scalar_one()
        refused = conn.execute(select(func.count()).select_from(sync_rejection)).scalar_one() if waiting else 0
    return waiting, refused


def dossier_synced(engine: Engine, dossier_id: str) -> bool:
    with read_conn(engine) as conn:
        rows = conn.execute(select(event.c.synced_at).where(event.c.dossier_id == dossier_id)).all()
    return bool(rows) and all(r.synced_at is not None for r in rows)


def retry_refused(engine: Engine) -> int:
    with write_tx(engine) as conn:
        return conn.execute(delete(sync_rejection)).rowcount or 0


def last_success(engine: Engine) -> datetime | None:
    with read_conn(engine) as conn:
        value = get_meta(conn, KEY_LAST_SUCCESS)
    return datetime.fromisoformat(value) if value else None


def save_last_success(engine: Engine, at: datetime) -> None:
    with write_tx(engine) as conn:
        set_meta(conn, KEY_LAST_SUCCESS, at.isoformat())
