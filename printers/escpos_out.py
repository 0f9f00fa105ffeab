"""A slip as the ESC/POS byte stream a thermal printer prints: raster first, text as option.

Raster mode prints the Pillow layout as `GS v 0` bands exactly as wide as the paper, band
boundaries on blank rows. The QR is either the printer's own `GS ( k` symbol between two
raster parts, or a raster of its own (never cut by a band boundary, so a reader decoding one
raster at a time finds it). Text mode selects a code page with `ESC t` and prints lines in
the printer's font. Every copy starts with `ESC @` and ends with a feed and, if the profile
says so, `GS V`.

Commands go through a python-escpos `Dummy` printer (QR, cut, feed are the library's own);
rasters are packed here, byte-identical to `image(impl="bitImageRaster")` but several times
faster. transports.py only moves the finished bytes.
"""
from __future__ import annotations

from PIL import Image

from core.slips import Slip, printable
from printers._escpos import escpos, make_profile
from printers.layout import WHITE, render_segments
from printers.plaintext import text_blocks
from printers.qr import QR_BORDER, QrSlot, qr_image, qr_module_size
from printers.profile import PrinterProfile
from printers.textenc import Encoder

ESC_INIT = b"\x1b@"
ALIGN_LEFT = b"\x1ba\x00"
ALIGN_CENTER = b"\x1ba\x01"
BOLD_ON, BOLD_OFF = b"\x1bE\x01", b"\x1bE\x00"
DOUBLE_HEIGHT_ON, SIZE_NORMAL = b"\x1d!\x01", b"\x1d!\x00"
BAND_HEIGHT = 240            # rows per GS v 0 command; small printers buffer little
FEED_LINES = 4               # after the last line, so the text clears the tear bar/cutter


def _dummy(profile: PrinterProfile):
    return escpos().printer.Dummy(profile=make_profile(profile.width_dots, profile.paper_mm))


_INVERT = bytes(255 - i for i in range(256))


def raster_command(img: Image.Image) -> bytes:
    """`GS v 0` for a mode "1" image: the bytes python-escpos' `image(impl="bitImageRaster")`
    writes (a test holds them equal), without its RGBA/greyscale/dither round trip, which
    costs more than the whole layout.

    The packed bits of a "1" image are 1 for white; the printer wants 1 for a dot, so the
    bytes are inverted. (Not with ImageChops.invert: on mode "1" images Pillow 13 maps
    white to 254, which packs as 1 again.)"""
    if img.mode != "1":
        img = img.convert("1")
    if img.width % 8:
        padded = Image.new("1", ((img.width + 7) // 8 * 8, img.height), WHITE)
        padded.paste(img, (0, 0))
        img = padded
    width_bytes = img.width // 8
    return (b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + img.height.to_bytes(2, "little")
            + img.tobytes().translate(_INVERT))


def _band_ends(img: Image.Image, band_height: int) -> list[int]:
    """Row indices where bands end, preferring a blank row so no band boundary (where a
    printer may pause) runs through a line of text."""
    width_bytes = (img.width + 7) // 8
    white = b"\xff" * width_bytes
    packed = img.tobytes()
    ends, top = [], 0
    while img.height - top > band_height:
        end = top + band_height
        for y in range(end, top + band_height // 2, -1):
            if packed[(y - 1) * width_bytes:y * width_bytes] == white:
                end = y
                break
        ends.append(end)
        top = end
    ends.append(img.height)
    return ends


def _image_bands(p, img: Image.Image, band_height: int = BAND_HEIGHT) -> None:
    if img.mode != "1":
        img = img.convert("1")
    top = 0
    for end in _band_ends(img, band_height):
        band = img if (top, end) == (0, img.height) else img.crop((0, top, img.width, end))
        p._raw(raster_command(band))
        top = end


def _qr(p, profile: PrinterProfile, payload: str, module: int) -> None:
    c = escpos().constants
    if profile.native_qr:
        # The printer draws no quiet zone. Raster mode: white rows above and below, as in
        # the image; text mode: the blank line before it and a line feed after.
        quiet = b""
        if profile.mode == "raster":
            quiet = raster_command(Image.new("1", (profile.width_dots, QR_BORDER * module), WHITE))
        p._raw(quiet + ALIGN_CENTER)
        p.qr(payload, ec=c.QR_ECLEVEL_M, size=module, native=True)
        p._raw(ALIGN_LEFT + (quiet or b"\n"))
    else:
        code = qr_image(payload, module)
        row = Image.new("1", (profile.width_dots, code.height), WHITE)
        row.paste(code, ((profile.width_dots - code.width) // 2, 0))
        _image_bands(p, row, band_height=row.height)   # one piece: scanners read it whole


def _end_copy(p, profile: PrinterProfile) -> None:
    if profile.cut:
        p.cut()                      # ESC d 6, then GS V 0
    else:
        p.print_and_feed(FEED_LINES)


def _raster_copy(slip: Slip, profile: PrinterProfile) -> bytes:
    p = _dummy(profile)
    p._raw(ESC_INIT)
    # The QR always comes as its own segment, so no band boundary runs through it.
    for seg in render_segments(slip, profile.width_dots, font_size=profile.font_size,
                               native_qr=True):
        if isinstance(seg, QrSlot):
            _qr(p, profile, seg.payload, seg.module)
        else:
            _image_bands(p, seg)
    _end_copy(p, profile)
    return p.output


def _text_copy(slip: Slip, profile: PrinterProfile) -> bytes:
    p = _dummy(profile)
    enc = Encoder(profile.codepage)
    p._raw(ESC_INIT)
    if profile.codepage is not None:
        p._raw(b"\x1bt" + bytes([profile.codepage_escpos_number]))
    styles = {
        "header": (BOLD_ON, BOLD_OFF), "heading": (BOLD_ON, BOLD_OFF),
        "title": (BOLD_ON + DOUBLE_HEIGHT_ON, SIZE_NORMAL + BOLD_OFF),
    }
    for kind, line in text_blocks(slip, profile.text_columns):
        if kind == "qr":
            _qr(p, profile, line, qr_module_size(line, profile.width_dots))
            continue
        on, off = styles.get(kind, (b"", b""))
        p._raw(on + enc.encode(line) + b"\n" + off)
    _end_copy(p, profile)
    return p.output


def slip_to_escpos(slip: Slip, profile: PrinterProfile) -> bytes:
    """The complete job: `profile.copies` copies, each initialised and cut. Copies differ
    only by their label ("Liên 1 …", "Liên 2 …"); identical ones are rendered once."""
    copy = _raster_copy if profile.mode == "raster" else _text_copy
    rendered: dict[Slip, bytes] = {}
    out = []
    for n in range(profile.copies):
        page = printable(slip, n)
        if page not in rendered:
            rendered[page] = copy(page, profile)
        out.append(rendered[page])
    return b"".join(out)
