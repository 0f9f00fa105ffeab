"""The Alembic migrations are the schema: from empty they reach the models exactly."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from setuptools import find_packages
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db import migrate
from db.engine import make_engine
from db.migrate import HEAD, alembic_config, current_revision, include_name, upgrade

_OPTS = {"include_name": include_name}


def test_upgrade_from_empty_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=_OPTS), SQLModel.metadata)
    assert diff == []


def test_head_constant_is_alembics_head():
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def test_upgrade_twice_is_a_no_op(engine, monkeypatch):
    with engine.connect() as conn:
        assert current_revision(conn) == HEAD
    # Already at head: Alembic is not even asked.
    monkeypatch.setattr(command, "upgrade", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    upgrade(engine)
    with engine.connect() as conn:
        assert current_revision(conn) == HEAD


def test_downgrade_to_base_and_up_again(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with engine.connect() as conn:
        assert current_revision(conn) is None
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables <= {"alembic_version"}
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts=_OPTS), SQLModel.metadata) == []
    engine.dispose()


def test_sqlite_pragmas_on_every_connection(engine):
    for _ in range(2):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2      # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 300


def test_make_engine_creates_the_directory_and_normalises_postgres(tmp_path):
    target = tmp_path / "deep" / "er" / "x.sqlite"
    make_engine(f"sqlite:///{target}").dispose()
    assert target.parent.is_dir()
    pg = make_engine("postgresql://u:p@127.0.0.1:5432/motcua")
    assert pg.url.drivername == "postgresql+psycopg"
    pg.dispose()


def test_migrations_ship_as_packages():
    found = set(find_packages(where=str(migrate.MIGRATIONS_DIR.parent.parent), include=["db*"]))
    assert {"db", "db.migrations", "db.migrations.versions"} <= found
    assert (migrate.MIGRATIONS_DIR / "script.py.mako").exists()
