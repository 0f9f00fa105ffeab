"""Every module imports without POSIX-only modules (the desk is usually a Windows PC)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSIX_ONLY = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog", "crypt",
              "posix_ipc", "readline")

CHILD = f"""
import importlib, importlib.abc, pkgutil, sys
BLOCKED = set({POSIX_ONLY!r})

class Windows(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not on Windows)", name=name)
        return None

for name in list(sys.modules):
    if name.split(".")[0] in BLOCKED:
        del sys.modules[name]
sys.meta_path.insert(0, Windows())
try:
    import fcntl  # noqa: F401
    raise SystemExit("the block does not work")
except ModuleNotFoundError:
    pass
failed = []
count = 0
for package in ("core", "db", "printers", "tui"):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if ".migrations.versions." in info.name or info.name == "db.migrations.env":   # Alembic's
            continue
        count += 1
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            failed.append(f"{{info.name}}: {{type(exc).__name__}}: {{exc}}")
print(count)
print("\\n".join(failed))
"""


def test_every_module_imports_without_posix_only_modules():
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    count, *failed = done.stdout.strip().splitlines()
    assert int(count) > 60
    assert [f for f in failed if f] == []
