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
    assert {r.width_bytes for r in job.rasters} == {48}


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
    # with a timeout, never "succeed" into a buffer and never hang.
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
    assert info.value.reason == "timeout"
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
