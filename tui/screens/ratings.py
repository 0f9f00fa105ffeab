"""Citizens' ratings on the clerk side: the status-line words about the kiosk prompt, the
ratings screen (Ctrl+R) and the paper-survey form for supervisors.

The clerk who was rated never sees the citizen's choice before the day ends (configurable:
`[kiosk] hide_until_day_end`), so the citizen can answer freely; supervisors see
everything, including the misuse count and the satisfaction rate.
"""
from __future__ import annotations

from datetime import timedelta

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Static

from core.people import Role
from core.ratings import SOURCE_VI, STEP_VI, Source, Step, choice_visible
from tui.widgets.status_bar import StatusBar
from tui.widgets.header import Header

DAYS_SHOWN = 7


def rating_status_text(services) -> str:
    """The status line's part about this desk's latest kiosk prompt (never the choice)."""
    ratings, desk = getattr(services, "ratings", None), services.desk
    if ratings is None or desk is None:
        return ""
    status = ratings.status(desk.agency_code, desk.number, services.clock.now())
    return status.text_vi() if status else ""


def is_supervisor(clerk) -> bool:
    return clerk is not None and clerk.role in (Role.SUPERVISOR, Role.ADMIN)


class RatingsScreen(Screen):
    BINDINGS = [
        Binding("n", "paper", "Nhập phiếu khảo sát giấy", id="ratings.paper"),
        Binding("escape", "app.pop_screen", "Quay lại", id="ratings.back"),
    ]
    DEFAULT_CSS = """
    RatingsScreen #ratings-summary { padding: 0 1; height: auto; }
    RatingsScreen #ratings-table { height: 1fr; margin: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("ĐÁNH GIÁ CỦA CÔNG DÂN", classes="title")
            yield Static("", id="ratings-summary")
            table = DataTable(id="ratings-table", cursor_type="row")
            table.add_columns("Thời điểm", "Hồ sơ", "Bước", "Nguồn", "Cán bộ", "Đánh giá", "Lý do")
            yield table
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.app.refresh_status()

    @work(thread=True, exclusive=True, exit_on_error=False, group="ratings-load")
    def reload(self) -> None:
        services, viewer = self.app.services, self.app.clerk
        now = services.clock.now()
        start = now.date() - timedelta(days=DAYS_SHOWN - 1)
        rows = services.ratings.recent(start, now.date())
        summary = services.ratings.summary(start, now.date()) if is_supervisor(viewer) else None
        names = {c.id: c.full_name for c in services.accounts.list()}
        self.app.call_from_thread(self._show, rows, summary, names, now, viewer)

    def _show(self, rows, summary, names, now, viewer) -> None:
        cfg = self.app.services.ratings.config
        if summary is not None:
            rate = summary.satisfaction_rate
            self.query_one("#ratings-summary", Static).update(
                f"{DAYS_SHOWN} ngày gần nhất: {summary.ratings} lượt đánh giá "
                f"(thiết bị {summary.by_source.get('kiosk', 0)}, phiếu giấy {summary.by_source.get('paper', 0)})"
                f" · không đánh giá {summary.not_rated} · bấm sai/thừa {summary.misuse}"
                f" · tỷ lệ hài lòng {'—' if rate is None else f'{rate * 100:.1f} %'.replace('.', ',')}"
                "\nN: nhập phiếu khảo sát giấy")
        else:
            self.query_one("#ratings-summary", Static).update(
                "Cán bộ được đánh giá sẽ thấy lựa chọn của công dân từ ngày hôm sau.")
        table = self.query_one("#ratings-table", DataTable)
        table.clear()
        for r in rows:
            p = r["payload"]
            visible = choice_visible(
                viewer_id=viewer.id if viewer else "", viewer_is_supervisor=is_supervisor(viewer),
                rated_clerk_id=p.get("clerk_id", ""), answered_on=r["at"], now=now, config=cfg)
            if p.get("level") is None:
                choice = cfg.label(None)
            elif visible:
                choice = p.get("label") or cfg.label(p["level"])
            else:
                choice = "Đã đánh giá (xem từ ngày mai)"
            reasons = "; ".join(p.get("reasons") or []) if visible else ""
            if visible and p.get("text"):
                reasons = (reasons + " · " if reasons else "") + p["text"]
            table.add_row(f"{r['at']:%H:%M %d/%m}", escape(r["code"]),
                          STEP_VI.get(Step(p.get("step", "receipt")), ""),
                          SOURCE_VI.get(Source(p.get("source", "kiosk")), ""),
                          escape(names.get(p.get("clerk_id", ""), "")), escape(choice), escape(reasons))

    def action_paper(self) -> None:
        if not is_supervisor(self.app.clerk):
            self.notify("Chỉ lãnh đạo hoặc quản trị được nhập phiếu khảo sát giấy.", severity="warning")
            return
        self.app.push_screen(PaperSurveyScreen(), lambda saved: self.reload() if saved else None)


class PaperSurveyScreen(ModalScreen[bool]):
    """A paper survey form (phiếu khảo sát): dossier code, level, reasons, free text."""
    AUTO_FOCUS = "#paper-code"
    BINDINGS = [Binding("escape", "cancel", "Huỷ", id="paper.cancel")]
    DEFAULT_CSS = """
    PaperSurveyScreen { align: center middle; }
    #paper-box { width: 80; height: auto; border: thick $primary; padding: 1 2; background: $panel; }
    #paper-error { color: $error; }
    """

    def compose(self) -> ComposeResult:
        cfg = self.app.services.ratings.config
        levels = ", ".join(f"{i} = {x}" for i, x in enumerate(cfg.labels, start=1))
        reasons = "; ".join(f"{i} = {x}" for i, x in enumerate(cfg.reasons, start=1))
        with Vertical(id="paper-box"):
            yield Static("NHẬP PHIẾU KHẢO SÁT GIẤY", classes="title")
            yield Input(placeholder="Mã hồ sơ", id="paper-code")
            yield Static(f"Mức: {levels}", classes="hint")
            yield Input(placeholder="Mức đánh giá (số)", id="paper-level")
            yield Static(f"Lý do (nếu chưa hài lòng), các số cách nhau dấu phẩy: {reasons}", classes="hint")
            yield Input(placeholder="ví dụ: 1,4", id="paper-reasons")
            yield Input(placeholder="Ý kiến ghi trên phiếu (nếu có)", id="paper-text")
            yield Static("Enter ở ô cuối để lưu · Esc để huỷ", classes="hint")
            yield Static("", id="paper-error")

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        order = ["paper-code", "paper-level", "paper-reasons", "paper-text"]
        i = order.index(event.input.id)
        if i < len(order) - 1:
            self.query_one(f"#{order[i + 1]}", Input).focus()
            return
        cfg = self.app.services.ratings.config
        values = {k: self.query_one(f"#{k}", Input).value.strip() for k in order}
        try:
            level = int(values["paper-level"])
            picks = [int(x) for x in values["paper-reasons"].replace(";", ",").split(",") if x.strip()]
            reasons = [cfg.reasons[n - 1] for n in picks]
            if any(n < 1 for n in picks):
                raise IndexError
        except (ValueError, IndexError):
            self._error(f"Mức phải là số 1–{cfg.levels}; lý do là các số 1–{len(cfg.reasons)} cách nhau dấu phẩy.")
            return
        self._save(values["paper-code"], level, reasons, values["paper-text"])

    @work(thread=True, exclusive=True, exit_on_error=False, group="paper")
    def _save(self, code: str, level: int, reasons: list[str], text: str) -> None:
        from db.ratings import RatingError
        try:
            self.app.services.ratings.enter_paper(code, level, by=self.app.clerk, reasons=reasons, text=text)
        except RatingError as exc:
            self.app.call_from_thread(self._error, exc.message_vi)
            return
        self.app.call_from_thread(self._saved)

    def _saved(self) -> None:
        self.notify("Đã ghi phiếu khảo sát giấy.", timeout=3)
        self.dismiss(True)

    def _error(self, message: str) -> None:
        self.query_one("#paper-error", Static).update(message)
