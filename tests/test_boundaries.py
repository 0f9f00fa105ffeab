"""The layer rules of architecture.md, enforced: core is pure, db and printers are
independent, nothing below the UI imports it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return {name.split(".")[0] for name in out.split()}


def _package_modules(package: str) -> list[str]:
    base = ROOT / package
    return [
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in sorted(base.rglob("*.py"))
        if p.name != "__main__.py" and "migrations" not in p.parts
    ]


def test_core_loads_no_ui_orm_printer_or_imaging_library():
    loaded = _loaded_after_import(_package_modules("core"))
    forbidden = {"textual", "rich", "sqlalchemy", "sqlmodel", "escpos", "PIL", "qrcode",
                 "psycopg", "alembic", "db", "printers", "tui"}
    assert not (loaded & forbidden), f"core pulled in {sorted(loaded & forbidden)}"


def test_db_loads_neither_printers_nor_ui():
    loaded = _loaded_after_import(_package_modules("db"))
    assert not (loaded & {"printers", "tui", "textual", "escpos", "PIL"})


def test_printers_load_neither_db_nor_ui():
    loaded = _loaded_after_import(_package_modules("printers"))
    assert not (loaded & {"db", "tui", "textual", "sqlalchemy", "sqlmodel"})


def test_import_linter_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.fail("import-linter is a test dependency: pip install -e '.[test]'")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
