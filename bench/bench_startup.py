"""`motcua --demo` to the first interactive screen, against a minimal Textual app.

Each run is a fresh process, timed from spawning the interpreter until its first screen has
taken a keystroke (the letter typed is in the focused field). motcua opens and migrates the
database in a worker behind the login screen; the time until that is done is reported too. the two kinds of run
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
    import asyncio, sys, time
    from textual import events
    while not pilot.app.query(Input) or not pilot.app.query_one(Input).has_focus:
        await asyncio.sleep(0.002)
    pilot.app.post_message(events.Key("a", "a"))   # as the terminal driver delivers a key
    while pilot.app.query_one(Input).value != "a":
        await asyncio.sleep(0.002)
    print(f"READY {time.time()}", file=sys.stderr)
    pilot.app.exit()
Minimal().run(headless=True, auto_pilot=ready)
"""

# Mirrors tui.cli.run_app; "ready" is the login screen mounted and taking keys. The
# database opens behind it in a worker; the time until that is done is printed to stderr.
MOTCUA = """
import asyncio, sys, time
from textual import events
from tui.cli import build_parser
from tui.cli.common import settings_from as _settings
from tui.app import MotcuaApp
from tui.screens.login import LoginScreen
args = build_parser().parse_args(["--demo", "--db", sys.argv[1]])
settings = _settings(args)
def load():
    from tui.services import build_services
    return build_services(settings)
app = MotcuaApp(loader=load)
async def ready(pilot):
    # Pilot.press waits for the whole process to be idle, which a loading worker never is;
    # post the key as the terminal driver does and wait for it to land in the field.
    while not isinstance(pilot.app.screen, LoginScreen) or not pilot.app.screen.query_one("#username").has_focus:
        await asyncio.sleep(0.002)
    pilot.app.post_message(events.Key("a", "a"))
    while pilot.app.screen.query_one("#username").value != "a":
        await asyncio.sleep(0.002)
    print(f"READY {time.time()}", file=sys.stderr)
    while not pilot.app.services_ready:
        await asyncio.sleep(0.005)
    print(f"LOADED {time.time()}", file=sys.stderr)
    pilot.app.exit()
app.run(headless=True, auto_pilot=ready)
"""


LOADED: list[float] = []


def run(code: str, *args: str) -> float:
    """Seconds from spawning the interpreter to its first screen taking keys."""
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    marks = dict(line.split() for line in done.stderr.splitlines()
                 if line.startswith(("READY ", "LOADED ")))
    if "LOADED" in marks:
        LOADED.append(float(marks["LOADED"]) - start)
    return float(marks["READY"]) - start


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
    print(f"first demo start (db created + seeded behind the login screen): {first * 1000:7.0f} ms")
    print(f"minimal Textual app, median of {a.runs}:    {mb * 1000:7.0f} ms")
    print(f"motcua --demo, median of {a.runs}:          {mo * 1000:7.0f} ms")
    print(f"ratio: {mo / mb:.2f}  (target <= 1.5)")
    print(f"motcua database open behind the login screen, median {statistics.median(LOADED[1:]) * 1000:.0f} ms"
          " from spawn")


if __name__ == "__main__":
    main()
