"""The central store as a desk's sync sees it: one connection per sync, and every way it
can fail turned into `CentralUnavailable` with a Vietnamese message.

The same Core statements serve a central SQLite file and PostgreSQL, except three:
- push on PostgreSQL sends the batch as one binary array per column, and one `INSERT ...
  SELECT ... FROM unnest(...) ON CONFLICT (id) DO NOTHING` puts it into `event`, where RLS
  checks the agency and the server's trigger numbers the rows (migration 0003); plain
  COPY into `event` could neither skip duplicates nor pass RLS. On SQLite the numbers
  are drawn here, inside the BEGIN IMMEDIATE that makes this connection the only writer.
- fetching events by id on PostgreSQL passes one array, not a thousand placeholders.
- the PostgreSQL session checks that a desk login role is mapped to this desk's agency.

Errors are sorted by what they mean, not by where they come from. SQLSTATE classes 22
(data exception) and 23 (integrity violation) concern one row: the batch is retried row
by row under savepoints and only the offending rows are refused. Everything else --
connection lost, server shutting down, permission, lock timeout, authentication -- is
about the store, never about an event, so it raises CentralUnavailable and nothing is
refused or marked.
"""
from __future__ import annotations

import json
import logging
import math
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, Engine, case, create_engine, func, select, text, tuple_
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from db.engine import _WRITE_OPTION, DatabaseBusy, make_engine
from db.models import (
    account, desk as desk_t, desk_registration, event, holiday_override, meta, procedure_version,
)
from db.sql import insert_for
from db.sync.deadline import Watchdog
from db.sync.local import as_datetime
from db.sync.errors import (
    AFTER_VI, CentralUnavailable, DeskNumberTaken, check_central_revision, describe_url, is_row_error,
    refusal_reason,
    sqlstate as _sqlstate, unavailable,
)

__all__ = ["CentralStore", "CentralSession", "CentralUnavailable", "DeskNumberTaken", "describe_url",
           "PUSH_FIELDS", "KEY_STORE_ID", "is_row_error"]

log = logging.getLogger(__name__)

# Key of the centre's identity in its `meta` table (db/sync/central.py writes it): a desk's pull
# cursor belongs to one store, so pointing a desk at another store starts from zero.
KEY_STORE_ID = "central_store_id"

# Revisions older than the sync schema (migration 0002): such a store must be upgraded.
_PRE_SYNC_REVISIONS = {"0001"}


def _received_code(row: Any) -> str | None:
    """The dossier code of a `received` event (unique per agency at the centre)."""
    if row.kind != "received":
        return None
    code = json.loads(row.payload).get("code")
    return str(code) if code is not None else None


PUSH_FIELDS = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc",
               "wall_time", "kind", "payload")

# PostgreSQL push: one statement per batch, the batch sent as one binary array per column
# and unnested into `event` with ON CONFLICT (id) DO NOTHING, where RLS checks the agency
# and the trigger numbers the rows. Binary arrays need no quoting on the desk and no
# parsing on the server, and no staging table is written, read and emptied per batch (a
# COPY into a session temp table plus INSERT ... SELECT cost the server about 8 % more
# CPU for 100,000 events, desk CPU alike). The wall time comes as text from a SQLite desk
# (its ISO form) and is cast there.
_PG_UNNEST = (
    "INSERT INTO event (" + ", ".join(PUSH_FIELDS) + ", synced_at) SELECT u.*, localtimestamp FROM unnest("
    "%b::text[], %b::text[], %b::text[], %b::int[], %b::text[], %b::text[], %b::timestamp[], %b::text[], "
    "%b::text[]) AS u ON CONFLICT (id) DO NOTHING"
)
_PG_PUSH_ONE = text(
    "INSERT INTO event (" + ", ".join(PUSH_FIELDS) + ", synced_at) VALUES ("
    + ", ".join(f":{f}" for f in PUSH_FIELDS) + ", localtimestamp) ON CONFLICT (id) DO NOTHING"
)

_PG_BY_IDS = text("SELECT " + ", ".join(PUSH_FIELDS) + " FROM event "
                  "WHERE agency_code = :a AND id = ANY(CAST(:ids AS text[]))")

# Longest wait for any one transaction of a sync (connect excluded): a stalled link ends the
# sync as failed well within a minute.
NET_TIMEOUT_S = 30.0


