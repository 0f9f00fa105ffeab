"""Bring a database to the newest schema; called on every start and by `central init`.

Start-up stays quick: the current revision is read with one plain query and compared with
HEAD, and Alembic is imported only when there is something to do.

Developers: `python -m db.migrate revision "what changed"` autogenerates the next revision
against a scratch SQLite database at head (then review it, and update HEAD below).
"""
from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from db import rated_facts, search_index
from db.engine import write_tx

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The newest revision id. tests/db/test_migrations.py checks it equals Alembic's head.
HEAD = "0015"

_PG_MIGRATION_LOCK = 7_310_112_025     # arbitrary, constant: one migrator at a time


def alembic_config():
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> frozenset[str]:
    """Every revision this program's migrations know; one not in it comes from a newer motcua."""
    global _KNOWN
    if _KNOWN is None:
        ids = {p.stem.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("*.py")
               if p.stem[:1].isdigit()}
        _KNOWN = frozenset(ids)
    return _KNOWN


_KNOWN: frozenset[str] | None = None


def current_revision(conn: Connection) -> str | None:
    try:
        with conn.begin_nested() if conn.in_transaction() else conn.begin():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except DBAPIError:
        return None       # no alembic_version table yet: an empty database


class DatabaseTooNew(ValueError):
    """The database was made by a newer motcua: never migrate or write it."""

    def __init__(self, revision: str):
        self.message_vi = (f"Cơ sở dữ liệu do phiên bản motcua mới hơn tạo (lược đồ {revision}, phần mềm này: "
                           f"{HEAD}). Cập nhật motcua rồi mở lại; tệp không bị thay đổi.")
        super().__init__(self.message_vi)


def upgrade(engine: Engine) -> None:
    with engine.connect() as conn:
        rev = current_revision(conn)
    if rev == HEAD:
        return
    if rev is not None and rev not in known_revisions():
        raise DatabaseTooNew(rev)
    from alembic import command
    cfg = alembic_config()
    with write_tx(engine) as conn:       # BEGIN IMMEDIATE on SQLite: one migrator at a time
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        # A migration that rebuilt the dossier or event table dropped their triggers.
        search_index.ensure(conn)
        rated_facts.ensure(conn)


def include_name(name: str | None, type_: str, parents: object) -> bool:
    """Alembic's filter: the SQLite-only tables made by db/search_index.py and
    db/rated_facts.py are not in the models, and autogenerate must not take them for strays."""
    return search_index.include_name(name, type_, parents) and rated_facts.include_name(name, type_, parents)


def _revision(message: str) -> None:
    import tempfile

    from alembic import command

    from db.engine import make_engine
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/scratch.sqlite")
        upgrade(engine)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":      # pragma: no cover - developer tool
    if len(sys.argv) >= 3 and sys.argv[1] == "revision":
        _revision(" ".join(sys.argv[2:]))
    else:
        print('usage: python -m db.migrate revision "message"', file=sys.stderr)
        sys.exit(2)
