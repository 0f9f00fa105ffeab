"""The desk's home: the morning work list (overdue, due today, due tomorrow, apology
needed, waiting for a supplement, result not returned) with its counts always visible,
today's dossiers (the true count, in pages) and the search box. A scanned receipt QR opens
its dossier and a scanned citizen-ID QR starts a new receipt for that citizen."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from rich.markup import escape
from rich.text import Text

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from core.citizen_id import CitizenIdError, looks_like_id_qr, parse_id_qr
from core.codes import find_dossier_code
from core.lifecycle import STATUS_VI
from core.worklist import WORKLIST_VI, WorkList
from tui import messages as msg
from tui.format import dt_short
from tui.widgets.status_bar import StatusBar
from tui.widgets.header import Header

SEARCH_GROUP = "search"
PAGE_SIZE = 100
LIST_REFRESH_SECONDS = 60
TODAY = "today"
LIST_KEYS = {WorkList.OVERDUE: "alt+1", WorkList.DUE_TODAY: "alt+2", WorkList.DUE_NEXT: "alt+3",
             WorkList.APOLOGY_NEEDED: "alt+4", WorkList.SUPPLEMENT_WAITING: "alt+5",
             WorkList.SUPPLEMENT_OVERDUE: "alt+6", WorkList.NOT_RETURNED: "alt+7"}


class ListLoaded(Message):
    """A page of the shown list, with every list's count (for the counts line)."""

    def __init__(self, name: str, page: int, total: int, rows: list, counts: dict, now: datetime) -> None:
        super().__init__()
        self.name, self.page, self.total, self.rows, self.counts, self.now = name, page, total, rows, counts, now


