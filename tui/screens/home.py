"""Today's dossiers and the search box; a scanned receipt QR opens its dossier and a
scanned citizen-ID QR starts a new receipt for that citizen."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from core.citizen_id import CitizenIdError, looks_like_id_qr, parse_id_qr
from core.codes import find_dossier_code
from core.lifecycle import STATUS_VI
from tui import messages as msg
from tui.format import dt_short
from tui.widgets.status_bar import StatusBar

SEARCH_GROUP = "search"


def extract_scan(text: str) -> str:
    """Scanners end with CR/LF and may land after text already typed: keep the payload."""
    return text.replace("\r", "").replace("\n", "").strip()


class HomeScreen(Screen):
    CSS_PATH = "home.tcss"
    AUTO_FOCUS = "#search"
    BINDINGS = [
        Binding("f2", "new_dossier", "Tiếp nhận hồ sơ", id="receive.new"),
        Binding("f3", "focus_search", "Tìm hồ sơ", id="dossier.search"),
        Binding("f5", "today", "Hồ sơ hôm nay", id="dossier.today"),
        Binding("ctrl+o", "app.logout", "Đăng xuất", id="app.logout"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Tìm: mã hồ sơ, họ tên, số định danh, điện thoại — hoặc quét mã QR",
                    id="search")
        yield Static("Hồ sơ tiếp nhận hôm nay", id="list-title", classes="title")
        table = DataTable(id="dossiers", cursor_type="row", zebra_stripes=True)
        table.add_columns("Mã hồ sơ", "Nhận lúc", "Người nộp", "Thủ tục", "Trạng thái", "Hẹn trả")
        yield table
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.action_today()
        self.app.refresh_status()

    def on_screen_resume(self) -> None:
        # Back from a receipt or a dossier: the list may have changed.
        if not self.query_one("#search", Input).value.strip():
            self.action_today()
        self.app.refresh_status()

    def action_new_dossier(self, card=None) -> None:
        from tui.screens.receive import ReceiveScreen
        self.app.push_screen(ReceiveScreen(card=card))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_today(self) -> None:
        now = self.app.services.clock.now()
        start = datetime.combine(now.date(), time.min)
        self._run_search("", start)

    def key_down(self) -> None:
        # From the search box, Down goes into the list (Enter there opens the dossier).
        if self.focused is self.query_one("#search", Input):
            self.query_one("#dossiers", DataTable).focus()

    def open_dossier(self, dossier_id: str) -> None:
        from tui.screens.dossier import DossierScreen
        self.app.push_screen(DossierScreen(dossier_id))

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        text = extract_scan(event.value)
        if looks_like_id_qr(text):
            event.input.value = ""
            try:
                card = parse_id_qr(text)
            except CitizenIdError as exc:
                self.notify(str(exc), title="Mã QR CCCD không đọc được", severity="error")
                return
            self.action_new_dossier(card)
            return
        # A receipt QR holds the code itself or a lookup URL around it.
        code = find_dossier_code(text)
        if code is not None:
            found = self.app.services.dossiers.by_code(str(code))
            if found is not None:
                event.input.value = ""
                self.open_dossier(found.id)
                return
        if not text:
            self.action_today()
            return
        self._run_search(text, None)

    @work(thread=True, exclusive=True, exit_on_error=False, group=SEARCH_GROUP)
    def _run_search(self, query: str, since: datetime | None) -> None:
        repo = self.app.services.dossiers
        if since is not None:
            rows = repo.received_between(since, since + timedelta(days=1))
        else:
            rows = repo.search(query)
        self.post_message(msg.SearchFinished(query, rows))

    def on_search_finished(self, event: msg.SearchFinished) -> None:
        title = self.query_one("#list-title", Static)
        if event.query:
            title.update(f"Kết quả tìm «{event.query}»: {len(event.rows)} hồ sơ"
                         + ("" if event.rows else " — thử gõ mã hồ sơ, họ tên không dấu hoặc số điện thoại"))
        else:
            title.update(f"Hồ sơ tiếp nhận hôm nay: {len(event.rows)}")
        table = self.query_one("#dossiers", DataTable)
        table.clear()
        for d in event.rows:
            table.add_row(d.code, dt_short(d.received_at), d.applicant_name, d.procedure_name[:40],
                          STATUS_VI[d.status], dt_short(d.due_at), key=d.id)

    @on(DataTable.RowSelected, "#dossiers")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.open_dossier(event.row_key.value)

