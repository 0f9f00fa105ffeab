"""PrintService end to end over real transports, and what it logs."""
import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from printers.profile import PrinterProfile
from printers.service import PrintError, PrintService
from tests.printers.conftest import DOSSIER_CODE, LOOKUP_TEMPLATE
from tests.printers.escpos_decode import decode

ROOT = Path(__file__).resolve().parents[2]


def test_file_printer(tmp_path, receipt):
    out = tmp_path / "lp0"
    service = PrintService(f"file://{out}", PrinterProfile(copies=2))
    service.print_slip(receipt)
    job = decode(out.read_bytes())
    assert [q.payload.decode() for q in job.qrs] == [DOSSIER_CODE] * 2
    assert job.cuts == 2
    assert out.read_bytes() == service.render(receipt)


def test_copies_argument_overrides_the_profile(tmp_path, receipt):
    out = tmp_path / "lp0"
    service = PrintService(str(out), PrinterProfile(copies=2))
    service.print_slip(receipt, copies=1)
    assert decode(out.read_bytes()).cuts == 1


def test_tcp_printer_with_lookup_url(tcp_printer, url_receipt):
    PrintService(tcp_printer.uri, PrinterProfile(paper_mm=58), timeout=2).print_slip(url_receipt)
    job = decode(tcp_printer.wait_job())
    assert [q.payload.decode() for q in job.qrs] == [LOOKUP_TEMPLATE.replace("{code}", DOSSIER_CODE)]
    assert 40 < max(r.width_bytes for r in job.rasters) <= 48


def test_refused_connection_raises_print_error_quickly(closed_port, receipt, caplog):
    service = PrintService(f"tcp://127.0.0.1:{closed_port}", PrinterProfile(), timeout=30)
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG), pytest.raises(PrintError) as info:
        service.print_slip(receipt)
    assert time.monotonic() - started < 10        # refused at once, not after the timeout
    assert info.value.reason == "connection-refused"
    assert info.value.message_vi == (
        f"Không kết nối được máy in tcp://127.0.0.1:{closed_port} (từ chối kết nối). Kiểm tra "
        "máy in đã bật và cắm mạng, đúng địa chỉ và cổng, rồi bấm In lại.")
    assert any("connection-refused" in r.getMessage() for r in caplog.records)


def test_black_hole_printer_fails_the_job_at_the_timeout(black_hole, receipt, monkeypatch):
    # The printer never reads. With small socket buffers on both ends (the black hole's
    # 4 KB, and ours set here) a two-copy receipt cannot fit in them: the job must fail
    # once the link stalls, never "succeed" into a buffer and never hang. The buffers took
    # the start of the job, so it failed part-way: "partial", with how far it got.
    import socket
    connect = socket.socket.connect

    def small_buffer_connect(sock, address):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", small_buffer_connect)
    service = PrintService(f"tcp://127.0.0.1:{black_hole}", PrinterProfile(copies=2), timeout=0.5)
    assert len(service.render(receipt)) > 64 * 1024
    started = time.monotonic()
    with pytest.raises(PrintError) as info:
        service.print_slip(receipt)
    assert info.value.reason == "partial"
    assert 0 < info.value.sent < len(service.render(receipt))
    assert "máy in đã nhận một phần, kiểm tra giấy" in info.value.message_vi
    assert time.monotonic() - started < 30


def test_preview_writes_one_png_per_copy(tmp_path, receipt):
    folder = tmp_path / "previews"
    service = PrintService(f"preview://{folder}", PrinterProfile(paper_mm=58, copies=2))
    service.print_slip(receipt)
    files = sorted(folder.glob("*.png"))
    assert len(files) == 2 and files == sorted(service.last_files)
    for n, path in enumerate(files, 1):
        assert re.fullmatch(r"receipt-\d{8}-\d{6}-\d{3}(\.\d+)?-%d\.png" % n, path.name), path.name
        with Image.open(path) as img:
            assert img.width == 384
            assert [r.text for r in zxingcpp.read_barcodes(img.convert("L"))] == [DOSSIER_CODE]
    service.print_slip(receipt, copies=1)     # a second job never overwrites the first
    assert len(list(folder.glob("*.png"))) == 3


def test_dummy_keeps_the_last_output(receipt):
    service = PrintService("dummy:", PrinterProfile(native_qr=False))
    assert service.last_output is None
    service.print_slip(receipt)
    assert service.last_output == service.render(receipt)
    assert decode(service.last_output).cuts == 1


def test_bad_uri_does_not_break_construction_but_fails_the_job(receipt):
    service = PrintService("lpt://1", PrinterProfile())
    assert service.describe() == "lpt://1"
    with pytest.raises(PrintError) as info:
        service.print_slip(receipt)
    assert info.value.reason == "bad-uri"
    assert "Cài đặt" in info.value.message_vi and "tcp://HOST:PORT" in info.value.message_vi


def test_describe_hides_credentials():
    assert PrintService("tcp://u:p@10.0.0.5", PrinterProfile()).describe() == "tcp://10.0.0.5:9100"


