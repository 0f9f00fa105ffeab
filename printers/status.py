"""What a printer says about itself: ESC/POS status queries after a job.

Bytes accepted are not proof of paper. Where the link can answer (tcp, usb, serial), the
job ends with real-time `DLE EOT n` queries (answered even while the printer is offline)
and, for printers that ignore those, `GS r 1`. The replies become a `PrinterStatus`; a
printer that answers nothing leaves the status unknown, and the clerk is told the slip
was sent, never that it was printed.

Reply layouts (Epson ESC/POS reference, followed by Xprinter, Rongta and most clones):
    DLE EOT 1 (printer)   0xx1xx10, bit 3 offline
    DLE EOT 2 (offline)   0xx1xx10, bit 2 cover open, bit 5 stopped by paper end, bit 6 error
    DLE EOT 4 (paper)     0xx1xx10, bits 2-3 near end, bits 5-6 paper not present
    GS r 1 (paper)        bits 0-1 near end, bits 2-3 paper not present
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

DLE_EOT = b"\x10\x04"
GS_R_PAPER = b"\x1dr\x01"


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    error: bool = False

    def problem(self) -> str | None:
        """The reason code of what stops printing, or None when the printer is ready."""
        if self.paper_out:
            return "paper-out"
        if self.cover_open:
            return "cover-open"
        if self.error:
            return "printer-error"
        if self.offline:
            return "offline"
        return None


def _dle_eot_reply(reply: bytes | None) -> int | None:
    """The status byte, if `reply` is one (fixed bits 0xx1xx10)."""
    if not reply:
        return None
    b = reply[-1]
    return b if b & 0x93 == 0x12 else None


def query_status(exchange: Callable[[bytes], bytes | None]) -> PrinterStatus | None:
    """Ask the printer. `exchange(command)` sends a query and returns the reply byte(s),
    or None when nothing came back in time. None: the printer answers no status query."""
    printer = _dle_eot_reply(exchange(DLE_EOT + b"\x01"))
    if printer is None:
        paper = exchange(GS_R_PAPER)
        if not paper:
            return None
        p = paper[-1]
        return PrinterStatus(paper_out=bool(p & 0x0C), paper_near_end=bool(p & 0x03))
    offline = bool(printer & 0x08)
    cover = stopped_by_paper = error = False
    if offline:
        cause = _dle_eot_reply(exchange(DLE_EOT + b"\x02"))
        if cause is not None:
            cover, stopped_by_paper, error = bool(cause & 0x04), bool(cause & 0x20), bool(cause & 0x40)
    paper = _dle_eot_reply(exchange(DLE_EOT + b"\x04"))
    paper_out = stopped_by_paper or (paper is not None and bool(paper & 0x60))
    near_end = paper is not None and bool(paper & 0x0C)
    return PrinterStatus(offline=offline, cover_open=cover, paper_out=paper_out,
                         paper_near_end=near_end and not paper_out, error=error)
