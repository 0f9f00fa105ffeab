"""Printer URIs, and real transports: a file, loopback TCP servers, character devices."""
import os
import threading
import time

import pytest
import zxingcpp

from printers.errors import PrintError
from printers.escpos_out import slip_to_escpos
from printers.profile import PrinterProfile
from printers.link import FdLink, LinkStalled
from printers.transports import PrinterTarget, classify, parse_printer_uri, send_bytes
from tests.printers.conftest import DOSSIER_CODE, LOOKUP_TEMPLATE
from tests.printers.escpos_decode import decode


@pytest.mark.parametrize("uri, expected", [
    ("usb://04b8:0202", PrinterTarget("usb", "usb://04b8:0202", vendor_id=0x04B8, product_id=0x0202)),
    ("usb://0x0416:0x5011?out_ep=0x03", PrinterTarget(
        "usb", "usb://0416:5011?out_ep=0x03&in_ep=0x82", vendor_id=0x0416, product_id=0x5011, out_ep=3)),
    ("tcp://10.0.0.5:9100", PrinterTarget("tcp", "tcp://10.0.0.5:9100", host="10.0.0.5", port=9100)),
    ("tcp://printer.local", PrinterTarget("tcp", "tcp://printer.local:9100", host="printer.local", port=9100)),
    ("tcp://[::1]:9101", PrinterTarget("tcp", "tcp://[::1]:9101", host="::1", port=9101)),
    ("serial:///dev/ttyS0?baud=9600", PrinterTarget(
        "serial", "serial:///dev/ttyS0?baud=9600", path="/dev/ttyS0", baud=9600)),
    ("serial://COM3?baud=115200", PrinterTarget("serial", "serial://COM3?baud=115200", path="COM3", baud=115200)),
    ("file:///dev/usb/lp0", PrinterTarget("file", "file:///dev/usb/lp0", path="/dev/usb/lp0")),
    ("/dev/usb/lp0", PrinterTarget("file", "file:///dev/usb/lp0", path="/dev/usb/lp0")),
    ("spool/receipt.bin", PrinterTarget("file", "file://spool/receipt.bin", path="spool/receipt.bin")),
    ("cups://TM-T20II", PrinterTarget("cups", "cups://TM-T20II", queue="TM-T20II")),
    ("win32://XP-80C", PrinterTarget("win32", "win32://XP-80C", queue="XP-80C")),
    ("win32://EPSON TM-T20III Receipt", PrinterTarget(
        "win32", "win32://EPSON TM-T20III Receipt", queue="EPSON TM-T20III Receipt")),
    ("WIN32://POS%2080C", PrinterTarget("win32", "win32://POS 80C", queue="POS 80C")),
    ("win32://\\\\server\\XP-80", PrinterTarget("win32", "win32://\\\\server\\XP-80",
                                               queue="\\\\server\\XP-80")),
    ("win32://", PrinterTarget("win32", "win32://", queue="")),
    ("dummy:", PrinterTarget("dummy", "dummy:")),
    ("preview:///tmp/previews", PrinterTarget("preview", "preview:///tmp/previews", path="/tmp/previews")),
])
def test_parse_printer_uri(uri, expected):
    assert parse_printer_uri(uri) == expected


def test_user_and_password_never_show():
    target = parse_printer_uri("tcp://admin:secret@10.0.0.5:9100")
    assert "secret" not in target.describe() and "admin" not in target.describe()


@pytest.mark.parametrize("uri", [
    "", "   ", "http://10.0.0.5", "usb://04b8", "usb://xyz:0202", "usb://04b8:10000",
    "tcp://", "tcp://10.0.0.5:99999", "tcp://10.0.0.5:port", "tcp:10.0.0.5",
    "tcp://10.0.0.5:9100?x=1", "serial://", "serial:///dev/ttyS0?baud=fast",
    "serial:///dev/ttyS0?speed=9600", "file://", "preview://", "dummy:x", "win32:XP-80C",
    "win32://XP\x0180",
])
def test_bad_uris_raise_valueerror_listing_the_accepted_forms(uri):
    with pytest.raises(ValueError) as info:
        parse_printer_uri(uri)
    message = str(info.value)
    assert message.startswith("Địa chỉ máy in không hợp lệ")
    for form in ("usb://VID:PID", "tcp://HOST:PORT", "serial://", "file://", "cups://",
                 "win32://", "dummy:", "preview://"):
        assert form in message


def test_bad_uri_message_hides_the_password():
    with pytest.raises(ValueError) as info:
        parse_printer_uri("tcp://admin:secret@10.0.0.5:port")
    assert "secret" not in str(info.value)


