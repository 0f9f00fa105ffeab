"""The ledger (form 07) as an XLSX workbook: title, period, Vietnamese headers, one row per
dossier; dates are real dates shown dd/mm/yyyy; codes and phone numbers stay text (a
leading 0 must survive). Set up to print on A4 landscape, headers repeated on every page."""
from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.ledger import (COLUMN_WIDTHS, DATE_COLUMNS, LEDGER_COLUMNS, LEDGER_TITLE, LedgerEntry,
                         ledger_period, ledger_values)
from printers.pdf import write_private

HEADER_ROW = 4                      # title, period, blank, then the headers
DATE_FORMAT = "dd/mm/yyyy"


def ledger_to_xlsx(entries: Sequence[LedgerEntry], date_from: date, date_to: date, *,
                   agency_name: str = "", path: Path | str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"
    last = get_column_letter(len(LEDGER_COLUMNS))
    ws["A1"] = f"{LEDGER_TITLE} — {agency_name}" if agency_name else LEDGER_TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ledger_period(date_from, date_to)
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    for cell in (ws["A1"], ws["A2"]):
        cell.alignment = Alignment(horizontal="center")
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for i, (name, width) in enumerate(zip(LEDGER_COLUMNS, COLUMN_WIDTHS), 1):
        c = ws.cell(HEADER_ROW, i, name)
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = border
        ws.column_dimensions[get_column_letter(i)].width = width
    for n, e in enumerate(entries, 1):
        ws.append(ledger_values(n, e))
    for col in DATE_COLUMNS:
        for (cell,) in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=col + 1, max_col=col + 1):
            cell.number_format = DATE_FORMAT
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = BytesIO()
    wb.save(out)
    data = out.getvalue()
    if path is not None:
        write_private(path, data)
    return data
