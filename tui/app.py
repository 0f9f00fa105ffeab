"""The Textual application: wires screens, key bindings, the command palette and printing.

Everything concrete arrives through `Services` (see tui/services.py); this module only wires.
"""
from __future__ import annotations

import logging
from typing import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from core.people import Clerk
from tui import messages as msg
from tui.actions import requeue_receipt, run_print_job
from tui.services import Services
from tui.widgets.status_bar import StatusBar

log = logging.getLogger("motcua.tui")

PRINT_GROUP = "print"


class MotcuaApp(App):
    TITLE = "motcua — Bộ phận Một cửa"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f1", "help", "Trợ giúp", id="app.help"),
        Binding("f9", "print_queue", "Hàng đợi in", id="print.queue"),
        Binding("ctrl+q", "quit", "Thoát", id="app.quit", priority=True),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.clerk: Clerk | None = None
        self.last_print_error: str = ""

    # -- start-up ---------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.services.settings.keys:
            self.set_keymap(self.services.settings.keys)
        from tui.screens.login import LoginScreen
        from tui.screens.setup import SetupScreen
        if self.services.accounts.needs_setup():
            self.push_screen(SetupScreen())
        else:
            self.push_screen(LoginScreen())

    def logged_in(self, clerk: Clerk) -> None:
        from tui.screens.home import HomeScreen
        self.clerk = clerk
        log.info("login clerk=%s", clerk.id)
        self.switch_screen(HomeScreen())
        self.refresh_status()
        # Jobs that failed or were cut off last time are still waiting: say so now.
        pending = self.services.print_jobs.pending()
        if pending:
            self.notify(f"Còn {len(pending)} phiếu chưa in được. Bấm F9 để xem và in lại.",
                        severity="warning", timeout=8)

    def action_logout(self) -> None:
        from tui.screens.login import LoginScreen
        self.clerk = None
        self.switch_screen(LoginScreen())

    # -- help and command palette -----------------------------------------------------
    def action_help(self) -> None:
        from tui.screens.help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_print_queue(self) -> None:
        from tui.screens.print_queue import PrintQueueScreen
        if self.clerk is not None and not isinstance(self.screen, PrintQueueScreen):
            self.push_screen(PrintQueueScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding with an id is also a palette command, named in Vietnamese."""
        seen: set[str] = set()
        for owner in (screen, self):
            for binding in getattr(owner, "BINDINGS", []):
                if not isinstance(binding, Binding) or not binding.id or binding.id in seen:
                    continue
                if self.clerk is None and binding.id not in ("app.help", "app.quit"):
                    continue
                seen.add(binding.id)
                key = self.get_key_display(binding)
                yield SystemCommand(binding.description, f"Phím {key} · {binding.id}",
                                    lambda o=owner, a=binding.action: o.run_action(a))
        yield SystemCommand("Đổi giao diện màu", "Chọn chủ đề màu", self.action_change_theme)

    # -- printing -----------------------------------------------------------------------
    def start_print(self, job_id: str) -> None:
        self._print_job(job_id, None)

    def reprint(self, dossier_id: str) -> None:
        """Queue the dossier's receipt again, exactly as first printed, and print it."""
        self._print_job(None, dossier_id)

    @work(thread=True, exit_on_error=False, group=PRINT_GROUP)
    def _print_job(self, job_id: str | None, reprint_of: str | None) -> None:
        if job_id is None:
            job_id = requeue_receipt(self.services, reprint_of)
            if job_id is None:
                self.post_message(msg.PrintFailed("", reprint_of, "Hồ sơ này chưa có phiếu để in lại."))
                return
        dossier_id = self.services.print_jobs.get(job_id).dossier_id
        error = run_print_job(self.services, job_id)
        if error is None:
            self.post_message(msg.PrintFinished(job_id, dossier_id))
        else:
            self.post_message(msg.PrintFailed(job_id, dossier_id, error))

    def _tell_screen(self, dossier_id: str, error: str | None) -> None:
        handler = getattr(self.screen, "print_updated", None)
        if handler is not None:
            handler(dossier_id, error)

    def on_print_finished(self, event: msg.PrintFinished) -> None:
        self.last_print_error = ""
        self.notify("Đã in phiếu.", timeout=3)
        self.refresh_status()
        self._tell_screen(event.dossier_id, None)

    def on_print_failed(self, event: msg.PrintFailed) -> None:
        self.last_print_error = event.message_vi
        self.notify(event.message_vi + " Hồ sơ vẫn được lưu; bấm F9 để in lại.",
                    title="Không in được", severity="error", timeout=12)
        self.refresh_status()
        self._tell_screen(event.dossier_id, event.message_vi)

    # -- status line --------------------------------------------------------------------
    def status_text(self) -> tuple[str, bool]:
        s = self.services
        desk, agency = s.desk, s.agency
        parts = []
        if self.clerk:
            parts.append(f"Cán bộ: {self.clerk.full_name}")
        if desk and agency:
            parts.append(f"Quầy {desk.number} · {agency.name}")
        parts.append(f"Máy in: {s.printer.describe()}")
        pending = len(s.print_jobs.pending())
        warning = bool(pending)
        parts.append(f"Chờ in: {pending}" if pending else "Chờ in: 0")
        if s.settings.demo:
            parts.append("DỮ LIỆU MẪU")
        return "  │  ".join(parts), warning

    def refresh_status(self) -> None:
        text, warning = self.status_text()
        for bar in self.screen.query(StatusBar):
            bar.show(text, warning)
