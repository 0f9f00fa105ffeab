"""A deadline on every network wait of a sync.

libpq bounds the connect (`connect_timeout`) and the server bounds each statement
(`statement_timeout`), but neither helps when the link stalls: the TCP connection stays
open (a proxy or a NAT box keeps acknowledging), nothing flows, and the client waits in
recv() for ever -- TCP keepalives are answered by whoever holds the socket. So each
transaction of a sync runs under a `Watchdog`: when it overruns, the watchdog shuts the
socket down from its own thread, the blocked read returns an error at once, and the sync
ends as failed with the reason ("không phản hồi trong N giây"). The next sync opens a
fresh connection.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

log = logging.getLogger(__name__)


class Watchdog:
    """Cuts one connection's socket when an armed wait overruns its deadline."""

    def __init__(self, fileno: Callable[[], int | None], seconds: float):
        self._fileno = fileno
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()

    @contextmanager
    def armed(self, seconds: float | None = None) -> Iterator[None]:
        timer = threading.Timer(seconds or self.seconds, self._fire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            try:
                fd = self._fileno()
            except Exception:               # the connection is already gone
                fd = None
            if fd is None or fd < 0:
                return
            log.warning("central store did not answer within %.0f s: cutting the connection", self.seconds)
            try:
                dup = socket.socket(fileno=os.dup(fd))
            except OSError:
                return
            try:
                dup.shutdown(socket.SHUT_RDWR)       # wakes the thread blocked in recv()
            except OSError:
                pass
            finally:
                dup.close()
