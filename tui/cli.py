"""The `motcua` command line: the app, and admin commands (catalogue, calendar, demo, db,
accounts). Every message a user reads is Vietnamese; exit status says what happened."""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date, datetime
from pathlib import Path

from tui.config import ConfigError, Settings, load_settings, to_db_url


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", default=argparse.SUPPRESS, help="cơ sở dữ liệu: đường dẫn SQLite hoặc URL")
    p.add_argument("--config", default=argparse.SUPPRESS, help="tệp cấu hình TOML")
    p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="dùng dữ liệu mẫu")
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="motcua", parents=[common],
                                     description="Phần mềm tiếp nhận hồ sơ tại Bộ phận Một cửa.")
    parser.add_argument("--printer", default=None, help="máy in: usb://VID:PID, tcp://HOST:PORT, "
                        "serial://DEV?baud=N, file://PATH, cups://QUEUE, dummy:, preview://DIR")
    parser.add_argument("--central", default=None, help="máy chủ trung tâm: SQLite hoặc postgresql://…")
    sub = parser.add_subparsers(dest="command")

    sync = sub.add_parser("sync", parents=[common], help="đồng bộ một lần với máy chủ trung tâm")
    sync.add_argument("--central", default=argparse.SUPPRESS, help="URL máy chủ trung tâm")
    central = sub.add_parser("central", help="máy chủ trung tâm").add_subparsers(dest="action", required=True)
    cinit = central.add_parser("init", help="tạo hoặc nâng cấp CSDL trung tâm")
    cinit.add_argument("--db", required=True, help="đường dẫn SQLite hoặc postgresql://…")
    cinit.add_argument("--desk-role", default=None, help="(PostgreSQL) tên vai trò đăng nhập cho quầy")
    cinit.add_argument("--agency", default=None, help="(PostgreSQL) mã cơ quan của vai trò đó")

    cat = sub.add_parser("catalogue", help="danh mục thủ tục").add_subparsers(dest="action", required=True)
    for name in ("import", "export"):
        c = cat.add_parser(name, parents=[common], help=f"{name} CSV hoặc JSON")
        c.add_argument("file", type=Path)

    cal = sub.add_parser("calendar", help="lịch ngày làm việc").add_subparsers(dest="action", required=True)
    show = cal.add_parser("show", parents=[common], help="liệt kê ngày nghỉ, ngày làm bù của một năm")
    show.add_argument("year", type=int)
    due = cal.add_parser("due", parents=[common], help="tính ngày hẹn trả")
    due.add_argument("--received", required=True, help='"YYYY-MM-DD HH:MM"')
    g = due.add_mutually_exclusive_group(required=True)
    g.add_argument("--procedure", help="mã thủ tục, ví dụ 1.001193")
    g.add_argument("--days", type=int, help="số ngày làm việc")
    g.add_argument("--same-day", action="store_true", help="trả trong ngày")
    due.add_argument("--cutoff", choices=("yes", "no"), default=None,
                     help="áp dụng giờ chốt 15:00 (mặc định: có, hoặc theo thủ tục)")
    due.add_argument("--json", action="store_true")
    put = cal.add_parser("set", parents=[common], help="thêm/sửa một ngày điều chỉnh địa phương")
    put.add_argument("day", help="YYYY-MM-DD")
    put.add_argument("--kind", required=True, choices=("day_off", "cancel_day_off", "worked_day"))
    put.add_argument("--name", required=True)
    unset = cal.add_parser("unset", parents=[common], help="bỏ một ngày điều chỉnh địa phương")
    unset.add_argument("day", help="YYYY-MM-DD")

    demo = sub.add_parser("demo", help="dữ liệu mẫu").add_subparsers(dest="action", required=True)
    seed = demo.add_parser("seed", parents=[common], help="tạo hồ sơ mẫu")
    seed.add_argument("--dossiers", type=int, required=True)
    seed.add_argument("--days", type=int, default=30)

    db = sub.add_parser("db", help="cơ sở dữ liệu").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", parents=[common], help="áp dụng migration")
    db.add_parser("rebuild", parents=[common], help="dựng lại bảng hồ sơ từ nhật ký sự kiện")

    acc = sub.add_parser("account", help="tài khoản").add_subparsers(dest="action", required=True)
    add = acc.add_parser("add", parents=[common], help="tạo tài khoản cán bộ")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="họ tên")
    add.add_argument("--role", choices=("clerk", "supervisor", "admin"), default="clerk")
    acc.add_parser("list", parents=[common], help="liệt kê tài khoản")
    return parser


