"""`motcua demo seed`: demo dossiers in bulk."""
from __future__ import annotations


from tui.cli.common import settings_from


def register(sub, common) -> None:
    demo = sub.add_parser("demo", help="dữ liệu mẫu").add_subparsers(dest="action", required=True)
    seed = demo.add_parser("seed", parents=[common], help="tạo hồ sơ mẫu")
    seed.add_argument("--dossiers", type=int, required=True)
    seed.add_argument("--days", type=int, default=30)
    seed.set_defaults(handler=cmd_demo)


def cmd_demo(args) -> int:
    import time
    from db.demo.seed import ensure_demo_setup, seed_dossiers
    from tui.services import build_services
    services = build_services(settings_from(args), seed_demo=0)
    if services.accounts.needs_setup():
        ensure_demo_setup(services.engine, services.clock)
        services = build_services(settings_from(args), seed_demo=0)
    started = time.perf_counter()
    n = seed_dossiers(services.engine, n=args.dossiers, days=args.days, clock=services.clock, hlc=services.hlc)
    print(f"Đã tạo {n} hồ sơ mẫu trong {time.perf_counter() - started:.1f} giây.")
    return 0
