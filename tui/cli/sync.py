"""`motcua sync` (one push-then-pull) and `motcua central init` (the central store)."""
from __future__ import annotations

import argparse
import getpass
from tui.cli.common import fail, settings_from


def register(sub, common) -> None:
    sync = sub.add_parser("sync", parents=[common], help="đồng bộ một lần với máy chủ trung tâm")
    sync.add_argument("--central", default=argparse.SUPPRESS, help="URL máy chủ trung tâm")
    sync.set_defaults(handler=cmd_sync)
    central = sub.add_parser("central", help="máy chủ trung tâm").add_subparsers(dest="action", required=True)
    cinit = central.add_parser("init", help="tạo hoặc nâng cấp CSDL trung tâm")
    cinit.add_argument("--db", required=True, help="đường dẫn SQLite hoặc postgresql://…")
    cinit.add_argument("--desk-role", default=None, help="(PostgreSQL) tên vai trò đăng nhập cho quầy")
    cinit.add_argument("--agency", default=None, help="(PostgreSQL) mã cơ quan của vai trò đó")
    cinit.set_defaults(handler=cmd_central)
    # Statistics at the centre (issue 10): handlers in tui/cli/stats.py.
    from tui.cli.stats import register_central
    register_central(central, cinit)


def cmd_sync(args) -> int:
    from db.sync import CentralUnavailable
    from tui.services import build_services
    services = build_services(settings_from(args, central_url=getattr(args, "central", None)), seed_demo=0)
    if services.sync is None:
        if services.accounts.needs_setup():
            return fail("Chưa cài đặt cơ quan và quầy. Chạy «motcua» một lần để cài đặt lần đầu.", 2)
        return fail("Chưa cấu hình máy chủ trung tâm: dùng --central URL, MOTCUA_CENTRAL "
                     "hoặc [central] url trong config.toml.", 2)
    try:
        report = services.sync.run_once()
    except CentralUnavailable as exc:
        waiting = services.sync.status().waiting
        return fail(f"{exc.message_vi}\nCòn {waiting} sự kiện chờ gửi; dữ liệu trên máy này không thay đổi.", 3)
    finally:
        services.sync.close()
    print(f"Đã gửi lên: {report.pushed} sự kiện · Đã nhận về: {report.pulled} sự kiện · "
          f"Bị từ chối: {len(report.rejected)}")
    for event_id, reason in report.rejected:
        print(f"  - {event_id}: {reason}")
    for name, count in report.reference.items():
        if count:
            print(f"  Danh mục/tham chiếu «{name}»: {count}")
    return 0


def cmd_central(args) -> int:
    from db.sync.central import init_central
    from tui.config import to_db_url
    password = None
    if args.desk_role:
        if not args.agency:
            return fail("Cần --agency MÃ_CƠ_QUAN cho vai trò quầy.", 2)
        password = getpass.getpass(f"Mật khẩu cho vai trò {args.desk_role}: ")
    for line in init_central(to_db_url(args.db), desk_role=args.desk_role, desk_password=password,
                             agency_code=args.agency):
        print(line)
    if args.supervisor_role:
        from tui.cli.stats import central_supervisor
        return central_supervisor(args)
    return 0
