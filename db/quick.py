"""Read-only lookups for the commands that must answer at once (`motcua calendar due|show`).

Only the standard library's sqlite3: importing SQLAlchemy, SQLModel and the table models
costs several times what such a command does (bench/bench_commands.py). Everything here
reads an existing desk database and writes nothing; `None` means "not answerable here"
(a PostgreSQL URL, a missing file, a schema this code cannot read) and the caller takes
the ordinary path through `build_services`, which also creates and migrates databases.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from core.calendar import Override, OverrideKind
from core.catalogue import Procedure
from core.catalogue_io import CatalogueError, procedure_from_dict


def sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite:///PATH` URL, if it exists."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(unquote(url.removeprefix("sqlite:///").split("?", 1)[0]))
    return path if path.is_file() else None


def _read(url: str, sql: str, params: tuple = ()) -> list[tuple] | None:
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute(sql, params).fetchall()
    except sqlite3.Error:
        return None


def overrides(url: str) -> list[Override] | None:
    """The local calendar overrides (db/calendar.py CalendarRepo.overrides)."""
    rows = _read(url, "SELECT day, kind, name FROM holiday_override ORDER BY day")
    if rows is None:
        return None
    try:
        return [Override(day=date.fromisoformat(day), kind=OverrideKind(kind), name=name)
                for day, kind, name in rows]
    except ValueError:
        return None


def procedure(url: str, code: str) -> Procedure | None:
    """The newest version of a procedure (db/catalogue.py CatalogueRepo.get)."""
    rows = _read(url, "SELECT content FROM procedure_version WHERE code = ? "
                      "ORDER BY version DESC LIMIT 1", (code,))
    if not rows:
        return None
    try:
        return procedure_from_dict(json.loads(rows[0][0]))
    except (ValueError, CatalogueError):
        return None


def current(url: str) -> list[Procedure] | None:
    """The newest version of every procedure, by code (db/catalogue.py CatalogueRepo.current)."""
    rows = _read(url, "SELECT content FROM procedure_version p WHERE version = "
                      "(SELECT max(version) FROM procedure_version q WHERE q.code = p.code) ORDER BY code")
    if rows is None:
        return None
    try:
        return [procedure_from_dict(json.loads(content)) for (content,) in rows]
    except (ValueError, CatalogueError):
        return None
