"""What every command shares: the common options, settings from args, failing in Vietnamese,
and argparse speaking Vietnamese (usage, option headings, errors)."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from tui.config import ConfigError, Settings, load_settings

# argparse's own words (it looks them up through gettext; there is no Vietnamese catalogue
# for it, so the lookup is answered here).
ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "optional arguments": "tùy chọn",
    "subcommands": "lệnh",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "không hiểu tham số: %s (xem motcua --help)",
    "not allowed with argument %s": "không dùng được cùng với %s",
    "ignored explicit argument %r": "giá trị %r bị thừa",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s chưa rõ: có thể là %(matches)s",
    "unexpected option string: %s": "tùy chọn không đúng chỗ: %s",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ (cần kiểu %(type)s)",
    "invalid choice: %(value)r (choose from %(choices)s)": "không có lựa chọn %(value)r (chọn một trong: %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "không có lệnh %(parser_name)r (các lệnh: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
}


def _vi(message: str) -> str:
    return ARGPARSE_VI.get(message, message)


def _vi_plural(singular: str, plural: str, n: int) -> str:
    return _vi(singular if n == 1 else plural)


def vietnamese_argparse() -> None:
    """Answer argparse's gettext look-ups in Vietnamese (for this process's parsers)."""
    argparse._ = _vi                  # type: ignore[attr-defined]
    argparse.ngettext = _vi_plural    # type: ignore[attr-defined]


def common_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", default=argparse.SUPPRESS, help="cơ sở dữ liệu: đường dẫn SQLite hoặc URL")
    p.add_argument("--config", default=argparse.SUPPRESS, help="tệp cấu hình TOML")
    p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="dùng dữ liệu mẫu")
    return p


def settings_from(args, **extra) -> Settings:
    return load_settings(
        Path(args.config) if getattr(args, "config", None) else None,
        db_url=getattr(args, "db", None), demo=getattr(args, "demo", None) or None, **extra,
    )


def require_database(settings: Settings) -> None:
    """Commands that read a desk's data must not create an empty database by accident."""
    url = settings.resolved_db_url()
    if not url.startswith("sqlite:///"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        raise ConfigError(f"Không có cơ sở dữ liệu {path}. Kiểm tra --db / MOTCUA_DB, hoặc chạy "
                          "«motcua» để cài đặt lần đầu.")


def fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"Ngày «{text}» không đúng dạng YYYY-MM-DD.") from None
