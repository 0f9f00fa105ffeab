"""Statistics benchmarks (issue 10). Medians of several rounds; CPU time of this process
beside wall time, since the machine is shared (the load average is printed).

    python bench/bench_stats.py dashboard --db PATH [--make N]  # a year on the desk's SQLite
    python bench/bench_stats.py cli --db PATH [--make N]     # `motcua stats --year --json`
    python bench/bench_stats.py centre --pg URL [--make N]   # one quarter, 96 agencies

`--make N` fills an empty database with N synthetic projection rows by one SQL statement
(a recursive CTE on SQLite, generate_series on PostgreSQL), then stores their statistics
columns (db/stats_sql.py, stored_facts_sql): statistics read only the dossier projection.
`centre` creates its own database on the server and drops it after.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from core.stats import Period  # noqa: E402
from core.stats_report import named_period, quarter_period  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.stats_sql import stored_facts_sql  # noqa: E402

ROUNDS = 5


def timed(fn, rounds: int = ROUNDS) -> tuple[float, float]:
    """(median wall, median CPU) seconds of `fn()`, after one warm-up call."""
    fn()
    walls, cpus = [], []
    for _ in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def load() -> str:
    return "load average %.2f %.2f %.2f on %d CPUs" % (*os.getloadavg(), os.cpu_count())


# -- synthetic rows ---------------------------------------------------------------------------

# Outcome by a hash of the row number: 3 % refused, 2 % withdrawn, 1 % stopped; of the last
# 20 days' receipts 4 % open and 2 % waiting for a supplement; the rest resolved 0-5 days
# after receipt (70 % handed back).
_SQLITE_FILL = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :count - 1),
r AS (SELECT i, h, rec, (h >= 12 OR (h >= 6 AND i < :count - :recent)) AS res FROM
       (SELECT i, (i * 7919) % 100 AS h, datetime(:start, '+' || (i * :span / :count) || ' seconds') AS rec
        FROM n))
INSERT INTO dossier (id, code, agency_code, desk_number, procedure_code, procedure_name, procedure_version,
    applicant_name, name_fold, applicant_id_number, applicant_phone, channel, status, received_at, due_at,
    original_due_at, received_by, resolved_at, returned_at, closed_at, supplement_count, apology_count,
    rating, conflicts, last_hlc, event_count, procedure_field)
SELECT printf('b%09d', i), printf('BENCH-%09d', i), :agency, 1 + i % 3, printf('1.%06d', i % 21),
    'Thủ tục mẫu', 1, 'Nguyễn Văn An', 'nguyen van an', '', '', 1 + (i * 31) % 3,
    CASE WHEN h < 3 THEN 3 WHEN h < 5 THEN 7 WHEN h < 6 THEN 8 WHEN NOT res THEN
         (CASE WHEN h < 10 THEN 4 ELSE 5 END) WHEN h < 82 THEN 10 ELSE 9 END,
    rec, datetime(rec, '+' || ((i * 13) % 5) || ' days'), datetime(rec, '+' || ((i * 13) % 5) || ' days'),
    printf('clerk-%d', i % 7),
    CASE WHEN res THEN datetime(rec, '+' || ((i * 17) % 6) || ' days') END,
    CASE WHEN res AND h < 82 THEN datetime(rec, '+' || ((i * 17) % 6 + 1) || ' days') END,
    CASE WHEN h < 3 THEN datetime(rec, '+5 minutes') WHEN h < 6 THEN datetime(rec, '+2 days') END,
    (i * 3) % 3, CASE WHEN (i * 11) % 50 = 0 THEN 1 ELSE 0 END, NULL, '[]', '', 1,
    CASE WHEN i % 21 < 12 THEN 'Hộ tịch' ELSE 'Chứng thực' END
FROM r
"""

