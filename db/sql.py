"""Dialect helpers shared by the repositories (SQLite on desks, PostgreSQL centrally)."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table


def insert_for(conn: Connection, table: Table):
    """An INSERT that knows ON CONFLICT, for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default)


def dumps(value: Any) -> str:
    """Compact JSON, Vietnamese kept readable, datetimes as ISO 8601."""
    return _ENCODER.encode(value)


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None