def _settings(args, **extra) -> Settings:
    return load_settings(
        Path(args.config) if getattr(args, "config", None) else None,
        db_url=getattr(args, "db", None), demo=getattr(args, "demo", None) or None, **extra,
    )


def _fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            return run_app(args)
        handler = {
            "catalogue": cmd_catalogue, "calendar": cmd_calendar, "demo": cmd_demo,
            "db": cmd_db, "account": cmd_account, "sync": cmd_sync, "central": cmd_central,
        }[args.command]
        return handler(args)
    except ConfigError as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = getattr(exc, "message_vi", None)
        if message:
            return _fail(message)
        raise


def run_app(args) -> int:
    from tui.services import build_services, setup_logging
    settings = _settings(args, printer_uri=args.printer, central_url=args.central)
    setup_logging()
    from tui.app import MotcuaApp
    app = MotcuaApp(loader=lambda: build_services(settings))
    app.run()
    return 0


def cmd_catalogue(args) -> int:
    from core.catalogue_io import CatalogueError, dumps_csv, dumps_json, loads_csv, loads_json
    from tui.services import build_services
    services = build_services(_settings(args), seed_demo=0)
    is_csv = args.file.suffix.lower() == ".csv"
    if args.action == "export":
        procs = services.catalogue.current()
        # newline="": the CSV carries its own CRLF line ends; keep them byte-exact.
        with args.file.open("w", encoding="utf-8", newline="") as f:
            f.write(dumps_csv(procs) if is_csv else dumps_json(procs))
        print(f"Đã xuất {len(procs)} thủ tục ra {args.file}.")
        return 0
    try:
        with args.file.open(encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except OSError as exc:
        return _fail(f"Không đọc được tệp {args.file}: {exc.strerror}.")
    try:
        procs = loads_csv(text) if is_csv else loads_json(text)
    except CatalogueError as exc:
        return _fail(f"Tệp {args.file} có lỗi, chưa nhập gì: {exc}")
    report = services.catalogue.import_procedures(procs)
    print(f"Đã nhập: {report.added} thủ tục mới, {report.new_versions} phiên bản mới, "
          f"{report.unchanged} không đổi.")
    return 0


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"Ngày «{text}» không đúng dạng YYYY-MM-DD.") from None


