"""`motcua setup`: the first-run setup from the command line (agency, this desk, its admin).

The admin password comes from MOTCUA_ADMIN_PASSWORD or is asked twice. When a centre is
configured, it is asked first: a desk number another desk holds is refused before anything
is saved (db/sync/register.py).
"""
from __future__ import annotations

import getpass
import os
import uuid

from tui.cli.common import fail, settings_from
from tui.cli.printer import add_printer_options


def register(sub, common) -> None:
    setup = sub.add_parser("setup", parents=[common], help="cài đặt lần đầu: cơ quan, quầy, quản trị")
    setup.add_argument("--agency-code", required=True, help="mã cơ quan, ví dụ 000.21.53.H48")
    setup.add_argument("--agency-name", required=True, help="tên cơ quan, ví dụ «UBND xã Tịnh Khê»")
    setup.add_argument("--desk", required=True, type=int, help="số quầy của máy này (1–99)")
    setup.add_argument("--admin", required=True, help="tên đăng nhập của quản trị viên")
    setup.add_argument("--admin-name", required=True, help="họ tên quản trị viên")
    setup.add_argument("--central", default=None, help="máy chủ trung tâm (SQLite hoặc postgresql://…)")
    # The desk's printer (tui/cli/printer.py): without one, receipts wait in the queue.
    setup.add_argument("--printer", default=None, help="máy in của quầy, ví dụ usb://0416:5011, "
                       "tcp://192.168.1.50:9100, serial:///dev/ttyS0?baud=9600, win32://XP-80C "
                       "(dò bằng «motcua printer detect»)")
    add_printer_options(setup, uri_flag=False)
    setup.set_defaults(handler=cmd_setup)


def _admin_password() -> str | None:
    found = os.environ.get("MOTCUA_ADMIN_PASSWORD")
    if found:
        return found
    first = getpass.getpass("Mật khẩu quản trị (ít nhất 8 ký tự): ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        return None
    return first


def cmd_setup(args) -> int:
    from core.accounts import check_password_policy
    from core.codes import validate_agency_code
    from core.people import Agency, Desk
    from tui.services import build_services, setup_logging
    setup_logging()          # driver warnings go to the log, never English on the terminal
    try:
        code = validate_agency_code(args.agency_code)
    except ValueError as exc:
        return fail(str(exc), 2)
    if not args.agency_name.strip():
        return fail("Chưa có tên cơ quan (--agency-name).", 2)
    if not 1 <= args.desk <= 99:
        return fail("Số quầy (--desk) là số nguyên từ 1 đến 99.", 2)
    services = build_services(settings_from(args, central_url=args.central), seed_demo=0)
    if not services.accounts.needs_setup():
        return fail("Máy này đã được cài đặt cơ quan và quầy; không cài đặt lại.", 2)
    printer = None
    if args.printer:
        from tui.cli.printer import resolve_choice
        try:
            printer = resolve_choice(args.printer, args.paper, args.print_mode, args.codepage,
                                     services.settings)
        except ValueError as exc:
            return fail(str(exc), 2)
    password = _admin_password()
    if password is None:
        return fail("Hai lần nhập mật khẩu không khớp.", 2)
    problem = check_password_policy(password)
    if problem:
        return fail(problem, 2)
    desk_uuid = str(uuid.uuid4())
    central = services.settings.central_url
    if central:
        from db.sync.register import DeskNumberTaken, claim_desk_number
        try:
            _, line = claim_desk_number(central, code, args.desk, desk_uuid)
        except DeskNumberTaken as exc:
            return fail(exc.message_vi, 4)
        print(line)
    try:
        services.accounts.setup(Agency(code=code, name=args.agency_name.strip()),
                                Desk(agency_code=code, number=args.desk, name=f"Quầy {args.desk}"),
                                args.admin, password, args.admin_name, desk_uuid=desk_uuid)
    except ValueError as exc:
        return fail(str(exc), 2)
    print(f"Đã cài đặt cơ quan {code}, quầy {args.desk}, quản trị viên «{args.admin}».")
    return _setup_printer(args, services.settings, printer)


def _setup_printer(args, settings, printer) -> int:
    """Save the chosen printer after a test slip; without one, say what that means."""
    if printer is None:
        print("Chưa chọn máy in: giấy tiếp nhận sẽ nằm trong hàng đợi («chưa cấu hình máy in») "
              "đến khi chọn bằng «motcua printer detect» và «motcua printer set ĐỊA_CHỈ».")
        return 0
    from tui.cli.printer import config_path, print_test_page
    from tui.printer_setup import save_printer_config
    values, notes = printer
    for note in notes:
        print(note)
    ok, message = print_test_page(values, settings.print_timeout)
    print(f"Trang thử: {message}")
    save_printer_config(config_path(args), values)
    print(f"Đã chọn máy in {values['uri']}." + ("" if ok else " Trang thử chưa in được: kiểm tra "
          "máy in rồi chạy «motcua printer test»."))
    return 0 if ok else 1
