"""Dossier search at the desk, the way a clerk remembers a dossier; newest first.

- Any word of the applicant's name, with or without diacritics: "Nguyệt", "ngoc", and
  several words in any order ("anh nguyet"). Every word must be in the name; the last one
  may be unfinished ("tran thi h") unless the query ends with a space ("nguyen van an "
  means the word "an", not "anh").
- The last 4 or more digits of a code, phone or ID number ("01015", "777888"), or the whole
  number ("0935 555 666", "+84935555666"); with name words too ("ngoc 4512").
- A code or the start of one ("000.21.53.H48-250311"), typed or scanned (also from the
  lookup URL of a receipt's QR code): a whole code gives that dossier alone; a prefix the
  newest codes that start with it (the unique code index read backwards).

Names and numbers go through the FTS5 index of db/search_index.py on a desk (SQLite): its
rowids sort newest first, so a page costs the same for "nguyen" (a third of all names) as
for a rare given name (bench/bench_search.py: medians at 1,000,000 dossiers). On the central
PostgreSQL the same matches are plain LIKE filters on the same columns.
"""
from __future__ import annotations

import re

from sqlalchemy import Connection, literal_column, select, text

from core.codes import find_dossier_code
from core.lifecycle import DossierState
from core.text import fold
from db.models import dossier
from db.rows import newest_first, row_to_state
from db.search_index import KEY_FTS, NAME_FTS, dossier_rowid

PREFIX_END = "\uffff"
# Fewer digits than this are too many matches to mean anything ("2025"); they are taken as
# the start of a code instead.
MIN_TAIL_DIGITS = 4

_SEPARATORS = re.compile(r"[\s.\-()]")
_WORD = re.compile(r"[^\W_]+")          # what FTS5's unicode61 tokenizer calls a token


def _phone_key(digits: str) -> str:
    if digits.startswith("84") and len(digits) == 11:
        return "0" + digits[2:]
    return digits


def search_dossiers(conn: Connection, query: str, limit: int = 50) -> list[DossierState]:
    q = (query or "").strip()
    if not q or limit <= 0:
        return []
    if "://" in q or "?" in q:                 # a scanned lookup URL from a receipt QR
        found = find_dossier_code(q)
        if found is not None:
            q = str(found)
    compact = _SEPARATORS.sub("", q).lstrip("+")
    if compact.isdigit():
        if len(compact) >= MIN_TAIL_DIGITS:
            found = _by_words(conn, [], [_phone_key(compact)], False, limit)
            if found:
                return found
        # an all-digit agency code can look like a number: try it as a code
        return _code(conn, q, limit)
    words, numbers = [], []
    for token in q.split():
        if token.isdigit() and len(token) >= MIN_TAIL_DIGITS:
            numbers.append(token)
        elif any(ch.isdigit() for ch in token):
            return _code(conn, q, limit)         # "H48-250311", "000.21.53.H48-2503"
        else:
            words.extend(_WORD.findall(fold(token)))
    if not words and not numbers:
        return []
    return _by_words(conn, words, numbers, not query[-1:].isspace(), limit)


def _code(conn: Connection, q: str, limit: int) -> list[DossierState]:
    result = _by_code(conn, q, limit)
    if not result and q != q.upper():
        result = _by_code(conn, q.upper(), limit)
    return result


def _by_code(conn: Connection, prefix: str, limit: int) -> list[DossierState]:
    # A whole code (typed or scanned) means that dossier, even though it is also a prefix
    # of longer codes (…-01100 of …-011000 to …-011009).
    exact = conn.execute(select(dossier).where(dossier.c.code == prefix)).first()
    if exact is not None:
        return [row_to_state(exact)]
    rows = conn.execute(
        select(dossier).where(dossier.c.code >= prefix, dossier.c.code < prefix + PREFIX_END)
        .order_by(dossier.c.code.desc()).limit(limit)).all()
    return newest_first(row_to_state(r) for r in rows)


def _by_words(conn: Connection, words: list[str], numbers: list[str], last_is_prefix: bool,
              limit: int) -> list[DossierState]:
    """Dossiers whose name has every word (the last one as a prefix if `last_is_prefix`)
    and whose code, phone or ID number ends with every number."""
    tails = ["".join(reversed(n)) for n in numbers]
    if conn.dialect.name != "sqlite":
        return _by_words_plain(conn, words, tails, last_is_prefix, limit)
    names = " AND ".join(f'"{w}"' + ("*" if last_is_prefix and i == len(words) - 1 else "")
                         for i, w in enumerate(words))
    digits = " AND ".join(f'"{t}"*' for t in tails)
    if names and digits:
        # the digits are the rarer: walk their matches, keep those whose name fits
        sql = (f"SELECT k.rowid FROM {KEY_FTS} k WHERE {KEY_FTS} MATCH ? AND k.rowid IN "
               f"(SELECT rowid FROM {NAME_FTS} WHERE {NAME_FTS} MATCH ?) ORDER BY k.rowid LIMIT ?")
        params: tuple = (digits, names, limit)
    else:
        table = NAME_FTS if names else KEY_FTS
        sql = f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid LIMIT ?"
        params = (names or digits, limit)
    keys = conn.exec_driver_sql(sql, params).scalars().all()
    if not keys:
        return []
    rowids = [dossier_rowid(k) for k in keys]
    rows = conn.execute(select(dossier).where(literal_column("dossier.rowid").in_(rowids))).all()
    return newest_first(row_to_state(r) for r in rows)


def _by_words_plain(conn: Connection, words: list[str], tails: list[str], last_is_prefix: bool,
                    limit: int) -> list[DossierState]:
    clauses, params = [], {}
    for i, w in enumerate(words):
        open_end = last_is_prefix and i == len(words) - 1
        clauses.append(f"(' ' || name_fold || ' ') LIKE :w{i}")
        params[f"w{i}"] = f"% {_like(w)}%" if open_end else f"% {_like(w)} %"
    for i, t in enumerate(tails):
        clauses.append(f"(' ' || search_keys) LIKE :t{i}")
        params[f"t{i}"] = f"% {_like(t)}%"
    rows = conn.execute(select(dossier).where(text(" AND ".join(clauses)).bindparams(**params))
                        .order_by(dossier.c.received_at.desc()).limit(limit)).all()
    return newest_first(row_to_state(r) for r in rows)


def _like(value: str) -> str:
    # folded words and digits carry no LIKE wildcards but "_" could come from a name
    return value.replace("%", "").replace("_", "")
