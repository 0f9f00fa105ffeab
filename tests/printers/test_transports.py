"""Printer URIs, and real transports: a file, loopback TCP servers, character devices."""
import os
import threading
import time

import pytest
import zxingcpp

from printers.errors import PrintError
from printers.escpos_out import slip_to_escpos
from printers.profile import PrinterProfile
from printers.transports import PrinterTarget, _write_with_deadline, classify, parse_printer_uri, send_bytes
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
    "serial:///dev/ttyS0?speed=9600", "file://", "preview://", "dummy:x",
])
def test_bad_uris_raise_valueerror_listing_the_accepted_forms(uri):
    with pytest.raises(ValueError) as info:
        parse_printer_uri(uri)
    message = str(info.value)
    assert message.startswith("Địa chỉ máy in không hợp lệ")
    for form in ("usb://VID:PID", "tcp://HOST:PORT", "serial://", "file://", "cups://",
                 "dummy:", "preview://"):
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
    assert {r.width_bytes for r in job.rasters} == {72}


def test_plain_path_is_a_file_printer(tmp_path, monkeypatch, receipt):
    monkeypatch.chdir(tmp_path)
    data = slip_to_escpos(receipt, PrinterProfile(paper_mm=58))
    send_bytes(parse_printer_uri("lp.bin"), data, timeout=2)
    assert decode((tmp_path / "lp.bin").read_bytes()).rasters[0].width_bytes == 48


def test_tcp_printer_receives_the_job(tcp_printer, receipt):
    data = slip_to_escpos(receipt, PrinterProfile(paper_mm=58, native_qr=False))
    send_bytes(parse_printer_uri(tcp_printer.uri), data, timeout=2)
    got = tcp_printer.wait_job()
    assert got == data
    job = decode(got)
    assert {r.width_bytes for r in job.rasters} == {48}
    assert [r.text for r in zxingcpp.read_barcodes(job.paper().convert("L"))] == [DOSSIER_CODE]


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
    assert time.monotonic() - started < 10      # a blocking write would never return
    assert info.value.reason == "timeout"


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


def test_stuck_device_write_gives_up_at_the_deadline():
    read_end, write_end = os.pipe()           # nobody reads: the pipe fills and stalls
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            _write_with_deadline(write_end, b"\x00" * (8 * 1024 * 1024), 0.3)
        assert time.monotonic() - started < 10   # a blocking write would never return
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