_PG_FILL = """
INSERT INTO dossier (id, code, agency_code, desk_number, procedure_code, procedure_name, procedure_version,
    applicant_name, name_fold, applicant_id_number, applicant_phone, channel, status, received_at, due_at,
    original_due_at, received_by, resolved_at, returned_at, closed_at, supplement_count, apology_count,
    rating, conflicts, last_hlc, event_count, procedure_field)
SELECT 'b' || i, 'BENCH-' || i, 'H48.' || lpad((i % 96)::text, 3, '0'), 1 + i % 3,
    '1.' || lpad((i % 21)::text, 6, '0'), 'Thủ tục mẫu', 1, 'Nguyễn Văn An', 'nguyen van an', '', '',
    1 + (i * 31) % 3,
    CASE WHEN h < 3 THEN 3 WHEN h < 5 THEN 7 WHEN h < 6 THEN 8 WHEN NOT res THEN
         (CASE WHEN h < 10 THEN 4 ELSE 5 END) WHEN h < 82 THEN 10 ELSE 9 END,
    rec, rec + ((i * 13) % 5) * interval '1 day', rec + ((i * 13) % 5) * interval '1 day',
    'clerk-' || (i % 7),
    CASE WHEN res THEN rec + ((i * 17) % 6) * interval '1 day' END,
    CASE WHEN res AND h < 82 THEN rec + ((i * 17) % 6 + 1) * interval '1 day' END,
    CASE WHEN h < 3 THEN rec + interval '5 minutes' WHEN h < 6 THEN rec + interval '2 days' END,
    (i * 3) % 3, CASE WHEN (i * 11) % 50 = 0 THEN 1 ELSE 0 END, NULL, '[]', '', 1,
    CASE WHEN i % 21 < 12 THEN 'Hộ tịch' ELSE 'Chứng thực' END
FROM (SELECT i, h, rec, (h >= 12 OR (h >= 6 AND i < :count - :recent)) AS res FROM
      (SELECT i, (i * 7919) % 100 AS h,
              CAST(:start AS timestamp) + (i * :span / :count) * interval '1 second' AS rec
       FROM generate_series(0::bigint, :count - 1) AS i) AS q) AS r
"""


def fill(engine, count: int, days: int, end: date) -> None:
    start = end - timedelta(days=days)
    params = {"count": count, "span": days * 86400, "start": start.isoformat(), "agency": "BENCH",
              "recent": count * 20 // days}
    started = time.perf_counter()
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(_SQLITE_FILL), params)
            conn.execute(text(stored_facts_sql("sqlite")))      # what the fold stores with each row
        else:
            # Bulk load without the secondary indexes, then build them (much quicker).
            ddl = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dossier' "
                                    "AND indexname NOT IN (SELECT conname FROM pg_constraint)")).all()
            for name, _ in ddl:
                conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
            conn.execute(text(_PG_FILL), params)
            conn.execute(text(stored_facts_sql("postgresql")))
            for _, definition in ddl:
                conn.execute(text(definition))
    print(f"generated {count:,} dossiers over {days} days in {time.perf_counter() - started:.1f} s")


# -- the three benches ------------------------------------------------------------------------------

def bench_dashboard(db: str, make: int = 0) -> None:
    """What the dashboard's worker runs for the period 'năm' (year to date), whole and by
    part. `--make N`: an empty database is first filled with N dossiers over 365 days."""
    from core.clock import SystemClock
    from core.stats import buckets
    from db.stats import open_stats, ratings_of
    engine = make_engine(db if "://" in db else f"sqlite:///{db}")
    upgrade(engine)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM dossier")).scalar_one()
    if make and not n:
        fill(engine, make, 365, date.today())
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    repo = open_stats(engine)
    with engine.connect() as conn:
        n, last = conn.execute(text("SELECT COUNT(*), MAX(received_at) FROM dossier")).one()
    today = date.fromisoformat(str(last)[:10])
    period = named_period("year", today)
    now = SystemClock().now().replace(year=today.year, month=today.month, day=today.day)
    parts = {
        "today": lambda: repo.today(now),
        "ratings today": lambda: ratings_of(repo.ratings_repo, today, today),
        "Biểu 06 by field + clerks": lambda: repo.report_pair(period, "field", "clerk"),
    }

    def dashboard():
        repo.today(now)
        ratings_of(repo.ratings_repo, today, today)
        by_field, _ = repo.report_pair(period, "field", "clerk")
        days = [b.start for _, b in buckets(period, "day")]
        [by_field.whole.received_by_day.get(d, 0) for d in days]
        [by_field.whole.resolved_by_day.get(d, 0) for d in days]
    wall, cpu = timed(dashboard)
    print(f"dashboard, {period.label_vi()}, {n:,} dossiers: median {wall * 1000:.0f} ms wall, "
          f"{cpu * 1000:.0f} ms CPU ({load()})")
    for name, fn in parts.items():
        w, c = timed(fn, 3)
        print(f"  {name:<28} {w * 1000:6.0f} ms wall {c * 1000:6.0f} ms CPU")


