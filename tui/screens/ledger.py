"""Export the ledger (Sổ theo dõi hồ sơ, form 07) of a period to XLSX or A4 PDF.

The dialog checks the dates and the file name; the export itself runs in a thread worker
(it reads the period's dossiers and writes the file) and reports back as a message."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

LEDGER_GROUP = "ledger"


def parse_vn_date(text: str, what: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"{what} «{text.strip()}» không đúng dạng ngày/tháng/năm, ví dụ 01/11/2026.") from None


def default_path(folder: Path, date_from: date, date_to: date, suffix: str = ".xlsx") -> Path:
    return folder / f"so-theo-doi-{date_from:%Y%m%d}-{date_to:%Y%m%d}{suffix}"


class LedgerExportScreen(ModalScreen[None]):
    CSS_PATH = "ledger.tcss"
    BINDINGS = [
        Binding("ctrl+s", "export", "Xuất sổ", id="ledger.save"),
        Binding("escape", "close", "Đóng", id="ledger.close"),
    ]

    class Exported(Message):
        def __init__(self, rows: int, path: str) -> None:
            super().__init__()
            self.rows, self.path = rows, path

    class ExportFailed(Message):
        def __init__(self, message_vi: str) -> None:
            super().__init__()
            self.message_vi = message_vi

    def __init__(self, today: date, folder: Path) -> None:
        super().__init__()
        self.today = today
        self.folder = folder
        self.busy = False

    def compose(self) -> ComposeResult:
        first = self.today.replace(day=1)
        with Vertical(id="ledger-box"):
            yield Static("Xuất sổ theo dõi hồ sơ (mẫu 07)", classes="title")
            with Horizontal(classes="row"):
                yield Label("Từ ngày", classes="label")
                yield Input(f"{first:%d/%m/%Y}", id="ledger-from", placeholder="dd/mm/yyyy")
            with Horizontal(classes="row"):
                yield Label("Đến ngày", classes="label")
                yield Input(f"{self.today:%d/%m/%Y}", id="ledger-to", placeholder="dd/mm/yyyy")
            with Horizontal(classes="row"):
                yield Label("Lưu vào tệp", classes="label")
                yield Input(str(default_path(self.folder, first, self.today)), id="ledger-out")
            yield Static("Đuôi .xlsx: bảng tính; đuôi .pdf: khổ A4 ngang để in.", classes="hint")
            yield Static("", id="ledger-status")
            yield Static("Ctrl+S: xuất · Esc: đóng", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#ledger-from", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "ledger-out":
            self.action_export()
        else:
            self.focus_next()

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#ledger-status", Static)
        status.set_class(error, "error")
        status.update(escape(text))

    def action_export(self) -> None:
        if self.busy:
            return
        try:
            date_from = parse_vn_date(self.query_one("#ledger-from", Input).value, "Từ ngày")
            date_to = parse_vn_date(self.query_one("#ledger-to", Input).value, "Đến ngày")
        except ValueError as exc:
            self._status(str(exc), error=True)
            return
        out = self.query_one("#ledger-out", Input).value.strip()
        if not out:
            self._status("Nhập tên tệp để lưu sổ (.xlsx hoặc .pdf).", error=True)
            return
        self.busy = True
        self._status("Đang xuất sổ…")
        self._export(date_from, date_to, Path(out).expanduser())

    @work(thread=True, exit_on_error=False, group=LEDGER_GROUP)
    def _export(self, date_from: date, date_to: date, out: Path) -> None:
        from tui.actions import export_ledger
        try:
            out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            rows = export_ledger(self.app.services, date_from, date_to, out)
        except ValueError as exc:
            self.post_message(self.ExportFailed(str(exc)))
        except OSError as exc:
            self.post_message(self.ExportFailed(
                f"Không ghi được tệp ({exc.strerror or type(exc).__name__}). Chọn thư mục khác."))
        else:
            self.post_message(self.Exported(rows, str(out)))

    def on_ledger_export_screen_exported(self, event: Exported) -> None:
        self.busy = False
        self._status(f"Đã xuất {event.rows} hồ sơ vào {event.path}")

    def on_ledger_export_screen_export_failed(self, event: ExportFailed) -> None:
        self.busy = False
        self._status(event.message_vi, error=True)

    def action_close(self) -> None:
        self.dismiss(None)
