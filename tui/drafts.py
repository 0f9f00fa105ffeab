"""Drafts of forms being typed, kept on the desk's disk so a crash, a power cut or a closed
terminal loses nothing: written (atomically, owner-only: it holds personal data) from a worker
as the clerk types, offered back on the next start, removed once the form is saved or the
clerk chooses to discard it."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


class DraftStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def save(self, name: str, data: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self._path(name))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, name: str) -> dict | None:
        try:
            return json.loads(self._path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def clear(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
