"""Choosing the desk's printer: find it, print a test slip, save the choice.

Used by `motcua printer detect|test|set`, the printer options of `motcua setup` and the
printer step of the first-run screen (tui/screens/setup.py), so each does the same thing.

    detect_printers()     USB ESC/POS printers (pyusb), serial ports (pyserial), and on
                          Windows the installed printers (win32://NAME)
    test_slip(...)        a slip that shows paper width, mode and every Vietnamese letter
    suggest_mode(uri)     text mode for serial links at 19,200 baud or less
    save_printer_config() writes [printer] of the TOML config, other lines kept as they are
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

# Vendors whose USB receipt printers speak ESC/POS (many report a vendor-specific class
# instead of the USB printer class 7): Epson, Xprinter/Winbond, Zjiang/STM, Rongta, Star,
# Citizen, Bixolon, SNBC, HPRT, GD32 clones.
ESCPOS_VENDORS = {0x04B8: "Epson", 0x0416: "Winbond/Xprinter", 0x0483: "STMicro (máy in Trung Quốc)",
                  0x0FE6: "Rongta/ICS", 0x0519: "Star", 0x1D90: "Citizen", 0x1504: "Bixolon",
                  0x154F: "SNBC", 0x20D1: "HPRT", 0x28E9: "GD32 (máy in Trung Quốc)",
                  0x1FC9: "NXP (máy in Trung Quốc)", 0x6868: "Xprinter"}
SLOW_BAUD = 19200


@dataclass(frozen=True, slots=True)
class FoundPrinter:
    uri: str
    description: str


def _usb() -> tuple[list[FoundPrinter], str]:
    try:
        import usb.core
    except ImportError:
        return [], "Thiếu thư viện pyusb: không dò được máy in USB."
    try:
        devices = list(usb.core.find(find_all=True))
    except usb.core.NoBackendError:
        return [], "Máy tính chưa có libusb: không dò được máy in USB (Debian: apt install libusb-1.0-0)."
    except usb.core.USBError as exc:
        return [], f"Không đọc được danh sách thiết bị USB ({exc.strerror or exc})."
    # Reading descriptors may be refused (access rights), malformed, or beyond what the
    # backend can do (some backends raise a RuntimeError subclass for that): skip the detail.
    unreadable = (usb.core.USBError, ValueError, RuntimeError)
    found = []
    for dev in devices:
        try:
            classes = {intf.bInterfaceClass for cfg in dev for intf in cfg}
        except unreadable:
            classes = set()
        if 7 not in classes and dev.idVendor not in ESCPOS_VENDORS:
            continue
        name = ESCPOS_VENDORS.get(dev.idVendor, "máy in USB")
        try:
            product = usb.util.get_string(dev, dev.iProduct) if dev.iProduct else ""
            if product:
                name = f"{name} {product}".strip()
        except unreadable:
            pass            # strings need access rights; the ids are enough to print
        found.append(FoundPrinter(f"usb://{dev.idVendor:04x}:{dev.idProduct:04x}", name))
    return found, ""


def _serial() -> list[FoundPrinter]:
    try:
        from serial.tools import list_ports
    except ImportError:
        return []
    found = []
    for port in list_ports.comports():
        name = port.device if port.description in (None, "", "n/a") else port.description
        found.append(FoundPrinter(f"serial://{port.device}?baud=9600",
                                  f"cổng nối tiếp {name} (đặt baud theo máy in)"))
    return found


def _windows() -> list[FoundPrinter]:
    try:
        import win32print  # type: ignore[import-not-found]  (pywin32, Windows only)
    except ImportError:
        return []
    flags = win32print.PRINTER_ENUM_LOCAL | win32print.PRINTER_ENUM_CONNECTIONS
    return [FoundPrinter(f"win32://{p[2]}", "máy in đã cài trên Windows")
            for p in win32print.EnumPrinters(flags)]


def detect_printers() -> tuple[list[FoundPrinter], list[str]]:
    """(printers found, Vietnamese notes on what could not be searched)."""
    usb_found, note = _usb()
    return usb_found + _windows() + _serial(), [note] if note else []


def suggest_mode(uri: str) -> str:
    """"text" for a serial printer at 19,200 baud or less (a raster receipt takes about a
    minute and a half at 9,600 baud), else "raster"."""
    m = re.search(r"[?&]baud=(\d+)", uri or "")
    if (uri or "").lower().startswith("serial:") and int(m.group(1) if m else 9600) <= SLOW_BAUD:
        return "text"
    return "raster"


def test_slip(uri: str, paper_mm: int, mode: str):
    from core.slips import Slip
    return Slip(
        kind="test", header=("MOTCUA — TRANG IN THỬ",), title="MÁY IN ĐÃ SẴN SÀNG",
        fields=(("Máy in", uri), ("Khổ giấy", f"{paper_mm} mm"),
                ("Chế độ", "in ảnh (raster)" if mode == "raster" else "in chữ (text)"),
                ("Chữ Việt", "ă â đ ê ô ơ ư Ă Â Đ Ê Ô Ơ Ư"),
                ("Dấu", "à á ả ã ạ ề ế ể ễ ệ ờ ớ ở ỡ ợ ừ ứ ử ữ ự")),
        sections=(("Kiểm tra", ("1. Chữ có dấu đọc rõ, không ô vuông.",
                                "2. Hai mép giấy không mất chữ.", "3. Quét được mã QR.")),),
        qr_payload="MOTCUA-TEST", qr_caption="Mã QR thử",
        footer=("Nếu trang này in đúng, máy in đã dùng được.",))


def save_printer_config(path: Path, values: dict) -> None:
    """Set keys of the [printer] table in the TOML file `path` (created 0600 if missing);
    every other line is kept. Values: str, int, bool."""
    lines = path.read_text(encoding="utf-8-sig").splitlines() if path.exists() else []
    out, in_printer, seen = [], False, set()
    for line in lines:
        header = re.match(r"^\s*\[([^\]]+)\]\s*(#.*)?$", line)
        if header:
            if in_printer:
                out += _lines(values, seen)
            in_printer = header.group(1).strip() == "printer"
        elif in_printer:
            key = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
            if key and key.group(1) in values:
                continue                       # replaced below
        out.append(line)
    if in_printer:
        out += _lines(values, seen)
    elif not seen:
        out += ([""] if out else []) + ["[printer]"] + _lines(values, seen)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")


def _lines(values: dict, seen: set) -> list[str]:
    seen.update(values)
    return [f"{k} = {_toml(v)}" for k, v in values.items()]


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)     # a TOML basic string
