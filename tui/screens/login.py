"""Login: username and password; in demo mode the demo accounts are shown on screen."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from core.people import ROLE_VI
from tui.widgets.header import Header


class LoginScreen(Screen):
    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#username"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="login-box"):
            yield Static("ĐĂNG NHẬP", classes="title")
            yield Static("Đang mở cơ sở dữ liệu…", id="agency-name", classes="hint")
            yield Input(placeholder="Tên đăng nhập", id="username")
            yield Input(placeholder="Mật khẩu", password=True, id="password")
            yield Static("", id="login-error", classes="error")
            yield Static("", id="demo-accounts", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.app.services_changed.subscribe(self, self.services_loaded)
        if self.app.loaded_services is not None:
            self.services_loaded(self.app.loaded_services)
            self.app.read_agency()             # it may have just been set up

    def services_loaded(self, services) -> None:
        """Fill in what the app read once the database was open (see MotcuaApp.on_mount)."""
        self.query_one("#agency-name", Static).update(Text(self.app.agency_name))
        demo = services.demo_accounts
        if demo:
            lines = ["Tài khoản dùng thử (dữ liệu mẫu):"]
            lines += [f"  {u} / {p}  — {ROLE_VI.get(r, r)}" for u, p, r in demo]
            self.query_one("#demo-accounts", Static).update(Text("\n".join(lines)))

    @on(Input.Submitted, "#username")
    def _next(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def _submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not username or not password:
            self.query_one("#login-error", Static).update("Nhập tên đăng nhập và mật khẩu rồi bấm Enter.")
            return
        self._authenticate(username, password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def _authenticate(self, username: str, password: str) -> None:
        # argon2 verification is deliberately slow: keep it off the event loop.
        try:
            clerk = self.app.services.accounts.authenticate(username, password)
        except Exception as exc:
            message = getattr(exc, "message_vi", "Không đọc được cơ sở dữ liệu. Thử lại sau giây lát.")
            self.app.call_from_thread(self._failed, message)
            return
        if clerk is None:
            self.app.call_from_thread(self._failed, "Sai tên đăng nhập hoặc mật khẩu. Kiểm tra rồi nhập lại.")
        else:
            self.app.call_from_thread(self.app.logged_in, clerk)

    def _failed(self, message: str) -> None:
        self.query_one("#login-error", Static).update(message)
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()
