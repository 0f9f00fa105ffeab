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
- The floor (not a target, a measure of what is left to gain): a bulk insert of every row
  the pull wrote -- the events and then the dossier projections, whose search-index
  triggers fire -- in one transaction, nothing fetched, decoded or folded. Its ratio to
  the bare insert is the least the pull's ratio can be while it writes the projection
  in the same transaction as the events (the architecture: one local transaction).
- Each round runs both baselines and one pull, so the machine's noise hits all three
  alike; the ratio of a round is pull throughput / the FASTER baseline of that round,
  and the result is the median over the rounds.

CPU (issue 11): the pull's CPU is the desk process's (all threads) plus its PostgreSQL
backend's (/proc/<pid>/stat, bench/cpu_meter.py); the baselines' is this process's. The
CPU ratio of a round is pull CPU / the baseline with less CPU, and the result is the median
over the rounds; it does not move with the machine's load as wall time does.

Targets: pull CPU <= 2 x the bare executemany's (issue 11); desk RSS growth <= 100 MB.
For the wall time on one busy core:
    taskset -c 0 python3 -c 'while 1: pass' &  taskset -c 0 python bench/bench_sync_pull.py
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
    AGENCY, PASSWORD, ROLE, TAG, Meter, _admin, _typed, desk_rows, desk_sync, drop_db, drop_role, fresh_db, make_desk,
    peak_rss_mb,
)
from bench.cpu_meter import loadavg, pg_backend_pid  # noqa: E402

COLS = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc", "wall_time", "kind", "payload")


def load_central(url: str, rows: list[tuple]) -> None:
    with _admin(url) as conn, conn.transaction(), conn.cursor() as cur:
        with cur.copy(f"COPY event ({', '.join(COLS)}, synced_at) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)


def empty_desk(path: Path, desk: int) -> None:
    from bench.sync_gen import make_desk_file
    make_desk_file(path, AGENCY, desk, 0)


def baseline(path: Path, desk_file: Path, per_tx: int | None) -> tuple[int, Meter]:
    src = sqlite3.connect(desk_file)
    rows = src.execute(f"SELECT {', '.join(COLS)}, '2025-09-22 18:00:00.000000' FROM event").fetchall()
    src.close()
    empty_desk(path, 3)
    from db.engine import make_engine, write_conn, write_tx
    engine = make_engine(f"sqlite:///{path}")
    # Bare: without the rated_fact trigger (db/rated_facts.py), which an executemany pays on
    # every row (the pull's multi-row statements barely do).
    with write_tx(engine) as conn:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS event_rated_fact_insert")
    sql = f"INSERT INTO event ({', '.join(COLS)}, synced_at) VALUES ({', '.join('?' * (len(COLS) + 1))})"
    step = per_tx or len(rows)
    m = Meter()
    with write_conn(engine) as conn:
        for i in range(0, len(rows), step):
            with conn.begin():
                conn.exec_driver_sql(sql, rows[i:i + step])
    m.stop()
    engine.dispose()
    return len(rows), m


def floor_baseline(path: Path, pulled_desk: Path) -> Meter:
    """The pull's floor: every row the pull wrote -- its events, then its dossier
    projections (newest receipt first, as the pull writes them; the search-index and
    rated_fact triggers fire as they do for the pull) -- into a fresh desk in one
    transaction, nothing fetched, decoded or folded. Many rows per statement, as the
    pull writes them: one executemany row at a time costs 4x more on `dossier`, whose
    triggers write the FTS tables (each statement ends in a flush of their pending terms)."""
    from db.sync.apply import rows_per_statement
    src = sqlite3.connect(pulled_desk)
    events = src.execute(f"SELECT {', '.join(COLS)}, synced_at FROM event").fetchall()
    columns = [r[1] for r in src.execute("PRAGMA table_info(dossier)")]
    dossiers = src.execute(f"SELECT {', '.join(columns)} FROM dossier ORDER BY received_at DESC").fetchall()
    src.close()
    empty_desk(path, 3)
    from db.engine import make_engine, write_conn
    engine = make_engine(f"sqlite:///{path}")
    m = Meter()
    with write_conn(engine) as conn, conn.begin():
        for table, cols, rows in (("event", (*COLS, "synced_at"), events), ("dossier", columns, dossiers)):
            step = rows_per_statement(len(cols))
            one = "(" + ", ".join("?" * len(cols)) + ")"
            for i in range(0, len(rows), step):
                part = rows[i:i + step]
                conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(cols)}) VALUES " + ", ".join([one] * len(part)),
                                     tuple(v for r in part for v in r))
    m.stop()
    engine.dispose()
    return m