def test_file_printer_receives_the_exact_job(tmp_path, url_receipt):
    out = tmp_path / "printer.bin"
    data = slip_to_escpos(url_receipt, PrinterProfile(copies=2))
    send_bytes(parse_printer_uri(f"file://{out}"), data, timeout=2)
    written = out.read_bytes()
    assert written == data
    job = decode(written)
    assert [q.payload.decode() for q in job.qrs] == [LOOKUP_TEMPLATE.replace("{code}", DOSSIER_CODE)] * 2
    assert job.cuts == 2
    assert 60 < max(r.width_bytes for r in job.rasters) <= 72


def test_plain_path_is_a_file_printer(tmp_path, monkeypatch, receipt):
    monkeypatch.chdir(tmp_path)
    data = slip_to_escpos(receipt, PrinterProfile(paper_mm=58))
    send_bytes(parse_printer_uri("lp.bin"), data, timeout=2)
    assert 40 < max(r.width_bytes for r in decode((tmp_path / "lp.bin").read_bytes()).rasters) <= 48


def test_tcp_printer_receives_the_job(tcp_printer, receipt):
    data = slip_to_escpos(receipt, PrinterProfile(paper_mm=58, native_qr=False))
    send_bytes(parse_printer_uri(tcp_printer.uri), data, timeout=2)
    got = tcp_printer.wait_job()
    assert got == data
    job = decode(got)
    assert 40 < max(r.width_bytes for r in job.rasters) <= 48
    assert [r.text for r in zxingcpp.read_barcodes(job.paper(384).convert("L"))] == [DOSSIER_CODE]


def test_refused_connection_fails_fast(closed_port):
    started = time.monotonic()
    with pytest.raises(PrintError) as info:
        send_bytes(parse_printer_uri(f"tcp://127.0.0.1:{closed_port}"), b"\x1b@", timeout=30)
    assert time.monotonic() - started < 10        # refused at once, not after the timeout
    err = info.value
    assert err.reason == "connection-refused"
    assert f"tcp://127.0.0.1:{closed_port}" in err.message_vi
    assert "từ chối kết nối" in err.message_vi and "In lại" in err.message_vi


def test_unanswered_connect_times_out_within_the_timeout(unanswered_port):
    started = time.monotonic()
    with pytest.raises(PrintError) as info:
        send_bytes(parse_printer_uri(f"tcp://127.0.0.1:{unanswered_port}"), b"\x1b@", timeout=0.4)
    # waited for the timeout, then gave up (the OS alone would wait about two minutes)
    assert 0.3 < time.monotonic() - started < 10
    assert info.value.reason == "timeout"
    assert "0.4 giây" in info.value.message_vi


def test_printer_that_never_reads_times_out_within_the_timeout(black_hole):
    data = b"\x00" * (32 * 1024 * 1024)        # more than any socket buffer holds
    started = time.monotonic()
    with pytest.raises(PrintError) as info:
        send_bytes(parse_printer_uri(f"tcp://127.0.0.1:{black_hole}"), data, timeout=0.4)
    assert time.monotonic() - started < 10          # the stall ends it, not the job size
    # the socket buffers took the start of the job: the paper may hold half a slip
    assert info.value.reason == "partial"
    assert 0 < info.value.sent < len(data)
    assert "máy in đã nhận một phần, kiểm tra giấy" in info.value.message_vi


def test_missing_device_file(tmp_path):
    with pytest.raises(PrintError) as info:
        send_bytes(parse_printer_uri(f"file://{tmp_path}/no/such/dir/lp0"), b"x", timeout=1)
    assert info.value.reason == "device-missing"
    assert "Không tìm thấy máy in" in info.value.message_vi


def test_permission_denied(tmp_path):
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    target.chmod(0o444)
    if os.geteuid() == 0:
        # root (as on CI) may write anywhere: check the mapping of the error python-escpos
        # raises for an unwritable device instead of provoking it.
        from escpos.exceptions import DeviceNotFoundError
        exc = DeviceNotFoundError(f"Could not open the specified file {target}: [Errno 13] Permission denied")
        exc.__cause__ = PermissionError(13, "Permission denied")
        assert classify(exc)[0] == "permission"
        return
    with pytest.raises(PrintError) as info:
        send_bytes(parse_printer_uri(str(target)), b"x", timeout=1)
    assert info.value.reason == "permission"


def test_character_device_path_receives_the_exact_job(receipt):
    # A pseudo-terminal is a character device, like /dev/usb/lp0: the non-blocking,
    # deadline-bounded write path. Raw mode, so the line discipline passes bytes unchanged.
    import tty
    data = slip_to_escpos(receipt, PrinterProfile())
    master, slave = os.openpty()
    tty.setraw(slave)
    got = bytearray()

    def drain() -> None:
        while len(got) < len(data):
            got.extend(os.read(master, 65536))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        send_bytes(parse_printer_uri(f"file://{os.ttyname(slave)}"), data, timeout=10)
        reader.join(30)
    finally:
        os.close(slave)
        os.close(master)
    assert bytes(got) == data and len(data) > 10_000


class _FdDevice:
    def __init__(self, fd):
        self.device = os.fdopen(fd, "wb", buffering=0, closefd=False)


