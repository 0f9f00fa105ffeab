"""The one walk over a slip's parts, top to bottom, that every output follows.

The thermal raster layout (layout.py), the plain-text preview and ESC/POS text mode
(plaintext.py) and the A4 PDF all iterate `walk_slip(slip)` and only decide how each
kind of block looks; what a slip contains, in which order, with which separators, is
decided here once.

Block kinds, in the order they can come:

    header      one agency line (centred, bold)
    title       the slip's title (centred, large)
    rule        the line under the title
    field       `label` + `value` ("—" when empty)
    section     start of a section (spacing only)
    heading     a section heading (bold, ends with ":")
    item        a section line; `hang` is its list prefix ("1. ", "- ") or ""
    qr          `text` is the QR payload
    qr_caption  the line under the QR code
    signatures  `signatures`: one (caption, lines...) tuple per signature box; see
                `split_signature` for the hints above the room to sign
    footer_rule the thin line above the footer
    footer      one footer line (centred)

Text is NFC with stray control characters as spaces (`normalize`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Literal

from core.slips import Slip, printable

__all__ = ["SlipBlock", "walk_slip", "split_signature", "normalize", "LIST_PREFIX"]

LIST_PREFIX = re.compile(r"^(\d+[.)]|[-•–—*])\s+")      # "1. ", "2) ", "- " list items

Kind = Literal["header", "title", "rule", "field", "section", "heading", "item", "qr",
               "qr_caption", "signatures", "footer_rule", "footer"]


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """NFC (precomposed letters: one glyph each) with tabs and stray controls as spaces."""
    text = unicodedata.normalize("NFC", text)
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


@dataclass(frozen=True, slots=True)
class SlipBlock:
    kind: Kind
    text: str = ""                  # header/title/heading/item/qr/qr_caption/footer
    label: str = ""                 # field
    value: str = ""                 # field
    hang: str = ""                  # item: its list prefix, for a hanging indent
    signatures: tuple[tuple[str, ...], ...] = ()


def walk_slip(slip: Slip, copy: int = 0) -> Iterator[SlipBlock]:
    """The blocks of `slip` as copy `copy` (0-based) shows it on a roll of paper, top to
    bottom (see the module docstring): `core.slips.printable` first puts the marks ("BẢN IN
    LẠI …") and the copy's label under the header, and the tables as numbered items."""
    slip = printable(slip, copy)
    for line in slip.header:
        yield SlipBlock("header", text=normalize(line).strip())
    if slip.title:
        yield SlipBlock("title", text=normalize(slip.title).strip())
    yield SlipBlock("rule")
    for label, value in slip.fields:
        yield SlipBlock("field", label=normalize(label).strip(), value=normalize(value or "—"))
    for heading, lines in slip.sections:
        yield SlipBlock("section")
        if heading:
            yield SlipBlock("heading", text=f"{normalize(heading).strip()}:")
        for line in lines:
            text = normalize(line).strip()
            m = LIST_PREFIX.match(text)
            yield SlipBlock("item", text=text, hang=m.group(0) if m else "")
    if slip.qr_payload:
        yield SlipBlock("qr", text=normalize(slip.qr_payload))
        if slip.qr_caption:
            yield SlipBlock("qr_caption", text=normalize(slip.qr_caption).strip())
    if slip.signatures:
        yield SlipBlock("signatures", signatures=tuple(
            tuple(normalize(part) for part in sig.split("\n")) for sig in slip.signatures))
    if slip.footer:
        yield SlipBlock("footer_rule")
        for line in slip.footer:
            yield SlipBlock("footer", text=normalize(line).strip())


def split_signature(parts: tuple[str, ...]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(caption, hints, names) of a signature box: lines in brackets right after the
    caption ("(Ký, ghi rõ họ tên)") go above the room to sign, the names below it."""
    caption, *rest = parts
    n = 0
    while n < len(rest) and rest[n].strip().startswith("("):
        n += 1
    return caption, tuple(rest[:n]), tuple(rest[n:])
