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

Targets (issue 3): push throughput >= 0.5 x bare bulk insert; RSS growth < 100 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENCY = "000.21.53.H48"
ROLE, PASSWORD = "motcua_bench_desk", "bench-desk-pass"
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


def baseline_copy(url: str, rows: list[tuple]) -> float:
    with _admin(url) as conn:
        conn.execute("TRUNCATE event")
        t0 = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(f"COPY event ({', '.join(COLS)}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
        return time.perf_counter() - t0


def baseline_executemany(url: str, rows: list[tuple]) -> float:
    with _admin(url) as conn:
        conn.execute("TRUNCATE event")
        t0 = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(f"INSERT INTO event ({', '.join(COLS)}) VALUES ({', '.join(['%s'] * len(COLS))})", rows)
        return time.perf_counter() - t0


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
        sync._push(session, report)
        t1 = time.perf_counter()
        rss_push = peak_rss_mb()
        sync._pull(session, report)
        sync._pull_reference(session, report)
    t2 = time.perf_counter()
    rss1 = peak_rss_mb()
    waiting = sync.status().waiting
    sync.close()
    return {"pushed": report.pushed, "pulled": report.pulled, "push_s": t1 - t0, "run_once_s": t2 - t0,
            "rss_before_mb": rss0, "rss_after_push_mb": rss_push, "rss_after_mb": rss1, "waiting_after": waiting}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--pg", default=os.environ.get("MOTCUA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--child", nargs=3, metavar=("DESK", "URL", "BATCH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child_push(args.child[0], args.child[1], int(args.child[2]))))
        return 0

    from db.sync.central import init_central
    tmp = Path(tempfile.mkdtemp(prefix="motcua-bench-push-"))
    desk = tmp / "desk.sqlite"
    t = time.perf_counter()
    n = make_desk(desk, AGENCY, 1, args.events)
    print(f"desk with {n:,} unsent events made in {time.perf_counter() - t:.1f} s")
    rows = _typed(desk_rows(desk))
    size_mb = sum(len(r[8]) for r in rows) / 1e6
    base_url = fresh_db(args.pg, "motcua_bench_base")
    sync_url = fresh_db(args.pg, "motcua_bench_push")
    try:
        init_central(base_url)
        init_central(sync_url, desk_role=ROLE, desk_password=PASSWORD, agency_code=AGENCY)
        copy_s = baseline_copy(base_url, rows)
        many_s = baseline_executemany(base_url, rows)
        del rows
        user = sync_url.replace("postgresql://postgres@", f"postgresql://{ROLE}:{PASSWORD}@")
        out = subprocess.run([sys.executable, __file__, "--child", str(desk), user, str(args.batch)],
                             check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        drop_db(args.pg, "motcua_bench_base")
        drop_db(args.pg, "motcua_bench_push")
        drop_role(args.pg, ROLE)
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    assert r["pushed"] == n and r["waiting_after"] == 0, r
    push_rate, copy_rate, many_rate = n / r["push_s"], n / copy_s, n / many_s
    print(f"payload JSON: {size_mb:.1f} MB in {n:,} events; batch {args.batch}")
    print(f"bare COPY (admin, 1 tx)          : {copy_s:6.2f} s  {copy_rate:9,.0f} ev/s")
    print(f"bare executemany (admin, 1 tx)   : {many_s:6.2f} s  {many_rate:9,.0f} ev/s")
    print(f"SyncEngine push (desk role, RLS) : {r['push_s']:6.2f} s  {push_rate:9,.0f} ev/s  "
          f"({n // args.batch + (n % args.batch > 0)} central transactions + local marks)")
    print(f"SyncEngine run_once (push + pull of own ids + reference): {r['run_once_s']:.2f} s")
    print(f"ratio push / COPY        = {push_rate / copy_rate:.2f}   (target >= 0.5)")
    print(f"ratio push / executemany = {push_rate / many_rate:.2f}")
    print(f"desk RSS: {r['rss_before_mb']:.0f} MB before; peak after the push {r['rss_after_push_mb']:.0f} MB "
          f"(growth {r['rss_after_push_mb'] - r['rss_before_mb']:.1f} MB, target < 100 MB); peak after the whole "
          f"run_once {r['rss_after_mb']:.0f} MB (growth {r['rss_after_mb'] - r['rss_before_mb']:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
