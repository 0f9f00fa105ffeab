"""Wakes the kiosk when the clerk side writes: a thread polls SQLite's `PRAGMA data_version`
(it changes whenever another connection commits) every `interval` seconds, and reads the
desk's prompt only then, or every few seconds regardless. Idle, that is one tiny query per
tick and no allocation worth the name."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger("motcua.kiosk")

RECHECK_SECONDS = 2.0


class PromptWatcher(threading.Thread):
    def __init__(self, engine, fetch: Callable[[], object], changed: Callable[[object], None],
                 interval: float = 0.1):
        super().__init__(name="kiosk-watch", daemon=True)
        self.engine, self.fetch, self.changed, self.interval = engine, fetch, changed, interval
        self._stop = threading.Event()
        self._wake = threading.Event()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def poke(self) -> None:
        """Read now (after the kiosk's own write, or in tests)."""
        self._wake.set()

    def run(self) -> None:
        sqlite = self.engine.dialect.name == "sqlite"
        raw = self.engine.raw_connection() if sqlite else None
        version, last, last_read = None, object(), 0.0
        try:
            while not self._stop.is_set():
                try:
                    now = time.monotonic()
                    current = raw.cursor().execute("PRAGMA data_version").fetchone()[0] if sqlite else None
                    if current != version or now - last_read >= RECHECK_SECONDS or self._wake.is_set():
                        self._wake.clear()
                        version, last_read = current, now
                        prompt = self.fetch()
                        key = None if prompt is None else (prompt.id, prompt.level, prompt.shown_at)
                        if key != last:
                            last = key
                            self.changed(prompt)
                except Exception as exc:        # a locked or missing file: try again next tick
                    log.warning("kiosk watch: %s", type(exc).__name__)
                self._wake.wait(self.interval)
        finally:
            if raw is not None:
                raw.close()
