"""Print jobs still waiting (queued or failed), with their reasons; retry one or all."""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui.format import dt_short
from tui.screens.dossier import JOB_STATUS_VI
from tui.widgets.status_bar import StatusBar


class PrintQueueScreen(Screen):
    _pending: list[str] = []          # ids of the jobs listed, set by _fill
    CSS_PATH = "dossier.tcss"
    BINDINGS = [
        Binding("r", "retry", "In lại phiếu đang chọn", id="print.retry"),
        Binding("a", "retry_all", "In lại tất cả", id="print.retry_all"),
        Binding("escape", "app.pop_screen", "Quay lại", id="print.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Phiếu chưa in được", classes="title", id="queue-title")
        table = DataTable(id="jobs", cursor_type="row")
        table.add_columns("Tạo lúc", "Trạng thái", "Lần thử", "Lý do")
        yield table
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.app.print_changed.subscribe(self, lambda _outcome: self.reload())
        self.reload()

    @work(thread=True, exit_on_error=False, group="queue-load")
    def reload(self) -> None:
        pending = self.app.services.print_jobs.pending()
        self.app.call_from_thread(self._fill, pending)

    def _fill(self, pending: list) -> None:
        self._pending = [j.id for j in pending]
        self.query_one("#queue-title", Static).update(
            f"Phiếu chưa in được: {len(pending)}" if pending else "Không có phiếu nào chờ in.")
        table = self.query_one("#jobs", DataTable)
        table.clear()
        for j in pending:
            table.add_row(dt_short(j.created_at), JOB_STATUS_VI.get(j.status, j.status),
                          str(j.attempts), Text(j.reason or ""), key=j.id)
        self.app.refresh_status()

    def action_retry(self) -> None:
        table = self.query_one("#jobs", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.app.start_print(key)

    def action_retry_all(self) -> None:
        for job_id in self._pending:
            self.app.start_print(job_id)
