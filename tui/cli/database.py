"""`motcua db upgrade|rebuild`: migrations and rebuilding the projection."""
from __future__ import annotations


from tui.cli.common import settings_from


def register(sub, common) -> None:
    db = sub.add_parser("db", help="cơ sở dữ liệu").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", parents=[common], help="áp dụng migration").set_defaults(handler=cmd_db)
    db.add_parser("rebuild", parents=[common], help="dựng lại bảng hồ sơ từ nhật ký sự kiện").set_defaults(handler=cmd_db)


def cmd_db(args) -> int:
    from tui.services import build_services
    services = build_services(settings_from(args), seed_demo=0)
    if args.action == "rebuild":
        n = services.dossiers.rebuild()
        print(f"Đã dựng lại {n} hồ sơ từ nhật ký sự kiện.")
    else:
        print("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    return 0
