"""Key-binding help: every key of the current screen and of the app, with its id."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help-box { width: 90; height: 80%; border: thick $accent; background: $surface; }
    """
    BINDINGS = [Binding("escape,f1", "dismiss", "Đóng", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("PHÍM TẮT (Ctrl+P: bảng lệnh, gõ tên lệnh để tìm)", classes="title")
            table = DataTable(id="help-keys", cursor_type="row")
            table.add_columns("Phím", "Việc", Text("Mã phím (đổi trong [keys] của config.toml)"))
            seen = set()
            for owner in (self.under, self.app):
                for b in getattr(owner, "BINDINGS", []):
                    if isinstance(b, Binding) and b.id and b.id not in seen:
                        seen.add(b.id)
                        table.add_row(Text(self.app.get_key_display(b)), Text(b.description), Text(b.id))
            table.add_row("Ctrl+P", "Bảng lệnh (mọi thao tác)", "—")
            yield table
