"""The receipt's QR code: error correction M, sized to about half the paper width.

Drawn from the module matrix of the `qrcode` package with one resize (no per-pixel Python
loop, no `make_image`), and cached: a reprint or a second copy costs nothing. The same
module size is used when the printer draws the code itself (`QrSlot`, native `GS ( k`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
import qrcode.constants
from PIL import Image

QR_BORDER = 4              # quiet zone in modules, as the QR standard asks
QR_MIN_MODULE = 3          # dots; below this a phone camera struggles with thermal print
QR_MAX_MODULE = 16         # the largest module GS ( k accepts


@lru_cache(maxsize=64)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """QR modules (error correction M), without quiet zone."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(payload)
    qr.make(fit=True)
    return tuple(tuple(row) for row in qr.get_matrix())


def qr_module_size(payload: str, width_dots: int, margin: int = 4) -> int:
    """Dots per module so the code with its quiet zone takes about half the paper width."""
    n = len(qr_matrix(payload)) + 2 * QR_BORDER
    size = max(QR_MIN_MODULE, (width_dots // 2) // n)
    return max(1, min(size, QR_MAX_MODULE, (width_dots - 2 * margin) // n))


@lru_cache(maxsize=64)
def qr_image(payload: str, module: int) -> Image.Image:
    """The QR code as a mode "1" image with its quiet zone (shared: do not draw on it)."""
    matrix = qr_matrix(payload)
    n = len(matrix) + 2 * QR_BORDER
    data = bytearray(b"\xff" * (n * n))
    for r, row in enumerate(matrix, QR_BORDER):
        base = r * n + QR_BORDER
        for c, dark in enumerate(row):
            if dark:
                data[base + c] = 0
    small = Image.frombytes("L", (n, n), bytes(data))
    return small.resize((n * module, n * module), Image.Resampling.NEAREST).convert("1")


@dataclass(frozen=True, slots=True)
class QrSlot:
    """Where the QR goes when the printer draws it itself (native `GS ( k`)."""
    payload: str
    module: int
