"""A slip as the ESC/POS byte stream a thermal printer prints: raster first, text as option.

Raster mode prints the Pillow layout small (`image_commands`): blank rows as `ESC J` feeds,
each band of ink as a `GS v 0` raster cropped to its ink on all four sides, with a little
white air so the band reads on its own, placed where the layout drew it by the left margin
(`GS L`); a rule goes at half width and height (`GS v 0` modes 1-3). The QR is either the
printer's own `GS ( k` symbol between two raster parts, or a raster of its own (never cut
by a band boundary, so a reader decoding one raster at a time finds it). Text mode selects
a code page with `ESC t` and prints lines in the printer's font. Every copy starts with
`ESC @` and ends with a feed and, if the profile says so, `GS V`.

Commands go through a python-escpos `Dummy` printer (QR, cut, feed are the library's own);
rasters are packed here, byte-identical to `image(impl="bitImageRaster")` but several times
faster. transports.py only moves the finished bytes.
"""
from __future__ import annotations


from PIL import Image, ImageChops

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


FEED_MAX = 255               # ESC J n feeds at most 255 dots
# White kept around the ink of each band, so that a line read on its own (by tesseract
# through escpos_view, one raster at a time) still has air round it: rows above and below,
# dots at the left and right. A band shorter than MIN_BAND_ROWS (digits with neither marks
# nor descenders: a date, the dossier code alone on 58 mm) gets white rows below up to it,
# as far as the next band allows; one narrower than MIN_BAND_WIDTH dots (a word alone)
# gets white on the right up to it. Tesseract's page segmentation drops a tight band as an
# "Empty page" more or less at random; these values read every field of the demo receipt
# on 80 and 58 mm (tests/printers/test_receipt_ocr.py); each row of air costs about
# 1.5 KB on the 80 mm demo receipt.
PAD_ABOVE, PAD_BELOW, PAD_LEFT, PAD_RIGHT = 2, 1, 2, 0
MIN_BAND_ROWS, MIN_BAND_WIDTH, RULE_ROWS = 24, 64, 3
MERGE_GAP = 5                # blank rows closer than this stay inside one band (a line's
                             # marks, its descenders and the next line read as one text block)


def _feed(dots: int) -> bytes:
    """`ESC J n` paper feeds for `dots` blank rows (one dot per unit on 203-dpi printers)."""
    out = bytearray()
    while dots > 0:
        n = min(dots, FEED_MAX)
        out += b"\x1bJ" + bytes([n])
        dots -= n
    return bytes(out)


def _ink_runs(packed: bytes, width_bytes: int, height: int) -> list[tuple[int, int]]:
    """[top, end) row ranges that carry ink; blank gaps shorter than MERGE_GAP are kept inside."""
    white = b"\xff" * width_bytes
    runs: list[list[int]] = []
    for y in range(height):
        if packed[y * width_bytes:(y + 1) * width_bytes] != white:
            if runs and y - runs[-1][1] < MERGE_GAP:
                runs[-1][1] = y + 1
            else:
                runs.append([y, y + 1])
    return [(t, e) for t, e in runs]


