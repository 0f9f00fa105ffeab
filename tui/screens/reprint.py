"""Asks the clerk why a slip is printed again; the reason is kept on the print job and the
slip is marked "BẢN IN LẠI" with the time."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ReprintReasonScreen(ModalScreen[str | None]):
    """Dismisses with the reason, or None when the clerk cancels (Esc)."""
    CSS_PATH = "reprint.tcss"
    BINDINGS = [Binding("escape", "cancel", "Thôi, không in lại", id="reprint.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="reprint-box"):
            yield Static("In lại giấy tiếp nhận", classes="title")
            yield Static("Phiếu in lại sẽ ghi «BẢN IN LẠI» và thời điểm in. Vì sao cần in lại?")
            yield Input(placeholder="Ví dụ: giấy bị kẹt, công dân làm mất phiếu…", id="reprint-reason")
            yield Static("", id="reprint-error")
            yield Static("Enter: in lại · Esc: thôi", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#reprint-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if len(reason) < 3:
            self.query_one("#reprint-error", Static).update(
                "Cần ghi lý do in lại (ít nhất 3 ký tự), ví dụ: giấy bị kẹt.")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
