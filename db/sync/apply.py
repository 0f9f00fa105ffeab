"""Applying pulled events on the desk: decode, fold, and write them with the cursor.

Applying means: insert the events not yet here, re-fold
every dossier they touch in (HLC, id) order, raise the HLC high-water mark -- inside one
local transaction that also stores the pull cursor and marks this desk's own events found
at the centre as sent. So the cursor never runs ahead of the events, and a page delivered
twice or out of order changes nothing.

What keeps a 100,000-event pull cheap (bench/bench_sync_pull.py: about 4.3x the CPU of a bare
insert of its event rows, where writing the same rows and projections with nothing fetched or
folded is already about 2x): receipts are decoded only as far as the fold reads them
(msgspec); a page is grouped, deduplicated and folded by the fetcher thread while the
previous page is written (`prefold`), and a dossier new to the desk keeps that fold; a
later step of a dossier the desk has is applied onto its stored projection when it
sorts last; a projection's datetimes reuse the SQLite texts of the page's wall times
(formatting a datetime costs several times parsing one); rows go in as plain driver SQL,
thousands per statement, in statement sizes from a small fixed set (`chunk_sizes`).
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

import msgspec
from sqlalchemy import Connection, DateTime, Engine, delete, select

from core.lifecycle import DossierState, Event, EventKind, apply, fold_fields, make_event, state_fields
from db.engine import write_conn, write_tx
from db.meta import raise_hlc, set_meta
from db.models import dossier, event, sync_rejection
from db.rows import events_of, fields_to_row, row_to_state, upsert_projection
from db.sql import insert_for
from db.sync.local import KEY_CURSOR, chunks, mark_sent, sqlite_dt

log = logging.getLogger(__name__)


class Pulled(NamedTuple):
    """One event from the centre. `event.payload` holds what the fold reads: for a receipt
    only the fields `core.lifecycle.start` uses (see `_ReceiptFold`); the whole JSON text
    is `payload`, stored as the centre holds it. `row`: the event's values in
    `_EVENT_INSERT_COLS` order, wall time as SQLite text, all but synced_at."""
    event: Event
    payload: str
    row: tuple


_HLC_RE = re.compile(r"\d{15}\.\d{5}\..+")
_KIND_OF = {k.value: k for k in EventKind}


# The receipt fields `core.lifecycle.start` reads, typed so that whatever msgspec accepts
# folds exactly as the full JSON would; a receipt of any other shape is decoded whole
# (and folds or fails as before). Skipping the rest -- the procedure snapshot and the
# document list, most of a receipt's 1.5 kB -- makes a receipt about six times quicker to
# decode than json.loads, which was the largest single cost of a big pull.
class _ProcedureFold(msgspec.Struct):
    code: str
    name: str
    version: int | str = 1
    field: str = ""


class _ApplicantFold(msgspec.Struct):
    full_name: str
    id_number: str | None = ""
    phone: str | None = ""


class _ReceiptFold(msgspec.Struct):
    code: str
    procedure: _ProcedureFold
    applicant: _ApplicantFold
    received_at: str
    due_at: str
    channel: int | str = 1


_receipt_decoder = msgspec.json.Decoder(_ReceiptFold)
_any_decoder = msgspec.json.Decoder()


def receipt_payload(text: str) -> Any:
    try:
        r = _receipt_decoder.decode(text)
    except msgspec.ValidationError:
        return _any_decoder.decode(text)
    p, a = r.procedure, r.applicant
    return {"code": r.code, "procedure": {"code": p.code, "name": p.name, "version": p.version,
                                           "field": p.field},
            "applicant": {"full_name": a.full_name, "id_number": a.id_number, "phone": a.phone},
            "received_at": r.received_at, "due_at": r.due_at, "channel": r.channel}


def receipt_folds(text: str) -> bool:
    """True when a receipt's JSON surely folds: every field `core.lifecycle.start` reads is
    there, of its type, and its numbers and times parse -- exactly what `start` would do
    with them, without building the payload, the event and the state (a push checks every
    receipt it sends). False: decide the long way (db.sync.local.problem_of)."""
    try:
        r = _receipt_decoder.decode(text)
        int(r.procedure.version)
        int(r.channel)
        datetime.fromisoformat(r.received_at)
        datetime.fromisoformat(r.due_at)
    except (ValueError, TypeError):             # msgspec's errors are ValueErrors
        return False
    return True


def is_json_object(text: str) -> bool:
    """True when `text` is surely a JSON object (msgspec is stricter than json.loads: what it
    reads, json.loads reads the same). False: decide the long way."""
    try:
        return type(_any_decoder.decode(text)) is dict
    except ValueError:
        return False


def decode_pulled(rows: Iterable[Any], agency_code: str) -> list[Pulled]:
    """Rows from the centre (PUSH_FIELDS order) as events; a row this build cannot read is
    logged and skipped (it stays on the centre) rather than stalling every later pull.
    The wall time may come as a datetime or as text; text already in SQLite's form is
    stored as it is (parsing it is several times quicker than formatting it)."""
    out = []
    append = out.append
    for r in rows:
        eid, dossier_id, agency, desk_number, clerk_id, hlc, wall, kind, text = r[:9]
        try:
            if agency != agency_code:
                raise ValueError("other agency")
            if kind not in _KIND_OF or not isinstance(text, str) or not _HLC_RE.fullmatch(hlc):
                raise ValueError("malformed event")
            payload = {} if text == "{}" else receipt_payload(text) if kind == "received" \
                else _any_decoder.decode(text)
            if not isinstance(payload, dict):
                raise ValueError("malformed event")
            if isinstance(wall, datetime):
                wall_time, wall = wall, sqlite_dt(wall)
            else:
                wall_time = datetime.fromisoformat(wall)
                # Already sqlite_dt(wall_time)? 26 characters 'YYYY-MM-DD HH:MM:SS.ffffff',
                # nothing else (no zone, no comma): cheaper to check than to format.
                if len(wall) != 26 or wall[10] != " " or wall[19] != "." or wall_time.tzinfo is not None:
                    wall = sqlite_dt(wall_time)
            e = make_event(eid, dossier_id, agency, desk_number, clerk_id, hlc, wall_time, _KIND_OF[kind], payload)
            append(Pulled(e, text, (eid, dossier_id, agency, desk_number, clerk_id, hlc, wall, kind, text)))
        except (ValueError, TypeError) as exc:     # msgspec.DecodeError is a ValueError
            log.warning("skipping unreadable central event %s: %s", eid, type(exc).__name__)
    return out



Folded = dict[str, "tuple[dict[str, Any], Sequence[Any]] | None"]


class Prepared(NamedTuple):
    """What can be worked out from a page alone, on the fetcher's thread while the
    previous page is written: used as is when none of the page's events is here yet."""
    fresh: list[Pulled]                        # the page's events, each id once
    by_dossier: dict[str, list[Event]]
    top: str                                   # the highest HLC of the page
    folded: Folded                             # per dossier, as if the page held all its events


