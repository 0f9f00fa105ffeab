"""Kiosk bench: step completed -> prompt visible on the kiosk, and the kiosk's idle cost.

Two programs on one desk database file, as at a real desk:
- the kiosk: `KioskApp` in a child process (headless Textual driver: everything but the
  terminal output runs, painting included), logging the wall time at which each prompt
  has been painted (`on_visible`, after the refresh that shows it);
- the clerk side: this process receives dossiers through `tui.actions.save_dossier`, the
  very function the clerk app's save worker runs, at 0.3-1.2 s intervals; "step completed"
  is the moment that transaction has committed.

Then the kiosk is left idle and its CPU time (utime + stime from /proc) over the window and
its resident memory are read; a bare Textual app with one Static, idle in the same run, is
the baseline.

    python bench/bench_kiosk.py [--receipts 60] [--idle 30]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def kiosk_child(db: str, log_path: str) -> None:
    from tui.config import Settings
    from tui.kiosk import build_kiosk
    from tui.kiosk.app import KioskApp
    log = open(log_path, "a", buffering=1, encoding="utf-8")

    def visible(prompt) -> None:
        log.write(f"{prompt.dossier_code} {time.time():.6f}\n")

    KioskApp(build_kiosk(Settings(db_url=db, demo=True)), on_visible=visible).run(headless=True)


def bare_child() -> None:
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("idle")
    Bare().run(headless=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def idle_cost(pid: int, seconds: float) -> tuple[float, float]:
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0), rss_mb(pid)


def wait_for(path: Path, code: str, limit: float = 5.0) -> float | None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                got, at = line.split()
                if got == code:
                    return float(at)
        time.sleep(0.005)
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--receipts", type=int, default=60)
    ap.add_argument("--idle", type=float, default=30.0)
    ap.add_argument("--kiosk-child", nargs=2, metavar=("DB", "LOG"))
    ap.add_argument("--bare-child", action="store_true")
    args = ap.parse_args()
    if args.kiosk_child:
        kiosk_child(*args.kiosk_child)
        return
    if args.bare_child:
        bare_child()
        return

    from tests.db.conftest import make_draft
    from tui.actions import save_dossier
    from tui.config import Settings
    from tui.services import build_services

    tmp = Path(tempfile.mkdtemp(prefix="bench-kiosk-"))
    db, log = str(tmp / "desk.sqlite"), tmp / "visible.log"
    services = build_services(Settings(db_url=db, demo=True, printer_uri="dummy:", copies=1), seed_demo=0)
    clerk = next(c for c in services.accounts.list() if c.username == "canbo")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kiosk = subprocess.Popen([sys.executable, __file__, "--kiosk-child", db, str(log)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare = subprocess.Popen([sys.executable, __file__, "--bare-child"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(4.0)                                  # both started and settled
        rng = random.Random(9)
        latencies, missed = [], 0
        for _ in range(args.receipts):
            result = save_dossier(services, clerk, make_draft())
            committed = time.time()
            seen = wait_for(log, result.dossier.code)
            if seen is None:
                missed += 1
            else:
                latencies.append((seen - committed) * 1000)
            time.sleep(rng.uniform(0.3, 1.2))
        time.sleep(35)                                   # the last prompt times out: idle
        kiosk_cpu, kiosk_rss = idle_cost(kiosk.pid, args.idle)
        bare_cpu, bare_rss = idle_cost(bare.pid, min(args.idle, 15))
    finally:
        for p in (kiosk, bare):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        services.engine.dispose()
    latencies.sort()
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)] if latencies else float("nan")
    print(f"machine load (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    print(f"step completed -> prompt visible: n={len(latencies)} missed={missed} "
          f"median {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, max {max(latencies):.0f} ms")
    print(f"kiosk idle: {kiosk_cpu * 100:.2f} % of one core, RSS {kiosk_rss:.0f} MB "
          f"(bare Textual app: {bare_cpu * 100:.2f} %, RSS {bare_rss:.0f} MB)")


if __name__ == "__main__":
    main()
