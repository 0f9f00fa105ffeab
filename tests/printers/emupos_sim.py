"""An emulated receipt printer for tests: emupos (PyPI) in its own Python 3.13 venv.

emupos needs Python >= 3.13 while motcua runs on 3.11+, so it runs as a subprocess from
a venv this module makes on first use (and reuses): `python -m tests.printers.emupos_sim`
prepares it ahead of time (CI does this in .ci/run). The interpreter is found in
$MOTCUA_EMUPOS_PYTHON, `python3.13` on PATH, or pyenv's 3.13.x.

`EmulatedPrinter` starts one printer (an Xprinter XP-80T by default) with a TCP port and
a serial pseudo-terminal, and sets faults (paper-out, cover-open, offline) through the
emupos control API, as a person would open the cover of a real one.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

EMUPOS_SPEC = "emupos>=0.4,<0.5"


def _venv_dir() -> Path:
    base = os.environ.get("MOTCUA_EMUPOS_VENV")
    if base:
        return Path(base)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "motcua-tests" / "emupos-venv"


def _works(python: str) -> bool:
    """A real interpreter >= 3.13 (a pyenv shim for an unselected version is not)."""
    try:
        return subprocess.run([python, "-c", "import sys; sys.exit(sys.version_info < (3, 13))"],
                              capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_python313() -> str:
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [os.environ.get("MOTCUA_EMUPOS_PYTHON", "")]
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.1[3-9]*", "bin", "python")),
                         reverse=True)
    candidates += [shutil.which(name) or "" for name in ("python3.14", "python3.13")]
    for c in candidates:
        if c and os.path.exists(c) and _works(c):
            return c
    raise RuntimeError(
        "emupos needs Python >= 3.13 and none was found: install one (pyenv install 3.13) or "
        "set MOTCUA_EMUPOS_PYTHON to its interpreter.")


def emupos_command() -> list[str]:
    """The `emupos` executable, installing it into its own venv when missing."""
    venv = _venv_dir()
    exe = venv / ("Scripts/emupos.exe" if os.name == "nt" else "bin/emupos")
    if exe.exists():
        return [str(exe)]
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([find_python313(), "-m", "venv", str(venv)], check=True)
    pip = venv / ("Scripts/pip.exe" if os.name == "nt" else "bin/pip")
    subprocess.run([str(pip), "install", "-q", EMUPOS_SPEC], check=True)
    return [str(exe)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmulatedPrinter:
    def __init__(self, workdir: Path, profile: str = "xprinter-xp80t") -> None:
        self.workdir = workdir
        self.tcp_port, self.api_port = free_port(), free_port()
        self.device = "xp"
        config = workdir / "emupos.yaml"
        config.write_text(
            "schema: 1\n"
            f"api: {{ host: 127.0.0.1, port: {self.api_port} }}\n"
            "devices:\n"
            f"  - id: {self.device}\n"
            "    type: printer\n"
            f"    profile: {profile}\n"
            "    connections:\n"
            f"      - tcp: {{ port: {self.tcp_port} }}\n"
            "      - serial: { pty: true }\n", encoding="utf-8")
        env = dict(os.environ, TMPDIR=str(workdir), NO_COLOR="1")
        self.log = open(workdir / "emupos.log", "wb")
        self.proc = subprocess.Popen(emupos_command() + ["run", "--config", str(config)],
                                     cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    @property
    def tcp_uri(self) -> str:
        return f"tcp://127.0.0.1:{self.tcp_port}"

    @property
    def serial_path(self) -> str:
        return str(self.workdir / "emupos" / self.device)

    def _api(self, method: str, path: str):
        req = urllib.request.Request(f"http://127.0.0.1:{self.api_port}/api/v1{path}", method=method)
        with urllib.request.urlopen(req, timeout=5) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def _wait_ready(self, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"emupos exited: {(self.workdir / 'emupos.log').read_text()}")
            try:
                self._api("GET", "/health")
                if os.path.exists(self.serial_path):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.close()
        raise RuntimeError("emupos did not start within a minute")

    def set_fault(self, fault: str, active: bool = True) -> None:
        self._api("PUT" if active else "DELETE", f"/devices/{self.device}/faults/{fault}")

    def receipts(self) -> list:
        return self._api("GET", f"/devices/{self.device}/receipts")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


if __name__ == "__main__":
    print(" ".join(emupos_command()))
    sys.exit(0)