def prefold(pulled: Sequence[Pulled], sqlite: bool = True) -> Prepared:
    """Group, dedupe and fold a page (None for a dossier whose receipt is not in it), with
    each projection's row ready for the driver. Pure, so it can run while the previous
    page is being written; `apply_pulled` uses the folds only for dossiers that have no
    events here yet."""
    fresh: dict[str, Pulled] = {}
    for p in pulled:
        fresh.setdefault(p.event.id, p)
    by_dossier: dict[str, list[Event]] = {}
    # The page's wall times as SQLite text, already made by decode_pulled: most datetimes
    # of a projection are one of them (received_at is the receipt's wall time, an end
    # its event's), so few are formatted again (_dossier_tuple). Naive ones only: equal
    # aware datetimes of two zones would have two texts (naive never equals aware).
    texts: dict[datetime, str] = {}
    for p in fresh.values():
        e = p.event
        by_dossier.setdefault(e.dossier_id, []).append(e)
        if e.wall_time.tzinfo is None:
            texts[e.wall_time] = p.row[6]
    folded = {dossier_id: _folded(evs, sqlite, texts) for dossier_id, evs in by_dossier.items()}
    top = max((p.event.hlc for p in fresh.values()), default="")
    return Prepared(list(fresh.values()), by_dossier, top, folded)


