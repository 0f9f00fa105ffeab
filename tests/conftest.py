"""Shared fixtures. PostgreSQL tests use a fresh database per test on the server named by
MOTCUA_TEST_PG (default postgresql://postgres@127.0.0.1:5432/postgres). Without a server
they are skipped with a notice at the end of the run; with MOTCUA_REQUIRE_PG=1 (CI) an
unreachable server fails them instead, so CI can never pass by skipping."""
from __future__ import annotations

import os
import uuid

import pytest

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
_pg_skipped: list[str] = []


def _pg_admin_url() -> str:
    return os.environ.get("MOTCUA_TEST_PG", PG_DEFAULT)


def _pg_connect(url: str):
    import psycopg
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True, connect_timeout=3)


@pytest.fixture
def pg_url():
    """A URL to a brand-new, empty PostgreSQL database, dropped after the test."""
    admin = _pg_admin_url()
    try:
        conn = _pg_connect(admin)
    except Exception as exc:
        if os.environ.get("MOTCUA_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL required but unreachable at {admin}: {exc}")
        _pg_skipped.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        pytest.skip(f"PostgreSQL not reachable at {admin}")
    name = f"motcua_t_{uuid.uuid4().hex[:12]}"
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with _pg_connect(admin) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def pytest_terminal_summary(terminalreporter):
    if _pg_skipped:
        terminalreporter.write_sep(
            "!", f"NOTICE: {len(_pg_skipped)} PostgreSQL test(s) SKIPPED — no server at "
                 f"{_pg_admin_url()} (set MOTCUA_TEST_PG to run them)", yellow=True, bold=True)
