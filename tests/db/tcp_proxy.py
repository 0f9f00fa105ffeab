"""A loopback TCP proxy in front of PostgreSQL that can cut the stream like a bad network.

    proxy = DropProxy(("127.0.0.1", 5432)).start()
    proxy.drop_up_after = 50_000     # reset every connection once 50 kB went client -> server
    ... connect to 127.0.0.1:proxy.port ...
    proxy.refuse = True              # new connections are refused (desk offline)
    proxy.stall_down_after = 20_000  # after 20 kB server -> client, nothing flows (link hung)
    proxy.stop()

A cut is a TCP reset on both sides (SO_LINGER 0), the way a dropped mobile link or a
rebooted router shows up, in the middle of whatever statement was on the wire.
"""
from __future__ import annotations

import socket
import struct
import threading


def _reset(sock: socket.socket) -> None:
    """Abort the connection with a RST. shutdown(SHUT_RD) first: close() alone does not
    wake a thread blocked in recv() on the socket, and the kernel would keep the
    connection open (and silent) until that recv returned."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class DropProxy:
    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.drop_up_after: int | None = None      # client -> server bytes per connection
        self.drop_down_after: int | None = None    # server -> client bytes per connection
        self.refuse = False
        # Server -> client bytes per connection after which the stream stalls: the TCP
        # connection stays open and acknowledged, nothing more flows (a hung link).
        self.stall_down_after: int | None = None
        self.cuts = 0
        self.connections = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> "DropProxy":
        threading.Thread(target=self._accept, daemon=True, name="drop-proxy").start()
        return self

    def stop(self) -> None:
        self._stopped = True
        _reset(self._listener)
        with self._lock:
            for s in list(self._open):
                _reset(s)
            self._open.clear()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.refuse:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            self.connections += 1
            with self._lock:
                self._open.update((client, upstream))
            pair = _Pair(self, client, upstream)
            threading.Thread(target=pair.pump, args=(client, upstream, "up"), daemon=True).start()
            threading.Thread(target=pair.pump, args=(upstream, client, "down"), daemon=True).start()

    def _forget(self, *socks: socket.socket) -> None:
        with self._lock:
            for s in socks:
                self._open.discard(s)


class _Pair:
    def __init__(self, proxy: DropProxy, client: socket.socket, upstream: socket.socket):
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.sent = {"up": 0, "down": 0}
        self.dead = False

    def cut(self) -> None:
        if not self.dead:
            self.dead = True
            self.proxy.cuts += 1
        _reset(self.client)
        _reset(self.upstream)
        self.proxy._forget(self.client, self.upstream)

    def pump(self, src: socket.socket, dst: socket.socket, direction: str) -> None:
        try:
            while not self.dead:
                data = src.recv(65536)
                if not data:
                    break
                stall = self.proxy.stall_down_after if direction == "down" else None
                if stall is not None and self.sent[direction] + len(data) > stall:
                    keep = max(0, stall - self.sent[direction])
                    if keep:
                        dst.sendall(data[:keep])
                    self.sent[direction] += keep
                    while not self.dead and not self.proxy._stopped:     # hold it open, silent
                        threading.Event().wait(0.2)
                    break
                limit = self.proxy.drop_up_after if direction == "up" else self.proxy.drop_down_after
                if limit is not None and self.sent[direction] + len(data) > limit:
                    keep = max(0, limit - self.sent[direction])
                    if keep:
                        dst.sendall(data[:keep])     # part of the message gets through
                    self.cut()
                    return
                dst.sendall(data)
                self.sent[direction] += len(data)
        except OSError:
            pass
        if not self.dead:
            self.dead = True
            _reset(self.client)
            _reset(self.upstream)
            self.proxy._forget(self.client, self.upstream)