def _folded(events: Iterable[Event], sqlite: bool,
            texts: dict[datetime, str] | None = None) -> tuple[dict[str, Any], Sequence[Any]] | None:
    """(the projection's fields, its row for the driver), or None: no receipt yet."""
    try:
        fields = fold_fields(events)
    except ValueError:
        return None
    return fields, _dossier_tuple(fields_to_row(fields), sqlite, texts)


PULL_CACHE_KIB = -12288          # 12 MB (negative: KiB, SQLite's convention)


@contextmanager
def puller_connection(engine: Engine) -> Iterator[Connection]:
    """One desk connection for a whole pull, its transactions taking the write lock at
    BEGIN, with a bigger page cache while it lasts (a large pull touches the event and
    dossier indexes all over; the cache is put back afterwards: memory stays bounded).

    Its commits are `synchronous = NORMAL` (WAL): no fsync at each commit, only at
    checkpoints. That keeps every guarantee of the pull: a killed desk process loses
    nothing committed (the WAL is in the OS's hands), and a power cut can lose only the
    last pages -- each with its cursor, so they are simply pulled again, and the desk
    file stays consistent. The desk's own writes (other connections) stay FULL."""
    with write_conn(engine) as conn:
        raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            before = raw.execute("PRAGMA cache_size").fetchone()[0]
            sync_before = raw.execute("PRAGMA synchronous").fetchone()[0]
            wal = raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            raw.execute(f"PRAGMA cache_size = {PULL_CACHE_KIB}")
            if wal:
                raw.execute("PRAGMA synchronous = NORMAL")

        try:
            yield conn
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA cache_size = {int(before)}")
                if wal:
                    raw.execute(f"PRAGMA synchronous = {int(sync_before)}")


def apply_pulled(engine: Engine, pulled: Sequence[Pulled], confirmed: Sequence[str], *,
                 store_key: str, cursor: int, now: datetime, prepared: Prepared | None = None,
                 conn: Connection | None = None) -> tuple[int, str | None]:
    """Store the new events as sent, mark `confirmed` (ours, found at the centre) as sent,
    re-fold the touched dossiers, advance the cursor: one page, whole.
    Returns (events newly stored, highest HLC among them). `prepared`: `prefold(pulled)`
    if already made; `conn`: a connection from `puller_connection` inside the caller's
    transaction (several pages may share one: each still goes in whole, with its cursor);
    without it the page is its own transaction on a connection from the engine."""
    if conn is not None:
        return _apply(conn, pulled, confirmed, store_key, cursor, now, prepared)
    with write_tx(engine) as own:
        return _apply(own, pulled, confirmed, store_key, cursor, now, prepared)


def _apply(conn: Connection, pulled: Sequence[Pulled], confirmed: Sequence[str], store_key: str,
           cursor: int, now: datetime, prepared: Prepared | None) -> tuple[int, str | None]:
    sqlite = conn.dialect.name == "sqlite"
    page = prepared or prefold(pulled, sqlite)
    present = _existing(conn, "id", [p.event.id for p in page.fresh])
    if present:                  # a page seen before, in part or whole: only what is new
        page = prefold([p for p in page.fresh if p.event.id not in present], sqlite)
    if page.fresh:
        seen_before = _existing(conn, "dossier_id", list(page.by_dossier))
        if sqlite:
            synced = (sqlite_dt(now),)
            rows = [p.row + synced for p in page.fresh]
        else:
            rows = [(*p.row[:6], p.event.wall_time, *p.row[7:], now) for p in page.fresh]
        _insert_many(conn, event, _EVENT_INSERT_COLS, rows, update=False)
        _refold(conn, page.by_dossier, seen_before, page.folded)
        raise_hlc(conn, page.top)
    mark_sent(conn, confirmed, now)
    for part in chunks(list(confirmed)):
        conn.execute(delete(sync_rejection).where(sync_rejection.c.event_id.in_(part)))
    set_meta(conn, KEY_CURSOR + store_key, str(cursor))
    return len(page.fresh), page.top or None


