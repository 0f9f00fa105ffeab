"""`motcua db upgrade|rebuild`: migrations and rebuilding the projection."""
from __future__ import annotations

import sys
import time

from tui.cli.common import settings_from


def register(sub, common) -> None:
    db = sub.add_parser("db", help="cơ sở dữ liệu").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", parents=[common], help="áp dụng migration").set_defaults(handler=cmd_db)
    db.add_parser("rebuild", parents=[common], help="dựng lại bảng hồ sơ từ nhật ký sự kiện").set_defaults(handler=cmd_db)


def _peak_mb() -> float | None:
    try:
        import resource
    except ImportError:                 # Windows: no resource module
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def cmd_db(args) -> int:
    from tui.services import build_services
    services = build_services(settings_from(args), seed_demo=0)
    if args.action != "rebuild":
        print("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
        return 0
    started = time.monotonic()
    shown = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - shown[0] >= 0.5 or done >= total:
            shown[0] = now
            percent = 100 * done / total if total else 100
            print(f"\rĐang dựng lại: {_vi(done)} / {_vi(total)} sự kiện ({percent:.0f}%)",
                  end="", file=sys.stderr, flush=True)

    n = services.dossiers.rebuild(progress=progress)
    print(file=sys.stderr)
    peak = _peak_mb()
    memory = f", bộ nhớ cao nhất {peak:.0f} MB" if peak is not None else ""
    print(f"Đã dựng lại {_vi(n)} hồ sơ từ nhật ký sự kiện trong "
          f"{time.monotonic() - started:.1f} giây{memory}.")
    return 0


def _vi(n: int) -> str:
    return f"{n:,}".replace(",", ".")
