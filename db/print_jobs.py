"""Persisted print jobs: saving a dossier never waits on the printer.

A job is queued right after the dossier it prints is saved (tui/actions.py); the printer
service marks it printing, then done or failed with a reason. Failed jobs stay pending until
retried, so a clerk can always reprint.
"""
from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, Engine, func, select, update

from core.clock import Clock
from core.ids import new_id
from core.slips import Slip, slip_from_dict, slip_to_dict
from db.engine import read_conn, write_tx
from db.models import dossier as d, print_job as pj
from db.sql import dumps, loads

class JobStatus(StrEnum):
    """Where a print job is; stored as its value in `print_job.status`."""
    QUEUED = "queued"
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"


QUEUED, PRINTING, DONE, FAILED = JobStatus.QUEUED, JobStatus.PRINTING, JobStatus.DONE, JobStatus.FAILED
# A job printed from another computer (a shared desk file) cannot be checked for life; it
# is taken as cut off once it has not moved for this long (far past any print timeout).
FOREIGN_PRINT_STALE = timedelta(minutes=10)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer (Windows and POSIX)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)   # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259                                           # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:          # someone else's process: alive
        return True
    return True


def owner_alive(owner: str, updated_at: datetime, now: datetime) -> bool:
    host, _, pid = owner.rpartition(":")
    if not host or not pid.isdigit():
        return False                 # a job from before owners were recorded
    if host != socket.gethostname():
        return now - updated_at < FOREIGN_PRINT_STALE
    return pid_alive(int(pid))


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: str
    dossier_id: str
    slip: Slip
    copies: int
    printer_uri: str
    status: JobStatus
    reason: str
    attempts: int
    created_at: datetime
    updated_at: datetime
    reprint_reason: str = ""   # why the clerk printed it again ("" = not a reprint)
    reason_code: str = ""      # printers.errors.PrintError.reason of the last failure
    sent_bytes: int = 0        # how far a "partial" job got before the link failed


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A waiting job as the print queue shows it: whose it is."""
    job: PrintJob
    code: str                  # the dossier code ("" if the dossier is unknown here)
    applicant_name: str


def _job(r) -> PrintJob:
    return PrintJob(id=r.id, dossier_id=r.dossier_id, slip=slip_from_dict(loads(r.slip)),
                    copies=r.copies, printer_uri=r.printer_uri, status=JobStatus(r.status), reason=r.reason,
                    attempts=r.attempts, created_at=r.created_at, updated_at=r.updated_at,
                    reprint_reason=r.reprint_reason, reason_code=r.reason_code,
                    sent_bytes=r.sent_bytes)


def queue_print(conn: Connection, dossier_id: str, slip: Slip, copies: int, printer_uri: str,
                now: datetime) -> str:
    """Queue `slip` in the caller's transaction (an action and the form it issues are saved
    together, db/dossiers.py `act`); printed after."""
    job_id = new_id()
    conn.execute(pj.insert().values(
        id=job_id, dossier_id=dossier_id, slip=dumps(slip_to_dict(slip)), copies=copies,
        printer_uri=printer_uri, status=QUEUED.value, reason="", attempts=0, created_at=now,
        updated_at=now))
    return job_id


class PrintJobRepo:
    def __init__(self, engine: Engine, clock: Clock):
        self.engine = engine
        self.clock = clock

    def enqueue(self, dossier_id: str, slip: Slip, copies: int = 1, printer_uri: str = "",
                reprint_reason: str = "") -> str:
        job_id = new_id()
        now = self.clock.now()
        with write_tx(self.engine) as conn:
            conn.execute(pj.insert().values(
                id=job_id, dossier_id=dossier_id, slip=dumps(slip_to_dict(slip)), copies=copies,
                printer_uri=printer_uri, status=QUEUED.value, reason="", attempts=0,
                created_at=now, updated_at=now, reprint_reason=reprint_reason))
        return job_id

    def _set(self, job_id: str, **values) -> None:
        with write_tx(self.engine) as conn:
            done = conn.execute(update(pj).where(pj.c.id == job_id)
                                .values(updated_at=self.clock.now(), **values)).rowcount
        if not done:
            raise KeyError(job_id)

    def mark_printing(self, job_id: str) -> None:
        self._set(job_id, status=PRINTING.value, attempts=pj.c.attempts + 1, owner=this_process())

    def mark_done(self, job_id: str) -> None:
        self._set(job_id, status=DONE.value, reason="")

    def mark_failed(self, job_id: str, reason: str, code: str = "", sent: int = 0) -> None:
        """`reason` in Vietnamese for the clerk; `code` the short reason ("not-configured",
        "partial", "paper-out", ...); `sent` the bytes a partial job got through."""
        self._set(job_id, status=FAILED.value, reason=reason, reason_code=code, sent_bytes=sent)

    def mark_waiting(self, job_id: str, reason: str, code: str) -> None:
        """Back to queued with why it waits ("chưa cấu hình máy in"): nothing was tried."""
        self._set(job_id, status=QUEUED.value, reason=reason, reason_code=code, sent_bytes=0)

    def recover_interrupted(self) -> int:
        """At start-up: a job left "printing" by a process that is gone was cut off; mark it
        failed so it shows in the queue for a retry. A job another live process is printing
        (the app, while `motcua calendar show` starts beside it) is left alone."""
        with read_conn(self.engine) as conn:
            rows = conn.execute(select(pj.c.id, pj.c.owner, pj.c.updated_at)
                                .where(pj.c.status == PRINTING.value)).all()
        now = self.clock.now()
        stale = [r.id for r in rows if not owner_alive(r.owner, r.updated_at, now)]
        if not stale:
            return 0
        with write_tx(self.engine) as conn:
            return conn.execute(update(pj).where(pj.c.id.in_(stale), pj.c.status == PRINTING.value).values(
                status=FAILED.value, updated_at=now, reason_code="partial", sent_bytes=0,
                reason="Bị gián đoạn khi đang in (chương trình đã đóng): máy in có thể đã nhận "
                       "một phần, kiểm tra giấy. Bấm In lại.")).rowcount

    def get(self, job_id: str) -> PrintJob:
        with read_conn(self.engine) as conn:
            row = conn.execute(select(pj).where(pj.c.id == job_id)).first()
        if row is None:
            raise KeyError(job_id)
        return _job(row)

    def pending(self) -> list[PrintJob]:
        """Queued and failed jobs, oldest first."""
        with read_conn(self.engine) as conn:
            rows = conn.execute(select(pj).where(pj.c.status.in_((QUEUED.value, FAILED.value)))
                                .order_by(pj.c.created_at, pj.c.id)).all()
        return [_job(r) for r in rows]

    def queue(self) -> list[QueuedJob]:
        """Queued and failed jobs, oldest first, with the dossier code and applicant name."""
        with read_conn(self.engine) as conn:
            rows = conn.execute(
                select(pj, d.c.code.label("dossier_code"), d.c.applicant_name.label("dossier_name"))
                .select_from(pj.outerjoin(d, d.c.id == pj.c.dossier_id))
                .where(pj.c.status.in_((QUEUED.value, FAILED.value)))
                .order_by(pj.c.created_at, pj.c.id)).all()
        return [QueuedJob(_job(r), r.dossier_code or "", r.dossier_name or "") for r in rows]

    def counts(self) -> dict[str, int]:
        """Jobs per status, one COUNT query (the status line asks every few seconds)."""
        with read_conn(self.engine) as conn:
            rows = conn.execute(select(pj.c.status, func.count()).group_by(pj.c.status)).all()
        return {status: n for status, n in rows}

    def for_dossier(self, dossier_id: str) -> list[PrintJob]:
        with read_conn(self.engine) as conn:
            rows = conn.execute(select(pj).where(pj.c.dossier_id == dossier_id)
                                .order_by(pj.c.created_at, pj.c.id)).all()
        return [_job(r) for r in rows]
