"""Push 100,000 events from a desk to PostgreSQL, against a bare psycopg bulk insert of the
same rows into the same table, measured in the same run.

    python bench/bench_sync_push.py [--events 100000] [--batch 1000] [--pg ADMIN_URL]

- The desk file is made by bench/sync_gen.py in a child process.
- Baselines (administrator connection, no RLS): COPY of every row in one transaction,
  and executemany of the same INSERT in one transaction, into a freshly initialised
  central database (same indexes, same numbering trigger).
- The sync runs in its own process as the agency's desk role (RLS on), through
  `SyncEngine`: the push alone (read batch from SQLite, one central transaction per batch,
  mark locally), then the rest of `run_once` (the pull finds its own 100,000 events by id
  and fetches none of them). Peak RSS growth of that process: ru_maxrss after - before.

Each measured step starts from a clean server: a CHECKPOINT (outside the measurement)
writes out what the step before it dirtied. Without it a step paid for its predecessor's
dirty buffers (evicting them, and full-page images in the WAL): the push, run after
200,000 baseline rows, was charged 1.5-2.5 s of backend CPU that was not its own, and
the first round's COPY, run on a fresh database, for the set-up.

CPU (issue 11): every figure is CPU time -- the process's own (all threads) plus its
PostgreSQL backend's, read from /proc/<pid>/stat (bench/cpu_meter.py) -- so the ratio does
not move with the machine's load. Each round runs the baselines and one push; the result
is the median of the rounds.

Targets: push CPU per event <= 1.5 x the bare COPY's (issue 11); RSS growth < 100 MB.
For the wall time on one busy core:
    taskset -c 0 python3 -c 'while 1: pass' &  taskset -c 0 python bench/bench_sync_push.py
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cpu_meter import Meter, loadavg, pg_backend_pid  # noqa: E402

AGENCY = "000.21.53.H48"
# MOTCUA_BENCH_TAG: a suffix for the bench's databases and desk role, so two runs on one
# PostgreSQL (two checkouts on a shared machine) do not drop each other's.
TAG = os.environ.get("MOTCUA_BENCH_TAG", "")
ROLE, PASSWORD = f"motcua_bench_desk{TAG}", "bench-desk-pass"
COLS = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc", "wall_time", "kind", "payload", "synced_at")


def _admin(url: str):
    import psycopg
    return psycopg.connect(url, autocommit=True)


def fresh_db(admin_url: str, name: str) -> str:
    with _admin(admin_url) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_db(admin_url: str, name: str) -> None:
    with _admin(admin_url) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def drop_role(admin_url: str, role: str) -> None:
    with _admin(admin_url) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def make_desk(path: Path, agency: str, desk: int, events: int, seed: int = 1) -> int:
    dossiers = max(1, round(events / 3.9))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "sync_gen.py"), str(path), agency, str(desk),
                          str(dossiers)], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def desk_rows(path: Path) -> list[tuple]:
    import sqlite3
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {', '.join(COLS[:-1])} FROM event ORDER BY hlc, id").fetchall()
    finally:
        conn.close()


def _typed(rows):
    from datetime import datetime
    return [(*r[:6], datetime.fromisoformat(r[6]) if isinstance(r[6], str) else r[6], *r[7:], None) for r in rows]


def checkpoint(admin_url: str) -> None:
    """Write out every dirty buffer of the cluster now, so the next measured step does not."""
    with _admin(admin_url) as conn:
        conn.execute("CHECKPOINT")


def baseline_copy(url: str, rows: list[tuple]) -> Meter:
    with _admin(url) as conn:
        conn.execute("TRUNCATE event")
        m = Meter([pg_backend_pid(conn)])
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(f"COPY event ({', '.join(COLS)}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
        return m.stop()


def baseline_executemany(url: str, rows: list[tuple]) -> Meter:
    with _admin(url) as conn:
        conn.execute("TRUNCATE event")
        m = Meter([pg_backend_pid(conn)])
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(f"INSERT INTO event ({', '.join(COLS)}) VALUES ({', '.join(['%s'] * len(COLS))})", rows)
        return m.stop()


def peak_rss_mb() -> float:
    """Peak resident memory of this process image. VmHWM, not ru_maxrss: Linux carries
    ru_maxrss across exec, so a child would inherit the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def desk_sync(desk_path: str, url: str, desk_number: int, **kw):
    """(SyncEngine, empty SyncReport) for a bench desk file, on the system clock (children)."""
    from core.clock import HybridClock, SystemClock
    from db.engine import make_engine
    from db.meta import last_local_hlc
    from db.sync import SyncEngine, SyncReport
    engine = make_engine(f"sqlite:///{desk_path}")
    clock = SystemClock()
    hlc = HybridClock(clock, f"{AGENCY}/{desk_number}", last_local_hlc(engine))
    sync = SyncEngine(engine, url, agency_code=AGENCY, desk_number=desk_number, hlc=hlc, clock=clock, **kw)
    return sync, SyncReport(0, 0, [], {}, clock.now(), clock.now())


