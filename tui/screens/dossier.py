"""One dossier: everything it holds (applicant, documents, notes, both appointments, the
timeline, hand-off steps, print jobs, central state) and exactly the actions its state
allows, each by key and from the command palette, each with its form (dossier_action.py).

Loading reads the database in a thread worker and posts `DossierLoaded`; the screen only
draws what arrives.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from core.dossier_actions import (
    DOC_FORM_VI, RETURN_METHOD_VI, TIMELINESS_VI, available, handoff_steps, result_timeliness,
)
from core.lifecycle import EVENT_VI, STATUS_VI, DossierState, EventKind
from tui.format import dt_short, mask_id
from tui.widgets.status_bar import StatusBar
from tui.widgets.header import Header

JOB_STATUS_VI = {"queued": "Chờ in", "printing": "Đang in", "done": "Đã in", "failed": "Lỗi"}
LOAD_GROUP = "dossier-load"

K = EventKind
# action name -> the event it records (the binding ids are dossier.<name>)
ACTION_KINDS = {
    "supplement": K.SUPPLEMENT_REQUESTED, "supplemented": K.SUPPLEMENT_RECEIVED, "refuse": K.REFUSED,
    "handoff": K.TRANSFERRED, "takeback": K.TAKEN_BACK, "result": K.RESULT_READY, "give_back": K.RETURNED,
    "withdraw": K.WITHDRAWN, "stop": K.STOPPED, "apology": K.APOLOGY_ISSUED, "note": K.NOTE,
}


@dataclass(frozen=True)
class Loaded:
    state: DossierState
    receipt: dict
    events: list
    jobs: list
    clerks: dict
    central: str
    refusals: dict            # action name -> why it is not offered now (None: offered)


class DossierLoaded(Message):
    def __init__(self, loaded: Loaded | None) -> None:
        super().__init__()
        self.loaded = loaded


def _detail(e) -> str:
    """One line of what an event says, for the timeline (never an ID number)."""
    p = e.payload or {}
    kind = e.kind
    if kind is K.SUPPLEMENT_REQUESTED:
        items = ", ".join(f"{m.get('name')} ({DOC_FORM_VI.get(m.get('form'), m.get('form'))})"
                          if isinstance(m, dict) else str(m) for m in p.get("missing", []))
        extra = " · lần bổ sung thêm, lãnh đạo cho phép" if p.get("override") else ""
        return f"Thiếu: {items}. Lý do: {p.get('reason', '')}{extra}"
    if kind is K.SUPPLEMENT_RECEIVED and p.get("due_at"):
        mode = "tính lại từ đầu" if p.get("mode") == "restart" else "tạm dừng"
        return f"Hẹn mới ({mode}): {dt_short(_dt(p['due_at']))}"
    if kind is K.TRANSFERRED:
        return f"{p.get('from_body', '')} → {p.get('to_body') or p.get('to', '')}" + (
            f", hạn {dt_short(_dt(p['step_due_at']))}" if p.get("step_due_at") else "")
    if kind is K.TAKEN_BACK:
        return f"Từ {p.get('from_body', '')}" + (f": {p['note']}" if p.get("note") else "")
    if kind is K.RETURNED:
        how = RETURN_METHOD_VI.get(p.get("method", ""), "")
        return f"Cho {p.get('to_name', '')} · {how}" + (f" · số hiệu {p['tracking']}" if p.get("tracking") else "")
    if kind is K.APOLOGY_ISSUED:
        return f"Hẹn mới {dt_short(_dt(p['new_due_at']))}. Lý do: {p.get('reason', '')}"
    if kind in (K.REFUSED, K.WITHDRAWN, K.STOPPED):
        return str(p.get("reason", ""))
    if kind is K.NOTE:
        return str(p.get("text", ""))
    return ""


def _dt(value):
    from datetime import datetime
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


class DossierScreen(Screen):
    CSS_PATH = "dossier.tcss"
    BINDINGS = [
        Binding("p", "reprint", "In lại giấy tiếp nhận", id="dossier.print"),
        Binding("b", "act('supplement')", "Yêu cầu bổ sung", id="dossier.supplement"),
        Binding("n", "act('supplemented')", "Nhận hồ sơ bổ sung", id="dossier.supplemented"),
        Binding("t", "act('refuse')", "Từ chối tiếp nhận", id="dossier.refuse"),
        Binding("c", "act('handoff')", "Chuyển xử lý", id="dossier.handoff"),
        Binding("l", "act('takeback')", "Nhận lại hồ sơ", id="dossier.takeback"),
        Binding("k", "act('result')", "Có kết quả", id="dossier.result"),
        Binding("r", "act('give_back')", "Trả kết quả", id="dossier.return"),
        Binding("x", "act('apology')", "Xin lỗi, hẹn lại", id="dossier.apology"),
        Binding("w", "act('withdraw')", "Công dân rút hồ sơ", id="dossier.withdraw"),
        Binding("d", "act('stop')", "Dừng giải quyết", id="dossier.stop"),
        Binding("g", "act('note')", "Ghi chú", id="dossier.note"),
        Binding("escape", "app.pop_screen", "Quay lại", id="dossier.back"),
    ]

    def __init__(self, dossier_id: str) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.loaded: Loaded | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("Đang tải hồ sơ…", id="dossier-summary")
            yield Static("", id="dossier-actions")
            yield Static("Diễn biến hồ sơ", classes="title")
            events = DataTable(id="events", cursor_type="row")
            events.add_columns("Thời điểm", "Sự kiện", "Cán bộ", "Quầy", "Nội dung")
            yield events
            yield Static("Phiếu kiểm soát (các bước chuyển xử lý)", classes="title")
            steps = DataTable(id="steps", cursor_type="row")
            steps.add_columns("Giao", "Nhận", "Lúc giao", "Hạn", "Xong lúc", "Kết quả")
            yield steps
            yield Static("Phiếu in", classes="title")
            jobs = DataTable(id="jobs", cursor_type="row")
            jobs.add_columns("Tạo lúc", "Phiếu", "Trạng thái", "Số liên", "Lý do")
            yield jobs
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.app.sync_changed.subscribe(self, lambda _report: self.reload())
        self.app.print_changed.subscribe(self, self.print_updated)
        self.reload()

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group=LOAD_GROUP)
    def _load(self) -> None:
        services = self.app.services
        state = services.dossiers.get(self.dossier_id)
        if state is None:
            self.post_message(DossierLoaded(None))
            return
        sync = services.sync
        if sync is None:
            central = "Lưu trên máy này (chưa cấu hình máy chủ trung tâm)"
        elif sync.dossier_synced(self.dossier_id):
            central = "Đã lên máy chủ trung tâm"
        else:
            central = "[b]Chưa lên máy chủ trung tâm[/b] — sẽ gửi khi có mạng (F8 để đồng bộ ngay)"
        self.post_message(DossierLoaded(Loaded(
            state=state, receipt=services.dossiers.receipt_payload(self.dossier_id),
            events=services.dossiers.events(self.dossier_id), jobs=services.print_jobs.for_dossier(self.dossier_id),
            clerks={c.id: c.full_name for c in services.accounts.list()}, central=central,
            refusals={name: available(state, kind, services.clock.now(), services.calendar())
                      for name, kind in ACTION_KINDS.items()})))

    def on_dossier_loaded(self, message: DossierLoaded) -> None:
        if message.loaded is None:
            self.notify("Không tìm thấy hồ sơ.", severity="error")
            return
        self.loaded = loaded = message.loaded
        self.query_one("#dossier-summary", Static).update(self._summary(loaded))
        allowed = [b for b in self.BINDINGS if b.id and b.action.startswith("act(") and self._allowed(b.action)]
        self.query_one("#dossier-actions", Static).update(
            "Thao tác được phép: " + " · ".join(f"[b]{b.key.upper()}[/b] {b.description}" for b in allowed)
            if allowed else "Chưa có thao tác nào được phép.")
        events = self.query_one("#events", DataTable)
        events.clear()
        receipt_clerk = loaded.receipt.get("clerk_name", "")
        clashed = {c.rsplit(":", 1)[-1] for c in loaded.state.conflicts}
        for e in loaded.events:
            who = loaded.clerks.get(e.clerk_id) or (receipt_clerk if e.kind is K.RECEIVED else e.clerk_id[:8])
            via = " (dòng lệnh)" if (e.payload or {}).get("via") == "cli" else ""
            # Data from the dossier goes in as Text, never read as markup.
            label = EVENT_VI.get(e.kind, str(e.kind))
            if e.id in clashed:           # kept in the log, changed nothing: a supervisor looks
                label = Text(f"{label} (xung đột)", style="bold yellow")
            events.add_row(dt_short(e.wall_time), label, Text(who + via),
                           str(e.desk_number), Text(_detail(e)[:80]))
        steps = self.query_one("#steps", DataTable)
        steps.clear()
        by = self._policy().on_time_by
        for st in handoff_steps(loaded.events, by):
            steps.add_row(Text(st.from_body), Text(st.to_body), dt_short(st.given_at), dt_short(st.due_at),
                          dt_short(st.ended_at), TIMELINESS_VI[st.outcome] if st.outcome else "—")
        jobs = self.query_one("#jobs", DataTable)
        jobs.clear()
        for j in loaded.jobs:
            jobs.add_row(dt_short(j.created_at), j.slip.title, JOB_STATUS_VI.get(j.status, j.status),
                         str(j.copies), escape(j.reason or (f"In lại: {j.reprint_reason}" if j.reprint_reason else "")))
        self.refresh_bindings()

    def _policy(self):
        from tui.dossier_actions import policy_of
        return policy_of(self.app.services.settings)

    def _summary(self, loaded: Loaded) -> Text | str:
        d, r = loaded.state, loaded.receipt
        now = self.app.services.clock.now()
        a = r.get("applicant", {})
        late = " · [b red]QUÁ HẠN[/b red]" if d.is_late(now) and d.is_open else ""
        lines = [f"[b]{escape(d.code)}[/b] — {escape(STATUS_VI[d.status])}{late}",
                 f"Người nộp: {escape(d.applicant_name)}"
                 + (f" · Số định danh: {mask_id(d.applicant_id_number)}" if d.applicant_id_number else "")
                 + f" · Điện thoại: {escape(a.get('phone') or '—')}",
                 f"Địa chỉ: {escape(a.get('address') or '—')}",
                 f"Thủ tục: {escape(d.procedure_name)} ({escape(d.procedure_code)}, phiên bản {d.procedure_version})"]
        docs = r.get("documents") or []
        if docs:
            lines.append("Giấy tờ đã nhận: " + escape("; ".join(f"{x.get('name')} ×{x.get('count', 1)}" for x in docs)))
        if r.get("notes"):
            lines.append(f"Ghi chú khi nhận: {escape(r['notes'])}")
        lines.append(f"Nhận lúc: {dt_short(d.received_at)} · Hẹn trả: [b]{dt_short(d.due_at)}[/b]"
                     + (f" · Hẹn theo quy định: {dt_short(d.original_due_at)}" if d.due_at != d.original_due_at else ""))
        if d.supplement_count:
            lines.append(f"Yêu cầu bổ sung: {d.supplement_count} lần"
                         + (f" ({d.supplement_overrides} lần thêm do lãnh đạo cho phép)" if d.supplement_overrides else "")
                         + (f" · hạn công dân bổ sung {dt_short(d.supplement_due_at)}"
                            if d.status.value == 5 and d.supplement_due_at else ""))
        if d.holder:
            lines.append(f"Đang ở: {escape(d.holder)}" + (f" · hạn bước {dt_short(d.step_due_at)}" if d.step_due_at else ""))
        if d.resolved_at:
            outcome = result_timeliness(d, self._policy().on_time_by)
            lines.append(f"Có kết quả: {dt_short(d.resolved_at)} ({TIMELINESS_VI[outcome]})")
        if d.returned_at:
            lines.append(f"Đã trả: {dt_short(d.returned_at)}")
        if d.closed_at:
            lines.append(f"Kết thúc: {dt_short(d.closed_at)}")
        if d.conflicts:
            lines.append(f"[b]Cần lãnh đạo xem:[/b] {len(d.conflicts)} thao tác trùng/xung đột")
        lines.append(loaded.central)
        return "\n".join(lines)

    # -- actions ---------------------------------------------------------------------------
    def _allowed(self, action: str) -> bool:
        if self.loaded is None:
            return False
        return self.loaded.refusals[action[len("act('"):-2]] is None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "act" and parameters:
            return self.loaded is not None and self.loaded.refusals[parameters[0]] is None
        return True

    def action_act(self, name: str) -> None:
        from tui.screens.dossier_action import ActionFormScreen
        if self.loaded is None or self.app.clerk is None:
            return
        kind = ACTION_KINDS[name]
        problem = self.loaded.refusals[name]
        if problem:
            self.notify(problem, severity="warning")
            return
        docs = [d.get("name", "") for d in (self.loaded.receipt.get("procedure") or {}).get("documents", [])]
        self.app.push_screen(ActionFormScreen(self.loaded.state, kind, docs), self._acted)

    def _acted(self, result) -> None:
        if result is None:
            return
        self.notify(f"Đã ghi: {EVENT_VI[result.event.kind]} — {STATUS_VI[result.dossier.status]}.", timeout=4)
        if result.print_job_id:
            self.app.start_print(result.print_job_id)
        self.reload()

    def print_updated(self, outcome) -> None:
        if outcome.dossier_id == self.dossier_id:
            self.reload()

    def action_reprint(self) -> None:
        self.app.reprint(self.dossier_id)          # asks the reason first
