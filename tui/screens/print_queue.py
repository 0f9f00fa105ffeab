"""The print queue: every job still waiting (queued or failed), whose it is (dossier code,
applicant, slip kind) and why it waits; retry one or all. F9 opens it from every screen,
the receipt dialog included. The rows are read in a thread worker."""
from __future__ import annotations

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.format import dt_short
from tui.screens.dossier import JOB_STATUS_VI
from tui.widgets.status_bar import StatusBar
from tui.widgets.header import Header

# core.slips / core.forms kinds -> what the clerk calls the paper
SLIP_KIND_VI = {
    "receipt": "Giấy tiếp nhận (mẫu 01)", "supplement": "Phiếu bổ sung (mẫu 02)",
    "refusal": "Phiếu từ chối (mẫu 03)", "apology": "Văn bản xin lỗi (mẫu 04)",
    "stop": "Thông báo dừng (mẫu 05)", "control": "Phiếu kiểm soát (mẫu 06)",
    "test": "Trang in thử",
}


class QueueLoaded(Message):
    def __init__(self, rows: list) -> None:
        super().__init__()
        self.rows = rows                      # db.print_jobs.QueuedJob


class PrintQueueScreen(Screen):
    CSS_PATH = "dossier.tcss"
    BINDINGS = [
        Binding("r", "retry", "In lại phiếu đang chọn", id="print.retry"),
        Binding("a", "retry_all", "In lại tất cả", id="print.retry_all"),
        Binding("escape", "app.pop_screen", "Quay lại", id="print.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Đang đọc hàng đợi in…", classes="title", id="queue-title")
        table = DataTable(id="jobs", cursor_type="row")
        table.add_columns("Mã hồ sơ", "Người nộp", "Loại phiếu", "Tạo lúc", "Trạng thái",
                          "Lần thử", "Lý do")
        yield table
        yield Static("R: in lại phiếu đang chọn · A: in lại tất cả · Esc: quay lại", classes="hint")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.app.print_changed.subscribe(self, lambda _outcome: self.reload())
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="print-queue")
    def reload(self) -> None:
        self.post_message(QueueLoaded(self.app.services.print_jobs.queue()))

    def on_queue_loaded(self, event: QueueLoaded) -> None:
        rows = event.rows
        self.query_one("#queue-title", Static).update(
            f"Phiếu chờ in: {len(rows)}" if rows else "Không có phiếu nào chờ in.")
        table = self.query_one("#jobs", DataTable)
        table.clear()
        for q in rows:
            j = q.job
            kind = SLIP_KIND_VI.get(j.slip.kind, j.slip.kind)
            table.add_row(escape(q.code or "—"), escape(q.applicant_name or "—"), kind,
                          dt_short(j.created_at), JOB_STATUS_VI.get(j.status, j.status),
                          str(j.attempts), escape(j.reason or ""), key=j.id)
        self.app.refresh_status()

    def action_retry(self) -> None:
        table = self.query_one("#jobs", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.app.start_print(key)

    def action_retry_all(self) -> None:
        table = self.query_one("#jobs", DataTable)
        for row_key in list(table.rows):
            self.app.start_print(row_key.value)
