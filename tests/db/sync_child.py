"""A desk process for the kill test: sync once and die by SIGKILL at a chosen point.

    python -m tests.db.sync_child DESK.sqlite CENTRAL_URL AGENCY DESK_NUMBER BATCH POINT

POINT: `after-central-commit` -- the first batch is committed at the centre and the
process is killed before the desk marks it sent (no cleanup, no atexit, no flush).
"""
from __future__ import annotations

import os
import signal
import sys
from datetime import datetime


def main(argv: list[str]) -> int:
    desk_path, central_url, agency, number, batch, point = argv
    from core.clock import FixedClock, HybridClock
    from db.engine import make_engine
    from db.meta import last_local_hlc
    from db.sync import SyncEngine

    engine = make_engine(f"sqlite:///{desk_path}")
    clock = FixedClock(datetime(2025, 9, 22, 12, 0))
    hlc = HybridClock(clock, f"{agency}/{number}", last_local_hlc(engine))
    sync = SyncEngine(engine, central_url, agency_code=agency, desk_number=int(number), hlc=hlc,
                      clock=clock, batch_size=int(batch), pull_page_size=int(batch), connect_timeout=3)

    def die(ids: list[str]) -> None:
        sys.stdout.write(f"committed {len(ids)}\n")
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "after-central-commit":
        sync.after_central_commit = die
    else:
        raise SystemExit(f"unknown point {point}")
    sync.run_once()
    return 0          # not reached when the kill point is hit


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
