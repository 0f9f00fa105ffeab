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


def register(sub, common) -> None:
    setup = sub.add_parser("setup", parents=[common], help="cài đặt lần đầu: cơ quan, quầy, quản trị")
    setup.add_argument("--agency-code", required=True, help="mã cơ quan, ví dụ 000.21.53.H48")
    setup.add_argument("--agency-name", required=True, help="tên cơ quan, ví dụ «UBND xã Tịnh Khê»")
    setup.add_argument("--desk", required=True, type=int, help="số quầy của máy này (1–99)")
    setup.add_argument("--admin", required=True, help="tên đăng nhập của quản trị viên")
    setup.add_argument("--admin-name", required=True, help="họ tên quản trị viên")
    setup.add_argument("--central", default=None, help="máy chủ trung tâm (SQLite hoặc postgresql://…)")
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
    return 0
