"""Text helpers for matching Vietnamese without diacritics.

Clerks type fast and often without tones ("chung thuc ban sao"); names in the catalogue
and in the ledger carry them ("Chứng thực bản sao"). `fold` maps both to one key.
"""
from __future__ import annotations

import unicodedata

# đ/Đ is a letter of its own, not d plus a combining mark, so NFD leaves it alone.
_D_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


class _StripMarks(dict):
    """str.translate table dropping combining marks, filled in per code point on first sight
    (a C-level loop with a dict lookup per character, not a generator: folding every name of
    a large pull was a noticeable share of it)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_STRIP_MARKS = _StripMarks()


def fold(text: str) -> str:
    """Lowercase, strip diacritics (đ -> d), collapse whitespace and strip.

    >>> fold("  Chứng thực   bản sao ")
    'chung thuc ban sao'
    """
    # Lowercase before decomposing: some lowercase forms carry a combining mark ("İ" -> "i̇").
    decomposed = unicodedata.normalize("NFD", text.translate(_D_TABLE).lower())
    return " ".join(decomposed.translate(_STRIP_MARKS).split())
