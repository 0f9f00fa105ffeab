"""The `motcua` command line: the app, and admin commands. Every message a user reads is
Vietnamese; the exit status says what happened.

Each command group lives in its own module with `register(sub, common)`, which adds its
subparsers and sets `handler` on each; `COMMANDS` lists them in help order. A new command
is a new module plus one entry here.
"""
from __future__ import annotations

import argparse
import logging

from tui.cli import (
    account, calendar, catalogue, database, demo, dossier, kiosk, ledger, printer, ratings, setup, slip, stats,
    sync,
)
from tui.cli.common import common_options, fail, settings_from, vietnamese_argparse
from tui.config import ConfigError

log = logging.getLogger("motcua.cli")

COMMANDS = (setup, printer, dossier, sync, catalogue, calendar, demo, database, account, slip, ledger, stats,
            kiosk, ratings)


def build_parser() -> argparse.ArgumentParser:
    vietnamese_argparse()
    common = common_options()
    parser = argparse.ArgumentParser(prog="motcua", parents=[common],
                                     description="Phần mềm tiếp nhận hồ sơ tại Bộ phận Một cửa.")
    parser.add_argument("--printer", default=None, help="máy in: usb://VID:PID, tcp://HOST:PORT, "
                        "serial://DEV?baud=N, file://PATH, cups://QUEUE, dummy:, preview://DIR")
    parser.add_argument("--central", default=None, help="máy chủ trung tâm: SQLite hoặc postgresql://…")
    parser.set_defaults(handler=run_app)
    sub = parser.add_subparsers(dest="command")
    for module in COMMANDS:
        module.register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ConfigError as exc:
        return fail(str(exc), 2)
    except KeyboardInterrupt:
        return 130
    except EOFError:
        return fail("Lệnh cần nhập từ bàn phím nhưng không có gì để đọc (chạy lệnh trong cửa sổ "
                    "dòng lệnh, hoặc chuyển dữ liệu vào qua đầu vào chuẩn).", 2)
    except OSError as exc:
        from tui.oserrors import describe_os_error
        return fail(f"Lỗi: {describe_os_error(exc)}.")
    except Exception as exc:
        message = getattr(exc, "message_vi", None)
        if message:
            return fail(message)
        # No traceback on screen: the type goes to the log (never the values: personal data).
        log.error("command %s failed: %s", getattr(args, "command", None), type(exc).__name__)
        return fail(f"Lỗi không mong đợi ({type(exc).__name__}); lệnh chưa hoàn tất. "
                    "Báo cho quản trị viên kèm tệp nhật ký motcua.log.")


def run_app(args) -> int:
    from tui.services import build_services, setup_logging
    settings = settings_from(args, printer_uri=args.printer, central_url=args.central)
    setup_logging()
    from tui.app import MotcuaApp
    app = MotcuaApp(loader=lambda: build_services(settings))
    app.run()
    return 0


