"""Forms 01-06 as A4 PDF, for the forms that need a signature and seal.

fpdf2 draws the same `core.slips.Slip` the thermal printer prints: the national header
("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc") beside the agency,
the place-and-date line, the title, the fields, the form's tables as real tables, and the
signature blocks with their "(Ký, ghi rõ họ tên)". It embeds (a subset of) the DejaVu
TrueType fonts already shipped for the thermal raster, so every Vietnamese letter shows
and the text can be copied or searched. A slip with copy labels ("Liên 1 …", "Liên 2 …")
gets one page per copy.

`new_document` and `national_header` are shared with the ledger's PDF (ledger_pdf.py).
"""
from __future__ import annotations

import os
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from core.slips import Slip
from printers.layout import FONT_BOLD, FONT_REGULAR
from printers.plaintext import normalize

FONT = "DejaVu"
NATION = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
BODY_PT = 11.5
LINE_MM = 6.0


def new_document(orientation: str = "P") -> FPDF:
    """An empty A4 document with the DejaVu fonts registered and one page open."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FONT, "", str(FONT_REGULAR))
    pdf.add_font(FONT, "B", str(FONT_BOLD))
    pdf.set_creator("motcua")
    pdf.add_page()
    return pdf


def centred(pdf: FPDF, x: float, w: float, text: str, size: float, bold: bool = False) -> None:
    pdf.set_xy(x, pdf.get_y())
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(w, size * 0.45, normalize(text), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)


def national_header(pdf: FPDF, agency_lines: tuple[str, ...], place_date: str) -> None:
    """Agency on the left, the national motto on the right, the place-and-date line under it."""
    left_w = (pdf.epw) * 0.42
    right_x = pdf.l_margin + left_w
    right_w = pdf.epw - left_w
    top = pdf.get_y()
    for i, line in enumerate(agency_lines):
        centred(pdf, pdf.l_margin, left_w, line, 10.5, bold=i > 0 or len(agency_lines) == 1)
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    centred(pdf, right_x, right_w, NATION[0], 10.5, bold=True)
    centred(pdf, right_x, right_w, NATION[1], 11.5, bold=True)
    motto_w = pdf.get_string_width(NATION[1])
    y = pdf.get_y() + 0.8
    pdf.line(right_x + (right_w - motto_w) / 2, y, right_x + (right_w + motto_w) / 2, y)
    if agency_lines:
        w = min(left_w * 0.4, 30)
        pdf.line(pdf.l_margin + (left_w - w) / 2, left_bottom + 0.8,
                 pdf.l_margin + (left_w + w) / 2, left_bottom + 0.8)
    pdf.set_y(max(y, left_bottom) + 3)
    if place_date:
        centred(pdf, right_x, right_w, place_date, BODY_PT)
    pdf.ln(4)


def _field(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B", BODY_PT)
    pdf.write(LINE_MM, normalize(f"{label.strip()}: "))
    pdf.set_font(FONT, "", BODY_PT)
    pdf.write(LINE_MM, normalize(value or "—"))
    pdf.ln(LINE_MM)


def _paragraph(pdf: FPDF, text: str, bold: bool = False, align: str = "J") -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B" if bold else "", BODY_PT)
    pdf.multi_cell(0, LINE_MM, normalize(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def table(pdf: FPDF, columns: tuple[str, ...], rows, widths: tuple[int, ...] = (),
          size: float = 10) -> None:
    """A bordered table with a bold, repeated heading row."""
    pdf.set_font(FONT, "", size)
    with pdf.table(col_widths=widths or None, text_align="LEFT", line_height=size * 0.5,
                   headings_style=FontFace(emphasis="BOLD"), first_row_as_headings=True,
                   repeat_headings=1, padding=1) as t:
        head = t.row()
        for c in columns:
            head.cell(normalize(c), align="C")
        for r in rows:
            row = t.row()
            for i, cell in enumerate(r):
                row.cell(normalize(str(cell)), align="C" if cell in ("x", "X") or i == 0 else "L")


def _signatures(pdf: FPDF, signatures: tuple[str, ...]) -> None:
    if not signatures:
        return
    pdf.ln(6)
    if pdf.will_page_break(45):
        pdf.add_page()
    col = pdf.epw / len(signatures)
    top = pdf.get_y()
    bottom = top
    for i, sig in enumerate(signatures):
        caption, *rest = sig.split("\n")
        hints = []
        while rest and rest[0].strip().startswith("("):
            hints.append(rest.pop(0))
        x = pdf.l_margin + i * col
        pdf.set_y(top)
        centred(pdf, x, col, caption, BODY_PT, bold=True)
        for hint in hints:
            centred(pdf, x, col, hint, 10)
        pdf.set_y(pdf.get_y() + 24)
        for name in rest:
            centred(pdf, x, col, name, BODY_PT, bold=True)
        bottom = max(bottom, pdf.get_y())
    pdf.set_y(bottom)


def _qr(pdf: FPDF, payload: str, caption: str) -> None:
    from printers.qr import qr_image
    size = 28
    if pdf.will_page_break(size + 8):
        pdf.add_page()
    pdf.image(qr_image(payload, 4).convert("L"), x=pdf.l_margin + (pdf.epw - size) / 2,
              y=pdf.get_y(), w=size, h=size)
    pdf.set_y(pdf.get_y() + size + 1)
    if caption:
        centred(pdf, pdf.l_margin, pdf.epw, caption, 9.5)


def _page(pdf: FPDF, slip: Slip, label: str) -> None:
    national_header(pdf, slip.header, slip.place_date)
    for mark in slip.marks:
        _paragraph(pdf, mark, bold=True, align="C")
    if label:
        _paragraph(pdf, label, align="R")
    centred(pdf, pdf.l_margin, pdf.epw, slip.title, 14, bold=True)
    pdf.ln(4)
    for label_, value in slip.fields:
        _field(pdf, label_, value)
    for t in slip.tables:
        pdf.ln(2)
        if t.heading:
            _paragraph(pdf, f"{t.heading.strip()}:", bold=True, align="L")
        table(pdf, t.columns, t.rows, t.widths)
    for heading, lines in slip.sections:
        pdf.ln(1.5)
        if heading:
            _paragraph(pdf, f"{heading.strip()}:", bold=True, align="L")
        for line in lines:
            _paragraph(pdf, line)
    if slip.qr_payload:
        pdf.ln(3)
        _qr(pdf, slip.qr_payload, slip.qr_caption)
    _signatures(pdf, slip.signatures)
    if slip.footer:
        pdf.ln(6)
        for line in slip.footer:
            _paragraph(pdf, line, align="C")


def slip_to_pdf(slip: Slip, path: Path | str | None = None) -> bytes:
    """The slip as an A4 PDF (bytes); also written to `path` when given."""
    pdf = new_document()
    labels = slip.copy_labels or ("",)
    for i, label in enumerate(labels):
        if i:
            pdf.add_page()
        _page(pdf, slip, label)
    data = bytes(pdf.output())
    if path is not None:
        write_private(path, data)
    return data


def write_private(path: Path | str, data: bytes) -> None:
    """Write an export readable by its owner only (it holds citizens' personal data)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
