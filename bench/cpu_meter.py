"""CPU accounting for the sync benches: this process (all threads) plus the PostgreSQL
backend(s) serving it, read from /proc (PostgreSQL runs on the same machine), so a ratio
of two runs does not depend on what else the machine is doing at the time."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

_TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """utime + stime of a process, in seconds (0.0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK     # fields 14 and 15 of stat(5)


def pg_backend_pid(conn) -> int:
    """The backend pid of a psycopg connection, a SQLAlchemy Connection or a CentralSession."""
    conn = getattr(conn, "conn", conn)                         # CentralSession
    conn = getattr(getattr(conn, "connection", None), "dbapi_connection", conn)  # SQLAlchemy
    return conn.info.backend_pid


@dataclass
class Meter:
    """Start with `Meter(backend_pids)`, stop with `.stop()`; fields in seconds."""
    backends: list[int] = field(default_factory=list)
    desk_s: float = 0.0
    backend_s: float = 0.0
    wall_s: float = 0.0

    def __post_init__(self):
        self._p0 = time.process_time()
        self._b0 = {pid: proc_cpu_s(pid) for pid in self.backends}
        self._w0 = time.perf_counter()

    def stop(self) -> "Meter":
        self.wall_s = time.perf_counter() - self._w0
        self.desk_s = time.process_time() - self._p0
        self.backend_s = sum(proc_cpu_s(pid) - b for pid, b in self._b0.items())
        return self

    @property
    def total_s(self) -> float:
        return self.desk_s + self.backend_s

    def as_dict(self) -> dict:
        return {"desk_cpu_s": self.desk_s, "backend_cpu_s": self.backend_s, "cpu_s": self.total_s,
                "wall_s": self.wall_s}


def loadavg() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
