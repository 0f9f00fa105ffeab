"""The one place engines are made, plus the write-transaction helper every repository uses.

SQLite (the desk) gets WAL, synchronous=FULL, a busy timeout and foreign keys on every
connection, and explicit transaction control: pysqlite's own implicit BEGIN is switched
off so that a write transaction can start with BEGIN IMMEDIATE (take the write lock first,
wait up to the busy timeout, never fail half-way on a lock upgrade). PostgreSQL (the
central store) goes through psycopg 3.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

BUSY_MESSAGE_VI = (
    "Cơ sở dữ liệu đang bị khóa bởi chương trình khác. Đóng các cửa sổ motcua khác rồi "
    "thử lại; dữ liệu vừa nhập vẫn còn trên màn hình."
)

DEFAULT_BUSY_TIMEOUT_MS = 5000

# Connection execution option that makes the next BEGIN an IMMEDIATE one on SQLite.
_WRITE_OPTION = "motcua_write"


class DatabaseBusy(Exception):
    """SQLite stayed locked by another process past the busy timeout."""

    message_vi = BUSY_MESSAGE_VI

    def __init__(self, detail: str = ""):
        super().__init__(detail or "database is locked")


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def make_engine(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, echo: bool = False) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    if backend != "sqlite":
        return create_engine(parsed, echo=echo)

    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory and not database.startswith("file:"):
        from db.files import check_sqlite_path, private_file
        check_sqlite_path(Path(database))
        private_file(Path(database).expanduser())       # 0600 in a 0700 directory when new
    engine = create_engine(parsed, echo=echo)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Autocommit at the driver level: SQLAlchemy's "begin" hook below emits BEGIN.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            if not in_memory:
                cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_locked_error(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (5, 6)           # SQLITE_BUSY, SQLITE_LOCKED (+ extended codes)
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text


@contextmanager
def write_conn(engine: Engine) -> Iterator[Connection]:
    """A connection whose transactions take the write lock at BEGIN (IMMEDIATE on SQLite).

    For a series of transactions on one connection (bulk loads); most code wants write_tx.
    """
    try:
        with engine.connect() as conn:
            conn.execution_options(**{_WRITE_OPTION: True})
            yield conn
    except OperationalError as exc:
        if is_locked_error(exc):
            raise DatabaseBusy(str(exc.orig)) from exc
        raise


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """One write transaction; all or nothing. A lock held too long becomes DatabaseBusy."""
    with write_conn(engine) as conn:
        with conn.begin():
            yield conn


@contextmanager
def read_conn(engine: Engine) -> Iterator[Connection]:
    try:
        with engine.connect() as conn:
            yield conn
    except OperationalError as exc:
        if is_locked_error(exc):
            raise DatabaseBusy(str(exc.orig)) from exc
        raise