def test_stuck_device_write_fails_after_the_stall_with_the_bytes_sent():
    read_end, write_end = os.pipe()           # nobody reads: the pipe fills and stalls
    try:
        link = FdLink(_FdDevice(write_end), timeout=0.5)
        with pytest.raises(LinkStalled) as info:
            link.write(b"\x00" * (8 * 1024 * 1024))
        assert 0 < info.value.sent < 8 * 1024 * 1024    # the pipe's buffer went through
    finally:
        os.close(read_end)
        os.close(write_end)


def test_slow_reader_is_not_a_stall():
    """A reader slower than the whole-job timeout but never stopping: the write completes."""
    import threading
    read_end, write_end = os.pipe()
    total = 1024 * 1024
    got = bytearray()

    def drain():                               # ~64 KiB every 0.1 s: ~1.6 s for the job
        while len(got) < total:
            time.sleep(0.1)
            got.extend(os.read(read_end, 65536))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        FdLink(_FdDevice(write_end), timeout=0.5).write(b"\x01" * total)
        reader.join(10)
        assert len(got) == total
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.parametrize("uri, reasons", [
    ("serial:///dev/ttyNOPE9?baud=9600", {"dependency-missing", "device-missing"}),
    ("usb://dead:beef", {"dependency-missing", "device-missing", "permission"}),
    ("cups://no-such-queue", {"dependency-missing", "device-missing"}),
])
def test_absent_devices_give_a_print_error(uri, reasons):
    with pytest.raises(PrintError) as info:
        send_bytes(parse_printer_uri(uri), b"\x1b@", timeout=1)
    assert info.value.reason in reasons
    assert info.value.message_vi


def test_win32_without_pywin32_is_a_clear_print_error(monkeypatch):
    """Off Windows (or without pywin32) a win32:// job fails with what to install; nothing
    about win32 is needed to import the printers package."""
    from escpos.printer import win32raw
    monkeypatch.setattr(win32raw, "is_usable", lambda: False)
    with pytest.raises(PrintError) as info:
        send_bytes(parse_printer_uri("win32://XP-80C"), b"\x1b@", timeout=1)
    assert info.value.reason == "dependency-missing" and "pywin32" in info.value.message_vi


def test_win32_printer_writes_through_win32raw(monkeypatch, receipt):
    """With a stand-in for the Windows spooler, the job goes out through Win32Raw's calls."""
    import escpos.printer.win32raw as win32raw
    written, docs = [], []

    class FakeSpooler:
        PRINTER_ENUM_LOCAL, PRINTER_ENUM_NAME = 2, 8
        def EnumPrinters(self, flags, name=None, level=1): return [{"pPrinterName": "XP-80C"}]
        def GetDefaultPrinter(self): return "XP-80C"
        def OpenPrinter(self, name): return f"handle:{name}"
        def StartDocPrinter(self, h, level, info): docs.append(info); return 1
        def StartPagePrinter(self, h): pass
        def WritePrinter(self, h, data): written.append(bytes(data)); return len(data)
        def EndPagePrinter(self, h): pass
        def EndDocPrinter(self, h): pass
        def ClosePrinter(self, h): pass

    monkeypatch.setattr(win32raw, "win32print", FakeSpooler(), raising=False)
    monkeypatch.setattr(win32raw, "pywintypes", type("pywintypes", (), {"error": OSError}), raising=False)
    monkeypatch.setattr(win32raw, "is_usable", lambda: True)
    monkeypatch.setattr(win32raw, "_DEP_WIN32PRINT", True, raising=False)
    data = slip_to_escpos(receipt, PrinterProfile(mode="text", codepage="CP1258"))
    report = send_bytes(parse_printer_uri("win32://XP-80C"), data, timeout=1)
    assert b"".join(written) == data and docs[0][2] == "RAW"
    assert not report.can_ask and report.status is None


def test_printers_import_and_parse_win32_without_any_windows_module():
    """No win32print/pywintypes at import time: the desk's Linux and Windows builds share
    the modules, and only a win32:// job needs pywin32."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['win32print'] = None; sys.modules['pywintypes'] = None; "
            "import printers.transports as t, printers.service, printers.link, printers.status; "
            "print(t.parse_printer_uri('win32://XP-80C Receipt').queue)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "XP-80C Receipt"


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(max_size=60))
def test_any_text_is_a_printer_or_a_vietnamese_refusal(text):
    try:
        target = parse_printer_uri(text)
    except ValueError as exc:
        assert str(exc).startswith("Địa chỉ máy in không hợp lệ")
        return
    assert parse_printer_uri(target.uri).kind == target.kind


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x1EFF,
                                      blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_win32_names_round_trip(name):
    name = name.strip()
    target = parse_printer_uri(f"win32://{name}")
    assert target.kind == "win32"
    assert parse_printer_uri(target.uri) == target
