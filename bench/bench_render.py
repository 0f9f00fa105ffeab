"""Median time to turn the demo receipt into ESC/POS bytes (printers.slip_to_escpos).

    python bench/bench_render.py [--runs 50]

The issue's target, confirm -> receipt bytes in the printer file <= 100 ms median, includes
the database write; rendering should stay well under 50 ms. The first call of a process
(fonts, python-escpos import) is reported separately as "cold".
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalogue import Delivery, DocForm, Procedure, RequiredDocument, Term, TermUnit  # noqa: E402
from core.people import Agency, Applicant, Desk  # noqa: E402
from core.slips import Slip, build_receipt  # noqa: E402
from printers.profile import PrinterProfile  # noqa: E402


def demo_receipt() -> Slip:
    proc = Procedure(
        code="2.000986", name="Liên thông: khai sinh + thường trú + thẻ BHYT (trẻ dưới 6 tuổi)",
        field="Hộ tịch", level="Cấp xã", term=Term(3, TermUnit.WORKING_DAYS), cutoff_applies=True,
        demo=True, documents=(
            RequiredDocument("Tờ khai đăng ký khai sinh theo mẫu", DocForm.ORIGINAL, 1),
            RequiredDocument("Giấy chứng sinh do cơ sở y tế cấp", DocForm.ORIGINAL, 1),
            RequiredDocument("Tờ khai thay đổi thông tin cư trú (CT01)", DocForm.ORIGINAL, 1),
            RequiredDocument("Tờ khai tham gia BHYT (TK1-TS)", DocForm.ORIGINAL, 1),
            RequiredDocument("Giấy tờ tùy thân của người đi đăng ký", DocForm.ORIGINAL_OR_COPY, 1),
        ))
    return build_receipt(
        agency=Agency("000.00.53.H48", "UBND xã Tịnh Ấn Tây, tỉnh Quảng Ngãi"),
        desk=Desk("000.00.53.H48", 2), code="000.00.53.H48-250922-2014",
        applicant=Applicant("Trần Thị Bích Ngọc", address="Tổ 3, phường Cẩm Thành, tỉnh Quảng Ngãi",
                            phone="0905123456", email="ngoc.tran.bich@example.com"),
        procedure=proc, documents=proc.documents, sets=1,
        received_at=datetime(2025, 9, 22, 9, 5), due_at=datetime(2025, 9, 25, 17, 0),
        delivery=Delivery.DESK, clerk_name="Nguyễn Văn Đức",
        qr_template="https://dichvucong.quangngai.gov.vn/tra-cuu?ma={code}", ledger_book="02/2025", ledger_seq="125")


CASES = [
    ("80 mm raster, native QR", PrinterProfile(paper_mm=80)),
    ("80 mm raster, image QR", PrinterProfile(paper_mm=80, native_qr=False)),
    ("58 mm raster, native QR", PrinterProfile(paper_mm=58)),
    ("58 mm raster, image QR", PrinterProfile(paper_mm=58, native_qr=False)),
    ("80 mm raster, 2 copies", PrinterProfile(paper_mm=80, copies=2)),
    ("80 mm text CP1258", PrinterProfile(paper_mm=80, mode="text", codepage="CP1258")),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    slip = demo_receipt()
    t0 = time.perf_counter()
    from printers.escpos_out import slip_to_escpos   # imports Pillow, qrcode, python-escpos
    slip_to_escpos(slip, CASES[0][1])
    cold_ms = (time.perf_counter() - t0) * 1000

    rows = []
    for name, profile in CASES:
        times, size = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            size = len(slip_to_escpos(slip, profile))
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        rows.append((name, statistics.median(times), times[int(0.9 * (len(times) - 1))], size))

    print(f"slip_to_escpos, demo receipt, {args.runs} runs each "
          f"(cold first call incl. imports: {cold_ms:.0f} ms)")
    print(f"{'case':<26} {'median ms':>10} {'p90 ms':>8} {'bytes':>8}")
    for name, median, p90, size in rows:
        print(f"{name:<26} {median:>10.1f} {p90:>8.1f} {size:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
