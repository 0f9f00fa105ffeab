"""Lay a core `Slip` out on thermal paper as a 1-bit Pillow image.

Vietnamese is drawn by Pillow with the bundled DejaVu Sans Condensed fonts (full coverage
of the precomposed Vietnamese letters; narrow, so a line costs fewer raster bytes), so the
printer needs no code page. Text is NFC-normalised
and wrapped by pixel width at spaces; a single token longer than a whole line (a URL, an
e-mail) is the only thing ever broken inside, after a "." "/" "@" where possible, and never
between a letter and its marks.

The layout is computed first (widths only, which is cheap) and drawn once into an image of
the final height. `render_segments` gives the image in pieces around the QR code, so the
ESC/POS writer can print the QR with the printer's own command between them.
`slip_to_text` (plain text for previews) is re-exported from printers.plaintext.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from core.slips import CODE_LABEL, Slip
from printers.plaintext import slip_to_text, text_blocks
from printers.walk import normalize, split_signature, walk_slip
from printers.qr import QrSlot, qr_image, qr_module_size

__all__ = ["render_slip", "render_segments", "slip_to_text", "text_blocks", "missing_glyphs",
           "get_font", "Style", "wrap_text", "wrap_balanced", "QrSlot", "WHITE", "MARGIN"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSansCondensed.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSansCondensed-Bold.ttf"

WHITE = 255                # mode "1" fill (a fill of 1 is stored as 1 and breaks inversion)
MARGIN = 4                 # dots kept blank at each side (the print head reaches the edge)
TITLE_SCALE = 1.2
# Fields whose value is printed bold: the dossier code, which the citizen reads back to
# the desk or types into the lookup (and which OCR reads more surely in bold).
KEY_LABELS = frozenset({CODE_LABEL})
_NOTDEF_PROBE = "\U0010fffd"   # private-use code point that no bundled font maps


# --- fonts -----------------------------------------------------------------------------

@lru_cache(maxsize=16)
def get_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # BASIC layout: precomposed Vietnamese needs no shaping, and it is several times
    # faster than raqm for short runs.
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size,
                              layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=4096)
def _text_width(text: str, size: int, bold: bool) -> int:
    return int(round(get_font(size, bold).getlength(text)))


@lru_cache(maxsize=8)
def _notdef_mask(size: int, bold: bool) -> bytes:
    mask = get_font(size, bold).getmask(_NOTDEF_PROBE, mode="1")
    return bytes(mask.size) + bytes(mask)


@lru_cache(maxsize=4096)
def _has_glyph(ch: str, size: int, bold: bool) -> bool:
    if unicodedata.category(ch)[0] in "ZC" or unicodedata.combining(ch):
        return True          # spaces, controls and marks legitimately draw nothing
    mask = get_font(size, bold).getmask(ch, mode="1")
    return bytes(mask.size) + bytes(mask) != _notdef_mask(size, bold)


def missing_glyphs(text: str, *, bold: bool = False, size: int = 24) -> set[str]:
    """Characters of `text` the bundled font would draw as the empty .notdef box (tofu)."""
    return {ch for ch in set(normalize(text)) if not _has_glyph(ch, size, bold)}


# --- measuring and wrapping ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Style:
    size: int
    bold: bool = False

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return get_font(self.size, self.bold)

    def width(self, text: str) -> int:
        return _text_width(text, self.size, self.bold)


@dataclass(slots=True)
class _Run:
    x: int
    text: str
    style: Style


@dataclass(slots=True)
class _Line:
    runs: list[_Run] = field(default_factory=list)
    width: int = 0


_BREAK_AFTER = set("./@-_?&=,;:")
ORPHAN_CHARS = 3           # a last word this short never goes to a line of its own


def _split_long(word: str, style: Style, max_width: int) -> list[str]:
    """Break one over-long token (a URL, an e-mail) so each piece fits: after a "." "/" "@"
    and the like when possible, else between characters, never between a letter and its marks."""
    pieces, cur = [], ""
    for ch in word:
        if cur and not unicodedata.combining(ch) and style.width(cur + ch) > max_width:
            cut = max((i for i, c in enumerate(cur) if c in _BREAK_AFTER), default=-1) + 1
            if 0 < cut < len(cur) and style.width(cur[:cut]) >= max_width // 2:
                pieces.append(cur[:cut])
                cur = cur[cut:] + ch
            else:
                pieces.append(cur)
                cur = ch
        else:
            cur += ch
    if cur:
        pieces.append(cur)
    return pieces


def wrap_runs(tokens: list[tuple[str, Style]], max_width: int, indent: int = 0) -> list[_Line]:
    """Greedy word wrap of styled words; continuation lines start at `indent`. A last word
    of at most ORPHAN_CHARS characters is kept with the word before it when both have one
    style, so a count never stands alone on a line."""
    lines: list[_Line] = [_Line()]
    space_cache: dict[Style, int] = {}

    def place(word: str, style: Style) -> None:
        line = lines[-1]
        space = space_cache.setdefault(style, style.width(" "))
        w = style.width(word)
        start = line.width + (space if line.runs else 0)
        if line.runs and start + w > max_width:
            lines.append(_Line(width=indent))
            line, start = lines[-1], indent
        last = line.runs[-1] if line.runs else None
        if last is not None and last.style == style:
            last.text += " " + word        # one draw call per same-style run
        else:
            line.runs.append(_Run(start, word, style))
        line.width = start + w

    limit = max_width - indent
    words = [(word, style) for text, style in tokens for word in normalize(text).split()]
    if len(words) >= 2 and len(words[-1][0]) <= ORPHAN_CHARS and words[-1][1] == words[-2][1]:
        # a count stays with its label ("Bản chính: 1", never "Bản chính:" / "1")
        pair = f"{words[-2][0]} {words[-1][0]}"
        if words[-1][1].width(pair) <= limit:
            words[-2:] = [(pair, words[-1][1])]
    for word, style in words:
        if style.width(word) > limit:
            for piece in _split_long(word, style, max(limit, style.width("W"))):
                place(piece, style)
        else:
            place(word, style)
    return [ln for ln in lines if ln.runs]


def wrap_balanced(tokens: list[tuple[str, Style]], max_width: int) -> list[_Line]:
    """Wrap into as few lines as greedy wrapping needs, but with lines of even length:
    centred headings read better as "BỘ PHẬN MỘT / CỬA — QUẦY 2" than with an orphan "2"."""
    lines = wrap_runs(tokens, max_width)
    if len(lines) < 2:
        return lines
    widest = max(style.width(w) for text, style in tokens for w in normalize(text).split())
    lo, hi = min(max(max_width // len(lines), widest), max_width), max_width
    while lo < hi:
        mid = (lo + hi) // 2
        if len(wrap_runs(tokens, mid)) == len(lines):
            hi = mid
        else:
            lo = mid + 1
    return wrap_runs(tokens, hi)


def wrap_text(text: str, style: Style, max_width: int) -> list[str]:
    return [" ".join(r.text for r in ln.runs) for ln in wrap_runs([(text, style)], max_width)]


# --- the canvas: a list of drawing operations with a running y -------------------------

class _Canvas:
    def __init__(self, width: int) -> None:
        self.width = width
        self.inner = width - 2 * MARGIN
        self.y = 0
        self.ops: list[tuple] = []

    def line_height(self, style: Style) -> int:
        ascent, descent = style.font.getmetrics()
        return ascent + descent + self.pad(style)

    @staticmethod
    def pad(style: Style) -> int:
        # stacked marks on capitals (Ấ, Ệ) reach above the font's ascent line
        return max(3, style.size // 7)

    def lines(self, lines: list[_Line], align: str = "left", x0: int = MARGIN,
              width: int | None = None) -> None:
        width = self.inner if width is None else width
        for ln in lines:
            style = ln.runs[0].style
            lh = max(self.line_height(r.style) for r in ln.runs)
            if align == "center":
                dx = x0 + (width - ln.width) // 2
            else:
                dx = x0
            for run in ln.runs:
                self.ops.append(("text", dx + run.x, self.y + self.pad(style), run.text, run.style))
            self.y += lh

    def paragraph(self, text: str, style: Style, align: str = "left", indent: int = 0) -> None:
        if align == "center":
            self.lines(wrap_balanced([(text, style)], self.inner), align)
        else:
            self.lines(wrap_runs([(text, style)], self.inner, indent), align)

    def gap(self, dots: int) -> None:
        self.y += dots

    def rule(self, thickness: int = 2) -> None:
        self.ops.append(("rect", (MARGIN, self.y, self.width - MARGIN - 1, self.y + thickness - 1)))
        self.y += thickness

    def image(self, img: Image.Image) -> None:
        self.ops.append(("image", (self.width - img.width) // 2, self.y, img))
        self.y += img.height

    def draw(self) -> Image.Image:
        img = Image.new("1", (self.width, max(self.y, 1)), WHITE)
        d = ImageDraw.Draw(img)
        d.fontmode = "1"
        for op in self.ops:
            if op[0] == "text":
                _, x, y, text, style = op
                d.text((x, y), text, font=style.font, fill=0)
            elif op[0] == "rect":
                d.rectangle(op[1], fill=0)
            else:
                img.paste(op[3], (op[1], op[2]))
        return img


# --- the slip ----------------------------------------------------------------------------

def _layout(slip: Slip, width_dots: int, font_size: int, qr: str) -> list:
    """Segments top to bottom: Images, and a QrSlot when `qr == "native"`."""
    if width_dots < 200:
        raise ValueError(f"width_dots too small: {width_dots}")
    body, bold = Style(font_size), Style(font_size, True)
    title = Style(int(round(font_size * TITLE_SCALE)), True)
    segments: list = []
    c = _Canvas(width_dots)
    c.gap(MARGIN)
    last_header = False
    indent = font_size
    for block in walk_slip(slip):
        kind = block.kind
        if kind == "header":
            if last_header:        # air as between fields: each line a band of its own width
                c.gap(font_size // 6)
            c.paragraph(block.text, bold, "center")
            last_header = True
            continue
        if last_header:
            c.gap(font_size // 2)
            last_header = False
        if kind == "title":
            c.paragraph(block.text, title, "center")
            c.gap(font_size // 3)
        elif kind == "rule":
            c.rule()
            c.gap(font_size // 3)
        elif kind == "field":
            value_style = bold if block.label in KEY_LABELS else body
            tokens = [(f"{block.label}:", bold), (block.value, value_style)]
            c.lines(wrap_runs(tokens, c.inner, indent))
            c.gap(font_size // 6)
        elif kind == "section":
            c.gap(font_size // 3)
        elif kind == "heading":
            c.paragraph(block.text, bold)
        elif kind == "item":
            hang = body.width(block.hang) if block.hang else indent
            c.lines(wrap_runs([(block.text, body)], c.inner, min(hang, c.inner // 3)))
        elif kind == "qr" and qr != "none":
            c.gap(font_size // 2)
            module = qr_module_size(block.text, width_dots, MARGIN)
            if qr == "native":
                segments.append(c.draw())
                segments.append(QrSlot(block.text, module))
                c = _Canvas(width_dots)
            else:
                c.image(qr_image(block.text, module))
        elif kind == "qr_caption" and qr != "none":
            c.paragraph(block.text, body, "center")
        elif kind == "signatures":
            c.gap(font_size)
            _signatures(c, block.signatures, body, bold)
        elif kind == "footer_rule":
            c.gap(font_size // 2)
            c.rule(1)
            c.gap(font_size // 3)
        elif kind == "footer":
            c.paragraph(block.text, body, "center")
    c.gap(MARGIN)
    segments.append(c.draw())
    return segments


def _signatures(c: _Canvas, parts: tuple[tuple[str, ...], ...], body: Style, bold: Style) -> None:
    """Signature blocks side by side (caption, room to sign, name); fewer per row when a
    word would not fit its column, so no word is ever cut."""

    def fits(per_row: int) -> bool:
        room = c.inner // per_row - 8
        return all((bold if i == 0 else body).width(word) <= room
                   for lines in parts for i, line in enumerate(lines)
                   for word in normalize(line).split())

    per_row = next((k for k in range(len(parts), 1, -1) if fits(k)), 1)
    # Columns as wide as the widest line plus a gutter, the row centred: the room to sign
    # is the blank paper above each name either way, and narrower bands cost fewer bytes.
    widest = max((bold if i == 0 else body).width(line)
                 for lines in parts for i, line in enumerate(lines))
    col = min(c.inner // per_row, widest + 2 * body.size)
    sign_space = 3 * c.line_height(body)
    for first in range(0, len(parts), per_row):
        row = parts[first:first + per_row]
        left = MARGIN + (c.inner - col * len(row)) // 2
        start = bottom = c.y
        for i, sig in enumerate(row):
            caption, hints, names = split_signature(sig)
            c.y = start
            x0 = left + i * col
            c.lines(wrap_balanced([(caption, bold)], col - 8), "center", x0, col)
            for hint in hints:
                c.lines(wrap_balanced([(hint, body)], col - 8), "center", x0, col)
            c.gap(sign_space)
            for name in names:
                c.lines(wrap_balanced([(name, body)], col - 8), "center", x0, col)
            bottom = max(bottom, c.y)
        c.y = bottom + (c.line_height(body) // 2 if first + per_row < len(parts) else 0)


def render_segments(slip: Slip, width_dots: int, *, font_size: int = 22,
                    native_qr: bool = False) -> list:
    """The slip as images, split around a `QrSlot` when the printer draws the QR."""
    return _layout(slip, width_dots, font_size, "native" if native_qr else "image")


def render_slip(slip: Slip, width_dots: int, *, font_size: int = 22,
                include_qr: bool = True) -> Image.Image:
    """The whole slip as one mode "1" image exactly `width_dots` wide (0 = black ink)."""
    (img,) = _layout(slip, width_dots, font_size, "image" if include_qr else "none")
    return img


