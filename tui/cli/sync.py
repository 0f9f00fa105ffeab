"""`motcua sync` (one push-then-pull) and `motcua central init` (the central store)."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from tui.cli.common import fail, settings_from


def register(sub, common) -> None:
    sync = sub.add_parser("sync", parents=[common], help="đồng bộ một lần với máy chủ trung tâm")
    sync.add_argument("--central", default=argparse.SUPPRESS, help="URL máy chủ trung tâm")
    sync.set_defaults(handler=cmd_sync)
    retry = sync.add_subparsers(dest="sync_action").add_parser(
        "retry", parents=[common], help="đưa các sự kiện máy chủ trung tâm đã từ chối trở lại hàng "
        "chờ gửi (sau khi đã sửa nguyên nhân); lần đồng bộ sau sẽ gửi lại")
    retry.set_defaults(handler=cmd_sync_retry)
    central = sub.add_parser("central", help="máy chủ trung tâm").add_subparsers(dest="action", required=True)
    cinit = central.add_parser("init", help="tạo hoặc nâng cấp CSDL trung tâm")
    cinit.add_argument("--db", required=True, help="đường dẫn SQLite hoặc postgresql://…")
    cinit.add_argument("--desk-role", default=None, help="(PostgreSQL) tên vai trò đăng nhập cho quầy")
    cinit.add_argument("--agency", default=None, help="(PostgreSQL) mã cơ quan của vai trò đó")
    cinit.set_defaults(handler=cmd_central)
    release = central.add_parser("release-desk", help="giải phóng một số quầy đã đăng ký (thay máy hỏng)")
    release.add_argument("--db", required=True, help="đường dẫn SQLite hoặc postgresql://…")
    release.add_argument("--agency", required=True, help="mã cơ quan")
    release.add_argument("--desk", required=True, type=int, help="số quầy")
    release.set_defaults(handler=cmd_release)
    # Statistics at the centre (issue 10): handlers in tui/cli/stats.py.
    from tui.cli.stats import register_central
    register_central(central, cinit)


def role_password(env: str, prompt: str) -> str | None:
    """`env` from the environment, else a line on stdin (a pipe or a file), else the prompt.
    Empty keeps an existing role's password."""
    found = os.environ.get(env)
    if found is not None:
        return found or None
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n") or None
    return getpass.getpass(prompt) or None


def desk_password(role: str) -> str | None:
    return role_password("MOTCUA_DESK_PASSWORD", f"Mật khẩu cho vai trò {role}: ")


def cmd_release(args) -> int:
    from db.sync.central import release_desk
    from tui.config import to_db_url
    print(release_desk(to_db_url(args.db), args.agency, args.desk))
    return 0


def cmd_sync(args) -> int:
    from db.sync import CentralUnavailable
    from tui.services import build_services, setup_logging
    setup_logging()          # driver and pool warnings go to the log, never English on the terminal
    services = build_services(settings_from(args, central_url=getattr(args, "central", None)), seed_demo=0)
    if services.sync is None:
        if services.accounts.needs_setup():
            return fail("Chưa cài đặt cơ quan và quầy. Chạy «motcua setup …» hoặc «motcua» để cài đặt lần đầu.", 2)
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


def cmd_sync_retry(args) -> int:
    """For a supervisor: list what the centre refused, and queue it to be sent again."""
    from db.sync.local import refused, retry_refused
    from tui.services import build_services
    services = build_services(settings_from(args), seed_demo=0)
    waiting = refused(services.engine)
    if not waiting:
        print("Không có sự kiện nào bị máy chủ trung tâm từ chối.")
        return 0
    for event_id, reason in waiting:
        print(f"  - {event_id}: {reason}")
    n = retry_refused(services.engine)
    print(f"Đã đưa {n} sự kiện trở lại hàng chờ gửi; chạy «motcua sync» để gửi lại.")
    return 0


def cmd_central(args) -> int:
    from db.sync.central import init_central
    from tui.config import to_db_url
    password = None
    if args.desk_role:
        if not args.agency:
            return fail("Cần --agency MÃ_CƠ_QUAN cho vai trò quầy.", 2)
        password = desk_password(args.desk_role)
    for line in init_central(to_db_url(args.db), desk_role=args.desk_role, desk_password=password,
                             agency_code=args.agency):
        print(line)
    if args.supervisor_role:
        from tui.cli.stats import central_supervisor
        return central_supervisor(args)
    return 0
