"""A serial printer slower than the timeout: the timeout detects a stall, it is not a
deadline, so a job that keeps moving completes (issue 11). POSIX: a pseudo-terminal."""
from __future__ import annotations

import sys

import pytest

from printers.profile import PrinterProfile
from printers.service import PrintService

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no pseudo-terminals on Windows")


def test_a_raster_receipt_completes_over_a_link_slower_than_the_timeout(receipt):
    from bench.pty_printer import PtyPrinter
    printer = PtyPrinter(115200)                # 11,520 bytes a second
    try:
        service = PrintService(printer.uri(), PrinterProfile(), timeout=1.0)
        data = service.render(receipt)
        assert len(data) > 3 * printer.rate    # needs 3+ timeouts' worth of time to send
        outcome = service.print_slip(receipt)
        printer.wait_idle()
        assert bytes(printer.received[:len(data)]) == data
        assert not outcome.confirmed           # the pty answers no status query
    finally:
        printer.close()
