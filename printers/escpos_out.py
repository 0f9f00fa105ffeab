"""A slip as the ESC/POS byte stream a thermal printer prints: raster first, text as option.

Raster mode prints the Pillow layout small (`image_commands`): blank rows as `ESC J` feeds,
each band of ink as a `GS v 0` raster cropped to its ink (centred bands centred by the
printer), with a few white rows of air so the band reads on its own. The QR is either the printer's own `GS ( k` symbol between two
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


FEED_MAX = 255               # ESC J n feeds at most 255 dots
# White rows kept around each band: OCR (and the eye) needs a little air round a line of
# text; a narrow band (a date, a number on a line of its own) gets more, as it costs little.
PAD_ABOVE, PAD_BELOW, PAD_BELOW_NARROW, NARROW_BYTES, RULE_ROWS = 3, 1, 5, 16, 3
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


def _ink_columns(packed: bytes, width_bytes: int, top: int, end: int) -> tuple[int, int]:
    """[first, last) byte columns of [top, end) that carry ink."""
    first, last = width_bytes, 0
    for y in range(top, end):
        row = packed[y * width_bytes:(y + 1) * width_bytes]
        left = width_bytes - len(row.lstrip(b"\xff"))
        if left < width_bytes:
            first = min(first, left)
            last = max(last, len(row.rstrip(b"\xff")))
    return first, last


def image_commands(img: Image.Image, band_height: int = BAND_HEIGHT) -> bytes:
    """A paper-wide mode "1" image as small ESC/POS: blank rows as `ESC J` feeds, and each
    band of ink as a `GS v 0` raster only as wide as its ink: the right margin is always
    cropped, and a band whose ink sits in the middle (a centred heading) is cropped on both
    sides and centred by the printer (`ESC a 1`). Leaves the alignment left."""
    if img.mode != "1":
        img = img.convert("1")
    if img.width % 8:
        padded = Image.new("1", ((img.width + 7) // 8 * 8, img.height), WHITE)
        padded.paste(img, (0, 0))
        img = padded
    wb = img.width // 8
    packed = img.tobytes()
    out, y = bytearray(), 0
    runs = _ink_runs(packed, wb, img.height)
    for k, (top, end) in enumerate(runs):
        first, last = _ink_columns(packed, wb, top, end)
        limit = runs[k + 1][0] if k + 1 < len(runs) else img.height
        if end - top > RULE_ROWS:          # a rule needs no air to be read
            below = PAD_BELOW_NARROW if last - first <= NARROW_BYTES else PAD_BELOW
            top, end = max(y, top - PAD_ABOVE), min(limit, end + below)
        out += _feed(top - y)
        band_top = top
        for band_end in _split(packed, wb, top, end, band_height):
            first, last = _ink_columns(packed, wb, band_top, band_end)
            centred = first >= 2 and abs(first - (wb - last)) <= 1
            left = first if centred else 0
            band = img.crop((left * 8, band_top, last * 8, band_end))
            out += (ALIGN_CENTER + raster_command(band) + ALIGN_LEFT) if centred else raster_command(band)
            band_top = band_end
        y = end
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
