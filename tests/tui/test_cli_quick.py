"""Commands that answer at once: `calendar due|show` and `catalogue export` read an existing
desk database without importing SQLAlchemy (db/quick.py), and answer as the full path does."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desk(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL"):
        monkeypatch.delenv(var, raising=False)
    db = str(tmp_path / "d.sqlite")
    # The first command creates the demo desk through the services (the full path).
    assert main(["calendar", "due", "--demo", "--db", db, "--received", "2026-11-20 15:30",
                 "--procedure", "1.001193"]) == 0
    assert main(["calendar", "set", "2026-11-24", "--db", db, "--kind", "day_off",
                 "--name", "Nghỉ bù bầu cử"]) == 0
    return db


def _run(tmp_path: Path, *argv: str) -> tuple[str, list[str]]:
    code = (
        "import sys, json\n"
        "from tui.cli import main\n"
        f"rc = main({list(argv)!r})\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'textual', 'PIL', 'escpos') if m in sys.modules]\n"
        "print(json.dumps(heavy))\n"
        "sys.exit(rc)\n"
    )
    env = {"MOTCUA_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    *out, heavy = done.stdout.strip().splitlines()
    return "\n".join(out), json.loads(heavy)


def test_due_reads_the_overrides_and_procedure_without_sqlalchemy(desk, tmp_path):
    out, heavy = _run(tmp_path, "calendar", "due", "--db", desk, "--received", "2026-11-23 15:30",
                      "--procedure", "1.001193")
    assert heavy == []
    assert out == "17:00 25/11/2026"          # after the cutoff on Monday; the 24th is a local day off


def test_show_lists_the_local_override_without_sqlalchemy(desk, tmp_path):
    out, heavy = _run(tmp_path, "calendar", "show", "2026", "--db", desk)
    assert heavy == []
    assert "24/11/2026" in out and "Nghỉ bù bầu cử" in out and "điều chỉnh địa phương" in out


def test_catalogue_export_without_sqlalchemy_matches_the_full_path(desk, tmp_path, capsys):
    quick_file = tmp_path / "quick.json"
    out, heavy = _run(tmp_path, "catalogue", "export", str(quick_file), "--db", desk)
    assert heavy == [] and "21 thủ tục" in out
    from core.catalogue_io import dumps_json
    from db.catalogue import CatalogueRepo
    from db.engine import make_engine
    from core.clock import SystemClock
    engine = make_engine(f"sqlite:///{desk}")
    assert quick_file.read_text(encoding="utf-8") == dumps_json(CatalogueRepo(engine, SystemClock()).current())
    engine.dispose()


def test_help_imports_nothing_heavy(tmp_path):
    code = ("import sys, contextlib, io\nfrom tui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            "print([m for m in ('sqlalchemy', 'holidays', 'textual', 'PIL', 'escpos') if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr
