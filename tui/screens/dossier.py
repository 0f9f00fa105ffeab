"""One dossier: its current state, the timeline of its events, its print jobs, reprint."""
from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from core.lifecycle import EVENT_VI, STATUS_VI
from tui.format import dt_short, mask_id
from tui.widgets.status_bar import StatusBar

JOB_STATUS_VI = {"queued": "Chờ in", "printing": "Đang in", "done": "Đã in", "failed": "Lỗi"}


class DossierScreen(Screen):
    CSS_PATH = "dossier.tcss"
    BINDINGS = [
        Binding("p", "reprint", "In lại giấy tiếp nhận", id="dossier.print"),
        Binding("escape", "app.pop_screen", "Quay lại", id="dossier.back"),
    ]

    def __init__(self, dossier_id: str) -> None:
        super().__init__()
        self.dossier_id = dossier_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="dossier-summary")
            yield Static("Diễn biến hồ sơ", classes="title")
            events = DataTable(id="events", cursor_type="row")
            events.add_columns("Thời điểm", "Sự kiện", "Cán bộ", "Quầy")
            yield events
            yield Static("Phiếu in", classes="title")
            jobs = DataTable(id="jobs", cursor_type="row")
            jobs.add_columns("Tạo lúc", "Trạng thái", "Số liên", "Lý do")
            yield jobs
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.app.sync_changed.subscribe(self, lambda _report: self.reload())
        self.app.print_changed.subscribe(self, self.print_updated)
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dossier-load")
    def reload(self) -> None:
        """Read the dossier, its events and jobs off the event loop, then fill the screen."""
        services = self.app.services
        d = services.dossiers.get(self.dossier_id)
        if d is None:
            self.app.call_from_thread(self.notify, "Không tìm thấy hồ sơ.", severity="error")
            return
        clerks = {c.id: c.full_name for c in services.accounts.list()}
        events = services.dossiers.events(self.dossier_id)
        jobs = services.print_jobs.for_dossier(self.dossier_id)
        summary = self._summary(services, d)
        self.app.call_from_thread(self._fill, summary, clerks, events, jobs)

    def _summary(self, services, d) -> str:
        """Markup for the layout only; every value from data is escaped."""
        e = escape
        late = " · QUÁ HẠN" if d.is_late(services.clock.now()) else ""
        conflicts = f"\n[b]Cần lãnh đạo xem:[/b] {len(d.conflicts)} thao tác trùng/xung đột" if d.conflicts else ""
        return (
            f"[b]{e(d.code)}[/b] — {STATUS_VI[d.status]}{late}\n"
            f"Người nộp: {e(d.applicant_name)}"
            + (f" · Số định danh: {mask_id(d.applicant_id_number)}" if d.applicant_id_number else "")
            + f"\nThủ tục: {e(d.procedure_name)} ({e(d.procedure_code)}, phiên bản {d.procedure_version})\n"
            f"Nhận lúc: {dt_short(d.received_at)} · Hẹn trả: {dt_short(d.due_at)}"
            + (f" (hẹn ban đầu {dt_short(d.original_due_at)})" if d.due_at != d.original_due_at else "")
            + conflicts
            + "\n" + self._central_state(services)
        )

    def _fill(self, summary: str, clerks: dict, events_list: list, jobs_list: list) -> None:
        self.query_one("#dossier-summary", Static).update(summary)
        events = self.query_one("#events", DataTable)
        events.clear()
        for e in events_list:
            events.add_row(dt_short(e.wall_time), EVENT_VI.get(e.kind, str(e.kind)),
                           Text(clerks.get(e.clerk_id, e.clerk_id[:8])), str(e.desk_number))
        jobs = self.query_one("#jobs", DataTable)
        jobs.clear()
        for j in jobs_list:
            jobs.add_row(dt_short(j.created_at), JOB_STATUS_VI.get(j.status, j.status),
                         str(j.copies), Text(j.reason or ""))

    def _central_state(self, services) -> str:
        sync = services.sync
        if sync is None:
            return "Lưu trên máy này (chưa cấu hình máy chủ trung tâm)"
        if sync.dossier_synced(self.dossier_id):
            return "Đã lên máy chủ trung tâm"
        return "[b]Chưa lên máy chủ trung tâm[/b] — sẽ gửi khi có mạng (F8 để đồng bộ ngay)"

    def print_updated(self, outcome) -> None:
        if outcome.dossier_id == self.dossier_id:
            self.reload()

    def action_reprint(self) -> None:
        self.notify("Đang in lại giấy tiếp nhận…", timeout=2)
        self.app.reprint(self.dossier_id)
