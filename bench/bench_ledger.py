"""The ledger (form 07) of one month, about 3,000 dossiers, to XLSX (target <= 2 s).

Seeds a month of demo dossiers (22 working days) into a SQLite file, then alternates rounds
of the full export (query the period's dossiers and events, build the rows, write the
workbook to a file) with a baseline measured in the same run: openpyxl writing the same
number of 15-column rows of plain strings to a file. Reports medians of wall and CPU time,
the split of the export, the CPU ratio to the baseline, and the machine load.

    python bench/bench_ledger.py [--dossiers 3000] [--rounds 7] [--db PATH]
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

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from core.clock import FixedClock  # noqa: E402
from core.ledger import LEDGER_COLUMNS  # noqa: E402
from db.ledger import ledger_entries  # noqa: E402
from db.models import dossier  # noqa: E402
from printers.ledger_xlsx import ledger_to_xlsx  # noqa: E402
from tui.actions import export_ledger  # noqa: E402
from tui.config import Settings  # noqa: E402
from tui.services import build_services  # noqa: E402


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dossiers", type=int, default=3000)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--db", default=None)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="motcua-ledger-"))
    db = a.db or str(tmp / "month.sqlite")
    clock = FixedClock(datetime(2026, 11, 30, 17, 0))
    services = build_services(Settings(db_url=db, demo=True, printer_uri="dummy:"), clock, seed_demo=0)
    if services.dossiers.count() < a.dossiers:
        from db.demo.seed import seed_dossiers
        t = time.perf_counter()
        seed_dossiers(services.engine, n=a.dossiers - services.dossiers.count(), days=22, clock=clock,
                      hlc=services.hlc)
        print(f"seeded {a.dossiers} dossiers in {time.perf_counter() - t:.1f} s")
    with services.engine.connect() as conn:
        lo, hi = conn.execute(select(func.min(dossier.c.received_at), func.max(dossier.c.received_at))).one()
    date_from, date_to = lo.date(), hi.date()
    out, base_out = tmp / "so.xlsx", tmp / "baseline.xlsx"
    rows = len(ledger_entries(services.engine, date_from, date_to))
    plain = [tuple(f"giá trị {i} {j}" for j in range(len(LEDGER_COLUMNS))) for i in range(rows)]

    def baseline():
        wb = Workbook()
        ws = wb.active
        ws.append(LEDGER_COLUMNS)
        for r in plain:
            ws.append(r)
        wb.save(base_out)

    full, base, query, write = [], [], [], []
    entries = []
    for i in range(a.rounds + 1):
        f = timed(lambda: export_ledger(services, date_from, date_to, out))
        b = timed(baseline)
        q = timed(lambda: entries.append(ledger_entries(services.engine, date_from, date_to)))
        x = timed(lambda: ledger_to_xlsx(entries[-1], date_from, date_to, path=out))
        if i:                                   # the first round warms imports and caches
            full.append(f), base.append(b), query.append(q), write.append(x)

    def med(xs, k):
        return statistics.median(x[k] for x in xs)

    print(f"load average before/after: {os.getloadavg()[0]:.2f} (2 cores shared)")
    print(f"ledger of {date_from:%d/%m/%Y}-{date_to:%d/%m/%Y}: {rows} dossiers, {out.stat().st_size:,} bytes")
    print(f"export to XLSX: median wall {med(full, 0) * 1000:.0f} ms, CPU {med(full, 1) * 1000:.0f} ms"
          "  (target <= 2000 ms)")
    print(f"  query + rows: median {med(query, 0) * 1000:.0f} ms; workbook + file: {med(write, 0) * 1000:.0f} ms")
    print(f"baseline (openpyxl, same rows of plain strings): median wall {med(base, 0) * 1000:.0f} ms, "
          f"CPU {med(base, 1) * 1000:.0f} ms")
    print(f"CPU ratio export / baseline: {med(full, 1) / med(base, 1):.2f}")
    services.engine.dispose()


if __name__ == "__main__":
    main()
