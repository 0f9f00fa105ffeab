"""First run: the agency, this desk and the first administrator account."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from core.codes import validate_agency_code
from core.people import Agency, Desk


class SetupScreen(Screen):
    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#agency-name"
    BINDINGS = [Binding("ctrl+s", "save", "Lưu cài đặt", id="setup.save")]

    FIELDS = [
        ("agency-name", "Tên cơ quan (ví dụ: UBND xã Tịnh Khê)", False),
        ("agency-code", "Mã cơ quan (ví dụ: 000.21.53.H48)", False),
        ("desk-number", "Số quầy (1–99)", False),
        ("admin-name", "Họ tên quản trị viên", False),
        ("admin-username", "Tên đăng nhập quản trị", False),
        ("admin-password", "Mật khẩu (ít nhất 8 ký tự)", True),
        ("admin-password2", "Nhập lại mật khẩu", True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="login-box"):
            yield Static("CÀI ĐẶT LẦN ĐẦU", classes="title")
            yield Static("Khai báo cơ quan, quầy và tài khoản quản trị. Ctrl+S để lưu.", classes="hint")
            for fid, label, secret in self.FIELDS:
                yield Label(label)
                yield Input(id=fid, password=secret)
            yield Static("", id="setup-error", classes="error")
        yield Footer()

    def _value(self, fid: str) -> str:
        return self.query_one(f"#{fid}", Input).value.strip()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        ids = [f[0] for f in self.FIELDS]
        i = ids.index(event.input.id)
        if i + 1 < len(ids):
            self.query_one(f"#{ids[i + 1]}", Input).focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        error = self.query_one("#setup-error", Static)
        try:
            name = self._value("agency-name")
            if not name:
                raise ValueError("Chưa nhập tên cơ quan.")
            code = validate_agency_code(self._value("agency-code"))
            try:
                number = int(self._value("desk-number"))
                if not 1 <= number <= 99:
                    raise ValueError
            except ValueError:
                raise ValueError("Số quầy là số nguyên từ 1 đến 99.") from None
            if self.query_one("#admin-password", Input).value != self.query_one("#admin-password2", Input).value:
                raise ValueError("Hai lần nhập mật khẩu không khớp.")
            self.app.services.accounts.setup(
                Agency(code=code, name=name), Desk(agency_code=code, number=number),
                self._value("admin-username"), self.query_one("#admin-password", Input).value,
                self._value("admin-name"),
            )
        except ValueError as exc:
            error.update(str(exc))
            return
        # Stamps from now on carry this desk's identity.
        self.app.services.hlc.node = f"{code}/{number}"
        from tui.screens.login import LoginScreen
        self.app.notify("Đã lưu cài đặt. Đăng nhập bằng tài khoản quản trị vừa tạo.")
        self.app.switch_screen(LoginScreen())
