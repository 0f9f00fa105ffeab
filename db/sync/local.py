"""The desk's side of sync, apart from applying pulled events (db/sync/apply.py): reading
what waits to be pushed, checking it against the centre's rules, marking what the centre
confirmed or refused, reference data, cursor and status -- each write one local
transaction.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Iterable, NamedTuple, Sequence

from sqlalchemy import Connection, Engine, delete, exists, func, select, tuple_, update

from core.clock import Hlc
from core.lifecycle import Event, EventKind, start
from db.engine import read_conn, write_tx
from db.catalogue import valid_procedure_content
from db.meta import KEY_DESK_UUID, get_meta, set_meta
from db.models import account, desk as desk_t, event, holiday_override, procedure_version, sync_rejection
from db.sql import insert_for, loads

KEY_CURSOR = "sync_cursor:"              # + the centre's identity
KEY_LAST_SUCCESS = "sync_last_success"   # ISO datetime of the last complete sync

_EVENT_COLS = [event.c[f] for f in ("id", "dossier_id", "agency_code", "desk_number", "clerk_id",
                                    "hlc", "wall_time", "kind", "payload")]
_CHUNK = 500           # ids per IN list (keeps SQLite plans on the index)
_KINDS = {k.value for k in EventKind}


def chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def desk_uuid(engine: Engine) -> str:
    """This desk's UUID (made at setup; made now for a desk set up before desks had one)."""
    with read_conn(engine) as conn:
        found = get_meta(conn, KEY_DESK_UUID)
    if found:
        return found
    import uuid
    with write_tx(engine) as conn:
        found = get_meta(conn, KEY_DESK_UUID)
        if not found:
            found = str(uuid.uuid4())
            set_meta(conn, KEY_DESK_UUID, found)
    return found


# -- push ------------------------------------------------------------------------------

_UNSENT_SQL = (
    "SELECT id, dossier_id, agency_code, desk_number, clerk_id, hlc, wall_time, kind, payload "
    "FROM event INDEXED BY ix_event_unsent WHERE synced_at IS NULL AND {after}"
    "NOT EXISTS (SELECT 1 FROM sync_rejection r WHERE r.event_id = event.id) "
    "ORDER BY hlc, id LIMIT ?"
)


class Unsent(NamedTuple):
    """An unsent event as stored, in central column order: the payload still JSON text
    and, read from a SQLite desk, the wall time still SQLite's ISO text -- both go to
    PostgreSQL as text (the server casts the wall time); `wall_datetime` for anything else."""
    id: str
    dossier_id: str
    agency_code: str
    desk_number: int
    clerk_id: str
    hlc: str
    wall_time: datetime | str
    kind: str
    payload: str

    @property
    def wall_datetime(self) -> datetime:
        return as_datetime(self.wall_time)


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
    # row processing was a third of the push time. SQLite keeps DATETIME as ISO text,
    # and it stays text: PostgreSQL reads it as it reads any timestamp literal.
    sql = _UNSENT_SQL.format(after="(hlc, id) > (?, ?) AND " if after else "")
    params = (*after, limit) if after else (limit,)
    with read_conn(engine) as conn:
        cursor = conn.connection.dbapi_connection.cursor()     # plain tuples, straight from C
        try:
            rows = cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()
    return list(map(Unsent._make, rows))


def as_datetime(value: Any) -> datetime:
    """A wall time as read from a desk (SQLite's ISO text, or a datetime) as a datetime."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def sqlite_dt(value: datetime) -> str:
    """Exactly SQLAlchemy's SQLite DATETIME text, so range queries compare like with like."""
    return value.isoformat(" ", "microseconds")


# An HLC stamp that Hlc.decode surely reads (digits.digits.anything): the quick test of
# `check_batch`; anything else gets the full one.
_PLAIN_HLC = re.compile(r"[0-9]+\.[0-9]+\..*", re.DOTALL).fullmatch
_RECEIVED = EventKind.RECEIVED.value


