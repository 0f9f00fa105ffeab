"""Slips on paper: layout of a core `Slip` for 58/80 mm thermal printers, ESC/POS output,
printer URIs and transports, and the `PrintService` the app uses.

    profile.py     PrinterProfile (paper, raster/text mode, code page, QR, copies, cut)
    layout.py      render_slip() -> 1-bit Pillow image (bundled DejaVu fonts in fonts/)
    plaintext.py   slip_to_text() for on-screen previews (also layout.slip_to_text)
    qr.py          the QR image / module size
    escpos_out.py  slip_to_escpos() -> bytes (GS v 0 rasters, GS ( k QR, ESC t text, GS V)
    textenc.py     code-page encoding of Vietnamese for text mode, ASCII fold
    transports.py  parse_printer_uri(), send_bytes() over python-escpos devices
    service.py     PrintService, PrintError (errors.py)

Nothing heavy is imported here: Pillow and python-escpos load when the first slip is
rendered, so building the app stays fast.
"""