# What one would write by hand for the same report: the Biểu 06 columns and the extras as
# SUM(CASE) over the same rows (received in the year, or before it and not ended at its
# start), in one statement, without the clamp of an end before receipt.
_END = "COALESCE(resolved_at, returned_at, closed_at)"
_RES = "(resolved_at IS NOT NULL OR returned_at IS NOT NULL)"
_RESOLVED = f"status <> 3 AND {_RES} AND {_END} >= :lo AND {_END} < :hi"
_OPEN_AT_END = f"status <> 3 AND ({_END} IS NULL OR {_END} >= :hi)"
HAND_QUERY = f"""
SELECT
  SUM(CASE WHEN status <> 3 AND received_at >= :lo THEN 1 ELSE 0 END),
  SUM(CASE WHEN status <> 3 AND received_at >= :lo AND channel = 2 THEN 1 ELSE 0 END),
  SUM(CASE WHEN status <> 3 AND received_at >= :lo AND channel = 3 THEN 1 ELSE 0 END),
  SUM(CASE WHEN status = 3 AND received_at >= :lo THEN 1 ELSE 0 END),
  SUM(CASE WHEN status <> 3 AND received_at < :lo THEN 1 ELSE 0 END),
  SUM(CASE WHEN {_RESOLVED} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {_RESOLVED} AND substr({_END}, 1, 10) < substr(original_due_at, 1, 10) THEN 1 ELSE 0 END),
  SUM(CASE WHEN {_RESOLVED} AND substr({_END}, 1, 10) = substr(original_due_at, 1, 10) THEN 1 ELSE 0 END),
  SUM(CASE WHEN {_RESOLVED} AND substr({_END}, 1, 10) = substr(received_at, 1, 10) THEN 1 ELSE 0 END),
  SUM(CASE WHEN status <> 3 AND NOT {_RES} AND {_END} >= :lo AND {_END} < :hi THEN 1 ELSE 0 END),
  SUM(CASE WHEN {_OPEN_AT_END} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {_OPEN_AT_END} AND status <> 5 AND original_due_at < :last THEN 1 ELSE 0 END),
  SUM(CASE WHEN {_OPEN_AT_END} AND status = 5 THEN 1 ELSE 0 END),
  SUM(CASE WHEN status <> 3 AND apology_count > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN status <> 3 AND supplement_count > 1 THEN 1 ELSE 0 END)
FROM dossier
WHERE received_at < :hi AND (received_at >= :lo OR {_END} IS NULL OR {_END} >= :lo)
"""