def child_pull(desk_path: str, url: str, page: int) -> dict:
    from db.engine import read_conn
    sync, report = desk_sync(desk_path, url, 2, pull_page_size=page or None)
    rss0 = peak_rss_mb()
    with sync.store.session() as session:
        m = Meter([pg_backend_pid(session)])
        t0 = time.perf_counter()
        sync._push(session, report)
        sync._pull(session, report)
        t1 = time.perf_counter()
        m.stop()
        sync._pull_reference(session, report)
    rss1 = peak_rss_mb()
    with read_conn(sync.local) as conn:
        dossiers = conn.exec_driver_sql("SELECT count(*) FROM dossier").scalar_one()
    sync.close()
    return {**m.as_dict(), "pulled": report.pulled, "pull_s": t1 - t0, "dossiers": dossiers, "page": sync.pull_page_size,
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
    url = fresh_db(args.pg, f"motcua_bench_pull{TAG}")
    rounds = []
    try:
        init_central(url, desk_role=ROLE, desk_password=PASSWORD, agency_code=AGENCY)
        load_central(url, [(*r[:-1], None) for r in _typed(desk_rows(source))])
        print(f"centre holds {n:,} events of one agency (desk 1); {args.rounds} rounds; load average {loadavg()}")
        user = url.replace("postgresql://postgres@", f"postgresql://{ROLE}:{PASSWORD}@")
        for i in range(args.rounds):
            desk = tmp / f"desk2-{i}.sqlite"
            empty_desk(desk, 2)
            load0 = loadavg()
            out = subprocess.run([sys.executable, __file__, "--child", str(desk), user, str(args.page)],
                                 check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            one_n, one = baseline(tmp / f"base1-{i}.sqlite", source, None)
            per_n, per = baseline(tmp / f"base2-{i}.sqlite", source, r["page"])
            assert r["pulled"] == n == one_n == per_n, (r, one_n, per_n)
            floor = floor_baseline(tmp / f"floor-{i}.sqlite", desk)
            best = min(one.total_s, per.total_s)
            rounds.append({**r, "one": one.as_dict(), "per": per.as_dict(), "floor": floor.as_dict(),
                           "base_cpu_s": best, "ratio": r["cpu_s"] / best, "floor_ratio": floor.total_s / best,
                           "load": f"{load0} -> {loadavg()}"})
            r = rounds[-1]
            for f in tmp.glob(f"*-{i}.sqlite*"):         # ~130 MB each
                f.unlink()
            print(f"round {i + 1}: bare 1 tx cpu {one.total_s:5.2f} s (wall {one.wall_s:.2f}), bare 1 tx/{r['page']} "
                  f"cpu {per.total_s:5.2f} s (wall {per.wall_s:.2f}) | pull cpu {r['cpu_s']:5.2f} s (desk "
                  f"{r['desk_cpu_s']:.2f} + backend {r['backend_cpu_s']:.2f}), wall {r['pull_s']:5.2f} s | "
                  f"ratio {r['ratio']:.2f} | floor (rows only) cpu {r['floor']['cpu_s']:.2f} s, ratio "
                  f"{r['floor_ratio']:.2f} | RSS +{r['rss_after_mb'] - r['rss_before_mb']:.0f} MB | load {r['load']}")
    finally:
        drop_db(args.pg, f"motcua_bench_pull{TAG}")
        drop_role(args.pg, ROLE)
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()

    def med(get):
        return statistics.median(get(r) for r in rounds)
    page = rounds[0]["page"]
    us = 1e6 / n
    print(f"medians over {len(rounds)} rounds, {n:,} events:")
    print(f"bare SQLite executemany, 1 tx          : cpu {med(lambda r: r['one']['cpu_s']):6.2f} s "
          f"({med(lambda r: r['one']['cpu_s']) * us:5.1f} us/event), wall {med(lambda r: r['one']['wall_s']):.2f} s")
    print(f"bare SQLite executemany, 1 tx / {page:<6,}: cpu {med(lambda r: r['per']['cpu_s']):6.2f} s, "
          f"wall {med(lambda r: r['per']['wall_s']):.2f} s")
    print(f"SyncEngine pull (desk role, page {page:,})  : cpu {med(lambda r: r['cpu_s']):6.2f} s "
          f"({med(lambda r: r['cpu_s']) * us:5.1f} us/event; desk {med(lambda r: r['desk_cpu_s']):.2f} + backend "
          f"{med(lambda r: r['backend_cpu_s']):.2f}), wall {med(lambda r: r['pull_s']):.2f} s "
          f"-> {rounds[0]['dossiers']:,} dossier projections folded and written")
    each = ", ".join(f"{r['ratio']:.2f}" for r in rounds)
    print(f"ratio pull CPU / bare insert CPU (the lesser baseline) = {med(lambda r: r['ratio']):.2f} "
          f"(median; rounds {each})   (target <= 2)")
    floors = ", ".join(f"{r['floor_ratio']:.2f}" for r in rounds)
    print(f"floor: bulk insert of the same events AND the pull's {rounds[0]['dossiers']:,} projections, 1 tx: cpu "
          f"{med(lambda r: r['floor']['cpu_s']):6.2f} s = {med(lambda r: r['floor_ratio']):.2f} x the bare insert "
          f"(median; rounds {floors}): what writing the pull's rows alone costs, before any fetch, decode or fold")
    growth = [r["rss_after_mb"] - r["rss_before_mb"] for r in rounds]
    print(f"desk RSS growth during the pull: median {statistics.median(growth):.0f} MB, max {max(growth):.0f} MB "
          f"(target <= 100 MB)")
    print(f"load average at the end: {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
