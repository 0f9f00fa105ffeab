"""A serial printer on a pseudo-terminal: takes bytes no faster than its baud rate.

The app opens the pty's slave end as `serial:///dev/pts/N?baud=B` through pyserial, as it
would a real port; a thread drains the master end at B/10 bytes a second (8N1: ten bits a
byte) and notes when the last byte arrived. Used by bench/bench_serial.py and by the test
suite's slow-link test (POSIX only: Windows has no pty).
"""
from __future__ import annotations

import os
import select
import threading
import time
import tty


class PtyPrinter:
    def __init__(self, baud: int) -> None:
        import pty
        self.baud = baud
        self.rate = baud / 10.0
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)              # no echo, no line discipline: raw bytes
        self.path = os.ttyname(self.slave)
        self.received = bytearray()
        self.first_at: float | None = None
        self.last_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def uri(self) -> str:
        return f"serial://{self.path}?baud={self.baud}"

    def _drain(self) -> None:
        credit_since = None               # token bucket: bytes allowed since the link woke
        taken = 0
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                credit_since, taken = None, 0          # idle: the line has no backlog
                continue
            now = time.monotonic()
            if credit_since is None:
                credit_since, taken = now, 0
            allowed = int((now - credit_since) * self.rate) - taken
            if allowed <= 0:
                time.sleep(max(0.001, (1 - allowed) / self.rate))
                continue
            try:
                data = os.read(self.master, min(allowed, 4096))
            except OSError:
                return
            taken += len(data)
            if self.first_at is None:
                self.first_at = now
            self.received += data
            self.last_at = time.monotonic()

    def wait_idle(self, quiet: float = 1.0, limit: float = 600.0) -> None:
        """Until no byte has arrived for `quiet` seconds (the line has drained)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            last = self.last_at or 0.0
            if self.received and time.monotonic() - last > quiet:
                return
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self.slave)
