"""First run: the agency, this desk, the first administrator account and the printer
(tui/screens/printer_step.py)."""
from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from core.codes import validate_agency_code
from core.people import Agency, Desk
from tui.screens.printer_step import PrinterStep
from tui.widgets.header import Header


class SetupScreen(Screen):
    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#agency-name"
    BINDINGS = [Binding("ctrl+s", "save", "Lưu cài đặt", id="setup.save"),
                Binding("f5", "detect_printer", "Dò máy in", id="setup.printer_detect"),
                Binding("f6", "test_printer", "In trang thử", id="setup.printer_test")]

    FIELDS = [
        ("agency-name", "Tên cơ quan (ví dụ: UBND xã Tịnh Khê)", False),
        ("agency-code", "Mã cơ quan (ví dụ: 000.21.53.H48)", False),
        ("desk-number", "Số quầy (1–99)", False),
        ("admin-name", "Họ tên quản trị viên", False),
        ("admin-username", "Tên đăng nhập quản trị", False),
        ("admin-password", "Mật khẩu (ít nhất 8 ký tự)", True),
        ("admin-password2", "Nhập lại mật khẩu", True),
    ]
    NEXT = [f[0] for f in FIELDS] + ["printer-uri"]      # Enter moves on, then saves

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="login-box"):
            yield Static("CÀI ĐẶT LẦN ĐẦU", classes="title")
            yield Static("Khai báo cơ quan, quầy, tài khoản quản trị và máy in. Ctrl+S để lưu.", classes="hint")
            for fid, label, secret in self.FIELDS:
                yield Label(label)
                yield Input(id=fid, password=secret)
            yield PrinterStep(id="printer-step")
            yield Static("", id="setup-error", classes="error")
        yield Footer()

    def _value(self, fid: str) -> str:
        return self.query_one(f"#{fid}", Input).value.strip()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        ids = self.NEXT
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
            printer = self.query_one(PrinterStep).choice(self.app.services.settings)
        except ValueError as exc:
            error.update(escape(str(exc)))
            return
        error.update("Đang lưu…")
        self._save(Agency(code=code, name=name), Desk(agency_code=code, number=number),
                   self._value("admin-username"), self.query_one("#admin-password", Input).value,
                   self._value("admin-name"), printer)

    def action_detect_printer(self) -> None:
        self.query_one(PrinterStep).detect()

    def action_test_printer(self) -> None:
        step = self.query_one(PrinterStep)
        try:
            chosen = step.choice(self.app.services.settings)
        except ValueError as exc:
            self.query_one("#printer-status", Static).update(escape(str(exc)))
            return
        if chosen is None:
            self.query_one("#printer-status", Static).update("Chưa nhập địa chỉ máy in.")
            return
        self.query_one("#printer-status", Static).update("Đang in trang thử…")
        step.print_test(chosen[0], self.app.services.settings.print_timeout)

    @work(thread=True, exit_on_error=False, group="setup")
    def _save(self, agency: Agency, desk: Desk, username: str, password: str, full_name: str,
              printer: tuple[dict, list[str]] | None = None) -> None:
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
            note += self._save_printer(printer)
        except ValueError as exc:
            self.app.call_from_thread(self.query_one("#setup-error", Static).update, escape(str(exc)))
            return
        self.app.call_from_thread(self._saved, agency.code, desk.number, note)

    def _save_printer(self, printer: tuple[dict, list[str]] | None) -> str:
        """Keep the chosen printer in the config file and use it from now on (worker thread)."""
        if printer is None:
            return " Chưa chọn máy in: giấy tiếp nhận sẽ chờ trong hàng đợi (F9)."
        from tui.cli.printer import config_path
        from tui.printer_setup import save_printer_config
        values, notes = printer
        try:
            save_printer_config(config_path(), values)
        except OSError as exc:
            return f" Không ghi được tệp cấu hình ({exc.strerror or type(exc).__name__}); máy in chỉ dùng đến khi tắt chương trình."
        finally:
            self.app.services.use_printer(printer_uri=values["uri"], paper_mm=values["paper_mm"],
                                          print_mode=values["mode"], codepage=values["codepage"])
        return " " + " ".join([f"Máy in: {values['uri']}."] + notes)

    def _saved(self, code: str, number: int, note: str) -> None:
        # Stamps from now on carry this desk's identity.
        self.app.services.hlc.node = f"{code}/{number}"
        from tui.screens.login import LoginScreen
        self.app.notify(escape(f"Đã lưu cài đặt. {note} Đăng nhập bằng tài khoản quản trị vừa tạo."))
        self.app.switch_screen(LoginScreen())
