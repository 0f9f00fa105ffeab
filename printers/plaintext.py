"""The slip as plain Unicode text: on-screen previews, and the lines of ESC/POS text mode.

No Pillow here, so a screen that only shows the preview loads nothing heavy. The Unicode
helpers the image layout shares (`normalize`, `LIST_PREFIX`) live here too.
"""
from __future__ import annotations

import re
import textwrap
import unicodedata
from functools import lru_cache

from core.slips import Slip, printable

LIST_PREFIX = re.compile(r"^(\d+[.)]|[-•–—*])\s+")      # "1. ", "2) ", "- " list items


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """NFC (precomposed letters: one glyph each) with tabs and stray controls as spaces."""
    text = unicodedata.normalize("NFC", text)
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _wrap(text: str, columns: int, indent: str = "") -> list[str]:
    return textwrap.wrap(normalize(text), columns, subsequent_indent=indent,
                         break_on_hyphens=False) or [""]


def _centred(text: str, columns: int) -> list[str]:
    return [ln.center(columns).rstrip() for ln in _wrap(text, columns)]


def text_blocks(slip: Slip, columns: int = 42) -> list[tuple[str, str]]:
    """The slip as (kind, line) pairs of at most `columns` characters.

    Kinds: "header", "title", "heading" (printed bold), "rule", "body", "center",
    "qr" (the line is the payload), "signature", "blank". `slip_to_text` joins the lines;
    the ESC/POS text mode styles them and prints the QR code in place of the "qr" line.
    """
    columns = max(columns, 16)
    slip = printable(slip)
    out: list[tuple[str, str]] = []
    for line in slip.header:
        out += [("header", ln) for ln in _centred(line, columns)]
    if slip.title:
        out += [("title", ln) for ln in _centred(slip.title, columns)]
    out.append(("rule", "-" * columns))
    for label, value in slip.fields:
        text = f"{normalize(label).strip()}: {value or '—'}"
        out += [("body", ln) for ln in _wrap(text, columns, "  ")]
    for heading, lines in slip.sections:
        if heading:
            out += [("heading", ln) for ln in _wrap(f"{normalize(heading).strip()}:", columns)]
        for line in lines:
            text = normalize(line).strip()
            m = LIST_PREFIX.match(text)
            out += [("body", ln) for ln in _wrap(text, columns, " " * (len(m.group(0)) if m else 2))]
    if slip.qr_payload:
        out.append(("blank", ""))
        out.append(("qr", normalize(slip.qr_payload)))
        if slip.qr_caption:
            out += [("center", ln) for ln in _centred(slip.qr_caption, columns)]
    if slip.signatures:
        out.append(("blank", ""))
        out += [("signature", ln) for ln in _side_by_side(slip.signatures, columns)]
    if slip.footer:
        out.append(("rule", "-" * columns))
        for line in slip.footer:
            out += [("center", ln) for ln in _centred(line, columns)]
    return out


def slip_to_text(slip: Slip, columns: int = 42) -> str:
    """The slip as wrapped Unicode text, for on-screen previews."""
    columns = max(columns, 16)
    lines = []
    for kind, line in text_blocks(slip, columns):
        if kind == "qr":
            lines += _centred(f"[QR] {line}", columns)
        else:
            lines.append(line)
    return "\n".join(lines)


def _side_by_side(signatures: tuple[str, ...], columns: int) -> list[str]:
    parts = [sig.split("\n") for sig in signatures]
    longest = max(len(w) for lines in parts for line in lines for w in normalize(line).split() or [""])
    per_row = next((k for k in range(len(parts), 1, -1) if longest <= columns // k - 1), 1)
    col = columns // per_row
    rows: list[str] = []
    for first in range(0, len(parts), per_row):
        blocks = []
        for caption, *names in parts[first:first + per_row]:
            hints = 0
            while hints < len(names) and names[hints].strip().startswith("("):
                hints += 1
            block = _wrap(caption, col - 1)
            for hint in names[:hints]:
                block += _wrap(hint, col - 1)
            block += ["", "", ""]
            for name in names[hints:]:
                block += _wrap(name, col - 1)
            blocks.append(block)
        if rows:
            rows.append("")
        for i in range(max(len(b) for b in blocks)):
            cells = [(b[i] if i < len(b) else "").center(col) for b in blocks]
            rows.append("".join(cells).rstrip())
    return rows
