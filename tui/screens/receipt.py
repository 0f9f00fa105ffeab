"""On-screen preview of the receipt just saved, with its print status and a reprint key."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from core.lifecycle import DossierState
from core.slips import Slip


class ReceiptScreen(ModalScreen[str]):
    CSS_PATH = "receipt.tcss"
    BINDINGS = [
        Binding("enter", "dismiss('next')", "Tiếp nhận hồ sơ mới", id="receipt.next"),
        Binding("escape", "dismiss('home')", "Về danh sách", id="receipt.close"),
        Binding("p", "reprint", "In lại", id="dossier.print"),
    ]

    def __init__(self, dossier: DossierState, slip: Slip | None, job_id: str | None) -> None:
        super().__init__()
        self.dossier, self.slip, self.job_id = dossier, slip, job_id

    def compose(self) -> ComposeResult:
        from printers.plaintext import slip_to_text
        with Vertical(id="receipt-box"):
            yield Static(Text(f"ĐÃ LƯU HỒ SƠ {self.dossier.code}"), classes="title", id="saved-code")
            yield Static("Đang in giấy tiếp nhận…", id="print-status", classes="hint")
            with VerticalScroll(id="receipt-paper"):
                yield Static(Text(slip_to_text(self.slip, columns=48) if self.slip else ""),
                             id="receipt-text")
            yield Static("Enter: hồ sơ mới · P: in lại · F9: hàng đợi in · Esc: về danh sách", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.app.print_changed.subscribe(self, self.print_updated)

    def print_updated(self, outcome) -> None:
        if outcome.dossier_id == self.dossier.id:
            text = f"Không in được: {outcome.error}" if outcome.error else self.app.last_print_outcome
            self.query_one("#print-status", Static).update(Text(text))

    def action_reprint(self) -> None:
        self.query_one("#print-status", Static).update("Đang in lại…")
        self.app.reprint(self.dossier.id)
