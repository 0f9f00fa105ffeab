"""Text helpers for matching Vietnamese without diacritics.

Clerks type fast and often without tones ("chung thuc ban sao"); names in the catalogue
and in the ledger carry them ("Chứng thực bản sao"). `fold` maps both to one key.
"""
from __future__ import annotations

import unicodedata

# đ/Đ is a letter of its own, not d plus a combining mark, so NFD leaves it alone.
_D_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase, strip diacritics (đ -> d), collapse whitespace and strip.

    >>> fold("  Chứng thực   bản sao ")
    'chung thuc ban sao'
    """
    # Lowercase before decomposing: some lowercase forms carry a combining mark ("İ" -> "i̇").
    decomposed = unicodedata.normalize("NFD", text.translate(_D_TABLE).lower())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())
