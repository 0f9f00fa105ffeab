"""One line at the bottom of every working screen: who, which desk, printer and queue."""
from __future__ import annotations

from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { dock: bottom; height: 1; background: $panel; color: $text; padding: 0 1; }
    StatusBar.-warning { background: $warning-darken-2; }
    """

    def show(self, text: str, warning: bool = False) -> None:
        self.update(text)
        self.set_class(warning, "-warning")