def _split(packed: bytes, width_bytes: int, top: int, end: int, band_height: int) -> list[int]:
    """Row indices where bands of [top, end) end, on the emptiest row near each limit, so a
    band boundary (where a printer may pause) runs through a line of text as rarely as can be."""
    ends = []
    while end - top > band_height:
        best, best_ink = top + band_height, None
        for y in range(top + band_height, top + band_height // 2, -1):
            row = packed[(y - 1) * width_bytes:y * width_bytes]
            ink = width_bytes - row.count(0xFF)
            if best_ink is None or ink < best_ink:
                best, best_ink = y, ink
                if ink == 0:
                    break
        ends.append(best)
        top = best
    ends.append(end)
    return ends


def _left_margin(dots: int) -> bytes:
    """`GS L nL nH`: the left margin, in motion units (one dot on 203-dpi printers). Set at
    the start of a line (a raster always starts one), it moves the next raster right."""
    return b"\x1dL" + dots.to_bytes(2, "little")


def _halves(img: Image.Image) -> tuple[Image.Image, int]:
    """`img` at half width and/or half height when that loses nothing (every dot doubled
    across, every row twice), with the `GS v 0` mode that prints it back at full size:
    1 double width, 2 double height, 3 both."""
    mode = 0
    w, h = img.size
    if w >= 2 and w % 2 == 0:
        half = img.resize((w // 2, h), Image.Resampling.NEAREST)
        if half.resize((w, h), Image.Resampling.NEAREST).tobytes() == img.tobytes():
            img, mode = half, mode | 1
    w, h = img.size
    if h >= 2 and h % 2 == 0:
        half = img.resize((w, h // 2), Image.Resampling.NEAREST)
        if half.resize((w, h), Image.Resampling.NEAREST).tobytes() == img.tobytes():
            img, mode = half, mode | 2
    return img, mode


def rule_raster(rule: Image.Image) -> bytes:
    """`GS v 0` for a rule (a few rows of solid ink): halved across and down where that
    loses nothing, printed back at full size by modes 1-3 (a 2-dot rule across 80 mm paper
    is 36 bytes instead of 142). Text and the QR code always go at mode 0: a printer
    that ignored the mode would print them too small to read."""
    small, mode = _halves(rule)
    data = raster_command(small)
    return data[:3] + bytes([mode]) + data[4:]


def image_commands(img: Image.Image, band_height: int = BAND_HEIGHT) -> bytes:
    """A paper-wide mode "1" image as small ESC/POS: blank rows as `ESC J` feeds, and each
    band of ink as a `GS v 0` raster cropped to its ink plus PAD_* air on every side, to the
    dot, and placed where the layout drew it by the left margin (`GS L`), which ends back at
    0. Short bands of ink (rules) go without air, through `rule_raster`."""
    if img.mode != "1":
        img = img.convert("1")
    if img.width % 8:
        padded = Image.new("1", ((img.width + 7) // 8 * 8, img.height), WHITE)
        padded.paste(img, (0, 0))
        img = padded
    wb = img.width // 8
    packed = img.tobytes()
    ink = ImageChops.invert(img.convert("L"))          # ink > 0, for getbbox
    out, y, margin = bytearray(), 0, 0
    runs = _ink_runs(packed, wb, img.height)
    for k, (top, end) in enumerate(runs):
        limit = runs[k + 1][0] if k + 1 < len(runs) else img.height
        rule = end - top <= RULE_ROWS
        if not rule:
            top, end = max(y, top - PAD_ABOVE), min(limit, end + PAD_BELOW)
            end = max(end, min(top + MIN_BAND_ROWS, limit - PAD_ABOVE))
        out += _feed(top - y)
        band_top = top
        for band_end in _split(packed, wb, top, end, band_height):
            box = ink.crop((0, band_top, img.width, band_end)).getbbox()
            if box is None:                # only the air below the last piece's ink
                out += _feed(band_end - band_top)
                band_top = band_end
                continue
            left, right = box[0], box[2]
            if not rule:
                left, right = max(0, left - PAD_LEFT), min(img.width, right + PAD_RIGHT)
                right = min(img.width, max(right, left + MIN_BAND_WIDTH))
            # whole bytes (whole byte pairs for a rule, which may go at half width), and
            # moved left rather than past the paper's right edge
            unit = 16 if rule else 8
            width = -(-(right - left) // unit) * unit
            left = max(0, min(left, img.width - width))
            if left != margin:
                out += _left_margin(left)
                margin = left
            band = img.crop((left, band_top, left + width, band_end))
            out += rule_raster(band) if rule else raster_command(band)
            band_top = band_end
        y = end
    if margin:
        out += _left_margin(0)
    out += _feed(img.height - y)
    return bytes(out)


def _image_bands(p, img: Image.Image, band_height: int = BAND_HEIGHT) -> None:
    p._raw(image_commands(img, band_height))


def _qr(p, profile: PrinterProfile, payload: str, module: int) -> None:
    c = escpos().constants
    if profile.native_qr:
        # The printer draws no quiet zone. Raster mode: white rows above and below, as in
        # the image; text mode: the blank line before it and a line feed after.
        quiet = _feed(QR_BORDER * module) if profile.mode == "raster" else b""
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


def pending_in_command(data: bytes, offset: int) -> int:
    """How many bytes of the command that `offset` falls inside were never sent: after a
    job broke off at `offset`, the printer still waits for them (the rest of a raster
    band, say) and would swallow whatever comes next as their data. 0 on a boundary."""
    i, n = 0, len(data)
    while i < n and i < offset:
        b = data[i]
        size = 1
        if b == 0x1B and i + 1 < n:
            size = 2 if data[i + 1] == 0x40 else 3
        elif b == 0x1D and i + 2 < n:
            cmd = data[i + 1]
            if cmd == 0x76 and i + 7 < n:            # GS v 0 m xL xH yL yH d...
                size = 8 + (data[i + 4] + 256 * data[i + 5]) * (data[i + 6] + 256 * data[i + 7])
            elif cmd == 0x4C:                        # GS L nL nH
                size = 4
            elif cmd == 0x28 and i + 4 < n:          # GS ( k pL pH ...
                size = 5 + data[i + 3] + 256 * data[i + 4]
            elif cmd == 0x56:                        # GS V m [n]
                size = 4 if data[i + 2] in (65, 66) else 3
            else:
                size = 3
        if i + size > offset:
            return i + size - offset
        i += size
    return 0
