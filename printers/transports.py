"""Where the bytes go: printer URIs and one explicit open-write-close per job.

    usb://VID:PID[?out_ep=0x01&in_ep=0x82]   tcp://HOST[:PORT] (9100)
    serial://DEVICE?baud=N                    file://PATH or a plain path
    cups://QUEUE (extra motcua[cups])         win32://PRINTER NAME (Windows, pywin32)
    dummy:                                    preview://DIR

Each job opens its python-escpos device explicitly, writes through a `Link` (link.py: the
timeout detects a stalled link, it is not a deadline for the job), asks the printer's
status where the link can carry the answer (status.py), and closes in `finally`: never the
lazy `device` property, and never a default timeout (python-escpos `Network` waits 60 s,
`Usb` and `File` for ever). Failures become `PrintError` with a
Vietnamese message and a short reason code; nothing of the slip is ever logged.
"""
from __future__ import annotations

import errno
import logging
import os
import re
import socket
import stat
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from printers._escpos import escpos
from printers.errors import PrintError
from printers.link import FdLink, Link, LinkStalled, SerialLink, SocketLink, UsbLink
from printers.status import PrinterStatus, query_status

log = logging.getLogger(__name__)

KINDS = ("usb", "tcp", "serial", "file", "cups", "win32", "dummy", "preview")
DEFAULT_TCP_PORT = 9100

ACCEPTED_FORMS_VI = (
    "usb://VID:PID (vd. usb://04b8:0202), tcp://HOST:PORT (vd. tcp://192.168.1.50:9100), "
    "serial://THIẾT_BỊ?baud=N (vd. serial:///dev/ttyS0?baud=9600), file://ĐƯỜNG_DẪN hoặc "
    "đường dẫn (vd. /dev/usb/lp0), win32://TÊN MÁY IN TRÊN WINDOWS (vd. win32://XP-80C), "
    "cups://TÊN_MÁY_IN, dummy: (không in, chỉ thử), preview://THƯ_MỤC"
)


@dataclass(frozen=True, slots=True)
class PrinterTarget:
    kind: str                      # one of KINDS
    uri: str                       # canonical URI, without user name or password
    host: str = ""                 # tcp
    port: int = 0                  # tcp
    path: str = ""                 # file, serial device, preview directory
    vendor_id: int = 0             # usb
    product_id: int = 0            # usb
    out_ep: int = 0x01             # usb
    in_ep: int = 0x82              # usb
    baud: int = 9600               # serial
    queue: str = ""                # cups, win32: printer name ("" = the system's default printer)

    def describe(self) -> str:
        return self.uri


def _bad(uri: str, why: str) -> ValueError:
    return ValueError(
        f"Địa chỉ máy in không hợp lệ: {_redact(uri)!r} ({why}). "
        f"Các dạng được chấp nhận: {ACCEPTED_FORMS_VI}.")


