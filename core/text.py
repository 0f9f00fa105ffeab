"""Text helpers for matching Vietnamese without diacritics.

Clerks type fast and often without tones ("chung thuc ban sao"); names in the catalogue
and in the ledger carry them ("Chứng thực bản sao"). `fold` maps both to one key.
"""
from __future__ import annotations

import unicodedata


class _FoldChars(dict):
    """str.translate table of lowercase text: each character to itself without combining
    marks (its canonical decomposition less the marks; đ -> d), filled in per code point
    on first sight. Decomposing character by character and dropping every mark gives what
    decomposing the whole text and dropping its marks gives (canonical reordering only
    moves marks among marks), in one C-level pass: folding every name of a large pull was
    a noticeable share of it."""

    def __missing__(self, code: int) -> int | str | None:
        ch = chr(code)
        kept = "d" if ch == "đ" else "".join(c for c in unicodedata.normalize("NFD", ch)
                                              if not unicodedata.combining(c))
        value: int | str | None = code if kept == ch else kept or None
        self[code] = value
        return value


_FOLD_CHARS = _FoldChars()


def fold(text: str) -> str:
    """Lowercase, strip diacritics (đ -> d), collapse whitespace and strip.

    >>> fold("  Chứng thực   bản sao ")
    'chung thuc ban sao'
    """
    # Lowercase before decomposing: some lowercase forms carry a combining mark ("İ" -> "i̇").
    return " ".join(text.lower().translate(_FOLD_CHARS).split())
