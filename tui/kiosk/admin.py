"""Leaving the kiosk needs an administrator (or supervisor) password: a citizen at the
kiosk cannot quit it nor reach anything else."""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core.people import Role


class AdminExitScreen(ModalScreen[None]):
    AUTO_FOCUS = "#admin-user"
    BINDINGS = [Binding("escape", "dismiss", "Quay lại", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical(id="admin-box"):
            yield Static("Thoát kiosk — dành cho quản trị", classes="title")
            yield Input(placeholder="Tên đăng nhập quản trị", id="admin-user")
            yield Input(placeholder="Mật khẩu", password=True, id="admin-password")
            yield Static("Esc: quay lại màn hình đánh giá", classes="hint")
            yield Static("", id="admin-error", classes="error")

    @on(Input.Submitted, "#admin-user")
    def _next(self) -> None:
        self.query_one("#admin-password", Input).focus()

    @on(Input.Submitted, "#admin-password")
    def _submit(self) -> None:
        user = self.query_one("#admin-user", Input).value.strip()
        password = self.query_one("#admin-password", Input).value
        if user and password:
            self._check(user, password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="admin")
    def _check(self, user: str, password: str) -> None:
        try:
            clerk = self.app.kiosk.accounts.authenticate(user, password)
        except Exception:
            clerk = None
        if clerk is not None and clerk.role in (Role.ADMIN, Role.SUPERVISOR):
            self.app.call_from_thread(self.app.exit)
        else:
            self.app.call_from_thread(self._refused)

    def _refused(self) -> None:
        self.query_one("#admin-error", Static).update(
            "Sai tài khoản hoặc không phải quản trị/lãnh đạo. Nhập lại hoặc Esc để quay lại.")
        box = self.query_one("#admin-password", Input)
        box.value = ""
        box.focus()
