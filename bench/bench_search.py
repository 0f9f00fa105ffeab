"""Search speed at the desk on a big database (issue 12: median <= 20 ms at 1,000,000).

    python bench/bench_search.py --db PATH [--dossiers 1000000] [--runs 50] [--compare]

Fills PATH with demo dossiers first if it holds fewer than --dossiers (bench/gen_dossiers.py),
then times DossierRepo.search -- the same call the TUI and `motcua dossier find` make, rows
turned into core objects -- for queries drawn from random dossiers: a given name, two words
of a name in reverse order, a name being typed ("tran thi h"), a family name alone (the
broadest), the last digits of a code / phone / ID number, whole numbers, codes.
Prints the median and p95 of each in milliseconds.

--compare also builds, in a side file next to PATH, the two other designs the issue names
and times the same name and digit queries on them: an FTS5 trigram index and a plain word
table ((term, sort key) WITHOUT ROWID, ranges for prefixes). It prints their size and
build time beside the FTS5 word index's (db/search_index.py).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import literal_column, select  # noqa: E402

from core.clock import HybridClock, SystemClock  # noqa: E402
from db.dossiers import DossierRepo  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import dossier  # noqa: E402
from db.rows import newest_first, row_to_state  # noqa: E402
from db.search_index import dossier_rowid, sort_key_sql  # noqa: E402
from gen_dossiers import generate, url_for  # noqa: E402

KINDS = ("given name", "two words, reversed", "name being typed", "family name only",
         "code last 5 digits", "phone last 6 digits", "ID last 6 digits", "phone (whole)",
         "ID number (whole)", "code (exact)", "code prefix (one day)")
NAME_AND_DIGIT_KINDS = KINDS[:7]


def sample_rows(conn, k: int, rng: random.Random) -> list[tuple]:
    top = conn.exec_driver_sql("SELECT max(rowid) FROM dossier").scalar() or 0
    rows = []
    while len(rows) < k:
        row = conn.exec_driver_sql(
            "SELECT code, name_fold, applicant_id_number, applicant_phone FROM dossier "
            "WHERE rowid >= ? ORDER BY rowid LIMIT 1", (rng.randint(1, top),)).first()
        if row and row[2] and row[3] and len(row[1].split()) >= 3:
            rows.append(tuple(row))
    return rows


def queries(rows: list[tuple], rng: random.Random) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in KINDS}
    for code, name, id_number, phone in rows:
        words = name.split()
        out["given name"].append(words[-1])
        out["two words, reversed"].append(f"{words[-1]} {words[-2]}")
        out["name being typed"].append(" ".join(words[:2]) + " " + words[2][:rng.randint(1, 2)])
        out["family name only"].append(words[0] + " ")
        out["code last 5 digits"].append(code[-5:])
        out["phone last 6 digits"].append(phone[-6:])
        out["ID last 6 digits"].append(id_number[-6:])
        out["phone (whole)"].append(phone)
        out["ID number (whole)"].append(id_number)
        out["code (exact)"].append(code)
        out["code prefix (one day)"].append(code.rsplit("-", 1)[0])
    return out


def timed(fn, qs: list[str]) -> tuple[float, float, float]:
    for q in qs[:5]:                       # warm the page cache like a desk in use
        fn(q)
    times, found = [], 0
    for q in qs:
        t = time.perf_counter()
        hits = fn(q)
        times.append((time.perf_counter() - t) * 1000)
        found += len(hits)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, found / len(qs)


def table(title: str, results: dict[str, tuple[float, float, float]]) -> None:
    print(f"\n{title}\n{'query':<26}{'median ms':>11}{'p95 ms':>9}{'hits/query':>12}")
    for kind, (median, p95, hits) in results.items():
        print(f"{kind:<26}{median:>11.2f}{p95:>9.2f}{hits:>12.1f}")


def index_size(conn, schema: str, like: str) -> float:
    return (conn.exec_driver_sql(f"SELECT sum(pgsize) FROM dbstat('{schema}') WHERE name LIKE ?",
                                 (like,)).scalar() or 0) / 1e6


# -- the designs not chosen, for --compare ---------------------------------------------------

def _rows_for(conn, keys: list[int], limit: int = 50):
    rowids = [dossier_rowid(k) for k in keys[:limit]]
    rows = conn.execute(select(dossier).where(literal_column("dossier.rowid").in_(rowids))).all()
    return newest_first(row_to_state(r) for r in rows)


def _parse(q: str) -> tuple[list[str], list[str], bool]:
    words, tails = [], []
    for token in q.split():
        (tails if token.isdigit() else words).append(token[::-1] if token.isdigit() else token)
    return words, tails, not q.endswith(" ")


def build_alternatives(conn, side: Path) -> dict[str, tuple[float, float]]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{side}{suffix}").unlink(missing_ok=True)
    conn.exec_driver_sql(f"ATTACH DATABASE '{side}' AS alt")
    out = {}
    t = time.perf_counter()
    conn.exec_driver_sql("CREATE VIRTUAL TABLE alt.tri USING fts5(body, content='', "
                         "columnsize=0, tokenize='trigram')")
    conn.exec_driver_sql(f"INSERT INTO alt.tri(rowid, body) SELECT {sort_key_sql('dossier')}, "
                         "' ' || name_fold || ' | ' || search_keys FROM dossier")
    conn.exec_driver_sql("INSERT INTO alt.tri(tri) VALUES ('optimize')")
    conn.commit()
    out["FTS5 trigram"] = (time.perf_counter() - t, index_size(conn, "alt", "tri%"))
    t = time.perf_counter()
    conn.exec_driver_sql("CREATE TABLE alt.words (term TEXT, key INTEGER, PRIMARY KEY (term, key)) WITHOUT ROWID")
    batch = []
    for key, name, keys in conn.exec_driver_sql(
            f"SELECT {sort_key_sql('dossier')}, name_fold, search_keys FROM dossier").fetchall():
        batch.extend((w, key) for w in set(name.split()))
        batch.extend(("#" + k, key) for k in keys.split())
        if len(batch) > 200_000:
            conn.exec_driver_sql("INSERT OR IGNORE INTO alt.words VALUES (?, ?)", batch)
            batch = []
    conn.exec_driver_sql("INSERT OR IGNORE INTO alt.words VALUES (?, ?)", batch)
    conn.commit()
    out["own word table"] = (time.perf_counter() - t, index_size(conn, "alt", "words%"))
    return out


def trigram_search(conn, q: str):
    words, tails, prefix = _parse(q)
    terms = [f'" {w}{"" if prefix and i == len(words) - 1 else " "}"' for i, w in enumerate(words)]
    terms += [f'" {t}"' for t in tails]
    if any(len(t) < 5 for t in terms):          # a trigram needs 3 characters: scan instead
        likes = " AND ".join("body LIKE ?" for _ in terms)
        keys = conn.exec_driver_sql(f"SELECT rowid FROM alt.tri WHERE {likes} ORDER BY rowid LIMIT 50",
                                    tuple(f"%{t[1:-1]}%" for t in terms)).scalars().all()
    else:
        keys = conn.exec_driver_sql("SELECT rowid FROM alt.tri WHERE tri MATCH ? ORDER BY rowid LIMIT 50",
                                    (" AND ".join(terms),)).scalars().all()
    return _rows_for(conn, keys)


def word_table_search(conn, q: str):
    words, tails, prefix = _parse(q)
    terms = [(w, prefix and i == len(words) - 1) for i, w in enumerate(words)]
    terms += [("#" + t, True) for t in tails]
    (first, open_end), rest = terms[0], terms[1:]
    sql = "SELECT a.key FROM alt.words a WHERE " + (
        "a.term >= ? AND a.term < ?" if open_end else "a.term = ?")
    params: list = [first, first + "\uffff"] if open_end else [first]
    for term, open_end in rest:
        sql += (" AND EXISTS (SELECT 1 FROM alt.words b WHERE b.term >= ? AND b.term < ? AND b.key = a.key)"
                if open_end else " AND EXISTS (SELECT 1 FROM alt.words b WHERE b.term = ? AND b.key = a.key)")
        params += [term, term + "\uffff"] if open_end else [term]
    keys = conn.exec_driver_sql(sql + " ORDER BY a.key LIMIT 50", tuple(params)).scalars().all()
    return _rows_for(conn, keys)


def run(db: str, target: int, runs: int, compare: bool, seed: int = 7) -> None:
    clock = SystemClock()
    engine = make_engine(url_for(db))
    upgrade(engine)
    with engine.connect() as conn:
        have = conn.exec_driver_sql("SELECT count(*) FROM dossier").scalar()
    if have < target:
        print(f"{have:,} dossiers in {db}; generating {target - have:,} more ...", flush=True)
        generate(db, target - have, days=250, rng_seed=have + 1)
        engine.dispose()
        engine = make_engine(url_for(db))
    repo = DossierRepo(engine, HybridClock(clock, "bench"), clock)
    rng = random.Random(seed)
    with engine.connect() as conn:
        by_kind = queries(sample_rows(conn, runs, rng), rng)
        total = conn.exec_driver_sql("SELECT count(*) FROM dossier").scalar()
        fts_mb = index_size(conn, "main", "dossier_%_fts%")
    load = os.getloadavg()[0]
    print(f"\nSearch on {total:,} dossiers, {runs} queries each, limit 50; load average {load:.2f} "
          f"on {os.cpu_count()} cores")
    table("DossierRepo.search (FTS5 word index, db/search_index.py: "
          f"{fts_mb:.0f} MB)", {k: timed(repo.search, qs) for k, qs in by_kind.items()})
    if not compare:
        engine.dispose()
        return
    side = Path(url_for(db).removeprefix("sqlite:///") + ".alternatives")
    with engine.connect() as conn:
        built = build_alternatives(conn, side)
        for name, fn in (("FTS5 trigram", trigram_search), ("own word table", word_table_search)):
            seconds, mb = built[name]
            table(f"{name} ({mb:.0f} MB, built in {seconds:.0f} s)",
                  {k: timed(lambda q: fn(conn, q), by_kind[k]) for k in NAME_AND_DIGIT_KINDS})
        conn.exec_driver_sql("DETACH DATABASE alt")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{side}{suffix}").unlink(missing_ok=True)
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="SQLite file (or SQLAlchemy URL)")
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--compare", action="store_true", help="also time a trigram index and a word table")
    args = ap.parse_args(argv)
    run(args.db, args.dossiers, args.runs, args.compare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
