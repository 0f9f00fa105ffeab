"""The desk's search index: an SQLite FTS5 table kept up to date by triggers on `dossier`.

What a clerk remembers of a dossier is a word of the name (any word, typed with or without
diacritics) or the last digits of the code, phone or ID number. `dossier_fts` indexes two
texts per dossier: `name_fold` (the folded name, one token per word) and `search_keys`
(the digits of code, phone and ID number, each reversed, so "the last digits" is a token
prefix, which FTS5 answers from its term index).

Why FTS5 with word tokens, maintained by triggers (bench/bench_search.py measures it against
the trigram tokenizer): every module that writes a dossier row -- receiving, actions, the
sync pull, the demo seeder, `db rebuild` -- keeps the index right without knowing it exists,
and the word index is a fraction of the trigram one's size.

The FTS rowid is not the dossier's rowid but `received_at` (in seconds) times 2^32 plus it:
FTS5 walks a match newest first in rowid order and stops after a page, so even "nguyen"
(a third of all names) costs one page. `dossier_rowid` recovers the dossier. A rowid is
stable while the row lives; a table rebuilt by a batch migration or VACUUM renumbers rows,
so `ensure` (run after every migration) and `rebuild` refill the index from the table.

PostgreSQL (the central store) has no such index; db/search.py queries it plainly.
"""
from __future__ import annotations

from sqlalchemy import Connection

FTS_TABLE = "dossier_fts"
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


def _reversed_digits(text: str) -> str:
    return "".join(ch for ch in reversed(text) if ch.isdigit())


def search_keys(code: str, phone: str, id_number: str) -> str:
    """The `dossier.search_keys` text: each number's digits reversed, space separated."""
    return " ".join(k for k in (_reversed_digits(code), _reversed_digits(phone or ""),
                                _reversed_digits(id_number or "")) if k)


_CREATE = [
    # contentless: the text lives in `dossier`; columnsize=0: no ranking, so no sizes kept;
    # prefix indexes up to 6 letters (nearly every word of a Vietnamese name), so the word
    # being typed is one term walked newest first, not a merge of every word it starts.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "name_fold, search_keys, content='', columnsize=0, detail='column', prefix='1 2 3 4 5 6', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS dossier_fts_insert AFTER INSERT ON dossier BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, name_fold, search_keys) "
    f"VALUES ({sort_key_sql('new')}, new.name_fold, new.search_keys); END",
    f"CREATE TRIGGER IF NOT EXISTS dossier_fts_delete AFTER DELETE ON dossier BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name_fold, search_keys) "
    f"VALUES ('delete', {sort_key_sql('old')}, old.name_fold, old.search_keys); END",
    # A sync upsert rewrites every column; only a change of what is indexed touches it.
    f"CREATE TRIGGER IF NOT EXISTS dossier_fts_update AFTER UPDATE ON dossier "
    "WHEN old.name_fold IS NOT new.name_fold OR old.search_keys IS NOT new.search_keys "
    "OR old.received_at IS NOT new.received_at OR old.rowid IS NOT new.rowid BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name_fold, search_keys) "
    f"VALUES ('delete', {sort_key_sql('old')}, old.name_fold, old.search_keys); "
    f"INSERT INTO {FTS_TABLE}(rowid, name_fold, search_keys) "
    f"VALUES ({sort_key_sql('new')}, new.name_fold, new.search_keys); END",
]


def installed(conn: Connection) -> bool:
    names = {r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE 'dossier_fts%'")}
    return {FTS_TABLE, *_TRIGGERS} <= names


def drop_triggers(conn: Connection) -> None:
    for name in _TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def fill(conn: Connection) -> None:
    """Empty the index and index every dossier again (the triggers must be in place, or
    be put back before anything else writes)."""
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}(rowid, name_fold, search_keys) "
                         f"SELECT {sort_key_sql('dossier')}, name_fold, search_keys FROM dossier")
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def install(conn: Connection) -> None:
    """Create the index and its triggers and fill it (SQLite only; idempotent)."""
    if conn.dialect.name != "sqlite":
        return
    for ddl in _CREATE:
        conn.exec_driver_sql(ddl)
    fill(conn)


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
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's filter: the index's own tables are made here, not from the models, and
    autogenerate must not take them for strays."""
    return not (type_ == "table" and bool(name) and name.startswith(FTS_TABLE))
