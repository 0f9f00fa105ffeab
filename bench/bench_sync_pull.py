"""Pull 100,000 events from PostgreSQL into a fresh desk, against a bare SQLite bulk insert
of the same rows into a desk's event table, measured in the same run.

    python bench/bench_sync_pull.py [--events 100000] [--rounds 3] [--page N] [--pg ADMIN_URL]

- Desk 1's events (bench/sync_gen.py) are COPYed into a fresh central database (the
  trigger numbers them; no ANALYZE, as on a centre just loaded), then an empty desk 2 of
  the same agency pulls them all as the agency's desk role, in a child process: one query
  per page, decode, fold every dossier with core.lifecycle, write events + projections +
  cursor in one local transaction per page.
- Baselines: executemany of the same event rows into a freshly migrated desk file (the
  desk's own engine: WAL, synchronous=FULL), in one transaction, and in one transaction
  per page. They write no projection and fold nothing; the pull does both.
- Each round runs both baselines and one pull, so the machine's noise hits all three
  alike; the ratio of a round is pull throughput / the FASTER baseline of that round,
  and the result is the median over the rounds.

Target (issue 3): pull throughput >= 0.5 x bare bulk insert.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_sync_push import (  # noqa: E402
    AGENCY, PASSWORD, ROLE, _admin, _typed, desk_rows, desk_sync, drop_db, drop_role, fresh_db, make_desk,
    peak_rss_mb,
)

COLS = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc", "wall_time", "kind", "payload")


def load_central(url: str, rows: list[tuple]) -> None:
    with _admin(url) as conn, conn.transaction(), conn.cursor() as cur:
        with cur.copy(f"COPY event ({', '.join(COLS)}, synced_at) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)


def empty_desk(path: Path, desk: int) -> None:
    from bench.sync_gen import make_desk_file
    make_desk_file(path, AGENCY, desk, 0)


def baseline(path: Path, desk_file: Path, per_tx: int | None) -> tuple[int, float]:
    src = sqlite3.connect(desk_file)
    rows = src.execute(f"SELECT {', '.join(COLS)}, '2025-09-22 18:00:00.000000' FROM event").fetchall()
    src.close()
    empty_desk(path, 3)
    from db.engine import make_engine, write_conn
    engine = make_engine(f"sqlite:///{path}")
    sql = f"INSERT INTO event ({', '.join(COLS)}, synced_at) VALUES ({', '.join('?' * (len(COLS) + 1))})"
    step = per_tx or len(rows)
    t0 = time.perf_counter()
    with write_conn(engine) as conn:
        for i in range(0, len(rows), step):
            with conn.begin():
                conn.exec_driver_sql(sql, rows[i:i + step])
    dt = time.perf_counter() - t0
    engine.dispose()
    return len(rows), dt


def child_pull(desk_path: str, url: str, page: int) -> dict:
    from db.engine import read_conn
    sync, report = desk_sync(desk_path, url, 2, pull_page_size=page or None)
    rss0 = peak_rss_mb()
    with sync.store.session() as session:
        t0 = time.perf_counter()
        sync._push(session, report)
        sync._pull(session, report)
        t1 = time.perf_counter()
        sync._pull_reference(session, report)
    rss1 = peak_rss_mb()
    with read_conn(sync.local) as conn:
        dossiers = conn.exec_driver_sql("SELECT count(*) FROM dossier").scalar_one()
    sync.close()
    return {"pulled": report.pulled, "pull_s": t1 - t0, "dossiers": dossiers, "page": sync.pull_page_size,
            "rss_before_mb": rss0, "rss_after_mb": rss1}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--page", type=int, default=0, help="pull page size (default: the SyncEngine's)")
    ap.add_argument("--pg", default=os.environ.get("MOTCUA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--child", nargs=3, metavar=("DESK", "URL", "PAGE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child_pull(args.child[0], args.child[1], int(args.child[2]))))
        return 0

    from db.sync.central import init_central
    tmp = Path(tempfile.mkdtemp(prefix="motcua-bench-pull-"))
    source = tmp / "desk1.sqlite"
    n = make_desk(source, AGENCY, 1, args.events)
    url = fresh_db(args.pg, "motcua_bench_pull")
    rounds = []
    try:
        init_central(url, desk_role=ROLE, desk_password=PASSWORD, agency_code=AGENCY)
        load_central(url, [(*r[:-1], None) for r in _typed(desk_rows(source))])
        print(f"centre holds {n:,} events of one agency (desk 1); {args.rounds} rounds")
        user = url.replace("postgresql://postgres@", f"postgresql://{ROLE}:{PASSWORD}@")
        for i in range(args.rounds):
            desk = tmp / f"desk2-{i}.sqlite"
            empty_desk(desk, 2)
            out = subprocess.run([sys.executable, __file__, "--child", str(desk), user, str(args.page)],
                                 check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            one_n, one_s = baseline(tmp / f"base1-{i}.sqlite", source, None)
            per_n, per_s = baseline(tmp / f"base2-{i}.sqlite", source, r["page"])
            assert r["pulled"] == n == one_n == per_n, (r, one_n, per_n)
            best = min(one_s, per_s)
            rounds.append({**r, "one_s": one_s, "per_s": per_s, "ratio": best / r["pull_s"]})
            for f in tmp.glob(f"*-{i}.sqlite*"):         # ~130 MB each
                f.unlink()
            print(f"round {i + 1}: bare 1 tx {one_s:5.2f} s, bare 1 tx/{r['page']} {per_s:5.2f} s, "
                  f"pull {r['pull_s']:5.2f} s -> ratio {best / r['pull_s']:.2f}")
    finally:
        drop_db(args.pg, "motcua_bench_pull")
        drop_role(args.pg, ROLE)
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    pull_s = statistics.median([r["pull_s"] for r in rounds])
    one_s = statistics.median([r["one_s"] for r in rounds])
    per_s = statistics.median([r["per_s"] for r in rounds])
    page = rounds[0]["page"]
    print(f"medians over {len(rounds)} rounds:")
    print(f"bare SQLite executemany, 1 tx          : {one_s:6.2f} s  {n / one_s:9,.0f} ev/s")
    print(f"bare SQLite executemany, 1 tx / {page:<6,}: {per_s:6.2f} s  {n / per_s:9,.0f} ev/s")
    print(f"SyncEngine pull (desk role, page {page:,})  : {pull_s:6.2f} s  {n / pull_s:9,.0f} ev/s  "
          f"-> {rounds[0]['dossiers']:,} dossier projections folded and written")
    print(f"ratio pull / faster bare insert, median of rounds = "
          f"{statistics.median([r['ratio'] for r in rounds]):.2f}   (target >= 0.5)")
    growth = [r["rss_after_mb"] - r["rss_before_mb"] for r in rounds]
    print(f"desk RSS growth during the pull: median {statistics.median(growth):.0f} MB, max {max(growth):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
