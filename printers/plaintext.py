"""The slip as plain Unicode text: on-screen previews, and the lines of ESC/POS text mode.

No Pillow here, so a screen that only shows the preview loads nothing heavy. The Unicode
helpers (`normalize`, `LIST_PREFIX`) live in walk.py, beside `walk_slip` that both this
module and the raster layout follow.
"""
from __future__ import annotations

import textwrap

from core.slips import Slip
from printers.walk import LIST_PREFIX, normalize, split_signature, walk_slip

__all__ = ["text_blocks", "slip_to_text", "normalize", "LIST_PREFIX"]


def _wrap(text: str, columns: int, indent: str = "") -> list[str]:
    return textwrap.wrap(normalize(text), columns, subsequent_indent=indent,
                         break_on_hyphens=False) or [""]


def _centred(text: str, columns: int) -> list[str]:
    return [ln.center(columns).rstrip() for ln in _wrap(text, columns)]


def text_blocks(slip: Slip, columns: int = 42) -> list[tuple[str, str]]:
    """The slip as (kind, line) pairs of at most `columns` characters, from `walk_slip`.

    Kinds: "header", "title", "heading" (printed bold), "rule", "body", "center",
    "qr" (the line is the payload), "signature", "blank". `slip_to_text` joins the lines;
    the ESC/POS text mode styles them and prints the QR code in place of the "qr" line.
    """
    columns = max(columns, 16)
    out: list[tuple[str, str]] = []
    for block in walk_slip(slip):
        kind = block.kind
        if kind in ("header", "title"):
            out += [(kind, ln) for ln in _centred(block.text, columns)]
        elif kind in ("rule", "footer_rule"):
            out.append(("rule", "-" * columns))
        elif kind == "field":
            out += [("body", ln) for ln in _wrap(f"{block.label}: {block.value}", columns, "  ")]
        elif kind == "heading":
            out += [("heading", ln) for ln in _wrap(block.text, columns)]
        elif kind == "item":
            out += [("body", ln) for ln in _wrap(block.text, columns, " " * (len(block.hang) or 2))]
        elif kind == "qr":
            out += [("blank", ""), ("qr", block.text)]
        elif kind in ("qr_caption", "footer"):
            out += [("center", ln) for ln in _centred(block.text, columns)]
        elif kind == "signatures":
            out.append(("blank", ""))
            out += [("signature", ln) for ln in _side_by_side(block.signatures, columns)]
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


def _side_by_side(parts: tuple[tuple[str, ...], ...], columns: int) -> list[str]:
    longest = max(len(w) for lines in parts for line in lines for w in normalize(line).split() or [""])
    per_row = next((k for k in range(len(parts), 1, -1) if longest <= columns // k - 1), 1)
    col = columns // per_row
    rows: list[str] = []
    for first in range(0, len(parts), per_row):
        blocks = []
        for sig in parts[first:first + per_row]:
            caption, hints, names = split_signature(sig)
            block = _wrap(caption, col - 1)
            for hint in hints:
                block += _wrap(hint, col - 1)
            block += ["", "", ""]
            for name in names:
                block += _wrap(name, col - 1)
            blocks.append(block)
        if rows:
            rows.append("")
        for i in range(max(len(b) for b in blocks)):
            cells = [(b[i] if i < len(b) else "").center(col) for b in blocks]
            rows.append("".join(cells).rstrip())
    return rows
