"""Commands that answer at once (issue 11): `calendar due` against a script that only loads
the VN holidays for that year, measured in the same run.

    python bench/bench_commands.py [--runs 15] [--db PATH]

Runs each command as its own process, in alternated rounds (so a busy machine slows all of
them alike), and reports medians of wall time and of CPU time (user + system of the child:
what the command costs, whatever else the machine is doing). Commands: `python -c pass`;
the baseline (import holidays, VN holidays of 2026); `motcua calendar due` for a procedure;
`motcua calendar show`; `motcua catalogue export`; `motcua --help`; `motcua dossier show`.
The target: `calendar due` within 2x the baseline.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "import holidays; holidays.country_holidays('VN', years=2026)"


def commands(db: str, out: str, code: str) -> dict[str, list[str]]:
    motcua = [sys.executable, "-m", "tui"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "baseline: VN holidays 2026": [sys.executable, "-c", BASELINE],
        "calendar due --procedure": motcua + ["calendar", "due", "--db", db, "--received",
                                              "2026-11-20 15:30", "--procedure", "1.001193"],
        "calendar show 2026": motcua + ["calendar", "show", "2026", "--db", db],
        "catalogue export": motcua + ["catalogue", "export", out, "--db", db],
        "--help": motcua + ["--help"],
        "dossier show": motcua + ["dossier", "show", code, "--db", db],
    }


def timed(argv: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--db", help="a demo desk database (made in a temporary folder if absent)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MOTCUA_CONFIG": str(Path(tmp) / "none.toml")}
        db = args.db or str(Path(tmp) / "desk.sqlite")
        if not Path(db).exists():
            subprocess.run([sys.executable, "-m", "tui", "demo", "seed", "--db", db, "--demo", "--dossiers", "300"],
                           cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        import sqlite3
        with sqlite3.connect(db) as conn:
            code = conn.execute("SELECT code FROM dossier ORDER BY received_at DESC LIMIT 1").fetchone()[0]
        cmds = commands(db, str(Path(tmp) / "catalogue.json"), code)
        for argv in cmds.values():                    # warm the disk cache and .pyc files
            timed(argv, env)
        walls: dict[str, list[float]] = {k: [] for k in cmds}
        cpus: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(args.runs):
            for name, argv in cmds.items():
                wall, cpu = timed(argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    base_wall = statistics.median(walls["baseline: VN holidays 2026"])
    base_cpu = statistics.median(cpus["baseline: VN holidays 2026"])
    print(f"\n{args.runs} alternated rounds; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    print(f"{'command':<30}{'wall ms':>9}{'x base':>8}{'CPU ms':>9}{'x base':>8}")
    for name in cmds:
        w, c = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"{name:<30}{w * 1000:>9.0f}{w / base_wall:>8.2f}{c * 1000:>9.0f}{c / base_cpu:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
