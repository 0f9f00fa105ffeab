"""`motcua demo seed`: demo dossiers in bulk, for a chosen demo commune and desk number."""
from __future__ import annotations

from tui.cli.common import fail, settings_from

MAX_DAYS = 3650            # ten years of history is the most a demo needs


def register(sub, common) -> None:
    demo = sub.add_parser("demo", help="dữ liệu mẫu").add_subparsers(dest="action", required=True)
    seed = demo.add_parser("seed", parents=[common], help="tạo hồ sơ mẫu")
    seed.add_argument("--dossiers", type=int, required=True)
    seed.add_argument("--days", type=int, default=30)
    seed.add_argument("--agency-code", default=None, help="mã cơ quan mẫu (mặc định 000.21.53.H48)")
    seed.add_argument("--desk", type=int, default=None, help="số quầy của máy mẫu (1–99, mặc định 1)")
    seed.set_defaults(handler=cmd_demo)


def cmd_demo(args) -> int:
    import time
    from core.codes import validate_agency_code
    from db.demo.seed import ensure_demo_setup, seed_dossiers
    from tui.services import build_services
    if not 1 <= args.days <= MAX_DAYS:
        return fail(f"Số ngày (--days) phải từ 1 đến {MAX_DAYS}; đang là {args.days}.", 2)
    if args.dossiers < 0:
        return fail("Số hồ sơ (--dossiers) không được âm.", 2)
    desk = 1 if args.desk is None else args.desk
    if not 1 <= desk <= 99:
        return fail("Số quầy (--desk) là số nguyên từ 1 đến 99.", 2)
    code = None
    if args.agency_code is not None:
        try:
            code = validate_agency_code(args.agency_code)
        except ValueError as exc:
            return fail(str(exc), 2)
    services = build_services(settings_from(args), seed_demo=0)
    if services.accounts.needs_setup():
        ensure_demo_setup(services.engine, services.clock, agency_code=code, desk_number=desk)
        services = build_services(settings_from(args), seed_demo=0)
    else:
        here = services.accounts.desk()
        if here is not None and ((code and here.agency_code != code) or (args.desk and here.number != desk)):
            return fail(f"Tệp dữ liệu này đã cài đặt cơ quan {here.agency_code}, quầy {here.number}; "
                        f"dùng tệp khác (--db) cho cơ quan hoặc quầy khác.", 2)
    started = time.perf_counter()
    n = seed_dossiers(services.engine, n=args.dossiers, days=args.days, clock=services.clock, hlc=services.hlc)
    print(f"Đã tạo {n} hồ sơ mẫu trong {time.perf_counter() - started:.1f} giây.")
    return 0
