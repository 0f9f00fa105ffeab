"""`motcua --demo` to the first interactive screen, against a minimal Textual app.

Each run is a fresh process (interpreter start, imports, database open and migration check,
first screen mounted and ready for keys), measured from the outside; the two kinds of run
alternate so machine noise hits both alike. Reports medians and the ratio.

    python bench/bench_startup.py [--runs 15] [--db PATH]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """
from textual.app import App
from textual.widgets import Input, Footer, Header
class Minimal(App):
    def compose(self):
        yield Header(); yield Input(placeholder="ready"); yield Footer()
async def ready(pilot):
    await pilot.pause()
    pilot.app.exit()
Minimal().run(headless=True, auto_pilot=ready)
"""

MOTCUA = """
import sys
from tui.cli import _settings, build_parser
from tui.services import build_services
from tui.app import MotcuaApp
from tui.screens.login import LoginScreen
args = build_parser().parse_args(["--demo", "--db", sys.argv[1]])
app = MotcuaApp(build_services(_settings(args)))
async def ready(pilot):
    while not isinstance(pilot.app.screen, LoginScreen):
        await pilot.pause(0.005)
    await pilot.pause()
    pilot.app.exit()
app.run(headless=True, auto_pilot=ready)
"""


def run(code: str, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", default=None)
    a = parser.parse_args()
    db = a.db or str(Path(tempfile.mkdtemp()) / "demo.sqlite")
    first = run(MOTCUA, db)     # first start creates, migrates and seeds the demo database
    run(MINIMAL)                # warm the OS file cache for both
    base, ours = [], []
    for _ in range(a.runs):
        base.append(run(MINIMAL))
        ours.append(run(MOTCUA, db))
    mb, mo = statistics.median(base), statistics.median(ours)
    print(f"first demo start (creates + seeds the db): {first * 1000:7.0f} ms")
    print(f"minimal Textual app, median of {a.runs}:    {mb * 1000:7.0f} ms")
    print(f"motcua --demo, median of {a.runs}:          {mo * 1000:7.0f} ms")
    print(f"ratio: {mo / mb:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