_EVENT_INSERT_COLS = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc", "wall_time",
                      "kind", "payload", "synced_at")


def _existing(conn: Connection, column: str, values: Sequence[str]) -> set[str]:
    """Which of `values` occur in event.<column> (id or dossier_id; both indexed)."""
    return {r[0] for r in _where_in(conn, event, (column,), column, values)}


def _where_in(conn: Connection, table, columns: Sequence[str], key: str, values: Sequence[str]) -> list[Any]:
    """SELECT DISTINCT `columns` FROM `table` WHERE `key` IN (`values`), in chunks. On SQLite
    plain driver SQL (SQLAlchemy's per-value processing of 25,000 codes was a noticeable
    share of a large pull), the lists sized by `chunk_sizes` (repeats change nothing)."""
    values = list(values)
    if conn.dialect.name != "sqlite":
        return [r for part in chunks(values, 4096) for r in conn.execute(
            select(*(table.c[c] for c in columns)).distinct().where(table.c[key].in_(part)))]
    out: list[Any] = []
    for size, part in padded_parts(values, 4096):
        out.extend(conn.exec_driver_sql(
            f"SELECT DISTINCT {', '.join(columns)} FROM {table.name} WHERE {key} IN ({','.join('?' * size)})",
            tuple(part)).all())
    return out


_DOSSIER_COLS = tuple(c.name for c in dossier.c)
_DOSSIER_DATETIMES = {i for i, c in enumerate(dossier.c) if isinstance(c.type, DateTime)}


_DOSSIER_VALUES = itemgetter(*_DOSSIER_COLS)


def _dossier_tuple(row: dict[str, Any], sqlite: bool, texts: dict[datetime, str] | None = None) -> Sequence[Any]:
    """The row's values in `_DOSSIER_COLS` order; on SQLite datetimes as its text, looked
    up in `texts` first (naive datetimes -> their text; the naive ones made here are added)."""
    values = _DOSSIER_VALUES(row)
    if not sqlite:
        return values
    values = list(values)
    if texts is None:
        texts = {}
    for i in _DOSSIER_DATETIMES:
        v = values[i]
        if v is not None:
            t = texts.get(v)
            if t is None:
                t = sqlite_dt(v)
                if v.tzinfo is None:
                    texts[v] = t
            values[i] = t
    return values


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
    one = "(" + ", ".join("?" * len(cols)) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES "
    tail = f" ON CONFLICT (id) DO {action}"
    for size, part in padded_parts(rows, rows_per_statement(len(cols))):
        conn.exec_driver_sql(head + ", ".join([one] * size) + tail, tuple(chain.from_iterable(part)))


