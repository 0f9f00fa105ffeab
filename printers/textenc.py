"""Vietnamese text for the printer's own font: a code page where it can, ASCII where not.

CP1258 has the base letters (â ă ê ô ơ ư đ) but writes the five tones as combining marks,
so "ậ" goes out as "â" + combining dot below. TCVN-3 (python-escpos "TCVN-3-1") has the
precomposed lower-case letters only. Whatever the page lacks is folded to ASCII
("Đ" -> "D", "Ậ" -> "A", "—" -> "-"), the last resort architecture.md allows.
"""
from __future__ import annotations

import unicodedata

from printers._escpos import encoding_info

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}   # huyền sắc ngã hỏi nặng
_ASCII_EXTRA = {
    "đ": "d", "Đ": "D", "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
    "…": "...", "•": "*", "\u00a0": " ", "×": "x",
}


def ascii_fold(text: str) -> str:
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        if ch in _ASCII_EXTRA:
            out.append(_ASCII_EXTRA[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(base if base and base.isascii() else "?")
    return "".join(out)


class Encoder:
    """Encodes text for one code page (None: plain ASCII), folding what it cannot write."""

    def __init__(self, codepage: str | None) -> None:
        self.codepage = codepage
        self._codec: str | None = None
        self._table: dict[str, int] = {}
        self._cache: dict[str, bytes] = {}
        if codepage is not None:
            info = encoding_info(codepage)
            if "python_encode" in info:
                self._codec = info["python_encode"]
            elif "data" in info:
                table = "".join(info["data"])
                self._table = {ch: 0x80 + i for i, ch in enumerate(table) if ch != " "}
            else:
                raise ValueError(f"python-escpos cannot encode code page {codepage!r}")

    def _direct(self, text: str) -> bytes | None:
        try:
            if self._codec:
                return text.encode(self._codec)
            return bytes(ord(c) if ord(c) < 128 else self._table[c] for c in text)
        except (UnicodeEncodeError, KeyError):
            return None

    def _char(self, ch: str) -> bytes:
        hit = self._cache.get(ch)
        if hit is not None:
            return hit
        out = self._direct(ch) if self.codepage is not None else (ch.encode() if ch.isascii() else None)
        if out is None and self.codepage is not None:
            # base letter with its vowel marks precomposed, the tones as combining marks
            nfd = unicodedata.normalize("NFD", ch)
            vowel = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONE_MARKS))
            tones = [c for c in nfd if c in TONE_MARKS]
            if tones:
                parts = [self._direct(vowel)] + [self._direct(t) for t in tones]
                if all(p is not None for p in parts):
                    out = b"".join(parts)     # type: ignore[arg-type]
        if out is None:
            out = ascii_fold(ch).encode("ascii")
        self._cache[ch] = out
        return out

    def encode(self, text: str) -> bytes:
        return b"".join(self._char(ch) for ch in unicodedata.normalize("NFC", text))
