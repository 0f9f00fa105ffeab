"""Time to the last byte of the demo receipt over a serial line at 9,600 and 115,200 baud.

    python bench/bench_serial.py [--copies 2] [--quick]

A pseudo-terminal drained at the baud rate stands in for the printer (bench/pty_printer.py);
the job goes through the app's own PrintService (serial:// transport, 5 s stall timeout).
Reports bytes, time to last byte and the outcome, raster and text mode (CP1258). `--quick`
skips raster at 9,600 baud (about a minute and a half). POSIX only.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_render import demo_receipt  # noqa: E402
from bench.pty_printer import PtyPrinter  # noqa: E402
from printers.errors import PrintError  # noqa: E402
from printers.profile import PrinterProfile  # noqa: E402
from printers.service import PrintService  # noqa: E402


def run(baud: int, profile: PrinterProfile) -> tuple[int, float, str]:
    printer = PtyPrinter(baud)
    try:
        service = PrintService(printer.uri(), profile, timeout=5.0)
        started = time.monotonic()
        try:
            outcome = service.print_slip(demo_receipt()).message_vi.split(".")[0]
        except PrintError as exc:
            outcome = f"LỖI {exc.reason}"
        printer.wait_idle()
        total = (printer.last_at or started) - started
        expected = len(service.render(demo_receipt()))
        assert len(printer.received) >= expected, (len(printer.received), expected)
        return expected, total, outcome
    finally:
        printer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    cases = [(115200, "raster"), (115200, "text"), (9600, "text"), (9600, "raster")]
    for baud, mode in cases:
        if args.quick and (baud, mode) == (9600, "raster"):
            continue
        profile = PrinterProfile(mode=mode, codepage="CP1258" if mode == "text" else None,
                                 copies=args.copies)
        size, seconds, outcome = run(baud, profile)
        print(f"{baud:>7} baud  {mode:<6} {args.copies} liên  {size:>7,} bytes  "
              f"last byte after {seconds:6.1f} s  ({outcome})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
