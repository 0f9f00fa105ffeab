"""What the desk's printer can do: paper width, raster or text mode, code page, QR, copies.

A profile is plain configuration. It is built from typed values in code or from the
strings of a TOML file / `MOTCUA_PRINTER_*` environment variables via `from_options`,
which answers a bad value with a Vietnamese message the admin can act on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import Any, Mapping

log = logging.getLogger(__name__)

PAPER_DOTS = {80: 576, 58: 384}
MODES = ("raster", "text")
MIN_FONT_SIZE = 22
MAX_FONT_SIZE = 48

# ESC t numbers of the python-escpos "default" (Epson-compatible) profile, limited to the
# pages python-escpos can actually encode. Kept here so that building a profile at start-up
# does not import python-escpos (its import alone costs 0.1-0.5 s).
CODEPAGES: dict[str, int] = {
    "CP437": 0, "CP932": 1, "CP850": 2, "CP860": 3, "CP863": 4, "CP865": 5, "CP857": 13,
    "CP737": 14, "ISO_8859-7": 15, "CP1252": 16, "CP866": 17, "CP852": 18, "CP858": 19,
    "CP874": 21, "TCVN-3-1": 30, "TCVN-3-2": 31, "CP720": 32, "CP775": 33, "CP855": 34,
    "CP861": 35, "CP862": 36, "CP864": 37, "CP869": 38, "ISO_8859-2": 39,
    "ISO_8859-15": 40, "CP1125": 44, "CP1250": 45, "CP1251": 46, "CP1253": 47,
    "CP1254": 48, "CP1255": 49, "CP1256": 50, "CP1257": 51, "CP1258": 52,
}

_TRUE = {"1", "true", "yes", "on", "co", "có", "bat", "bật"}
_FALSE = {"0", "false", "no", "off", "khong", "không", "tat", "tắt"}


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    paper_mm: int = 80               # 80 -> 576 dots, 58 -> 384 dots
    mode: str = "raster"             # "raster" (Pillow image) | "text" (printer font + code page)
    codepage: str | None = None      # text mode only: python-escpos name, e.g. "CP1258", "TCVN-3-1"
    native_qr: bool = True           # GS ( k on the printer; False = QR drawn into the raster
    copies: int = 1                  # 1 or 2 (citizen + file)
    cut: bool = True                 # GS V after each copy
    font_size: int = 22              # body text size in dots (raster mode), >= 22: small bytes, still easy to read
    # Printers disagree on ESC t numbers (many 58 mm clones use 27 for CP1258); None means
    # the Epson number from CODEPAGES.
    codepage_number: int | None = None

    def __post_init__(self) -> None:
        if self.paper_mm not in PAPER_DOTS:
            raise ValueError(
                f"Khổ giấy không hợp lệ: {self.paper_mm!r}. Chỉ dùng được 80 hoặc 58 (mm).")
        if self.mode not in MODES:
            raise ValueError(
                f"Chế độ in không hợp lệ: {self.mode!r}. Chọn \"raster\" (in ảnh, khuyên dùng) "
                "hoặc \"text\" (in chữ theo bảng mã của máy in).")
        if self.codepage is not None and self.codepage not in CODEPAGES:
            raise ValueError(
                f"Bảng mã không hợp lệ: {self.codepage!r}. Với tiếng Việt dùng \"CP1258\" "
                "hoặc \"TCVN-3-1\"; để trống nếu in ảnh (raster).")
        if self.codepage_number is not None and not 0 <= self.codepage_number <= 255:
            raise ValueError(
                f"Số bảng mã không hợp lệ: {self.codepage_number!r}. Phải từ 0 đến 255.")
        if self.copies not in (1, 2):
            raise ValueError(f"Số liên không hợp lệ: {self.copies!r}. Chỉ in 1 hoặc 2 liên.")
        if not MIN_FONT_SIZE <= self.font_size <= MAX_FONT_SIZE:
            raise ValueError(
                f"Cỡ chữ không hợp lệ: {self.font_size!r}. Cỡ chữ phải từ {MIN_FONT_SIZE} "
                f"đến {MAX_FONT_SIZE} điểm để dễ đọc.")

    @property
    def width_dots(self) -> int:
        return PAPER_DOTS[self.paper_mm]

    @property
    def text_columns(self) -> int:
        """Characters per line of the printer's font A (12 dots wide) in text mode."""
        return self.width_dots // 12

    @property
    def codepage_escpos_number(self) -> int | None:
        if self.codepage is None:
            return None
        if self.codepage_number is not None:
            return self.codepage_number
        return CODEPAGES[self.codepage]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> PrinterProfile:
        """Build a profile from config values (TOML values or environment strings).

        Keys are the field names (`paper-mm` works too); keys that are not profile fields
        (the printer URI, say) are ignored. Raises ValueError with a Vietnamese message.
        """
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for raw_key, value in options.items():
            key = str(raw_key).strip().lower().replace("-", "_")
            if key not in known:
                log.debug("printer option %r is not a profile field; ignored", raw_key)
                continue
            kwargs[key] = _convert(key, value)
        return cls(**kwargs)


def _convert(key: str, value: Any) -> Any:
    if key in ("paper_mm", "copies", "font_size", "codepage_number"):
        if key == "codepage_number" and (value is None or str(value).strip() == ""):
            return None
        return _to_int(key, value)
    if key in ("native_qr", "cut"):
        return _to_bool(key, value)
    if key == "mode":
        return str(value).strip().lower()
    if key == "codepage":
        if value is None:
            return None
        text = str(value).strip().upper()
        if text in ("", "NONE", "KHONG", "KHÔNG"):
            return None
        return text
    return value


_LABELS = {
    "paper_mm": "Khổ giấy (paper_mm)", "copies": "Số liên (copies)",
    "font_size": "Cỡ chữ (font_size)", "codepage_number": "Số bảng mã (codepage_number)",
    "native_qr": "In QR bằng lệnh máy in (native_qr)", "cut": "Cắt giấy (cut)",
}


def _to_int(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{_LABELS[key]} phải là số nguyên, không phải {value!r}.")
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    if key == "paper_mm" and text.endswith("mm"):
        text = text[:-2].strip()
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{_LABELS[key]} phải là số nguyên, không phải {value!r}.") from None


def _to_bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(
        f"{_LABELS[key]} phải là có/không (true/false, 1/0), không phải {value!r}.")
