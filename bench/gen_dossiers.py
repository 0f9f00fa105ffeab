"""Fill a database with demo dossiers, for the benchmarks (`motcua demo seed` does the same).

    python bench/gen_dossiers.py --db PATH --dossiers N [--days D] [--seed S]

Prints how long it took. PATH is a SQLite file (created and migrated if missing) or an
SQLAlchemy URL.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.clock import HybridClock, SystemClock  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.meta import last_local_hlc  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.demo.seed import ensure_demo_setup, seed_dossiers  # noqa: E402


def url_for(db: str) -> str:
    return db if "://" in db else f"sqlite:///{Path(db).expanduser().resolve()}"


def generate(db: str, n: int, days: int, rng_seed: int = 1, quiet: bool = False) -> float:
    clock = SystemClock()
    engine = make_engine(url_for(db))
    upgrade(engine)
    ensure_demo_setup(engine, clock)
    hlc = HybridClock(clock, "bench", last_local_hlc(engine))
    started = time.perf_counter()
    made = seed_dossiers(engine, n=n, days=days, clock=clock, hlc=hlc, rng_seed=rng_seed)
    elapsed = time.perf_counter() - started
    if not quiet:
        print(f"{made:,} dossiers over {days} working days in {elapsed:.1f} s "
              f"({made / elapsed:,.0f} dossiers/s)")
    engine.dispose()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="SQLite file or SQLAlchemy URL")
    ap.add_argument("--dossiers", type=int, required=True)
    ap.add_argument("--days", type=int, default=250, help="working days to spread them over")
    ap.add_argument("--seed", type=int, default=1, help="random seed of the demo data")
    args = ap.parse_args(argv)
    generate(args.db, args.dossiers, args.days, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