def chunk_sizes(n: int, most: int) -> list[int]:
    """Rows per statement for n rows: as many of `most` as fit, then one power of two (at
    most `most`) that holds the rest, its spare places filled with repeats of the last row
    (a repeat is a no-op under ON CONFLICT). sqlite3 keeps the last 128 distinct
    statements compiled and one of thousands of rows takes megabytes: with any row count
    allowed, a long pull filled that cache with one-off sizes (a new dossier count every
    page) and the desk's memory grew with the pull. This way a table has a dozen sizes."""
    sizes = [most] * (n // most)
    if n % most:
        sizes.append(min(most, 1 << (n % most - 1).bit_length()))
    return sizes


def padded_parts(items: list[Any], most: int) -> Iterator[tuple[int, list[Any]]]:
    """`items` cut by `chunk_sizes`: (size, part), the last part filled up to its size with
    repeats of its last item."""
    i = 0
    for size in chunk_sizes(len(items), most):
        part = items[i:i + size]
        i += size
        yield size, part + part[-1:] * (size - len(part))


def rows_per_statement(columns: int) -> int:
    return 30000 // columns                  # SQLite allows 32,766 parameters


EVENT_ROWS_PER_STATEMENT = rows_per_statement(len(_EVENT_INSERT_COLS))


def _refold(conn: Connection, fresh: dict[str, list[Event]], seen_before: set[str], prefolded: Folded) -> None:
    """Projection of every touched dossier = fold of all its events here, in (HLC, id) order.

    A dossier new to the desk is folded from this page (`prefolded`). One the desk already
    has, whose new events all sort after its projection (the usual case: later steps of
    a dossier received earlier), gets them applied onto the stored projection; any other
    is folded again from all its events here."""
    sqlite = conn.dialect.name == "sqlite"
    stored = _projections(conn, seen_before)
    again = [d for d in seen_before if not _appends(stored.get(d), fresh[d])]
    whole = events_of(conn, sorted(again)) if again else {}
    done: Folded = {}
    for dossier_id, evs in fresh.items():
        if dossier_id in whole:
            done[dossier_id] = _folded(whole[dossier_id], sqlite)
        elif dossier_id in seen_before:
            state = stored[dossier_id]
            for e in sorted(evs, key=Event.sort_key):
                state = apply(state, e)
            fields = state_fields(state)
            done[dossier_id] = fields, _dossier_tuple(fields_to_row(fields), sqlite)
        else:
            done[dossier_id] = prefolded[dossier_id]      # all its events are in this page
    gone = [d for d, v in done.items() if v is None]       # receipts not arrived yet
    for part in chunks(gone):
        conn.execute(delete(dossier).where(dossier.c.id.in_(part)))
    folded = [v for v in done.values() if v is not None]
    if not folded:
        return
    holders = dict(_where_in(conn, dossier, ("code", "id"), "code", [f["code"] for f, _ in folded]))
    twice = {c for c, n in Counter(f["code"] for f, _ in folded).items() if n > 1}
    clean = [(f, t) for f, t in folded if f["code"] not in twice and holders.get(f["code"], f["id"]) == f["id"]]
    # Newest receipt first: the search index's FTS rowid falls as received_at rises
    # (db/search_index.py), and FTS5 flushes its pending terms to a new segment whenever
    # a rowid comes in below the previous one -- in receipt order that was every row,
    # and the FTS writes were most of the projection's cost (about half of it saved).
    clean.sort(key=lambda c: c[0]["received_at"], reverse=True)
    _insert_many(conn, dossier, _DOSSIER_COLS, [t for _, t in clean], update=True)
    # Two dossiers, one code (two desks set up with one number): the guarded path marks it.
    clean_ids = {f["id"] for f, _ in clean}
    for f, _ in folded:
        if f["id"] not in clean_ids:
            upsert_projection(conn, DossierState(**f))


def _projections(conn: Connection, ids: set[str]) -> dict[str, DossierState]:
    out: dict[str, DossierState] = {}
    for part in chunks(sorted(ids)):
        out.update((r.id, row_to_state(r)) for r in conn.execute(select(dossier).where(dossier.c.id.in_(part))))
    return out


def _appends(state: DossierState | None, events: list[Event]) -> bool:
    """Whether applying `events` onto `state` equals folding all the dossier's events: its
    receipt is in, every new event sorts after everything folded so far, and no code clash
    has been marked on it (that mark is made again by a whole fold)."""
    return (state is not None and all(e.hlc > state.last_hlc for e in events)
            and not any(c.startswith("duplicate-code:") for c in state.conflicts))