class CentralStore:
    """The central store of one desk: engine, session checks, and the sync statements."""

    def __init__(self, url: str, *, agency_code: str, desk_number: int, connect_timeout: float = 5.0,
                 net_timeout: float = NET_TIMEOUT_S):
        self.url = url
        self.parsed = make_url(url)
        self.backend = self.parsed.get_backend_name()
        if self.backend not in ("sqlite", "postgresql"):
            raise ValueError(f"Máy chủ trung tâm phải là SQLite hoặc PostgreSQL (đang là «{self.backend}»).")
        self.agency_code = agency_code
        self.desk_number = desk_number
        self.connect_timeout = connect_timeout
        self.net_timeout = net_timeout
        self.where = describe_url(url)
        self._engine: Engine | None = None

    @property
    def is_pg(self) -> bool:
        return self.backend == "postgresql"

    # -- connection -------------------------------------------------------------------
    def _make_engine(self) -> Engine:
        if self.is_pg:
            timeout_s = max(2, math.ceil(self.connect_timeout))
            u = self.parsed.set(drivername="postgresql+psycopg")
            # The server must notice a desk that vanished mid-transaction quickly: it holds
            # its agency's numbering row until then (migration 0003). A slow statement ends
            # on the server (a precise "statement timeout") before the watchdog cuts the link.
            statement_ms = int(max(1.0, self.net_timeout - 5) * 1000)
            options = (f"-c idle_in_transaction_session_timeout=60000 -c lock_timeout={min(statement_ms, 20000)} "
                       f"-c statement_timeout={statement_ms} "
                       "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3")
            connect_args = {
                "connect_timeout": timeout_s,
                "application_name": f"motcua-sync/{self.agency_code}/{self.desk_number}",
                "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
                # Unacknowledged data for this long means the link is gone.
                "tcp_user_timeout": int(max(15.0, 6 * self.connect_timeout) * 1000),
                "options": options,
            }
            # NullPool: a sync is one connection, opened fresh, so a link that died
            # between two syncs is never reused.
            return create_engine(u, poolclass=NullPool, connect_args=connect_args)
        path = self.parsed.database or ""
        if path in ("", ":memory:") or not Path(path).expanduser().exists():
            # Never create an empty "centre" where a share is not mounted.
            raise CentralUnavailable(
                f"Không tìm thấy tệp CSDL trung tâm ({self.where}). Kiểm tra ổ mạng hoặc chạy "
                f"«motcua central init --db …» trên máy chủ. {AFTER_VI}", "central sqlite file missing")
        return make_engine(self.url, busy_timeout_ms=int(self.connect_timeout * 1000))

    def unavailable(self, exc: BaseException, *, connected: bool = True,
                    watchdog: Watchdog | None = None) -> CentralUnavailable:
        timed_out = watchdog.seconds if watchdog is not None and watchdog.fired else None
        return unavailable(exc, self.where, connected=connected, timed_out=timed_out)

    @contextmanager
    def guard(self, *, connected: bool = True, watchdog: Watchdog | None = None) -> Iterator[None]:
        """Turn any failure of the store or the link inside the block into CentralUnavailable."""
        try:
            yield
        except CentralUnavailable:
            raise
        except (DBAPIError, DatabaseBusy, OSError) as exc:
            raise self.unavailable(exc, connected=connected, watchdog=watchdog) from exc

    @contextmanager
    def session(self, desk_uuid: str | None = None) -> Iterator["CentralSession"]:
        """One connection for one sync: checked (schema version, role, desk registration)
        before anything moves. Every wait on it has a deadline (db/sync/deadline.py)."""
        with self.guard(connected=False):
            if self._engine is None:
                self._engine = self._make_engine()
            conn = self._engine.connect()
        try:
            s = CentralSession(self, conn)
            s.check_ready()
            if desk_uuid is not None:
                s.register_desk(desk_uuid)
            yield s
        finally:
            try:
                conn.close()
            except Exception:          # a dead link: closing is best effort
                log.debug("closing a broken central connection", exc_info=True)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class CentralSession:
    """One open connection to the centre for one sync run."""

    def __init__(self, store: CentralStore, conn: Connection):
        self.store = store
        self.conn = conn
        self.store_id: str | None = None
        self.watchdog = Watchdog(self._socket, store.net_timeout) if store.is_pg else None

    def _socket(self) -> int | None:
        return self.conn.connection.dbapi_connection.pgconn.socket

    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Connection]:
        conn = self.conn
        if not self.store.is_pg:
            conn.execution_options(**{_WRITE_OPTION: write})    # BEGIN IMMEDIATE for writes
            with self.store.guard(), conn.begin():
                yield conn
            return
        with self.store.guard(watchdog=self.watchdog), self.watchdog.armed(), conn.begin():
            yield conn

    def check_ready(self) -> None:
        where = self.store.where
        with self._tx() as conn:
            try:
                with conn.begin_nested():
                    rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
            except DBAPIError as exc:
                if _sqlstate(exc) in (None, "42P01", "42501"):
                    rev = None
                else:
                    raise
            if rev is None or rev in _PRE_SYNC_REVISIONS:
                raise CentralUnavailable(
                    f"CSDL trung tâm ({where}) chưa được khởi tạo hoặc chưa nâng cấp. Báo quản trị chạy "
                    f"«motcua central init --db …». {AFTER_VI}", f"central revision {rev!r}")
            check_central_revision(rev, where)
            self.store_id = conn.execute(select(meta.c.value).where(meta.c.key == KEY_STORE_ID)).scalar_one_or_none()
            if self.store.is_pg:
                self._check_role(conn)

    def _check_role(self, conn: Connection) -> None:
        row = conn.execute(text(
            "SELECT current_user::text AS who, "
            "CASE WHEN to_regrole('motcua_desk') IS NULL THEN false "
            "     WHEN (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) THEN false "
            "     ELSE pg_has_role(current_user, 'motcua_desk', 'MEMBER') END AS is_desk, "
            "to_regprocedure('motcua_agency_of(name)') IS NOT NULL AS mapped")).one()
        if not row.is_desk or not row.mapped:
            return               # the owner or an administrator: no mapping to check
        agency = conn.execute(text("SELECT motcua_agency_of(current_user)")).scalar_one_or_none()
        if agency != self.store.agency_code:
            got = f"cơ quan «{agency}»" if agency else "chưa được gán cơ quan nào"
            raise CentralUnavailable(
                f"Tài khoản «{row.who}» trên máy chủ trung tâm {got}, nhưng quầy này thuộc cơ quan "
                f"«{self.store.agency_code}». Báo quản trị sửa cấu hình (motcua central init "
                f"--desk-role … --agency …). {AFTER_VI}", "desk role mapped to another agency")

    def register_desk(self, desk_uuid: str) -> None:
        """Claim (agency, desk number) for this desk's UUID, or refuse the whole sync (before
        anything is pushed) when another desk holds the number."""
        agency, number = self.store.agency_code, self.store.desk_number
        with self._tx(write=True) as conn:
            if self.store.is_pg:
                holder = conn.execute(text("SELECT motcua_register_desk(:a, :n, :u)"),
                                      {"a": agency, "n": number, "u": desk_uuid}).scalar_one()
            else:
                conn.execute(insert_for(conn, desk_registration).values(
                    agency_code=agency, desk_number=number, desk_uuid=desk_uuid,
                    registered_at=datetime.now().replace(microsecond=0)).on_conflict_do_nothing())
                holder = conn.execute(select(desk_registration.c.desk_uuid).where(
                    desk_registration.c.agency_code == agency,
                    desk_registration.c.desk_number == number)).scalar_one()
        if holder != desk_uuid:
            raise DeskNumberTaken(
                f"Số quầy {number} của cơ quan {agency} đã được một máy khác đăng ký trên máy chủ trung tâm "
                f"({self.store.where}). Hai máy cùng số quầy sẽ cấp trùng mã hồ sơ, nên máy này chưa gửi gì lên. "
                f"Cách sửa: nếu máy này mới cài, cài đặt lại với một số quầy chưa dùng (motcua setup --desk SỐ); "
                f"nếu máy này thay máy cũ đã hỏng, báo quản trị máy chủ trung tâm giải phóng số quầy "
                f"(motcua central release-desk --db … --agency {agency} --desk {number}).",
                "desk number registered to another desk uuid")

    # -- push -------------------------------------------------------------------------
    def push(self, rows: Sequence[Any], now: datetime,
             before_commit: Callable[[list[str]], None] | None = None) -> list[tuple[str, str]]:
        """Insert a batch (rows with the PUSH_FIELDS attributes) in one central transaction;
        returns the rows refused, with reasons. Idempotent by id. Raises CentralUnavailable
        (nothing committed) if the store fails."""
        ids = [r.id for r in rows]
        try:
            with self._tx(write=True) as conn:
                self._insert(conn, rows, now)
                if before_commit is not None:
                    before_commit(ids)
            return []
        except CentralUnavailable as exc:
            cause = exc.__cause__
            if cause is None or not is_row_error(cause):
                raise
            log.info("central refused a batch of %d (%s); retrying row by row", len(rows), exc)
        refused: list[tuple[str, str]] = []
        with self._tx(write=True) as conn:
            for r in rows:
                try:
                    with conn.begin_nested():
                        self._insert(conn, [r], now)
                except DBAPIError as exc:
                    if not is_row_error(exc):
                        raise
                    refused.append((r.id, refusal_reason(exc)))
            if before_commit is not None:
                before_commit(ids)
        return refused

    def _insert(self, conn: Connection, rows: Sequence[Any], now: datetime) -> None:
        if self.store.is_pg:
            if len(rows) == 1:
                conn.execute(_PG_PUSH_ONE, {f: getattr(rows[0], f) for f in PUSH_FIELDS})
                return
            import psycopg
            columns = [list(c) for c in zip(*rows)]       # rows are tuples in PUSH_FIELDS order
            cur = conn.connection.dbapi_connection.cursor()
            try:
                cur.execute(_PG_UNNEST, columns)
            except psycopg.Error as exc:
                # A raw driver error, wrapped as SQLAlchemy would, so it is sorted the same way.
                raise DBAPIError.instance(_PG_UNNEST, None, exc, psycopg.Error) from exc
            finally:
                cur.close()
            return
        # SQLite: this connection is the only writer (BEGIN IMMEDIATE), so numbers drawn
        # here commit in order. A duplicate id leaves a gap, which is harmless.
        by_agency: dict[str, int] = {}
        values = []
        for r in rows:
            a = r.agency_code
            if a not in by_agency:
                by_agency[a] = conn.execute(select(func.coalesce(func.max(event.c.seq), 0)).where(
                    event.c.agency_code == a, event.c.seq.is_not(None))).scalar_one()   # partial index
            by_agency[a] += 1
            values.append({**{f: getattr(r, f) for f in PUSH_FIELDS}, "wall_time": as_datetime(r.wall_time),
                           "seq": by_agency[a], "synced_at": now, "dossier_code": _received_code(r)})
        conn.execute(insert_for(conn, event).on_conflict_do_nothing(index_elements=[event.c.id]), values)

    # -- pull -------------------------------------------------------------------------
    def pull_page(self, after: int, limit: int) -> list[Any]:
        """This agency's next events after the cursor, in sequence order: full rows
        (PUSH_FIELDS + seq), except that this desk's own events come without their
        payload (NULL) -- it almost always has them, and fetches any it lacks by id."""
        own = event.c.desk_number == self.store.desk_number
        cols = [event.c[f] for f in PUSH_FIELDS[:-1]]
        with self._tx() as conn:
            if self.store.is_pg:
                # An ordered read of ix_event_agency_seq whatever the statistics say: on a
                # table just bulk-loaded (statistics not yet gathered) the planner would
                # otherwise bitmap-scan every later row of the agency and sort them all on
                # disk for each page (60 ms instead of 4 ms a page of 5,000).
                conn.exec_driver_sql("SET LOCAL enable_sort = off")
            q = (select(*cols, case((own, None), else_=event.c.payload).label("payload"), event.c.seq)
                 .where(event.c.agency_code == self.store.agency_code, event.c.seq > after)
                 .order_by(event.c.agency_code, event.c.seq).limit(limit))
            return conn.execute(q).all()

    def fetch_events(self, ids: Sequence[str]) -> list[Any]:
        """Full rows of these events (of this agency)."""
        out: list[Any] = []
        with self._tx() as conn:
            if self.store.is_pg:        # one array parameter, not a thousand placeholders
                out.extend(conn.execute(_PG_BY_IDS, {"a": self.store.agency_code, "ids": list(ids)}))
                return out
            cols = [event.c[f] for f in PUSH_FIELDS]
            for i in range(0, len(ids), 500):
                out.extend(conn.execute(select(*cols).where(
                    event.c.id.in_(ids[i:i + 500]), event.c.agency_code == self.store.agency_code)).all())
        return out

    # -- reference data ---------------------------------------------------------------
    def procedure_keys(self) -> set[tuple[str, int]]:
        with self._tx() as conn:
            return {(r.code, r.version) for r in conn.execute(
                select(procedure_version.c.code, procedure_version.c.version))}

    def procedures(self, keys: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
        out = []
        with self._tx() as conn:
            for i in range(0, len(keys), 200):
                q = select(procedure_version).where(
                    tuple_(procedure_version.c.code, procedure_version.c.version).in_(keys[i:i + 200]))
                out.extend(dict(r._mapping) for r in conn.execute(q))
        return out

    def holiday_overrides(self) -> list[dict[str, Any]]:
        with self._tx() as conn:
            return [dict(r._mapping) for r in conn.execute(select(holiday_override))]

    def accounts(self) -> list[dict[str, Any]]:
        with self._tx() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(account).where(account.c.agency_code == self.store.agency_code))]

    def desks(self) -> list[dict[str, Any]]:
        with self._tx() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(desk_t).where(desk_t.c.agency_code == self.store.agency_code))]
