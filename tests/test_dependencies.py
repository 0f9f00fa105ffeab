"""Every dependency pyproject.toml declares is imported by the code that ships (issue 12:
no declared-but-unused dependencies), and every third-party import is declared."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "db", "printers", "tui")
# distribution name -> the module it provides
MODULE = {"sqlalchemy": "sqlalchemy", "python-escpos": "escpos", "pillow": "PIL",
          "argon2-cffi": "argon2", "fpdf2": "fpdf", "psycopg": "psycopg"}


def _declared() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    out = {}
    for spec in deps:
        name = re.match(r"[A-Za-z0-9_.-]+", spec).group().lower()
        out[name] = MODULE.get(name, name.replace("-", "_"))
    return out


def _imported() -> set[str]:
    """Top-level modules imported anywhere (module level or inside functions)."""
    found: set[str] = set()
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    return found


def test_every_declared_dependency_is_imported():
    imported = _imported()
    unused = [dist for dist, module in _declared().items() if module not in imported]
    assert unused == []


def test_every_third_party_import_is_declared():
    ours = set(PACKAGES) | {"__future__"}
    declared = set(_declared().values())
    # imported only through a declared package's extra (python-escpos[usb,serial]) or optional
    extras = {"usb", "serial", "cups", "win32print", "pywintypes", "msvcrt", "fcntl", "termios", "tty",
              "winreg", "pty", "resource", "grp", "pwd"}
    third = {m for m in _imported() if m not in sys.stdlib_module_names and m not in ours}
    assert third - declared - extras == set()
