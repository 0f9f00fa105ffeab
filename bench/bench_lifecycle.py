"""Lifecycle actions and the morning work list on a database holding 200,000 dossiers.

1. Any action -> slip bytes in the printer file: the code the dossier screen's form runs
   (tui.dossier_actions.perform: decide, event + projection + slip job in one transaction)
   and the print worker (tui.actions.run_print_job to a file:// printer), for each action
   that prints a slip (forms 02-06), on fresh dossiers. Median and p95 per action.
2. The home screen's work list: every list's count plus the shown page
   (tui.screens.home.load_list), median over runs, for "today" and "overdue".

    python bench/bench_lifecycle.py [--db PATH] [--dossiers 200000] [--runs 40]

Reports the machine load (os.getloadavg) next to the numbers: the machine is shared.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.clock import FixedClock  # noqa: E402
from core.lifecycle import EventKind  # noqa: E402
from core.validation import ReceiveForm, validate_receive  # noqa: E402
from tui.actions import run_print_job, save_dossier  # noqa: E402
from tui.config import Settings  # noqa: E402
from tui.dossier_actions import perform  # noqa: E402
from tui.services import build_services  # noqa: E402

K = EventKind
# action -> the fields its form gives; each on a freshly received dossier
ACTIONS = {
    K.SUPPLEMENT_REQUESTED: {"missing": [{"name": "Giấy khai sinh", "form": "chinh"}], "reason": "Thiếu bản chính"},
    K.REFUSED: {"reason": "Không thuộc thẩm quyền giải quyết"},
    K.TRANSFERRED: {"to_body": "Công chức Tư pháp - Hộ tịch", "to_person": "Ông Bình"},
    K.APOLOGY_ISSUED: {"new_due_at": "2026-12-08 17:00", "reason": "Chờ xác minh", "delay_body": "Công an xã"},
    K.STOPPED: {"reason": "Công dân đề nghị dừng"},
    K.WITHDRAWN: {"reason": "Công dân xin rút hồ sơ"},
}


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "motcua-bench-lifecycle-200k.sqlite"))
    p.add_argument("--dossiers", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=40)
    a = p.parse_args()
    out = Path(tempfile.mkdtemp()) / "printer.bin"
    clock = FixedClock(datetime(2026, 11, 23, 9, 0))       # Monday; the new dates below are later
    settings = Settings(db_url=a.db, printer_uri=f"file://{out}", demo=True, copies=2)
    services = build_services(settings, clock, seed_demo=0)
    have = services.dossiers.count()
    if have < a.dossiers:
        from db.demo.seed import seed_dossiers
        t = time.perf_counter()
        seed_dossiers(services.engine, n=a.dossiers - have, days=250, clock=clock, hlc=services.hlc)
        print(f"seeded {a.dossiers - have} dossiers in {time.perf_counter() - t:.1f} s")
    print(f"database: {services.dossiers.count():,} dossiers; load average {os.getloadavg()}")
    clerk = next(c for c in services.accounts.list() if c.username == "canbo")
    proc = services.catalogue.get("1.004873")                # 3 working days
    form = ReceiveForm(procedure=proc, full_name="Lê Thị Hoa", phone="0912345678",
                       documents=tuple(range(len(proc.documents))))
    draft = validate_receive(form, clock.now().date()).draft

    # Warm up: the calendar, the printer's font and profile, the first statements.
    d = save_dossier(services, clerk, draft).dossier
    perform(services, clerk, d.id, K.NOTE, {"text": "khởi động"})
    run_print_job(services, save_dossier(services, clerk, draft).print_job_id)

    printed_any = False
    for kind, fields in ACTIONS.items():
        times, action_only, sizes = [], [], []
        for _ in range(a.runs):
            d = save_dossier(services, clerk, draft).dossier       # not timed: a fresh dossier
            clock.advance(seconds=20)
            before = out.stat().st_size if out.exists() else 0
            t0 = time.perf_counter()
            result = perform(services, clerk, d.id, kind, fields)
            t1 = time.perf_counter()
            if result.print_job_id:
                error = run_print_job(services, result.print_job_id)
                if error:
                    raise SystemExit(f"print failed: {error}")
            t2 = time.perf_counter()
            times.append((t2 - t0) * 1000)
            action_only.append((t1 - t0) * 1000)
            sizes.append(out.stat().st_size - before if out.exists() else 0)
        slip = sizes[-1] > 0
        printed_any |= slip
        print(f"{kind.value:<22} action+slip median {statistics.median(times):6.1f} ms  p95 {pct(times, .95):6.1f} ms"
              f"  (action alone {statistics.median(action_only):5.1f} ms; slip {statistics.median(sizes):,.0f} B)"
              + ("" if slip else "  [no slip: core.forms not in this build]"))

    from tui.screens.home import load_list
    for name in ("today", "overdue", "apology_needed"):
        load_list(services, name, 0)
        times = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            loaded = load_list(services, name, 0)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"home work list ({name}: {loaded.total} rows, counts {loaded.counts}) "
              f"median {statistics.median(times):.1f} ms  p95 {pct(times, .95):.1f} ms")
    print(f"load average after: {os.getloadavg()}; slips printed: {printed_any}")


if __name__ == "__main__":
    main()
