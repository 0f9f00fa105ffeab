"""Against an emulated Xprinter XP-80T (emupos): the outcome the clerk is told is the
printer's own answer. A printer with its paper out or its cover open takes the bytes; the
job must still fail with that reason, over TCP and over a serial line."""
from __future__ import annotations

import time

import pytest

from printers.errors import PrintError
from printers.profile import PrinterProfile
from printers.service import PrintService
from tests.printers.emupos_sim import EmulatedPrinter

TEXT = PrinterProfile(mode="text", codepage="CP1258")


@pytest.fixture(scope="module")
def xp80(tmp_path_factory):
    printer = EmulatedPrinter(tmp_path_factory.mktemp("emupos"))
    yield printer
    printer.close()


@pytest.fixture
def printer(xp80):
    for fault in ("paper-out", "cover-open", "offline", "paper-near-end"):
        xp80.set_fault(fault, False)
    return xp80


def _serial(printer) -> str:
    return f"serial://{printer.serial_path}?baud=115200"


def test_ready_printer_over_tcp_is_printed_and_the_receipt_comes_out(printer, receipt):
    before = len(printer.receipts())
    outcome = PrintService(printer.tcp_uri, PrinterProfile(), timeout=5).print_slip(receipt)
    assert outcome.confirmed and outcome.message_vi == "Đã in xong."
    deadline = time.monotonic() + 15            # emupos closes a receipt after its idle time
    while len(printer.receipts()) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(printer.receipts()) > before


@pytest.mark.parametrize("fault, reason, words", [
    ("paper-out", "paper-out", "HẾT GIẤY"),
    ("cover-open", "cover-open", "MỞ NẮP"),
    ("offline", "offline", "NGỪNG HOẠT ĐỘNG"),
])
def test_a_fault_after_the_job_fails_it_over_tcp(printer, receipt, fault, reason, words):
    printer.set_fault(fault)
    with pytest.raises(PrintError) as info:
        PrintService(printer.tcp_uri, PrinterProfile(), timeout=5).print_slip(receipt)
    assert info.value.reason == reason
    assert words in info.value.message_vi and "Đã in" not in info.value.message_vi


@pytest.mark.parametrize("fault, reason", [("paper-out", "paper-out"), ("cover-open", "cover-open")])
def test_a_fault_is_reported_over_a_serial_line(printer, receipt, fault, reason):
    printer.set_fault(fault)
    with pytest.raises(PrintError) as info:
        PrintService(_serial(printer), TEXT, timeout=5).print_slip(receipt)
    assert info.value.reason == reason


def test_ready_printer_over_serial_is_printed(printer, receipt):
    outcome = PrintService(_serial(printer), TEXT, timeout=5).print_slip(receipt)
    assert outcome.confirmed


def test_paper_near_end_prints_and_warns(printer, receipt):
    printer.set_fault("paper-near-end")
    outcome = PrintService(printer.tcp_uri, TEXT, timeout=5).print_slip(receipt)
    assert outcome.confirmed and "SẮP HẾT" in outcome.message_vi


def test_raster_receipt_comes_out_as_the_layout_dot_for_dot(printer, receipt):
    """The emulated XP-80T draws the job from its own reading of ESC/POS: bands moved
    right by GS L, rules at half size (GS v 0 modes 1 and 3), blank rows fed. Its paper is
    the layout, dot for dot (the QR as a raster here, so it takes part)."""
    from PIL import Image, ImageChops

    from printers.layout import render_slip
    before = {r["id"] for r in printer.receipts()}
    PrintService(printer.tcp_uri, PrinterProfile(native_qr=False), timeout=5).print_slip(receipt)
    deadline = time.monotonic() + 15
    while not (new := [r for r in printer.receipts() if r["id"] not in before]):
        assert time.monotonic() < deadline, "no receipt came out"
        time.sleep(0.2)
    paper = Image.open(printer.workdir / "receipts" / f"{new[0]['id']}.png").convert("L")
    layout = render_slip(receipt, 576).convert("L")
    assert paper.width == 576 and layout.height - 8 <= paper.height <= layout.height
    # the emulator ends the paper at the cut: what it leaves off is the layout's blank margin
    assert layout.crop((0, paper.height, 576, layout.height)).getextrema() in ((255, 255), None)
    assert ImageChops.difference(paper, layout.crop((0, 0, 576, paper.height))).getbbox() is None