def cmd_calendar(args) -> int:
    from core.calendar import Override, OverrideKind
    from core.catalogue import Term, TermUnit
    from tui.services import build_services
    services = build_services(_settings(args), seed_demo=0)
    if args.action == "set":
        services.calendar_repo.put(Override(_parse_day(args.day), OverrideKind(args.kind), args.name), by="cli")
        print(f"Đã lưu điều chỉnh ngày {_parse_day(args.day):%d/%m/%Y}.")
        return 0
    if args.action == "unset":
        services.calendar_repo.remove(_parse_day(args.day))
        print(f"Đã bỏ điều chỉnh ngày {_parse_day(args.day):%d/%m/%Y}.")
        return 0
    calendar = services.calendar()
    if args.action == "show":
        weekday = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
        kind_vi = {"day_off": "Nghỉ", "worked_day": "Làm bù"}
        source_vi = {"holidays": "gói holidays", "local": "điều chỉnh địa phương"}
        for info in calendar.special_days(args.year):
            print(f"{info.day:%d/%m/%Y}  {weekday[info.day.weekday()]:<8}  "
                  f"{kind_vi.get(info.kind, info.kind):<6}  {info.name}  [{source_vi.get(info.source, info.source)}]")
        return 0
    try:
        received = datetime.strptime(args.received.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        return _fail('Thời điểm nhận phải có dạng "YYYY-MM-DD HH:MM", ví dụ "2026-11-23 14:30".', 2)
    cutoff = None if args.cutoff is None else args.cutoff == "yes"
    if args.procedure:
        proc = services.catalogue.get(args.procedure)
        if proc is None:
            return _fail(f"Không có thủ tục mã {args.procedure} trong danh mục. "
                         "Nhập danh mục bằng «motcua catalogue import».", 2)
        term, applies = proc.term, proc.cutoff_applies if cutoff is None else cutoff
    elif args.same_day:
        term, applies = Term(0, TermUnit.SAME_DAY), True if cutoff is None else cutoff
    else:
        if args.days < 0:
            return _fail("Số ngày phải không âm.", 2)
        term, applies = Term(args.days, TermUnit.WORKING_DAYS), True if cutoff is None else cutoff
    due = calendar.due(received, term, applies)
    print(json.dumps({"due": due.isoformat()}) if args.json else f"{due:%H:%M %d/%m/%Y}")
    return 0


def cmd_demo(args) -> int:
    import time
    from db.seed import ensure_demo_setup, seed_dossiers
    from tui.services import build_services
    services = build_services(_settings(args), seed_demo=0)
    if services.accounts.needs_setup():
        ensure_demo_setup(services.engine, services.clock)
        services = build_services(_settings(args), seed_demo=0)
    started = time.perf_counter()
    n = seed_dossiers(services.engine, n=args.dossiers, days=args.days, clock=services.clock, hlc=services.hlc)
    print(f"Đã tạo {n} hồ sơ mẫu trong {time.perf_counter() - started:.1f} giây.")
    return 0


def cmd_db(args) -> int:
    from tui.services import build_services
    services = build_services(_settings(args), seed_demo=0)
    if args.action == "rebuild":
        n = services.dossiers.rebuild()
        print(f"Đã dựng lại {n} hồ sơ từ nhật ký sự kiện.")
    else:
        print("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    return 0


def cmd_account(args) -> int:
    from core.people import ROLE_VI, Role
    from tui.services import build_services
    services = build_services(_settings(args), seed_demo=0)
    if args.action == "list":
        for c in services.accounts.list():
            print(f"{c.username:<16} {ROLE_VI[c.role]:<20} {c.full_name}")
        return 0
    if services.accounts.needs_setup():
        return _fail("Chưa cài đặt cơ quan và quầy. Chạy «motcua» một lần để cài đặt lần đầu.", 2)
    password = getpass.getpass("Mật khẩu: ")
    if password != getpass.getpass("Nhập lại mật khẩu: "):
        return _fail("Hai lần nhập mật khẩu không khớp.", 2)
    try:
        clerk = services.accounts.create(args.username, password, args.name, Role(args.role))
    except ValueError as exc:
        return _fail(str(exc), 2)
    print(f"Đã tạo tài khoản {clerk.username} ({ROLE_VI[clerk.role]}).")
    return 0


def cmd_sync(args) -> int:
    from db.sync import CentralUnavailable
    from tui.services import build_services
    services = build_services(_settings(args, central_url=getattr(args, "central", None)), seed_demo=0)
    if services.sync is None:
        if services.accounts.needs_setup():
            return _fail("Chưa cài đặt cơ quan và quầy. Chạy «motcua» một lần để cài đặt lần đầu.", 2)
        return _fail("Chưa cấu hình máy chủ trung tâm: dùng --central URL, MOTCUA_CENTRAL "
                     "hoặc [central] url trong config.toml.", 2)
    try:
        report = services.sync.run_once()
    except CentralUnavailable as exc:
        waiting = services.sync.status().waiting
        return _fail(f"{exc.message_vi}\nCòn {waiting} sự kiện chờ gửi; dữ liệu trên máy này không thay đổi.", 3)
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
    from db.central import init_central
    password = None
    if args.desk_role:
        if not args.agency:
            return _fail("Cần --agency MÃ_CƠ_QUAN cho vai trò quầy.", 2)
        password = getpass.getpass(f"Mật khẩu cho vai trò {args.desk_role}: ")
    for line in init_central(to_db_url(args.db), desk_role=args.desk_role, desk_password=password,
                             agency_code=args.agency):
        print(line)
    return 0
