"""The status line at the bottom of every working screen, above the key footer.

It subscribes to the app's `status_changed` signal, so it never reads the database itself:
the app reads the counts in a worker and publishes a snapshot (tui/status.py).
"""
from __future__ import annotations

from textual.widgets import Static

from tui.status import StatusSnapshot, render_status


class StatusBar(Static):
    # Docked above the Footer (margin-bottom: 1): two bottom docks would otherwise overlap,
    # which is how the line went missing. Two lines at most, so 80 columns lose nothing.
    DEFAULT_CSS = """
    StatusBar { dock: bottom; height: auto; max-height: 2; margin-bottom: 1;
                background: $panel; color: $text; padding: 0 1; }
    StatusBar.-warning { background: $warning-darken-3; }
    """

    def on_mount(self) -> None:
        signal = getattr(self.app, "status_changed", None)
        if signal is not None:
            signal.subscribe(self, self.show)
            if self.app.status is not None:
                self.show(self.app.status)
            self.app.refresh_status()

    def show(self, snapshot: StatusSnapshot) -> None:
        self.update(render_status(snapshot))
        self.set_class(bool(snapshot.failed), "-warning")
