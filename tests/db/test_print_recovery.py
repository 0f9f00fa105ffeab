"""Start-up recovers only print jobs whose printing process is gone (issue 12): a command
run beside the app must not fail the job the app is printing."""
from __future__ import annotations

import socket
import subprocess
import sys
from datetime import datetime, timedelta

from sqlalchemy import update

from core.clock import FixedClock
from core.slips import Slip
from db.models import print_job as pj
from db.print_jobs import FAILED, PRINTING, QUEUED
from tui.config import Settings
from tui.services import build_services

SLIP = Slip(kind="receipt", header=(), title="GIẤY TIẾP NHẬN")


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_only_jobs_of_gone_processes_are_recovered(tmp_path):
    clock = FixedClock(datetime(2026, 11, 23, 9, 30))
    settings = Settings(db_url=str(tmp_path / "desk.sqlite"), printer_uri="dummy:")
    services = build_services(settings, clock, seed_demo=0)
    jobs = services.print_jobs
    mine, gone, legacy, foreign, old_foreign, queued = (jobs.enqueue("d", SLIP) for _ in range(6))
    jobs.mark_printing(mine)                                   # this process: alive
    host = socket.gethostname()
    with services.engine.begin() as conn:
        conn.execute(update(pj).where(pj.c.id.in_([gone, legacy, foreign, old_foreign]))
                     .values(status=PRINTING))
        conn.execute(update(pj).where(pj.c.id == gone).values(owner=f"{host}:{_dead_pid()}"))
        conn.execute(update(pj).where(pj.c.id == foreign).values(owner="may-khac:123"))
        conn.execute(update(pj).where(pj.c.id == old_foreign).values(
            owner="may-khac:123", updated_at=clock.now() - timedelta(hours=1)))
    # What `motcua calendar show` does beside the running app:
    build_services(settings, clock, seed_demo=0)
    status = {j: jobs.get(j).status for j in (mine, gone, legacy, foreign, old_foreign, queued)}
    assert status == {mine: PRINTING, gone: FAILED, legacy: FAILED, foreign: PRINTING,
                      old_foreign: FAILED, queued: QUEUED}
    assert "Bị gián đoạn" in jobs.get(gone).reason
