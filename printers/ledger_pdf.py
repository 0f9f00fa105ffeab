"""The ledger (form 07) as an A4 landscape PDF: national header, title and period, then the
table with its header row repeated on every page."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Sequence

from core.ledger import LEDGER_COLUMNS, LEDGER_TITLE, LedgerEntry, ledger_cells, ledger_period
from printers.pdf import new_document, national_header, table, write_private, centred


# Millimetres on A4 landscape (277 mm between the margins) at 6 pt: a full dossier code and
# a date dd/mm/yyyy each fit on one line; text columns wrap.
PDF_WIDTHS = (7, 37, 30, 8, 20, 26, 16, 16, 16, 16, 16, 18, 18, 18, 15)
FONT_PT = 6


def ledger_to_pdf(entries: Sequence[LedgerEntry], date_from: date, date_to: date, *,
                  agency_name: str = "", place_date: str = "",
                  path: Path | str | None = None) -> bytes:
    pdf = new_document("L")
    pdf.set_margins(10, 10, 10)
    pdf.set_x(10)
    national_header(pdf, (agency_name.upper(), "BỘ PHẬN MỘT CỬA") if agency_name else (), place_date)
    centred(pdf, pdf.l_margin, pdf.epw, LEDGER_TITLE, 14, bold=True)
    centred(pdf, pdf.l_margin, pdf.epw, ledger_period(date_from, date_to), 10.5)
    pdf.ln(3)
    rows = [ledger_cells(n, e) for n, e in enumerate(entries, 1)]
    table(pdf, LEDGER_COLUMNS, rows, PDF_WIDTHS, size=FONT_PT)
    data = bytes(pdf.output())
    if path is not None:
        write_private(path, data)
    return data
