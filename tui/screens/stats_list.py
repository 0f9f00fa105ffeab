"""The dossiers behind a number of the dashboard (or the late list), and the custom-period
dialog. Enter on a dossier opens it."""
from __future__ import annotations

from datetime import date, datetime
from typing import Callable

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from core.lifecycle import STATUS_VI
from core.stats import Period
from tui.widgets.status_bar import StatusBar
from tui.widgets.header import Header

LIST_GROUP = "stats-list"


class DossiersFound(Message):
    def __init__(self, states: list, error: str = "") -> None:
        super().__init__()
        self.states, self.error = states, error


class StatsListScreen(Screen):
    CSS_PATH = "dashboard.tcss"
    BINDINGS = [Binding("escape", "app.pop_screen", "Quay lại", id="stats.list.back")]

    def __init__(self, title: str, fetch: Callable, repo: Callable) -> None:
        super().__init__()
        self.title_vi, self.fetch, self.repo = title, fetch, repo

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"{escape(self.title_vi)} — đang tải…", id="list-title", classes="title")
        table = DataTable(id="dossiers", cursor_type="row", zebra_stripes=True)
        table.add_columns("Mã hồ sơ", "Người nộp", "Thủ tục", "Nhận", "Hẹn trả", "Kết quả",
                          "Trạng thái", "Thư xin lỗi")
        yield table
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self._load()
        self.app.refresh_status()

    @work(thread=True, exclusive=True, exit_on_error=False, group=LIST_GROUP)
    def _load(self) -> None:
        try:
            repo = self.repo()
            if repo is None:
                from tui.screens.dashboard import make_stats
                repo = make_stats(self.app.services)
            states = self.fetch(repo, self.app.services.clock.now())
        except Exception as exc:
            self.post_message(DossiersFound([], f"Không tải được danh sách ({type(exc).__name__})."))
            return
        self.post_message(DossiersFound(states))

    def on_dossiers_found(self, event: DossiersFound) -> None:
        title = self.query_one("#list-title", Static)
        if event.error:
            title.update(escape(event.error))
            return
        title.update(f"{escape(self.title_vi)}: {len(event.states)} hồ sơ")
        table = self.query_one("#dossiers", DataTable)
        table.clear()
        for s in event.states:
            done = s.resolved_at or s.returned_at
            table.add_row(escape(s.code), escape(s.applicant_name), escape(s.procedure_name),
                          f"{s.received_at:%d/%m/%Y}", f"{s.original_due_at:%d/%m/%Y}",
                          f"{done:%d/%m/%Y}" if done else "—", STATUS_VI[s.status],
                          "Đã có" if s.apology_count else "Chưa có", key=s.id)
        if event.states:
            table.focus()

    @on(DataTable.RowSelected, "#dossiers")
    def open_dossier(self, event: DataTable.RowSelected) -> None:
        from tui.screens.dossier import DossierScreen
        self.app.push_screen(DossierScreen(event.row_key.value))


def parse_vn_day(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"Ngày «{text.strip()}» không đúng dạng dd/mm/yyyy (ví dụ 01/03/2025).") from None


class PeriodDialog(ModalScreen[Period | None]):
    """Two dates, dd/mm/yyyy; Enter in the second confirms, Escape cancels."""
    BINDINGS = [Binding("escape", "cancel", "Hủy", id="stats.period.cancel")]
    DEFAULT_CSS = """
    PeriodDialog { align: center middle; }
    PeriodDialog > Vertical { width: 48; height: auto; border: round $accent; padding: 1 2; background: $surface; }
    PeriodDialog #period-error { color: $error; }
    """

    def __init__(self, start: date, end: date) -> None:
        super().__init__()
        self.start, self.end = start, end

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Chọn kỳ thống kê (dd/mm/yyyy)")
            yield Input(f"{self.start:%d/%m/%Y}", placeholder="Từ ngày", id="period-from")
            yield Input(f"{self.end:%d/%m/%Y}", placeholder="Đến ngày", id="period-to")
            yield Label("", id="period-error")

    @on(Input.Submitted, "#period-from")
    def next_field(self) -> None:
        self.query_one("#period-to", Input).focus()

    @on(Input.Submitted, "#period-to")
    def confirm(self) -> None:
        try:
            period = Period(parse_vn_day(self.query_one("#period-from", Input).value),
                            parse_vn_day(self.query_one("#period-to", Input).value))
        except ValueError as exc:
            self.query_one("#period-error", Label).update(escape(str(exc)))
            return
        self.dismiss(period)

    def action_cancel(self) -> None:
        self.dismiss(None)
