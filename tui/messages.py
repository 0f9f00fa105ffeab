"""Messages the app posts: past-tense facts, sent from thread workers to the UI."""
from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass(frozen=True)
class PrintOutcome:
    """Published on MotcuaApp.print_changed when a print job ends (error None: printed)."""
    job_id: str
    dossier_id: str
    error: str | None


class StatusRead(Message):
    def __init__(self, snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot      # tui.status.StatusSnapshot


class DossierSaved(Message):
    def __init__(self, result) -> None:
        super().__init__()
        self.result = result          # db.dossiers.ReceiveResult


class SaveFailed(Message):
    def __init__(self, message_vi: str) -> None:
        super().__init__()
        self.message_vi = message_vi


class PrintFinished(Message):
    def __init__(self, job_id: str, dossier_id: str, message_vi: str = "Đã gửi tới máy in.") -> None:
        super().__init__()
        self.job_id, self.dossier_id = job_id, dossier_id
        self.message_vi = message_vi      # printers.service.PrintOutcome.message_vi


class PrintFailed(Message):
    def __init__(self, job_id: str, dossier_id: str, message_vi: str) -> None:
        super().__init__()
        self.job_id, self.dossier_id, self.message_vi = job_id, dossier_id, message_vi


class SearchFinished(Message):
    def __init__(self, query: str, rows: list) -> None:
        super().__init__()
        self.query, self.rows = query, rows


class SyncFinished(Message):
    def __init__(self, report, manual: bool = False) -> None:
        super().__init__()
        self.report = report          # db.sync.SyncReport
        self.manual = manual          # asked for by the clerk (F8), not the timer


class SyncFailed(Message):
    def __init__(self, message_vi: str, manual: bool = False) -> None:
        super().__init__()
        self.message_vi = message_vi
        self.manual = manual