def check_batch(rows: Sequence[Unsent], agency_code: str) -> tuple[list[Unsent], list[tuple[str, str]]]:
    """(events the centre would take, (id, Vietnamese reason) of those it would refuse):
    `problem_of` for each, with the common cases -- this agency's event of a known kind,
    plain HLC stamp, and a payload that is a JSON object (a receipt: one that
    `receipt_folds`) -- decided inline (this runs for every event pushed)."""
    from db.sync.apply import is_json_object, receipt_folds
    good: list[Unsent] = []
    refused: list[tuple[str, str]] = []
    for r in rows:
        eid, dossier_id, agency, _, _, hlc, _, kind, payload = r
        if (agency == agency_code and kind in _KINDS and eid and dossier_id and type(hlc) is str
                and _PLAIN_HLC(hlc) and type(payload) is str
                and (payload == "{}" or is_json_object(payload) if kind != _RECEIVED else receipt_folds(payload))):
            good.append(r)
            continue
        problem = problem_of(r, agency_code)
        if problem:
            refused.append((eid, problem))
        else:
            good.append(r)
    return good, refused


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
    if row.payload == "{}" and row.kind != _RECEIVED:
        return None                                      # most events: nothing to parse
    try:
        if row.kind == _RECEIVED:
            # Only the fields the fold reads, typed (msgspec; any other shape is decoded
            # whole): what this accepts folds exactly as the full JSON would.
            from db.sync.apply import receipt_payload
            payload = receipt_payload(row.payload)
        else:
            payload = loads(row.payload)
    except ValueError:                      # msgspec.DecodeError is a ValueError too
        return "Nội dung sự kiện bị hỏng (không đọc được JSON)."
    if payload is not None and not isinstance(payload, dict):
        return "Nội dung sự kiện bị hỏng (không phải đối tượng JSON)."
    if row.kind == _RECEIVED:
        try:
            start(Event(row.id, row.dossier_id, row.agency_code, row.desk_number, row.clerk_id,
                        row.hlc, row.wall_time, EventKind.RECEIVED, payload or {}))   # wall time unread
        except KeyError as exc:
            return f"Sự kiện tiếp nhận thiếu thông tin bắt buộc (trường {exc})."
        except (TypeError, ValueError, AttributeError):
            # Never quote the value: it may be a citizen's address or ID number.
            return "Sự kiện tiếp nhận có thông tin sai định dạng."
    return None


def mark_sent(conn: Connection, ids: Sequence[str], now: datetime) -> None:
    for part in chunks(list(ids)):
        if conn.dialect.name == "sqlite":
            # Plain SQL (the hot path of push), and "+synced_at": with a long IN list the
            # planner must look each id up by its key, never walk an index of unsent
            # events for each batch (a 100,000-event backlog would take quadratic time).
            conn.exec_driver_sql(
                f"UPDATE event SET synced_at = ? WHERE +synced_at IS NULL AND id IN ({','.join('?' * len(part))})",
                (sqlite_dt(now), *part))
        else:
            conn.execute(update(event).where(event.c.id.in_(part), event.c.synced_at.is_(None))
                         .values(synced_at=now))


def mark_pushed(engine: Engine, sent: Sequence[str], refused: Sequence[tuple[str, str]], now: datetime) -> None:
    """After the central commit: what arrived is sent; what was refused is remembered."""
    mark_pushed_many(engine, [(sent, refused, now)])


def mark_pushed_many(engine: Engine, batches: Sequence[tuple[Sequence[str], Sequence[tuple[str, str]], datetime]]
                     ) -> None:
    """`mark_pushed` for several batches (sent ids, refused, when), in ONE local transaction."""
    with write_tx(engine) as conn:
        for sent, refused, now in batches:
            mark_sent(conn, sent, now)
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
        for part in chunks(list(ids)):
            for r in conn.execute(select(event.c.id, event.c.synced_at).where(event.c.id.in_(part))):
                out[r.id] = r.synced_at is not None
    return out


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
            if not valid_procedure_content(p["content"]):
                continue          # a bad value never reaches a desk (logged by the centre's import)
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
        if conn.dialect.name == "sqlite":
            # Off the partial index of unsent events (a desk keeps no index of synced_at):
            # the cost follows what waits, not the size of the log.
            waiting = conn.exec_driver_sql(
                "SELECT count(*) FROM event INDEXED BY ix_event_unsent WHERE synced_at IS NULL").scalar_one()
        else:
            waiting = conn.execute(select(func.count()).select_from(event)
                                   .where(event.c.synced_at.is_(None))).scalar_one()
        refused = conn.execute(select(func.count()).select_from(sync_rejection)).scalar_one() if waiting else 0
    return waiting, refused


def dossier_synced(engine: Engine, dossier_id: str) -> bool:
    with read_conn(engine) as conn:
        rows = conn.execute(select(event.c.synced_at).where(event.c.dossier_id == dossier_id)).all()
    return bool(rows) and all(r.synced_at is not None for r in rows)


def refused(engine: Engine) -> list[tuple[str, str]]:
    """(event id, Vietnamese reason) of the events the centre refused, oldest first."""
    with read_conn(engine) as conn:
        return [tuple(r) for r in conn.execute(
            select(sync_rejection.c.event_id, sync_rejection.c.reason)
            .order_by(sync_rejection.c.rejected_at, sync_rejection.c.event_id))]


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
