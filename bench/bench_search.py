"""Search speed at the desk on a big database (issue 2: median <= 20 ms on 1,000,000).

    python bench/bench_search.py --db PATH [--dossiers 1000000] [--runs 50]

Fills PATH with demo dossiers first if it holds fewer than --dossiers (bench/gen_dossiers.py),
then times DossierRepo.search — the same call the TUI makes, rows turned into core objects —
for queries drawn from random dossiers: exact code, code prefix of one day, name prefix
("tran thi h"), full name, family name only (the broadest prefix), ID number, phone.
Prints the median and p95 of each in milliseconds.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from core.clock import HybridClock, SystemClock  # noqa: E402
from db.dossiers import DossierRepo  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from gen_dossiers import generate, url_for  # noqa: E402


def sample_rows(engine, k: int, rng: random.Random) -> list[tuple]:
    with engine.connect() as conn:
        top = conn.exec_driver_sql("SELECT max(rowid) FROM dossier").scalar() or 0
        rows = []
        while len(rows) < k:
            rid = rng.randint(1, top)
            row = conn.exec_driver_sql(
                "SELECT code, name_fold, applicant_id_number, applicant_phone FROM dossier "
                "WHERE rowid >= ? ORDER BY rowid LIMIT 1", (rid,)).first()
            if row and row[2] and row[3]:
                rows.append(tuple(row))
    return rows


def queries(rows: list[tuple], rng: random.Random) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in (
        "code (exact)", "code prefix (one day)", "name prefix", "name (full)",
        "name (family only)", "ID number", "phone")}
    for code, name, id_number, phone in rows:
        words = name.split()
        out["code (exact)"].append(code)
        out["code prefix (one day)"].append(code.rsplit("-", 1)[0])
        out["name prefix"].append(" ".join(words[:2]) + " " + words[2][:rng.randint(1, 2)])
        out["name (full)"].append(name)
        out["name (family only)"].append(words[0])
        out["ID number"].append(id_number)
        out["phone"].append(phone)
    return out


def run(db: str, target: int, runs: int, seed: int = 7) -> dict[str, tuple[float, float, float]]:
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
    by_kind = queries(sample_rows(engine, runs, rng), rng)
    for qs in by_kind.values():          # warm the page cache like a desk that is in use
        for q in qs[:5]:
            repo.search(q)
    results = {}
    for kind, qs in by_kind.items():
        times, found = [], 0
        for q in qs:
            t = time.perf_counter()
            hits = repo.search(q)
            times.append((time.perf_counter() - t) * 1000)
            found += len(hits)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        results[kind] = (statistics.median(times), p95, found / len(qs))
    with engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT count(*) FROM dossier").scalar()
    print(f"\nSearch on {total:,} dossiers, {runs} queries each (DossierRepo.search, limit 50)\n")
    print(f"{'query':<24}{'median ms':>11}{'p95 ms':>9}{'hits/query':>12}")
    for kind, (median, p95, hits) in results.items():
        print(f"{kind:<24}{median:>11.2f}{p95:>9.2f}{hits:>12.1f}")
    engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="SQLite file (or SQLAlchemy URL)")
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args(argv)
    run(args.db, args.dossiers, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