def child_push(desk_path: str, url: str, batch: int) -> dict:
    """In its own process: push (then the rest of run_once), with RSS before/after."""
    sync, report = desk_sync(desk_path, url, 1, batch_size=batch)
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    with sync.store.session() as session:
        m = Meter([pg_backend_pid(session)])
        sync._push(session, report)
        m.stop()
        t1 = time.perf_counter()
        rss_push = peak_rss_mb()
        sync._pull(session, report)
        sync._pull_reference(session, report)
    t2 = time.perf_counter()
    rss1 = peak_rss_mb()
    waiting = sync.status().waiting
    sync.close()
    return {**m.as_dict(), "pushed": report.pushed, "pulled": report.pulled, "push_s": t1 - t0, "run_once_s": t2 - t0,
            "rss_before_mb": rss0, "rss_after_push_mb": rss_push, "rss_after_mb": rss1, "waiting_after": waiting}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pg", default=os.environ.get("MOTCUA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--child", nargs=3, metavar=("DESK", "URL", "BATCH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child_push(args.child[0], args.child[1], int(args.child[2]))))
        return 0

    from db.sync.central import init_central
    tmp = Path(tempfile.mkdtemp(prefix="motcua-bench-push-"))
    source = tmp / "source.sqlite"
    t = time.perf_counter()
    n = make_desk(source, AGENCY, 1, args.events)
    print(f"desk with {n:,} unsent events made in {time.perf_counter() - t:.1f} s; load average {loadavg()}")
    rows = _typed(desk_rows(source))
    size_mb = sum(len(r[8]) for r in rows) / 1e6
    print(f"payload JSON: {size_mb:.1f} MB in {n:,} events; batch {args.batch}; {args.rounds} rounds")
    rounds = []
    try:
        for i in range(args.rounds):
            base_url = fresh_db(args.pg, f"motcua_bench_base{TAG}")
            sync_url = fresh_db(args.pg, f"motcua_bench_push{TAG}")
            init_central(base_url)
            init_central(sync_url, desk_role=ROLE, desk_password=PASSWORD, agency_code=AGENCY)
            desk = tmp / f"desk-{i}.sqlite"
            shutil.copyfile(source, desk)
            load0 = loadavg()
            checkpoint(args.pg)
            copy = baseline_copy(base_url, rows)
            checkpoint(args.pg)
            many = baseline_executemany(base_url, rows)
            checkpoint(args.pg)
            user = sync_url.replace("postgresql://postgres@", f"postgresql://{ROLE}:{PASSWORD}@")
            out = subprocess.run([sys.executable, __file__, "--child", str(desk), user, str(args.batch)],
                                 check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            assert r["pushed"] == n and r["waiting_after"] == 0, r
            r.update(copy=copy.as_dict(), many=many.as_dict(), ratio=r["cpu_s"] / copy.total_s,
                     load=f"{load0} -> {loadavg()}")
            rounds.append(r)
            for f in tmp.glob(f"desk-{i}.sqlite*"):
                f.unlink()
            print(f"round {i + 1}: bare COPY cpu {copy.total_s:5.2f} s (client {copy.desk_s:.2f} + backend "
                  f"{copy.backend_s:.2f}), wall {copy.wall_s:.2f} s | push cpu {r['cpu_s']:5.2f} s (desk "
                  f"{r['desk_cpu_s']:.2f} + backend {r['backend_cpu_s']:.2f}), wall {r['push_s']:.2f} s | "
                  f"ratio {r['ratio']:.2f} | executemany cpu {many.total_s:.2f} s | load {r['load']}")
    finally:
        drop_db(args.pg, f"motcua_bench_base{TAG}")
        drop_db(args.pg, f"motcua_bench_push{TAG}")
        drop_role(args.pg, ROLE)
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()

    def med(get):
        return statistics.median(get(r) for r in rounds)
    us = 1e6 / n
    print(f"medians over {len(rounds)} rounds, {n:,} events (CPU = process + its PostgreSQL backend):")
    print(f"bare COPY (admin, 1 tx)          : cpu {med(lambda r: r['copy']['cpu_s']):6.2f} s "
          f"({med(lambda r: r['copy']['cpu_s']) * us:5.1f} us/event; client {med(lambda r: r['copy']['desk_cpu_s']):.2f}"
          f" + backend {med(lambda r: r['copy']['backend_cpu_s']):.2f}), wall {med(lambda r: r['copy']['wall_s']):.2f} s")
    print(f"bare executemany (admin, 1 tx)   : cpu {med(lambda r: r['many']['cpu_s']):6.2f} s, "
          f"wall {med(lambda r: r['many']['wall_s']):.2f} s")
    print(f"SyncEngine push (desk role, RLS) : cpu {med(lambda r: r['cpu_s']):6.2f} s "
          f"({med(lambda r: r['cpu_s']) * us:5.1f} us/event; desk {med(lambda r: r['desk_cpu_s']):.2f} + backend "
          f"{med(lambda r: r['backend_cpu_s']):.2f}), wall {med(lambda r: r['push_s']):.2f} s "
          f"({n // args.batch + (n % args.batch > 0)} central transactions)")
    print(f"SyncEngine run_once (push + pull of own ids + reference): wall {med(lambda r: r['run_once_s']):.2f} s")
    each = ", ".join(f"{r['ratio']:.2f}" for r in rounds)
    print(f"ratio push CPU / bare COPY CPU = {med(lambda r: r['ratio']):.2f} (median; rounds {each})   "
          f"(target <= 1.5)")
    print(f"desk RSS peak growth: push {med(lambda r: r['rss_after_push_mb'] - r['rss_before_mb']):.1f} MB, "
          f"whole run_once {med(lambda r: r['rss_after_mb'] - r['rss_before_mb']):.1f} MB (target < 100 MB)")
    print(f"load average at the end: {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
