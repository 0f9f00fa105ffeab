"""A yes/no question in Vietnamese (discard a form, quit with unsaved work)."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    #confirm-box { width: 64; max-width: 100%; height: auto; border: thick $warning;
                   background: $surface; padding: 1 2; }
    """
    BINDINGS = [
        Binding("y,c", "answer(True)", "Có", id="confirm.yes"),
        Binding("n,k,escape", "answer(False)", "Không", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(self.question, style="bold"), id="confirm-question")
            if self.detail:
                yield Static(Text(self.detail), classes="hint")
            yield Static("C (hoặc Y): có · K (hoặc N, Esc): không, quay lại", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
