"""Fixtures of the sync tests (imported by each test_sync_* module)."""
from __future__ import annotations

import uuid

import pytest

from db.sync.central import init_central
from tests.db.sync_helpers import central_sqlite, pg_connect


@pytest.fixture(params=["sqlite", "postgresql"])
def central(request, tmp_path):
    """A fresh, initialised central store: a SQLite file, or a PostgreSQL database (admin URL)."""
    if request.param == "sqlite":
        return central_sqlite(tmp_path)
    url = request.getfixturevalue("pg_url")
    init_central(url)
    return url


class Roles:
    """Desk login roles made for one test (roles belong to the cluster, so they are dropped
    after the test; the shared NOLOGIN group role stays)."""

    def __init__(self, url: str):
        self.url = url
        self.made: list[str] = []

    def make(self, agency_code: str, password: str = "Desk-pass-1") -> tuple[str, str]:
        role = f"t_{uuid.uuid4().hex[:10]}"
        init_central(self.url, desk_role=role, desk_password=password, agency_code=agency_code)
        self.made.append(role)
        return role, password

    def drop(self) -> None:
        if not self.made:
            return
        with pg_connect(self.url) as conn:
            for role in self.made:
                conn.execute(f'DROP OWNED BY "{role}"')
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def pg_roles(pg_url):
    roles = Roles(pg_url)
    yield roles
    roles.drop()
