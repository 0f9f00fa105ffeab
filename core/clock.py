"""Time sources: a wall clock the app can fix in tests, and a hybrid logical clock (HLC).

Domain datetimes are naive local time of the office (Vietnam has one zone and no DST).
HLC stamps order events across desks even when a desk's wall clock jumps backwards:
a stamp is never smaller than one the clock has issued or observed.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...          # naive local office time
    def epoch_ms(self) -> int: ...          # physical time for the HLC


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(VN_TZ).replace(tzinfo=None, microsecond=0)

    def epoch_ms(self) -> int:
        return time.time_ns() // 1_000_000


@dataclass
class FixedClock:
    """A clock that stands still (or is moved by hand): for tests and benchmarks."""
    at: datetime

    def now(self) -> datetime:
        return self.at

    def epoch_ms(self) -> int:
        return int(self.at.replace(tzinfo=VN_TZ).timestamp() * 1000)

    def advance(self, **kw) -> None:
        self.at = self.at + timedelta(**kw)


@dataclass(frozen=True, order=True, slots=True)
class Hlc:
    physical_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        # Fixed-width so that string order equals (physical, counter, node) order.
        return f"{self.physical_ms:015d}.{self.counter:05d}.{self.node}"

    @classmethod
    def decode(cls, text: str) -> "Hlc":
        ms, counter, node = text.split(".", 2)
        return cls(int(ms), int(counter), node)


class HybridClock:
    """Issues HLC stamps for one node (a desk). Thread-safe."""

    def __init__(self, clock: Clock, node: str, last: str | None = None):
        self._clock = clock
        self.node = node
        self._lock = threading.Lock()
        self._ms, self._counter = 0, 0
        if last:
            self.observe(last)

    def stamp(self) -> str:
        with self._lock:
            now = self._clock.epoch_ms()
            if now > self._ms:
                self._ms, self._counter = now, 0
            else:
                self._counter += 1
            return Hlc(self._ms, self._counter, self.node).encode()

    def observe(self, remote: str) -> None:
        """Fold in a stamp seen elsewhere so later local stamps sort after it."""
        h = Hlc.decode(remote)
        with self._lock:
            if (h.physical_ms, h.counter) > (self._ms, self._counter):
                self._ms, self._counter = h.physical_ms, h.counter
