"""`motcua printer detect|test|set`: find the desk's printer, print a test slip, save it.

`test` and `set` print/report the same outcome the clerk sees: "Đã in xong." only when the
printer answered a status query, "Đã gửi tới máy in." when it could not say.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from tui.cli.common import fail, settings_from


def register(sub, common) -> None:
    printer = sub.add_parser("printer", help="máy in: dò tìm, in thử, chọn").add_subparsers(
        dest="action", required=True)
    detect = printer.add_parser("detect", parents=[common], help="dò máy in USB, cổng nối tiếp, máy in Windows")
    detect.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    detect.set_defaults(handler=cmd_detect)
    test = printer.add_parser("test", parents=[common], help="in một trang thử")
    add_printer_options(test, uri_flag=True)
    test.set_defaults(handler=cmd_test)
    choose = printer.add_parser("set", parents=[common], help="chọn máy in cho máy này (ghi tệp cấu hình)")
    choose.add_argument("uri", help="địa chỉ máy in, ví dụ usb://0416:5011 hoặc tcp://192.168.1.50:9100")
    add_printer_options(choose, uri_flag=False)
    choose.add_argument("--no-test", action="store_true", help="không in trang thử")
    choose.set_defaults(handler=cmd_set)


def add_printer_options(parser, *, uri_flag: bool) -> None:
    """The printer options `printer test`, `printer set` and `setup` share."""
    if uri_flag:
        parser.add_argument("--printer", default=None, help="địa chỉ máy in (mặc định: máy in đã chọn)")
    parser.add_argument("--paper", type=int, choices=(58, 80), default=None, help="khổ giấy (mm)")
    parser.add_argument("--print-mode", choices=("raster", "text"), default=None,
                        help="raster: in ảnh (mặc định); text: in chữ theo bảng mã, nhanh trên cổng nối "
                             "tiếp chậm (9.600 baud)")
    parser.add_argument("--codepage", default=None, help="bảng mã cho chế độ text, ví dụ CP1258")


def config_path(args=None) -> Path:
    """Where the printer choice is saved: --config, else MOTCUA_CONFIG, else the default."""
    from tui.config import default_config_path
    if getattr(args, "config", None):
        return Path(args.config)
    return Path(os.environ.get("MOTCUA_CONFIG") or default_config_path())


def resolve_choice(uri: str, paper: int | None, mode: str | None, codepage: str | None,
                   settings) -> tuple[dict, list[str]]:
    """The [printer] values to keep and notes for the admin; raises ValueError (Vietnamese)
    for a URI or option that cannot work."""
    from printers.profile import PrinterProfile
    from printers.transports import parse_printer_uri
    from tui.printer_setup import suggest_mode
    target = parse_printer_uri(uri)
    notes = []
    if mode is None:
        mode = suggest_mode(target.uri)
        if mode == "text":
            notes.append("Máy in nối tiếp tốc độ thấp: chọn chế độ in chữ (text, CP1258) cho nhanh; "
                         "ở 9.600 baud một phiếu in ảnh mất khoảng một phút rưỡi.")
    if mode == "text" and not codepage:
        codepage = "CP1258"
    profile = PrinterProfile(paper_mm=paper or settings.paper_mm, mode=mode,
                             codepage=(codepage or None) if mode == "text" else None)
    values = {"uri": target.uri, "paper_mm": profile.paper_mm, "mode": profile.mode,
              "codepage": profile.codepage or ""}
    return values, notes


def print_test_page(values: dict, timeout: float):
    """Print the test slip with `values` ([printer] keys); returns the PrintResult-like
    (ok, message) pair."""
    from printers.errors import PrintError
    from printers.profile import PrinterProfile
    from printers.service import PrintService
    from tui.printer_setup import test_slip
    profile = PrinterProfile(paper_mm=values["paper_mm"], mode=values["mode"],
                             codepage=values["codepage"] or None)
    try:
        outcome = PrintService(values["uri"], profile, timeout=timeout).print_slip(
            test_slip(values["uri"], profile.paper_mm, profile.mode))
    except PrintError as exc:
        return False, exc.message_vi
    return True, outcome.message_vi


def cmd_detect(args) -> int:
    from tui.printer_setup import detect_printers
    found, notes = detect_printers()
    if args.json:
        print(json.dumps({"printers": [{"uri": p.uri, "description": p.description} for p in found],
                          "notes": notes}, ensure_ascii=False))
        return 0
    for note in notes:
        print(note)
    if not found:
        print("Không tìm thấy máy in nào. Máy in mạng: dùng tcp://ĐỊA_CHỈ_IP:9100; máy in nối tiếp: "
              "serial://CỔNG?baud=9600; máy in Windows: win32://TÊN MÁY IN.")
        return 1
    for p in found:
        print(f"{p.uri}\t{p.description}")
    print("Chọn một máy in: motcua printer set ĐỊA_CHỈ (ví dụ motcua printer set "
          f"{found[0].uri.split('?')[0]})")
    return 0


def cmd_test(args) -> int:
    settings = settings_from(args)
    uri = args.printer or settings.resolved_printer_uri()
    if not uri:
        return fail("Không in được: chưa cấu hình máy in. Dò máy in bằng «motcua printer detect» "
                    "rồi chọn bằng «motcua printer set ĐỊA_CHỈ».", 2)
    try:
        values, notes = resolve_choice(uri, args.paper, args.print_mode or settings.print_mode,
                                       args.codepage or settings.codepage, settings)
    except ValueError as exc:
        return fail(str(exc), 2)
    ok, message = print_test_page(values, settings.print_timeout)
    if not ok:
        return fail(message)
    print(message)
    return 0


def cmd_set(args) -> int:
    from tui.printer_setup import save_printer_config
    settings = settings_from(args)
    try:
        values, notes = resolve_choice(args.uri, args.paper, args.print_mode, args.codepage, settings)
    except ValueError as exc:
        return fail(str(exc), 2)
    for note in notes:
        print(note)
    if not args.no_test:
        ok, message = print_test_page(values, settings.print_timeout)
        if not ok:
            return fail(f"Trang thử chưa in được: {message} Chưa lưu máy in; sửa rồi chạy lại "
                        "(hoặc thêm --no-test để lưu mà không in thử).")
        print(f"Trang thử: {message}")
    path = config_path(args)
    try:
        save_printer_config(path, values)
    except OSError as exc:
        return fail(f"Không ghi được tệp cấu hình {path} ({exc.strerror or type(exc).__name__}).")
    print(f"Đã chọn máy in {values['uri']} (khổ {values['paper_mm']} mm, "
          f"{'in ảnh' if values['mode'] == 'raster' else 'in chữ ' + values['codepage']}); lưu trong {path}.")
    return 0
