"""What every command shares: the common options, settings from args, failing in Vietnamese."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from tui.config import ConfigError, Settings, load_settings


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


def fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"Ngày «{text}» không đúng dạng YYYY-MM-DD.") from None
