"""The printer as the rest of the app sees it: render a slip, print it, say what went wrong.

`PrintService` is built once by the composition root from the configured URI and profile
and is called from a thread worker (every call blocks for at most about `timeout`
seconds). A bad URI does not stop the app: saving never depends on the printer, so the
error surfaces as a `PrintError` ("bad-uri") when a job is printed.

Logs name the printer and the reason, never what is on the slip (personal data).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from printers.errors import PrintError
from printers.profile import PrinterProfile
from printers.transports import PrinterTarget, _redact, classify, parse_printer_uri, print_error, send_bytes

if TYPE_CHECKING:
    from core.slips import Slip

__all__ = ["PrintError", "PrintService"]

log = logging.getLogger(__name__)


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

    def print_slip(self, slip: Slip, copies: int | None = None) -> None:
        """Print `slip` (`copies` overrides the profile). Raises PrintError."""
        if self.target is None:
            log.warning("printer %s: bad-uri", self.describe())
            raise PrintError(f"{self._uri_error} Sửa địa chỉ máy in trong phần Cài đặt.", "bad-uri")
        profile = self._profile(copies)
        if self.target.kind == "preview":
            self._write_previews(slip, profile)
            return
        try:
            data = self.render(slip, profile.copies)
        except Exception as exc:  # noqa: BLE001 - a layout bug must not lose the job
            log.error("printer %s: render-error (%s)", self.describe(), type(exc).__name__)
            raise PrintError(
                "Không tạo được nội dung phiếu để in (lỗi phần mềm). Hồ sơ đã được lưu; "
                "bấm In lại hoặc báo quản trị.", "render-error") from exc
        if self.target.kind == "dummy":
            self.last_output = data
        else:
            send_bytes(self.target, data, timeout=self.timeout)
        log.info("printer %s: printed %d copies (%d bytes)", self.describe(), profile.copies, len(data))

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
