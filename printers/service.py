"""The printer as the rest of the app sees it: render a slip, print it, say what went wrong.

`PrintService` is built once by the composition root from the configured URI and profile
and is called from a thread worker (a call ends at most `timeout` seconds after the link
stops taking bytes; a slow link that keeps going is waited for). A bad URI does not stop
the app: saving never depends on the printer, so the error surfaces as a `PrintError`
("bad-uri") when a job is printed; no URI at all is "not-configured", never a silent
`dummy:`.

`print_slip` returns a `PrintOutcome` whose `message_vi` is the one sentence the clerk
and the CLI both show: "Đã in xong." only when the printer answered a status query after
the job and reported nothing wrong; "Đã gửi tới máy in." when the link cannot carry the
answer (file, cups, win32) or the printer gave none.

Logs name the printer and the reason, never what is on the slip (personal data).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from printers.errors import PrintError
from printers.profile import PrinterProfile
from printers.transports import (PrinterTarget, SendReport, _redact, classify, parse_printer_uri,
                                 print_error, send_bytes)

if TYPE_CHECKING:
    from core.slips import Slip

__all__ = ["PrintError", "PrintService", "PrintOutcome", "NOT_CONFIGURED_VI", "retry_separator"]

log = logging.getLogger(__name__)

NOT_CONFIGURED_VI = "chưa cấu hình máy in"
PRINTED_VI = "Đã in xong."
SENT_VI = "Đã gửi tới máy in."


@dataclass(frozen=True, slots=True)
class PrintOutcome:
    """A job the printer took. `confirmed`: its status said ready after the job."""
    confirmed: bool
    warning: str = ""            # e.g. paper near its end: printed, but say so
    sent: int = 0
    note: str = ""               # no paper at all (dummy:, preview://): says so instead

    @property
    def message_vi(self) -> str:
        if self.note:
            return self.note
        if self.confirmed:
            text = PRINTED_VI
        else:
            text = SENT_VI + " Máy in này không báo lại trạng thái: xem phiếu đã ra chưa."
        return f"{text} {self.warning}" if self.warning else text


def retry_separator(profile: PrinterProfile, pending_bytes: int = 0) -> bytes:
    """What a retry after a partial job starts with: white data to finish the command the
    printer was left in the middle of (`pending_bytes`, zeros are white rows), a reset, a
    marked line and a cut, so the reprint never runs on from the half-printed slip."""
    from printers.textenc import ascii_fold
    line = ascii_fold("---- IN LẠI: phiếu trên bị in dở, bỏ đi ----").encode("ascii")
    cut = b"\x1dV\x00" if profile.cut else b"\x1bd\x04"
    return b"\x00" * pending_bytes + b"\x1b@\n" + line + b"\n\x1bd\x03" + cut


class PrintService:
    def __init__(self, uri: str, profile: PrinterProfile, timeout: float = 5.0) -> None:
        self.uri = uri
        self.profile = profile
        self.timeout = timeout
        self.last_output: bytes | None = None       # dummy: the bytes of the last job
        self.last_files: list[Path] = []             # preview: the PNG files of the last job
        self.target: PrinterTarget | None
        self._uri_error: str | None = None
        try:
            self.target = parse_printer_uri(uri)
        except ValueError as exc:
            self.target, self._uri_error = None, str(exc)

    def describe(self) -> str:
        """The printer URI without user name or password, for the screen and the log."""
        return self.target.describe() if self.target else _redact(self.uri or "")

    def render(self, slip: Slip, copies: int | None = None) -> bytes:
        """The ESC/POS bytes of the job (all copies), exactly as they would be sent."""
        from printers.escpos_out import slip_to_escpos   # Pillow and escpos load on first use
        return slip_to_escpos(slip, self._profile(copies))

    def print_slip(self, slip: Slip, copies: int | None = None, *,
                   resume_after: int | None = None) -> PrintOutcome:
        """Print `slip` (`copies` overrides the profile). Raises PrintError.

        `resume_after`: the last attempt of this job broke off after that many bytes; this
        one starts with `retry_separator`."""
        if self.target is None:
            if not (self.uri or "").strip():
                log.warning("printer not configured: job kept in the queue")
                raise PrintError(
                    f"Không in được: {NOT_CONFIGURED_VI}. Phiếu vẫn nằm trong hàng đợi; nhờ "
                    "quản trị chọn máy in (motcua printer detect / motcua printer set, hoặc "
                    "màn hình Cài đặt), rồi bấm In lại.", "not-configured")
            log.warning("printer %s: bad-uri", self.describe())
            raise PrintError(f"{self._uri_error} Sửa địa chỉ máy in trong phần Cài đặt.", "bad-uri")
        profile = self._profile(copies)
        if self.target.kind == "preview":
            self._write_previews(slip, profile)
            return PrintOutcome(confirmed=False, note=f"Không in ra giấy: đã lưu ảnh xem trước "
                                                      f"của phiếu vào {self.target.path}.")
        try:
            data = self.render(slip, profile.copies)
        except Exception as exc:  # noqa: BLE001 - a layout bug must not lose the job
            log.error("printer %s: render-error (%s)", self.describe(), type(exc).__name__)
            raise PrintError(
                "Không tạo được nội dung phiếu để in (lỗi phần mềm). Hồ sơ đã được lưu; "
                "bấm In lại hoặc báo quản trị.", "render-error") from exc
        prefix = b""
        if resume_after is not None:
            from printers.escpos_out import pending_in_command
            prefix = retry_separator(profile, pending_in_command(data, resume_after))
        if self.target.kind == "dummy":
            self.last_output = prefix + data
            log.info("printer dummy: kept %d bytes", len(prefix) + len(data))
            return PrintOutcome(confirmed=False, sent=len(prefix) + len(data),
                                note="Không in ra giấy: máy in thử (dummy:) chỉ giữ dữ liệu.")
        try:
            report = send_bytes(self.target, prefix + data, timeout=self.timeout)
        except PrintError as exc:
            exc.sent = max(0, exc.sent - len(prefix))     # an offset into the job itself
            raise
        return self._outcome(report, profile.copies)

    def _outcome(self, report: SendReport, copies: int) -> PrintOutcome:
        status = report.status
        if status is not None and status.problem():
            reason = status.problem()
            log.warning("printer %s: status %s after the job", self.describe(), reason)
            raise print_error(reason, self.describe(), self.timeout)
        if status is None:
            log.info("printer %s: sent %d copies (%d bytes), no status%s", self.describe(), copies,
                     report.sent, "" if report.can_ask else " (link cannot tell)")
            return PrintOutcome(confirmed=False, sent=report.sent)
        log.info("printer %s: printed %d copies (%d bytes), status ready", self.describe(),
                 copies, report.sent)
        warning = "Máy in báo giấy SẮP HẾT: chuẩn bị cuộn mới." if status.paper_near_end else ""
        return PrintOutcome(confirmed=True, warning=warning, sent=report.sent)

    def _profile(self, copies: int | None) -> PrinterProfile:
        return self.profile if copies is None else replace(self.profile, copies=copies)

    def _write_previews(self, slip: Slip, profile: PrinterProfile) -> None:
        """preview://DIR: one PNG per copy, `<kind>-<timestamp>-<n>.png`, as the paper would look."""
        from printers.layout import render_slip
        assert self.target is not None
        folder = Path(self.target.path).expanduser()
        try:
            image = render_slip(slip, profile.width_dots, font_size=profile.font_size)
            folder.mkdir(parents=True, exist_ok=True)
            stamp = _unique_stamp(folder, slip.kind, profile.copies)
            files = []
            for n in range(1, profile.copies + 1):
                path = folder / f"{slip.kind}-{stamp}-{n}.png"
                with open(path, "xb") as fh:
                    image.save(fh, format="PNG")
                files.append(path)
        except OSError as exc:
            reason, detail = classify(exc)
            log.warning("printer %s: %s (%s)", self.describe(), reason, type(exc).__name__)
            raise print_error(reason, self.describe(), self.timeout, detail) from exc
        self.last_files = files
        log.info("printer %s: wrote %d preview files", self.describe(), len(files))


def _unique_stamp(folder: Path, kind: str, copies: int) -> str:
    """A timestamp (to the millisecond) no earlier job in `folder` has used."""
    base = datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]
    stamp, k = base, 1
    while any((folder / f"{kind}-{stamp}-{n}.png").exists() for n in range(1, copies + 1)):
        k += 1
        stamp = f"{base}.{k}"
    return stamp
