"""Key-to-screen latency in the app while a 100,000-event pull runs in the background.

    python bench/bench_key_latency.py [--events 100000] [--keys 300]

Set-up: desk 1 of an agency (bench/sync_gen.py) pushes its events to a central SQLite file;
an empty desk 2 of the same agency opens the real app (MotcuaApp + build_services, headless)
and starts its background sync, which pulls all of them in the app's sync worker thread.
Meanwhile a key is posted every 20 ms into the focused field, as the terminal driver posts
it, and the time until the field's value shows it is recorded. The same number of keys is
measured with no sync running first (the baseline, same process, same run).

Target (issue 12): p95 <= 100 ms while the pull runs.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENCY = "000.21.53.H48"


def prepare(tmp: Path, events: int) -> tuple[Path, str]:
    from bench.sync_gen import make_desk_file
    from core.clock import HybridClock, SystemClock
    from db.engine import make_engine
    from db.sync import SyncEngine
    from db.sync.central import init_central
    central = f"sqlite:///{tmp / 'central.sqlite'}"
    init_central(central)
    desk1 = tmp / "desk1.sqlite"
    made = make_desk_file(desk1, AGENCY, 1, max(1, events * 10 // 36))
    engine = make_engine(f"sqlite:///{desk1}")
    clock = SystemClock()
    sync = SyncEngine(engine, central, agency_code=AGENCY, desk_number=1,
                      hlc=HybridClock(clock, f"{AGENCY}/1"), clock=clock)
    sync.run_once()
    sync.close()
    engine.dispose()
    desk2 = tmp / "desk2.sqlite"
    make_desk_file(desk2, AGENCY, 2, 0)
    print(f"central holds {made} events of desk 1", flush=True)
    return desk2, central


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=300)
    a = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    desk, central = prepare(tmp, a.events)

    from textual import events as ev
    from tui.app import MotcuaApp
    from tui.config import Settings
    from tui.services import build_services
    settings = Settings(db_url=str(desk), central_url=central, printer_uri="dummy:", sync_interval=86_400)
    app = MotcuaApp(build_services(settings, seed_demo=0))
    result: dict[str, list[float]] = {"idle": [], "pull": []}
    pull_time: list[float] = []

    async def keys(pilot, label: str, count: int, until=None) -> None:
        field = pilot.app.screen.query_one("#username")
        for _ in range(count):
            if until is not None and until():
                break
            before = len(field.value)
            if before > 40:
                field.value = ""
                await asyncio.sleep(0.02)
                before = 0
            start = time.perf_counter()
            pilot.app.post_message(ev.Key("a", "a"))
            while len(field.value) == before:
                await asyncio.sleep(0.001)
            result[label].append(time.perf_counter() - start)
            await asyncio.sleep(0.02)

    async def run(pilot) -> None:
        while not pilot.app.screen.query("#username") or not pilot.app.screen.query_one("#username").has_focus:
            await asyncio.sleep(0.01)
        await keys(pilot, "idle", a.keys)
        started = time.perf_counter()
        worker = pilot.app._sync(True)
        await keys(pilot, "pull", 100_000, until=lambda: worker.is_finished)
        await worker.wait()
        pull_time.append(time.perf_counter() - started)
        pilot.app.exit()

    app.run(headless=True, auto_pilot=run, size=(80, 24))
    pulled = app.services.dossiers.count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for label in ("idle", "pull"):
        v = [x * 1000 for x in result[label]]
        print(f"{label:>5}: {len(v)} keys, median {statistics.median(v):6.1f} ms, "
              f"p95 {percentile(v, 0.95):6.1f} ms, max {max(v):6.1f} ms")
    print(f"pull: {pulled} dossiers in {pull_time[0]:.1f} s while typing; load average {load:.1f}")
    print("target: p95 <= 100 ms while the pull runs")


if __name__ == "__main__":
    main()
