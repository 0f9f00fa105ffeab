"""The desk's search index: two SQLite FTS5 tables kept up to date by triggers on `dossier`.

What a clerk remembers of a dossier is a word of the name (any word, typed with or without
diacritics) or the last digits of the code, phone or ID number:

- `dossier_name_fts` indexes `name_fold` (the folded name, one token per word), with
  prefix indexes up to 6 letters (nearly every word of a Vietnamese name), so the word being
  typed ("tran thi h") is one term walked newest first, not a merge of every word it starts;
- `dossier_key_fts` indexes `search_keys`: the digits of code, phone and ID number, each
  reversed, so "the last digits" is a token prefix; few tokens share one, so no prefix
  index is needed (one would cost as much again as the names' index).

Why FTS5 with word tokens, maintained by triggers (bench/bench_search.py measures it against
the trigram tokenizer and a plain word table): every module that writes a dossier row --
receiving, actions, the sync pull, the demo seeder, `db rebuild` -- keeps the index right
without knowing it exists; the trigram index is larger and cannot match 1-2 letters.

The FTS rowid is not the dossier's rowid: its high bits count seconds back from 2106 to
`received_at` and its low 31 bits are the dossier's rowid, so ascending FTS rowid order --
the order FTS5 reads fastest -- is newest first, and a page of the broadest word ("nguyen",
a third of all names) costs no more than a rare one. `dossier_rowid` recovers the dossier.
A rowid is stable while the row lives; a table rebuilt by a batch migration or VACUUM
renumbers rows, so `ensure` (run after every migration) and `fill` index the table again.

PostgreSQL (the central store) has no such index; db/search.py queries it plainly.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine

from db.engine import write_tx

NAME_FTS = "dossier_name_fts"
KEY_FTS = "dossier_key_fts"
_TABLES = {NAME_FTS: "name_fold", KEY_FTS: "search_keys"}
_TRIGGERS = ("dossier_fts_insert", "dossier_fts_delete", "dossier_fts_update")

# The high bits count seconds back from 2106 (newest first is ascending rowid order, the
# order FTS5 reads fastest); the low 31 bits are the dossier's rowid.
ROWID_BITS = 31
_LAST_SECOND = (1 << 32) - 1


def sort_key_sql(row: str) -> str:
    """SQL for the FTS rowid of the `dossier` row aliased `row` (see the module docstring)."""
    return (f"(({_LAST_SECOND} - CAST(strftime('%s', {row}.received_at) AS INTEGER)) "
            f"* {1 << ROWID_BITS} + {row}.rowid)")


def dossier_rowid(fts_rowid: int) -> int:
    return fts_rowid & ((1 << ROWID_BITS) - 1)


class _NonDigits(dict):
    """str.translate table deleting everything but ASCII digits (filled on first sight)."""

    def __missing__(self, code: int) -> int | None:
        value = code if 48 <= code <= 57 else None
        self[code] = value
        return value


_KEEP_DIGITS = _NonDigits()


def search_keys(code: str, phone: str, id_number: str) -> str:
    """The `dossier.search_keys` text: each number's digits reversed, space separated."""
    keep = _KEEP_DIGITS                # inline: this runs for every projection a pull writes
    return " ".join(filter(None, (code.translate(keep)[::-1], (phone or "").translate(keep)[::-1],
                                  (id_number or "").translate(keep)[::-1])))


def _add(row: str) -> str:
    return "".join(f"INSERT INTO {t}(rowid, {c}) VALUES ({sort_key_sql(row)}, {row}.{c}); "
                   for t, c in _TABLES.items())


def _remove(row: str) -> str:
    return "".join(f"INSERT INTO {t}({t}, rowid, {c}) VALUES ('delete', {sort_key_sql(row)}, {row}.{c}); "
                   for t, c in _TABLES.items())


_OPTIONS = "content='', columnsize=0, detail='none', tokenize='unicode61 remove_diacritics 0'"
_CREATE = [
    # contentless: the text lives in `dossier`; no ranking, so no sizes or positions kept.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {NAME_FTS} USING fts5(name_fold, {_OPTIONS}, "
    "prefix='1 2 3 4 5 6')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {KEY_FTS} USING fts5(search_keys, {_OPTIONS})",
    f"CREATE TRIGGER IF NOT EXISTS dossier_fts_insert AFTER INSERT ON dossier BEGIN {_add('new')}END",
    f"CREATE TRIGGER IF NOT EXISTS dossier_fts_delete AFTER DELETE ON dossier BEGIN {_remove('old')}END",
    # A sync upsert rewrites every column; only a change of what is indexed touches it.
    "CREATE TRIGGER IF NOT EXISTS dossier_fts_update AFTER UPDATE ON dossier "
    "WHEN old.name_fold IS NOT new.name_fold OR old.search_keys IS NOT new.search_keys "
    "OR old.received_at IS NOT new.received_at OR old.rowid IS NOT new.rowid "
    f"BEGIN {_remove('old')}{_add('new')}END",
]


def installed(conn: Connection) -> bool:
    names = {r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE 'dossier_%'")}
    return {*_TABLES, *_TRIGGERS} <= names


def drop_triggers(conn: Connection) -> None:
    for name in _TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def fill(conn: Connection, after_rowid: int = 0) -> None:
    """Index the dossiers past `after_rowid`; with 0, empty the index and index them all
    (the triggers must be in place, or be put back before anything else writes)."""
    for table, column in _TABLES.items():
        if not after_rowid:
            conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
        conn.exec_driver_sql(f"INSERT INTO {table}(rowid, {column}) SELECT {sort_key_sql('dossier')}, "
                             f"{column} FROM dossier WHERE rowid > ?", (after_rowid,))
        conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def install(conn: Connection) -> None:
    """Create the index and its triggers and fill it (SQLite only; idempotent)."""
    if conn.dialect.name != "sqlite":
        return
    for ddl in _CREATE:
        conn.exec_driver_sql(ddl)
    fill(conn)


@contextmanager
def paused(engine: Engine) -> Iterator[None]:
    """For a bulk load of dossiers (the demo seeder, `db rebuild`): no triggers while it
    runs, then the rows past the old end indexed in one pass, about twice as quick. Rows
    other writers update or delete meanwhile are not followed: bulk loads only."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with write_tx(engine) as conn:
        if not installed(conn):
            install(conn)
        drop_triggers(conn)
        after = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM dossier").scalar_one()
    try:
        yield
    finally:
        with write_tx(engine) as conn:
            fill(conn, after)
            for ddl in _CREATE:
                conn.exec_driver_sql(ddl)


def ensure(conn: Connection) -> bool:
    """After a migration: put the index back if a rebuilt `dossier` table lost its triggers
    (a batch migration recreates the table, renumbering its rows). True if it was redone."""
    if conn.dialect.name != "sqlite" or installed(conn):
        return False
    drop_triggers(conn)
    install(conn)
    return True


def uninstall(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    drop_triggers(conn)
    for table in _TABLES:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's filter: the index's own tables are made here, not from the models, and
    autogenerate must not take them for strays."""
    return not (type_ == "table" and bool(name) and name.startswith(tuple(_TABLES)))
