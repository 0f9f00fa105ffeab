"""First run: the agency, this desk and the first administrator account."""
from __future__ import annotations

from rich.markup import escape
from textual import on, work
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
        except ValueError as exc:
            error.update(str(exc))
            return
        error.update("Đang lưu…")
        self._save(Agency(code=code, name=name), Desk(agency_code=code, number=number),
                   self._value("admin-username"), self.query_one("#admin-password", Input).value,
                   self._value("admin-name"))

    @work(thread=True, exit_on_error=False, group="setup")
    def _save(self, agency: Agency, desk: Desk, username: str, password: str, full_name: str) -> None:
        """Ask the centre (when configured) for the desk number, then save: off the event loop."""
        import uuid
        desk_uuid, note = str(uuid.uuid4()), ""
        try:
            central = self.app.services.settings.central_url
            if central:
                from db.sync.register import DeskNumberTaken, claim_desk_number
                try:
                    _, note = claim_desk_number(central, agency.code, desk.number, desk_uuid)
                except DeskNumberTaken as exc:
                    raise ValueError(exc.message_vi) from None
            self.app.services.accounts.setup(agency, desk, username, password, full_name, desk_uuid=desk_uuid)
        except ValueError as exc:
            self.app.call_from_thread(self.query_one("#setup-error", Static).update, escape(str(exc)))
            return
        self.app.call_from_thread(self._saved, agency.code, desk.number, note)

    def _saved(self, code: str, number: int, note: str) -> None:
        # Stamps from now on carry this desk's identity.
        self.app.services.hlc.node = f"{code}/{number}"
        from tui.screens.login import LoginScreen
        self.app.notify(escape(f"Đã lưu cài đặt. {note} Đăng nhập bằng tài khoản quản trị vừa tạo."))
        self.app.switch_screen(LoginScreen())
