"""`motcua kiosk [--desk N]`: the citizen's rating screen, on the desk's database file."""
from __future__ import annotations

from tui.cli.common import fail, settings_from


def register(sub, common) -> None:
    kiosk = sub.add_parser("kiosk", parents=[common],
                           help="màn hình đánh giá cho công dân (màn hình thứ hai)")
    kiosk.add_argument("--desk", type=int, default=None,
                       help="số quầy mà kiosk này phục vụ (mặc định: quầy của máy này)")
    kiosk.set_defaults(handler=cmd_kiosk)


def cmd_kiosk(args) -> int:
    from tui.kiosk import KioskSetupError, build_kiosk
    from tui.kiosk.app import KioskApp
    from tui.services import setup_logging
    settings = settings_from(args)
    setup_logging()
    try:
        services = build_kiosk(settings, desk=args.desk)
    except KioskSetupError as exc:
        return fail(exc.message_vi, 2)
    KioskApp(services).run()
    return 0
