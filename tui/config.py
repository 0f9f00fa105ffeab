"""Settings: one TOML file, every value overridable by `MOTCUA_*` variables and flags.

Precedence, lowest first: built-in defaults, the TOML file, environment, command line.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path

import platformdirs

APP_NAME = "motcua"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    db_url: str = ""                 # empty: the default file in the data directory
    db_busy_timeout_ms: int = 5000   # how long a write waits for a SQLite lock held elsewhere
    printer_uri: str = ""            # empty: preview:// in demo, else none (jobs wait in the queue)
    paper_mm: int = 80
    print_mode: str = "raster"       # raster | text
    codepage: str = ""               # for text mode, e.g. CP1258
    native_qr: bool = True
    copies: int = 2                  # one for the citizen, one for the file
    print_timeout: float = 5.0
    qr_template: str = ""            # e.g. https://dichvucong.example.vn/tra-cuu?ma={code}
    central_url: str = ""
    sync_interval: int = 60          # seconds
    office_sessions: str = "07:00-11:30,13:30-17:00"
    cutoff: str = "15:00"
    closing: str = "17:00"
    demo: bool = False
    supplement_mode: str = "restart"  # [lifecycle] restart | pause (see core.dossier_actions)
    supplement_days: int = 15        # working days a citizen has to supplement
    on_time_by: str = "date"         # date | datetime: how a result is judged on time
    stats_for_clerks: bool = True    # a clerk may open the statistics dashboard (F12)
    keys: dict[str, str] = field(default_factory=dict)   # binding id -> key(s)
    kiosk: dict = field(default_factory=dict)            # [kiosk] table: core.ratings.rating_config

    def resolved_db_url(self) -> str:
        if self.db_url:
            return to_db_url(self.db_url)
        name = "demo.sqlite" if self.demo else "motcua.sqlite"
        return _sqlite_url(data_dir() / name)

    def resolved_printer_uri(self) -> str:
        """The configured printer; "" when none was chosen (jobs then wait in the queue,
        "chưa cấu hình máy in"): `dummy:` only when asked for. Demo: preview PNG files."""
        if self.printer_uri:
            return self.printer_uri
        return f"preview://{data_dir() / 'preview'}" if self.demo else ""

    def office_hours(self):
        from core.calendar import OfficeHours
        sessions = []
        for part in self.office_sessions.split(","):
            start, end = part.strip().split("-")
            sessions.append((_hm(start), _hm(end)))
        return OfficeHours(sessions=tuple(sessions), cutoff=_hm(self.cutoff), closing=_hm(self.closing))

    def rating_config(self):
        from core.ratings import rating_config
        return rating_config(self.kiosk)


def _hm(text: str) -> time:
    h, m = text.strip().split(":")
    return time(int(h), int(m))


def to_db_url(value: str) -> str:
    """Accept a plain file path as well as an SQLAlchemy URL."""
    if "://" in value:
        return value
    return _sqlite_url(Path(value).expanduser().resolve())


_ENV = {
    "db_url": "MOTCUA_DB", "db_busy_timeout_ms": "MOTCUA_DB_BUSY_TIMEOUT_MS", "printer_uri": "MOTCUA_PRINTER", "paper_mm": "MOTCUA_PAPER_MM",
    "print_mode": "MOTCUA_PRINT_MODE", "codepage": "MOTCUA_CODEPAGE",
    "native_qr": "MOTCUA_NATIVE_QR", "copies": "MOTCUA_COPIES",
    "print_timeout": "MOTCUA_PRINT_TIMEOUT", "qr_template": "MOTCUA_QR_TEMPLATE",
    "central_url": "MOTCUA_CENTRAL", "sync_interval": "MOTCUA_SYNC_INTERVAL",
    "office_sessions": "MOTCUA_OFFICE_HOURS", "cutoff": "MOTCUA_CUTOFF", "closing": "MOTCUA_CLOSING",
    "supplement_mode": "MOTCUA_SUPPLEMENT_MODE", "supplement_days": "MOTCUA_SUPPLEMENT_DAYS",
    "on_time_by": "MOTCUA_ON_TIME_BY",
    "stats_for_clerks": "MOTCUA_STATS_FOR_CLERKS",
}

# TOML layout: [database] url, [printer] uri/paper_mm/mode/codepage/native_qr/copies/timeout/
# qr_template, [central] url/sync_interval, [calendar] office_hours/cutoff/closing, [keys].
_TOML = {
    ("database", "url"): "db_url", ("database", "busy_timeout_ms"): "db_busy_timeout_ms",
    ("printer", "uri"): "printer_uri",
    ("printer", "paper_mm"): "paper_mm", ("printer", "mode"): "print_mode",
    ("printer", "codepage"): "codepage", ("printer", "native_qr"): "native_qr",
    ("printer", "copies"): "copies", ("printer", "timeout"): "print_timeout",
    ("printer", "qr_template"): "qr_template", ("central", "url"): "central_url",
    ("central", "sync_interval"): "sync_interval", ("calendar", "office_hours"): "office_sessions",
    ("calendar", "cutoff"): "cutoff", ("calendar", "closing"): "closing",
    ("lifecycle", "supplement_mode"): "supplement_mode", ("lifecycle", "supplement_days"): "supplement_days",
    ("lifecycle", "on_time_by"): "on_time_by",
    ("stats", "for_clerks"): "stats_for_clerks",
}


class ConfigError(ValueError):
    pass


def _coerce(name: str, value):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            return str(value).strip().lower() in ("1", "true", "yes", "có", "co", "on")
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Giá trị cấu hình «{name}» không hợp lệ: {value!r}.") from exc


def _read_toml(path: Path) -> dict:
    """The config file as a dict, or a ConfigError that says what to do (issue 7)."""
    if path.is_dir():
        raise ConfigError(f"Tệp cấu hình {path} là một thư mục; chỉ định một tệp .toml.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp cấu hình {path} ({exc.strerror}).") from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ConfigError(f"Tệp cấu hình {path} đang lưu dạng UTF-16; lưu lại dạng UTF-8 (Notepad: "
                          f"Lưu thành… → Mã hóa UTF-8) rồi chạy lại.")
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"Tệp cấu hình {path} không phải văn bản UTF-8; lưu lại dạng UTF-8 rồi chạy lại.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Tệp cấu hình {path} bị lỗi cú pháp: {exc}. Sửa tệp rồi chạy lại.") from exc


def _check_toml_type(section: str, key: str, name: str, value) -> None:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    wanted = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}.get(kind)
    if wanted and (not isinstance(value, wanted) or (kind != "bool" and isinstance(value, bool))):
        words = {"str": "một chuỗi trong ngoặc kép", "int": "một số nguyên", "float": "một số",
                 "bool": "true hoặc false"}[kind]
        raise ConfigError(f"Cấu hình [{section}] {key} phải là {words}.")


def load_settings(
    config_path: Path | None = None, env: dict[str, str] | None = None, **overrides
) -> Settings:
    env = os.environ if env is None else env
    values: dict = {}
    path = config_path or Path(env.get("MOTCUA_CONFIG", "") or default_config_path())
    if path.exists():
        doc = _read_toml(path)
        for (section, key), name in _TOML.items():
            if key in doc.get(section, {}):
                _check_toml_type(section, key, name, doc[section][key])
                values[name] = _coerce(name, doc[section][key])
        if isinstance(doc.get("keys"), dict):
            values["keys"] = {str(k): str(v) for k, v in doc["keys"].items()}
        if isinstance(doc.get("kiosk"), dict):
            values["kiosk"] = dict(doc["kiosk"])
    for name, var in _ENV.items():
        if env.get(var):
            values[name] = _coerce(name, env[var])
    if env.get("MOTCUA_KIOSK_TIMEOUT"):
        values["kiosk"] = {**values.get("kiosk", {}), "timeout": env["MOTCUA_KIOSK_TIMEOUT"]}
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    settings = replace(Settings(), **values)
    if settings.copies not in (1, 2):
        raise ConfigError("Số liên in phải là 1 hoặc 2.")
    if settings.supplement_mode not in ("restart", "pause"):
        raise ConfigError("[lifecycle] supplement_mode phải là restart (tính lại từ đầu) hoặc pause (tạm dừng).")
    if not 1 <= settings.supplement_days <= 365:
        raise ConfigError("[lifecycle] supplement_days (hạn bổ sung, ngày làm việc) phải từ 1 đến 365.")
    if settings.on_time_by not in ("date", "datetime"):
        raise ConfigError("[lifecycle] on_time_by phải là date (so ngày) hoặc datetime (so ngày giờ).")
    if settings.paper_mm not in (58, 80):
        raise ConfigError("Khổ giấy phải là 58 hoặc 80 (mm).")
    try:
        settings.office_hours()
    except (ValueError, IndexError) as exc:
        raise ConfigError("Giờ làm việc phải có dạng 07:00-11:30,13:30-17:00; giờ chốt dạng 15:00.") from exc
    from core.ratings import RatingConfigError
    try:
        settings.rating_config()
    except RatingConfigError as exc:
        raise ConfigError(str(exc)) from exc
    return settings
