"""The printer part of the first-run screen: what was found, the URI, paper and mode, a
test slip. Detection and the test slip run in thread workers; the choice is saved with
the rest of the setup (SetupScreen) through tui.printer_setup, like `motcua printer set`."""
from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

MODES = [("Tự chọn theo kết nối", "auto"), ("In ảnh (raster) — khuyên dùng", "raster"),
         ("In chữ bảng mã CP1258 (text) — cho máy in nối tiếp 9.600 baud", "text")]


class PrinterStepDone(Message):
    def __init__(self, text: str, found: list | None = None) -> None:
        super().__init__()
        self.text, self.found = text, found


class PrinterStep(Vertical):
    """URI, paper width and mode; `choice()` gives the [printer] values or None."""

    # A Vertical is 1fr high: inside the setup form's auto-height scroll that is nothing,
    # and the printer fields vanished below their title.
    DEFAULT_CSS = "PrinterStep { height: auto; }"

    def compose(self) -> ComposeResult:
        yield Static("MÁY IN", classes="title")
        yield Static("F5: dò máy in · F6: in trang thử. Để trống nếu chưa có máy in: giấy "
                     "tiếp nhận sẽ chờ trong hàng đợi («chưa cấu hình máy in»).", classes="hint")
        yield Static("Đang dò máy in…", id="printer-found")
        yield Label("Địa chỉ máy in (usb://VID:PID, tcp://IP:9100, serial://CỔNG?baud=9600, "
                    "win32://TÊN MÁY IN)")
        yield Input(id="printer-uri", placeholder="ví dụ usb://0416:5011")
        yield Label("Khổ giấy")
        yield Select([("80 mm", 80), ("58 mm", 58)], value=80, allow_blank=False, id="paper-mm")
        yield Label("Cách in")
        yield Select(MODES, value="auto", allow_blank=False, id="print-mode")
        yield Static("", id="printer-status")

    def on_mount(self) -> None:
        self.detect()

    def choice(self, settings) -> tuple[dict, list[str]] | None:
        """The [printer] values chosen (None: no printer yet). Raises ValueError (Vietnamese)."""
        from tui.cli.printer import resolve_choice
        uri = self.query_one("#printer-uri", Input).value.strip()
        if not uri:
            return None
        mode = self.query_one("#print-mode", Select).value
        return resolve_choice(uri, self.query_one("#paper-mm", Select).value,
                              None if mode == "auto" else mode, None, settings)

    @work(thread=True, exclusive=True, exit_on_error=False, group="printer-detect")
    def detect(self) -> None:
        from tui.printer_setup import detect_printers
        found, notes = detect_printers()
        lines = [f"{p.uri} — {p.description}" for p in found] or ["Không tìm thấy máy in USB nào."]
        self.post_message(PrinterStepDone("\n".join(notes + lines), found))

    @work(thread=True, exclusive=True, exit_on_error=False, group="printer-test")
    def print_test(self, values: dict, timeout: float) -> None:
        from tui.cli.printer import print_test_page
        ok, message = print_test_page(values, timeout)
        self.post_message(PrinterStepDone(("Trang thử: " if ok else "Trang thử chưa in được: ") + message))

    @on(PrinterStepDone)
    def _done(self, event: PrinterStepDone) -> None:
        if event.found is None:
            self.query_one("#printer-status", Static).update(escape(event.text))
            return
        self.query_one("#printer-found", Static).update(escape(event.text))
        uri = self.query_one("#printer-uri", Input)
        usb = [p for p in event.found if p.uri.startswith(("usb:", "win32:"))]
        if usb and not uri.value:
            uri.value = usb[0].uri              # offered, not saved until Ctrl+S