def load_list(services, name: str, page: int) -> ListLoaded:
    """Counts of every list and one page of `name` (a WorkList value or "today")."""
    from core.worklist import rules
    from db.worklist import WorkListRepo
    repo = WorkListRepo(services.engine)
    now = services.clock.now()
    r = rules(now, services.calendar())
    counts: dict[str, int] = {k.value: v for k, v in repo.counts(r).items()}
    start = datetime.combine(now.date(), time.min)
    counts[TODAY] = repo.received_count(start, start + timedelta(days=1))
    total = counts[name]
    page = max(0, min(page, (total - 1) // PAGE_SIZE if total else 0))
    if name == TODAY:
        rows = repo.received_page(start, start + timedelta(days=1), page * PAGE_SIZE, PAGE_SIZE)
    else:
        rows = repo.page(r[WorkList(name)], page * PAGE_SIZE, PAGE_SIZE)
    return ListLoaded(name, page, total, rows, counts, now)


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
        *[Binding(key, f"show_list('{name.value}')", WORKLIST_VI[name], id=f"worklist.{name.value}")
          for name, key in LIST_KEYS.items()],
        Binding("f6", "page(-1)", "Trang trước", id="worklist.previous"),
        Binding("f7", "page(1)", "Trang sau", id="worklist.next"),
        Binding("ctrl+o", "app.logout", "Đăng xuất", id="app.logout"),
    ]

    shown: str = TODAY
    page: int = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Tìm: mã hồ sơ, họ tên, số định danh, điện thoại — hoặc quét mã QR",
                    id="search")
        yield Static("", id="worklist-counts")
        yield Static("Hồ sơ tiếp nhận hôm nay", id="list-title", classes="title")
        table = DataTable(id="dossiers", cursor_type="row", zebra_stripes=True)
        table.add_columns("Mã hồ sơ", "Nhận lúc", "Người nộp", "Thủ tục", "Trạng thái", "Hẹn trả")
        yield table
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.app.sync_changed.subscribe(self, lambda _report: self.sync_updated())
        self.action_today()

    def on_screen_resume(self) -> None:
        # Back from a receipt or a dossier: the lists may have changed.
        if not self.query_one("#search", Input).value.strip():
            self.refresh_list()
        self.app.refresh_status()

    def sync_updated(self) -> None:
        if not self.query_one("#search", Input).value.strip():
            self.refresh_list()

    def action_new_dossier(self, card=None) -> None:
        from tui.screens.receive import ReceiveScreen
        self.app.push_screen(ReceiveScreen(card=card))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_today(self) -> None:
        self.action_show_list(TODAY)

    def action_show_list(self, name: str) -> None:
        self.shown, self.page = name, 0
        self._load_list(name, 0)

    def action_page(self, step: int) -> None:
        self._load_list(self.shown, self.page + int(step))

    def refresh_list(self) -> None:
        self._load_list(self.shown, self.page)

    @on(events.Mount)
    def _keep_counts_true(self) -> None:
        # Another desk or the clock can move a dossier between lists: refresh while idle.
        self.set_interval(LIST_REFRESH_SECONDS, self._refresh_if_idle)

    def _refresh_if_idle(self) -> None:
        if self.is_current and not self.query_one("#search", Input).value.strip():
            self.refresh_list()

    @work(thread=True, exclusive=True, exit_on_error=False, group=SEARCH_GROUP)
    def _load_list(self, name: str, page: int) -> None:
        self.post_message(load_list(self.app.services, name, page))

    def on_list_loaded(self, event: ListLoaded) -> None:
        self.shown, self.page = event.name, event.page
        c = event.counts
        parts = [f"[b]F5[/b] Hôm nay: {c[TODAY]}"]
        for name, key in LIST_KEYS.items():
            text = f"[b]{key.replace('alt+', 'Alt+')}[/b] {WORKLIST_VI[name]}: {c[name.value]}"
            if name is WorkList.OVERDUE and c[name.value]:
                text = f"[reverse red]{text}[/reverse red]"
            parts.append(text)
        self.query_one("#worklist-counts", Static).update(" · ".join(parts))
        label = "Hồ sơ tiếp nhận hôm nay" if event.name == TODAY else WORKLIST_VI[WorkList(event.name)]
        pages = max(1, -(-event.total // PAGE_SIZE))
        paging = f" — trang {event.page + 1}/{pages} (F7 trang sau, F6 trang trước)" if pages > 1 else ""
        self.query_one("#list-title", Static).update(f"{label}: {event.total} hồ sơ{paging}")
        self._fill(event.rows, event.now)

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
        if not text:
            self.action_today()
            return
        self._run_search(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group=SEARCH_GROUP)
    def _run_search(self, query: str) -> None:
        # A receipt QR holds the code itself or a lookup URL around it: open that dossier.
        code = find_dossier_code(query)
        found = self.app.services.dossiers.by_code(str(code)) if code is not None else None
        if found is not None:
            self.app.call_from_thread(self._open_scanned, found.id)
            return
        self.post_message(msg.SearchFinished(query, self.app.services.dossiers.search(query)))

    def _open_scanned(self, dossier_id: str) -> None:
        self.query_one("#search", Input).value = ""
        self.open_dossier(dossier_id)

    def on_search_finished(self, event: msg.SearchFinished) -> None:
        title = self.query_one("#list-title", Static)
        title.update(f"Kết quả tìm «{escape(event.query)}»: {len(event.rows)} hồ sơ"
                     + ("" if event.rows else " — thử gõ mã hồ sơ, họ tên không dấu hoặc số điện thoại"))
        self._fill(event.rows, self.app.services.clock.now())

    def _fill(self, rows: list, now: datetime) -> None:
        table = self.query_one("#dossiers", DataTable)
        table.clear()
        for d in rows:
            cells = [d.code, dt_short(d.received_at), d.applicant_name, d.procedure_name[:40],
                     STATUS_VI[d.status], dt_short(d.due_at)]
            if d.is_open and d.status.value != 5 and d.due_at < now:
                # Overdue: the whole row stands out.
                cells = [Text(c, style="bold red") for c in cells]
            else:       # data, never markup: "[b]" in a name is shown as typed
                cells = [Text(c) for c in cells]
            table.add_row(*cells, key=d.id)

    @on(DataTable.RowSelected, "#dossiers")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.open_dossier(event.row_key.value)