def bench_cli(db: str, make: int) -> None:
    path = Path(db)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM dossier")).scalar_one()
    year = date.today().year
    if make and not n:
        fill(engine, make, 730, date(year, 12, 31))
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        n = make
    period = Period(date(year, 1, 1), date(year, 12, 31))
    params = {"lo": period.start.isoformat(), "hi": (period.end + timedelta(days=1)).isoformat(),
              "last": period.end.isoformat()}

    def hand():
        with engine.connect() as conn:
            conn.execute(text(HAND_QUERY), params).one()

    from db.stats import open_stats

    def ours():
        open_stats(engine).report(period)
    cmd = [sys.executable, "-m", "tui", "stats", "--db", str(path), "--year", str(year), "--json"]

    def command():
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                       cwd=Path(__file__).resolve().parent.parent)
    # Alternate the three so a change in the machine's load hits them alike.
    import resource

    def cpu_now(name: str) -> float:
        """This process's CPU seconds; the command's: its children's (user + system)."""
        if name != "command":
            return time.process_time()
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime
    results: dict[str, list[float]] = {"hand": [], "ours": [], "command": []}
    cpu: dict[str, list[float]] = {"hand": [], "ours": [], "command": []}
    for fn in (hand, ours, command):
        fn()
    for _ in range(ROUNDS):
        for name, fn in (("hand", hand), ("ours", ours), ("command", command)):
            w, c = time.perf_counter(), cpu_now(name)
            fn()
            results[name].append(time.perf_counter() - w)
            cpu[name].append(cpu_now(name) - c)
    med = {k: statistics.median(v) for k, v in results.items()}
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"{n:,} dossiers, year {year} ({load()}):")
    print(f"  hand-written aggregate query   {med['hand'] * 1000:7.0f} ms wall {cmed['hand'] * 1000:7.0f} ms CPU")
    print(f"  StatsRepo.report (in process)  {med['ours'] * 1000:7.0f} ms wall {cmed['ours'] * 1000:7.0f} ms CPU"
          f"   ratio {cmed['ours'] / cmed['hand']:.2f}x CPU, {med['ours'] / med['hand']:.2f}x wall")
    print(f"  motcua stats --year --json     {med['command'] * 1000:7.0f} ms wall "
          f"{cmed['command'] * 1000:7.0f} ms CPU"
          f"   ratio {cmed['command'] / cmed['hand']:.2f}x CPU, {med['command'] / med['hand']:.2f}x wall "
          f"(whole process, interpreter start-up included)")
    print(f"  ({load()} at the end)")


def bench_centre(pg: str, make: int, keep: bool = False, reuse: str | None = None) -> None:
    import psycopg
    admin = pg.replace("postgresql+psycopg://", "postgresql://")
    name = reuse or f"motcua_bench_{uuid.uuid4().hex[:8]}"
    if not reuse:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        end = date.today()
        if not reuse:
            upgrade(engine)
            fill(engine, make, 4 * 365, end)
            started = time.perf_counter()
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE dossier")
            print(f"vacuum analyze {time.perf_counter() - started:.1f} s")
        q = quarter_period(f"{end.year}-Q{(end.month - 1) // 3 + 1}")
        prev = q.start - timedelta(days=1)
        period = quarter_period(f"{prev.year}-Q{(prev.month - 1) // 3 + 1}")
        from db.stats import StatsRepo
        repo = StatsRepo(engine)
        result = {}

        def province():
            result["r"] = repo.report(period, "agency", with_days=False)
        wall, cpu = timed(province)
        groups = result["r"].groups
        with engine.connect() as conn:
            make = conn.execute(text("SELECT COUNT(*) FROM dossier")).scalar_one()     # a reused one's count
        print(f"centre, {period.label_vi()}, {make:,} dossiers, {len(groups)} agencies: median "
              f"{wall * 1000:.0f} ms wall ({load()}); received {result['r'].whole.received:,}")
        from db.stats_sql import classified_sql
        sql, params = classified_sql("postgresql", "agency", period, agency=False, with_days=False)
        from db.stats import pg_report_settings
        with engine.connect() as conn:
            pg_report_settings(conn)
            plan = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params).scalars().all()
        print("\n".join(plan))
    finally:
        engine.dispose()
        if keep:
            print(f"kept database {name}")
            return
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("which", choices=("dashboard", "cli", "centre"))
    ap.add_argument("--db", default=None)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--make", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="centre: keep the database (drop it yourself)")
    ap.add_argument("--reuse", default=None, metavar="DBNAME", help="centre: a kept database")
    args = ap.parse_args()
    if args.which == "dashboard":
        bench_dashboard(args.db, args.make)
    elif args.which == "cli":
        bench_cli(args.db, args.make)
    else:
        bench_centre(args.pg, args.make or 5_000_000, args.keep, args.reuse)


if __name__ == "__main__":
    main()