def test_logs_never_carry_slip_contents(tmp_path, closed_port, receipt, caplog):
    with caplog.at_level(logging.DEBUG):
        PrintService(str(tmp_path / "lp0"), PrinterProfile()).print_slip(receipt)
        PrintService(f"preview://{tmp_path}", PrinterProfile()).print_slip(receipt)
        with pytest.raises(PrintError):
            PrintService(f"tcp://127.0.0.1:{closed_port}", PrinterProfile()).print_slip(receipt)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged
    for secret in ("Trần Thị Bích Ngọc", "0905123456", "Cẩm Thành", "ngoc.tran", DOSSIER_CODE):
        assert secret not in logged


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_printers_never_import_db_tui_or_textual():
    out = _run(
        "import sys, printers, printers.service, printers.layout, printers.escpos_out, "
        "printers.transports, printers.profile\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('db', 'tui', 'textual', 'sqlalchemy', 'sqlmodel')))")
    assert out.strip() == "[]"


def test_building_the_service_stays_light():
    """The app builds a PrintService at start-up: Pillow and python-escpos load later."""
    out = _run(
        "import sys\nfrom printers.service import PrintService\n"
        "from printers.profile import PrinterProfile\n"
        "PrintService('tcp://10.0.0.5', PrinterProfile.from_options({'paper_mm': '58'}))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'PIL', 'escpos', 'qrcode'}))")
    assert out.strip() == "[]"


def test_importing_escpos_leaves_logging_and_stdout_alone():
    out = _run(
        "import logging\nfrom core.slips import Slip\n"
        "from printers.escpos_out import slip_to_escpos\nfrom printers.profile import PrinterProfile\n"
        "slip_to_escpos(Slip(kind='t', header=('A',), title='B', qr_payload='X'), PrinterProfile())\n"
        "print(logging.getLogger().handlers)")
    assert out.strip() == "[]"      # nothing printed by python-escpos, no handler added


def test_a_file_printer_is_sent_to_never_printed(tmp_path, receipt):
    outcome = PrintService(f"file://{tmp_path}/lp0", PrinterProfile()).print_slip(receipt)
    assert not outcome.confirmed
    assert outcome.message_vi.startswith("Đã gửi tới máy in.")
    assert "Đã in xong" not in outcome.message_vi


def test_a_printer_that_answers_no_status_is_sent_to(receipt):
    from tests.printers.conftest import LoopbackPrinter
    silent = LoopbackPrinter(answers=False)
    try:
        outcome = PrintService(silent.uri, PrinterProfile(), timeout=2).print_slip(receipt)
        assert not outcome.confirmed and outcome.message_vi.startswith("Đã gửi tới máy in.")
        assert silent.queries                      # it was asked, and said nothing
    finally:
        silent.close()


def test_a_ready_printer_that_answers_is_printed(tcp_printer, receipt):
    outcome = PrintService(tcp_printer.uri, PrinterProfile(), timeout=2).print_slip(receipt)
    assert outcome.confirmed and outcome.message_vi == "Đã in xong."
    assert tcp_printer.queries[0] == b"\x10\x04\x01"


def test_paper_out_from_the_status_reply_fails_the_job(tcp_printer, receipt):
    tcp_printer.status.update({1: 0x1A, 2: 0x32, 4: 0x7E})   # offline, paper end, no paper
    with pytest.raises(PrintError) as info:
        PrintService(tcp_printer.uri, PrinterProfile(), timeout=2).print_slip(receipt)
    assert info.value.reason == "paper-out"


@pytest.mark.parametrize("uri", ["", "   "])
def test_no_printer_configured_keeps_the_job(uri, receipt):
    service = PrintService(uri, PrinterProfile())
    with pytest.raises(PrintError) as info:
        service.print_slip(receipt)
    assert info.value.reason == "not-configured"
    assert "chưa cấu hình máy in" in info.value.message_vi
    assert service.last_output is None


def test_a_retry_after_a_partial_job_starts_with_a_cut_and_completes_the_cut_off_band(receipt):
    from printers.escpos_out import pending_in_command, slip_to_escpos
    from tests.printers.escpos_decode import decode
    profile = PrinterProfile()
    data = slip_to_escpos(receipt, profile)
    job = decode(data)
    assert job.rasters
    # break inside the first raster band: its header starts after ESC @ (+ feeds/align)
    start = data.index(b"\x1dv0")
    wb, h = data[start + 4] + 256 * data[start + 5], data[start + 6] + 256 * data[start + 7]
    cut_at = start + 8 + 10
    assert pending_in_command(data, cut_at) == wb * h - 10
    assert pending_in_command(data, start) == 0
    margin = data.index(b"\x1dL")              # GS L nL nH: two argument bytes
    assert pending_in_command(data, margin + 2) == 2
    assert pending_in_command(data, margin + 4) == 0
    service = PrintService("dummy:", profile)
    service.print_slip(receipt, resume_after=cut_at)
    out = service.last_output
    assert out.endswith(data)
    separator = out[:len(out) - len(data)]
    assert separator[:wb * h - 10] == b"\x00" * (wb * h - 10)
    rest = decode(separator[wb * h - 10:])
    assert rest.cuts == 1 and any(b"IN LAI" in line for line in rest.of("line"))


def test_preview_and_dummy_say_nothing_was_printed(tmp_path, receipt):
    preview = PrintService(f"preview://{tmp_path}", PrinterProfile()).print_slip(receipt)
    dummy = PrintService("dummy:", PrinterProfile()).print_slip(receipt)
    for outcome in (preview, dummy):
        assert not outcome.confirmed and outcome.message_vi.startswith("Không in ra giấy")
