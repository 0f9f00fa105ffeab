"""`motcua account add|list`: clerk, supervisor and admin accounts."""
from __future__ import annotations

import getpass
import sys

from tui.cli.common import fail, require_database, settings_from


def register(sub, common) -> None:
    acc = sub.add_parser("account", help="tài khoản").add_subparsers(dest="action", required=True)
    add = acc.add_parser("add", parents=[common], help="tạo tài khoản cán bộ")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="họ tên")
    add.add_argument("--role", choices=("clerk", "supervisor", "admin"), default="clerk")
    add.set_defaults(handler=cmd_account)
    acc.add_parser("list", parents=[common], help="liệt kê tài khoản").set_defaults(handler=cmd_account)


def read_new_password() -> str | None:
    """Asked twice at a terminal; one line from standard input otherwise (scripts)."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")
    password = getpass.getpass("Mật khẩu: ")
    if password != getpass.getpass("Nhập lại mật khẩu: "):
        return None
    return password


def cmd_account(args) -> int:
    from core.people import ROLE_VI, Role
    from tui.services import build_services
    settings = settings_from(args)
    require_database(settings)
    services = build_services(settings, seed_demo=0)
    if args.action == "list":
        for c in services.accounts.list():
            print(f"{c.username:<16} {ROLE_VI[c.role]:<20} {c.full_name}")
        return 0
    if services.accounts.needs_setup():
        return fail("Chưa cài đặt cơ quan và quầy. Chạy «motcua» một lần để cài đặt lần đầu.", 2)
    try:
        password = read_new_password()
    except EOFError:
        return fail("Chưa có mật khẩu: chạy lệnh trong cửa sổ dòng lệnh để gõ mật khẩu, hoặc "
                    "chuyển mật khẩu vào đầu vào chuẩn (một dòng).", 2)
    if password is None:
        return fail("Hai lần nhập mật khẩu không khớp.", 2)
    try:
        clerk = services.accounts.create(args.username, password, args.name, Role(args.role))
    except ValueError as exc:
        return fail(str(exc), 2)
    print(f"Đã tạo tài khoản {clerk.username} ({ROLE_VI[clerk.role]}).")
    return 0