def _redact(uri: str) -> str:
    """Drop a `user:password@` part, the only secret a printer URI can carry."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@", r"\1", uri.strip())


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.S)


def _hex16(text: str, uri: str, what: str) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise _bad(uri, f"{what} phải là số hệ 16, ví dụ 04b8") from None
    if not 0 <= value <= 0xFFFF:
        raise _bad(uri, f"{what} phải từ 0000 đến ffff")
    return value


def parse_printer_uri(uri: str) -> PrinterTarget:
    """Parse a printer URI (see the module docstring). Raises ValueError in Vietnamese."""
    raw = (uri or "").strip()
    if not raw:
        raise _bad(raw, "chưa nhập địa chỉ")
    m = _SCHEME.match(raw)
    # "C:\lp" and "C:/lp" are Windows paths, not a scheme "c"
    if not m or (len(m.group(1)) == 1 and m.group(2)[:1] in ("\\", "/")):
        return PrinterTarget("file", f"file://{raw}", path=raw)
    scheme = m.group(1).lower()
    if scheme not in KINDS:
        raise _bad(raw, f"không biết kiểu kết nối {scheme!r}")
    if scheme == "dummy":
        if m.group(2) not in ("", "//"):
            raise _bad(raw, "dummy: không có tham số")
        return PrinterTarget("dummy", "dummy:")
    if not m.group(2).startswith("//"):
        raise _bad(raw, f"thiếu // sau {scheme}:")
    if scheme == "win32":
        # Windows printer names carry spaces, "\\" and "/" (\\server\XP-80): all of it is the name
        name = unquote(m.group(2)[2:]).strip()
        if any(ord(ch) < 32 for ch in name):
            raise _bad(raw, "tên máy in có ký tự điều khiển")
        return PrinterTarget("win32", f"win32://{name}", queue=name)
    if scheme in ("file", "preview"):
        # A path is taken as written: "?" and "#" are legal in file names
        location = m.group(2)[2:]
        if location.lower().startswith("localhost/"):
            location = location[len("localhost"):]   # file://localhost/dev/lp0 is file:///dev/lp0
        if not location.strip():
            what = "đường dẫn tệp/thiết bị" if scheme == "file" else "thư mục lưu ảnh xem trước"
            raise _bad(raw, f"thiếu {what}")
        return PrinterTarget(scheme, f"{scheme}://{location}", path=location)
    parts = urlsplit(raw)
    query = parse_qs(parts.query, keep_blank_values=True)
    netloc = parts.netloc.rpartition("@")[2]
    location = netloc + parts.path

    def params(allowed: set[str]) -> dict[str, str]:
        unknown = set(query) - allowed
        if unknown:
            raise _bad(raw, f"tham số không dùng được: {', '.join(sorted(unknown))}")
        return {k: v[-1] for k, v in query.items()}

    if scheme == "usb":
        p = params({"out_ep", "in_ep"})
        ids = location.strip("/")
        vid, sep, pid = ids.partition(":")
        if not sep or not vid or not pid:
            raise _bad(raw, "cần mã hãng và mã máy dạng VID:PID, ví dụ 04b8:0202")
        vendor, product = _hex16(vid, raw, "VID"), _hex16(pid, raw, "PID")
        out_ep = _hex16(p.get("out_ep", "0x01"), raw, "out_ep")
        in_ep = _hex16(p.get("in_ep", "0x82"), raw, "in_ep")
        suffix = "" if (out_ep, in_ep) == (0x01, 0x82) else f"?out_ep=0x{out_ep:02x}&in_ep=0x{in_ep:02x}"
        return PrinterTarget("usb", f"usb://{vendor:04x}:{product:04x}{suffix}",
                             vendor_id=vendor, product_id=product, out_ep=out_ep, in_ep=in_ep)

    if scheme == "tcp":
        params(set())
        if parts.path not in ("", "/"):
            raise _bad(raw, "sau HOST:PORT không có đường dẫn")
        try:
            host, port = parts.hostname, parts.port
        except ValueError:
            raise _bad(raw, "cổng phải là số từ 1 đến 65535") from None
        if not host:
            raise _bad(raw, "thiếu tên hoặc địa chỉ IP của máy in")
        port = port or DEFAULT_TCP_PORT
        if not 1 <= port <= 65535:
            raise _bad(raw, "cổng phải là số từ 1 đến 65535")
        shown = f"[{host}]" if ":" in host else host
        return PrinterTarget("tcp", f"tcp://{shown}:{port}", host=host, port=port)

    if scheme == "serial":
        p = params({"baud"})
        if not location.strip("/"):
            raise _bad(raw, "thiếu cổng nối tiếp, ví dụ serial:///dev/ttyS0?baud=9600")
        try:
            baud = int(p.get("baud", "9600"))
        except ValueError:
            raise _bad(raw, "baud phải là số, ví dụ 9600") from None
        if baud <= 0:
            raise _bad(raw, "baud phải là số dương, ví dụ 9600")
        return PrinterTarget("serial", f"serial://{location}?baud={baud}", path=location, baud=baud)

    params(set())
    queue = location.strip("/")                           # cups
    return PrinterTarget("cups", f"cups://{queue}", queue=queue)


# --- errors ----------------------------------------------------------------------------

_MESSAGES_VI = {
    "connection-refused": "Không kết nối được máy in {d} (từ chối kết nối). Kiểm tra máy in "
                          "đã bật và cắm mạng, đúng địa chỉ và cổng, rồi bấm In lại.",
    "timeout": "Máy in {d} không phản hồi sau {t} giây. Kiểm tra máy in đã bật, còn giấy, "
               "nắp đã đóng và cùng mạng với máy tính, rồi bấm In lại.",
    "host-not-found": "Không tìm thấy máy in {d} (sai tên hoặc địa chỉ). Kiểm tra địa chỉ "
                      "máy in trong phần Cài đặt, rồi bấm In lại.",
    "host-unreachable": "Không tới được máy in {d} qua mạng. Kiểm tra dây mạng/Wi-Fi của "
                        "máy tính và máy in, rồi bấm In lại.",
    "connection-lost": "Mất kết nối với máy in {d} khi đang in; phiếu có thể in chưa hết. "
                       "Kiểm tra máy in, rồi bấm In lại.",
    "device-missing": "Không tìm thấy máy in {d}. Kiểm tra máy in đã bật và cáp đã cắm "
                      "chắc, rồi bấm In lại.",
    "permission": "Máy tính không có quyền gửi dữ liệu tới máy in {d}. Nhờ quản trị cấp "
                  "quyền (ví dụ thêm tài khoản vào nhóm lp hoặc dialout), rồi bấm In lại.",
    "dependency-missing": "Máy tính chưa cài thư viện để in qua {d} ({extra}). Nhờ quản "
                          "trị cài đặt, hoặc chọn cách kết nối máy in khác trong Cài đặt.",
    "io-error": "Lỗi khi gửi dữ liệu tới máy in {d} ({extra}). Kiểm tra máy in, rồi bấm "
                "In lại.",
    "partial": "Máy in {d} ngừng nhận dữ liệu giữa chừng (quá {t} giây không nhận thêm): "
               "máy in đã nhận một phần, kiểm tra giấy. Bấm In lại: bản in lại bắt đầu bằng "
               "một đường cắt và dòng «IN LẠI» để không lẫn với phần đã in.",
    "paper-out": "Máy in {d} báo HẾT GIẤY: phiếu chưa in ra. Lắp cuộn giấy mới; nếu phiếu "
                 "không tự in tiếp thì bấm In lại.",
    "cover-open": "Máy in {d} báo ĐANG MỞ NẮP: phiếu chưa in ra. Đóng nắp máy in; nếu phiếu "
                  "không tự in tiếp thì bấm In lại.",
    "offline": "Máy in {d} báo đang NGỪNG HOẠT ĐỘNG (offline): phiếu chưa in ra. Kiểm tra "
               "đèn báo lỗi trên máy in, rồi bấm In lại.",
    "printer-error": "Máy in {d} báo LỖI (ví dụ kẹt dao cắt): phiếu có thể chưa in ra. Tắt "
                     "rồi bật lại máy in, kiểm tra giấy, rồi bấm In lại.",
}


def print_error(reason: str, target_desc: str, timeout: float = 0, extra: str = "") -> PrintError:
    message = _MESSAGES_VI[reason].format(d=target_desc, t=f"{timeout:g}", extra=extra)
    return PrintError(message, reason)


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def classify(exc: BaseException) -> tuple[str, str]:
    """(reason, detail) for an exception raised while opening or writing a device."""
    usb_timeout = ()
    try:
        import usb.core  # optional dependency of python-escpos' Usb
        usb_timeout = (usb.core.USBTimeoutError,)
    except ImportError:
        pass
    for e in _chain(exc):
        if type(e).__name__ == "NoBackendError":       # pyusb without libusb
            return "dependency-missing", "libusb"
        if isinstance(e, ConnectionRefusedError):
            return "connection-refused", ""
        if isinstance(e, (TimeoutError, socket.timeout) + usb_timeout):
            return "timeout", ""
        if type(e).__name__ == "SerialTimeoutException":
            return "timeout", ""
        if isinstance(e, socket.gaierror):
            return "host-not-found", ""
        if isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            return "connection-lost", ""
        if isinstance(e, PermissionError):
            return "permission", ""
        code = getattr(e, "errno", None)
        if code in (errno.EACCES, errno.EPERM):
            return "permission", ""
        if code in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return "host-unreachable", ""
        if isinstance(e, (FileNotFoundError, NotADirectoryError, IsADirectoryError)) or code in (
                errno.ENODEV, errno.ENXIO, errno.ENOENT, errno.EIO):
            return "device-missing", ""
    for e in _chain(exc):
        if type(e).__name__ in ("DeviceNotFoundError", "USBNotFoundError"):
            return "device-missing", ""
    for e in _chain(exc):
        if isinstance(e, OSError):
            return "io-error", e.strerror or type(e).__name__
    return "io-error", type(exc).__name__


# --- sending -----------------------------------------------------------------------------

_APPENDING_FILE = None


def _appending_file(printer):
    """python-escpos' File opens with "wb": right for a device, but a plain file standing in
    for a printer (a spool, a test) would keep only the last job. Append, as paper piles up."""
    global _APPENDING_FILE
    if _APPENDING_FILE is None:
        class AppendingFile(printer.File):
            def open(self, raise_not_found: bool = True) -> None:
                if self._device:
                    self.close()
                try:
                    self.device = open(self.devfile, "ab")
                except OSError as e:
                    self.device = None
                    raise escpos().exceptions.DeviceNotFoundError(
                        f"Could not open the specified file {self.devfile}: {e}") from e

        _APPENDING_FILE = AppendingFile
    return _APPENDING_FILE


def _device(target: PrinterTarget, timeout: float):
    printer = escpos().printer
    if target.kind == "tcp":
        return printer.Network(target.host, target.port, timeout=timeout)
    if target.kind == "file":
        return _appending_file(printer)(target.path)
    if target.kind == "usb":
        from escpos.printer import usb as usb_mod
        if not usb_mod.is_usable():
            raise print_error("dependency-missing", target.uri, extra="pyusb")
        # pyusb counts milliseconds; python-escpos' default 0 means "wait for ever"
        return printer.Usb(target.vendor_id, target.product_id, timeout=max(1, int(timeout * 1000)),
                           in_ep=target.in_ep, out_ep=target.out_ep)
    if target.kind == "serial":
        from escpos.printer import serial as serial_mod
        if not serial_mod.is_usable():
            raise print_error("dependency-missing", target.uri, extra="pyserial")
        return printer.Serial(target.path, baudrate=target.baud, timeout=timeout)
    if target.kind == "cups":
        from escpos.printer import cups as cups_mod
        if not cups_mod.is_usable():
            raise print_error("dependency-missing", target.uri, extra="pycups (motcua[cups])")
        return printer.CupsPrinter(target.queue)
    if target.kind == "win32":
        from escpos.printer import win32raw as win32_mod
        if not win32_mod.is_usable():
            raise print_error("dependency-missing", target.uri, extra="pywin32")
        return printer.Win32Raw(target.queue)
    if target.kind == "dummy":
        return printer.Dummy()
    raise ValueError(f"{target.kind}:// prints PNG files of the slip; use PrintService")


def _link(dev, target: PrinterTarget, timeout: float) -> Link:
    if target.kind == "tcp":
        return SocketLink(dev, timeout)
    if target.kind == "serial":
        return SerialLink(dev, timeout)
    if target.kind == "usb":
        return UsbLink(dev, timeout)
    if target.kind == "file" and stat.S_ISCHR(os.fstat(dev.device.fileno()).st_mode):
        return FdLink(dev, timeout)
    return Link(dev, timeout)


@dataclass(frozen=True, slots=True)
class SendReport:
    """What a job's bytes did: all `sent`, and the printer's answer where it can give one."""
    sent: int
    can_ask: bool                        # the link can carry status queries (tcp, serial, usb)
    status: PrinterStatus | None         # None: not asked, or the printer did not answer


STATUS_REPLY_TIMEOUT = 1.0               # seconds a printer gets to answer DLE EOT


def send_bytes(target: PrinterTarget, data: bytes, *, timeout: float,
               ask_status: bool = True) -> SendReport:
    """Open the device, write `data` (`timeout` = longest stall allowed), ask the printer's
    status where the link can, close. Raises PrintError; reason "partial" when the link
    failed after taking part of the job (`PrintError.sent` says how much)."""
    dev = _device(target, timeout)
    started = time.monotonic()
    failure: BaseException | None = None
    link: Link | None = None
    status = None
    try:
        dev.open()
        link = _link(dev, target, timeout)
        link.write(data)
        link.drain()
        if ask_status and link.can_read:
            status = query_status(lambda q: link.exchange(q, min(timeout, STATUS_REPLY_TIMEOUT)))
    except PrintError:
        raise
    except Exception as exc:  # noqa: BLE001 - every device error becomes a PrintError
        failure = exc
    finally:
        try:
            dev.close()
        except Exception as exc:  # noqa: BLE001
            if failure is None:
                failure = exc
    sent = link.sent if link is not None else 0
    if failure is not None:
        if isinstance(failure, LinkStalled):
            sent = failure.sent
        reason, detail = classify(failure)
        if 0 < sent and (sent < len(data) or isinstance(failure, LinkStalled)):
            reason = "partial"
        log.warning("printer %s: %s (%s) after %.2fs, %d of %d bytes", target.uri, reason,
                    type(failure).__name__, time.monotonic() - started, sent, len(data))
        error = print_error(reason, target.uri, timeout, detail)
        error.sent = sent
        raise error from failure
    return SendReport(sent=len(data), can_ask=link is not None and link.can_read, status=status)
