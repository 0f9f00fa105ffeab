"""The ledger (form 07) as an XLSX workbook: title, period, Vietnamese headers, one row per
dossier; dates are real dates shown dd/mm/yyyy; codes and phone numbers stay text (a
leading 0 must survive). Set up to print on A4 landscape, headers repeated on every page."""
from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.ledger import (COLUMN_WIDTHS, DATE_COLUMNS, LEDGER_COLUMNS, LEDGER_TITLE, LedgerEntry,
                         ledger_period, ledger_values)
from printers.pdf import write_private

HEADER_ROW = 4                      # title, period, blank, then the headers
DATE_FORMAT = "dd/mm/yyyy"


def ledger_to_xlsx(entries: Sequence[LedgerEntry], date_from: date, date_to: date, *,
                   agency_name: str = "", path: Path | str | None = None) -> bytes:
    # Write-only (streaming) mode: about twice as fast as building every cell object.
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("So theo doi ho so")
    for i, width in enumerate(COLUMN_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    def cell(value, **style) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value)
        for k, v in style.items():
            setattr(c, k, v)
        return c

    title = f"{LEDGER_TITLE} — {agency_name}" if agency_name else LEDGER_TITLE
    ws.append([cell(title, font=Font(bold=True, size=14))])
    ws.append([ledger_period(date_from, date_to)])
    ws.append([])
    thin = Side(style="thin")
    head = dict(font=Font(bold=True), border=Border(left=thin, right=thin, top=thin, bottom=thin),
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    ws.append([cell(name, **head) for name in LEDGER_COLUMNS])
    dates = sorted(DATE_COLUMNS)
    for n, e in enumerate(entries, 1):
        row = list(ledger_values(n, e))
        for i in dates:
            if row[i] is not None:
                row[i] = cell(row[i], number_format=DATE_FORMAT)
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    data = out.getvalue()
    if path is not None:
        write_private(path, data)
    return data
