"""Settings: one model from built-in defaults, the TOML file, `MOTCUA_*` variables and flags.

Precedence, lowest first: defaults, the TOML file, environment, command line. Everything is
validated once, before any screen or command runs: every unknown key and every bad value is
collected and reported together, in Vietnamese, with where it came from (file and key,
variable, or flag), and the program does not start (see `load_settings`).

pydantic-settings was measured for this (bench/bench_startup.py, README "Settings"): its
import alone costs about as much as Textual's app module and pushed the start-up ratio past
its 1.5 budget, so the model is a frozen dataclass with explicit parsers below.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any, Callable, Mapping

import platformdirs

APP_NAME = "motcua"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def to_db_url(value: str) -> str:
    """Accept a plain file path as well as an SQLAlchemy URL."""
    if "://" in value:
        return value
    return _sqlite_url(Path(value).expanduser().resolve())


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

    def resolved_central_url(self) -> str:
        return to_db_url(self.central_url) if self.central_url else ""

    def resolved_printer_uri(self) -> str:
        """The configured printer; "" when none was chosen (jobs then wait in the queue,
        "chưa cấu hình máy in"): `dummy:` only when asked for. Demo: preview PNG files."""
        if self.printer_uri:
            return self.printer_uri
        return f"preview://{data_dir() / 'preview'}" if self.demo else ""

    def rating_config(self):
        from core.ratings import rating_config
        return rating_config(self.kiosk)

    def office_hours(self):
        from core.calendar import OfficeHours
        return OfficeHours(sessions=_sessions(self.office_sessions), cutoff=_hm(self.cutoff),
                           closing=_hm(self.closing))


# -- parsers: value as found (TOML value or text) -> typed value, or ValueError (Vietnamese) --

_TRUE = ("1", "true", "yes", "on", "có", "co")
_FALSE = ("0", "false", "no", "off", "không", "khong")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"phải là một chuỗi trong ngoặc kép, không phải {value!r}")
    return value.strip()


def _integer(lo: int, hi: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(f"phải là số nguyên từ {lo} đến {hi}, không phải {value!r}")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(f"phải là số nguyên từ {lo} đến {hi}, không phải «{value}»") from None
        if not lo <= number <= hi:
            raise ValueError(f"phải từ {lo} đến {hi}, không phải {number}")
        return number
    return parse


def _seconds(lo: float, hi: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"phải là số giây từ {lo:g} đến {hi:g}, không phải {value!r}")
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(f"phải là số giây (ví dụ 5 hoặc 2.5), không phải «{value}»") from None
        if not lo <= number <= hi:
            raise ValueError(f"phải từ {lo:g} đến {hi:g} giây, không phải {number:g}")
        return number
    return parse


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"phải là true hoặc false (có/không), không phải «{value}»")


def _choice(*options: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value).lower()
        if text not in options:
            raise ValueError(f"phải là một trong: {', '.join(options)} — không phải «{value}»")
        return text
    return parse


def _paper(value: Any) -> int:
    number = _integer(0, 1000)(value)
    if number not in (58, 80):
        raise ValueError(f"khổ giấy là 58 hoặc 80 (mm), không phải {number}")
    return number


def _copies(value: Any) -> int:
    number = _integer(0, 100)(value)
    if number not in (1, 2):
        raise ValueError(f"số liên in là 1 hoặc 2, không phải {number}")
    return number


def _codepage(value: Any) -> str:
    """Code page names are matched without regard to case ("cp1258" is "CP1258")."""
    text = _text(value)
    if not text:
        return ""
    from printers.profile import CODEPAGES
    by_upper = {name.upper(): name for name in CODEPAGES}
    name = by_upper.get(text.upper())
    if name is None:
        raise ValueError(f"không biết bảng mã «{text}»; tiếng Việt dùng CP1258 hoặc TCVN-3-1, "
                         "để trống khi in ảnh (raster)")
    return name


def _printer_uri(value: Any) -> str:
    text = _text(value)
    if text:
        from printers.transports import parse_printer_uri
        parse_printer_uri(text)          # its ValueError already says what is accepted
    return text


_DB_SCHEME = re.compile(r"^(sqlite|postgresql|postgres)(\+[a-z0-9_]+)?://", re.IGNORECASE)


def _db_location(value: Any) -> str:
    """A plain path or an SQLAlchemy URL (SQLite or PostgreSQL)."""
    text = _text(value)
    if not text or "://" not in text:
        return text
    if not _DB_SCHEME.match(text):
        raise ValueError(f"«{text}» không phải đường dẫn tệp hay URL cơ sở dữ liệu; dùng đường dẫn "
                         "(ví dụ /srv/motcua.sqlite), sqlite:///ĐƯỜNG_DẪN hoặc postgresql://NGƯỜI_DÙNG@MÁY/CSDL")
    rest = text.split("://", 1)[1]
    if text.lower().startswith("postgres") and not rest.split("?", 1)[0].strip("/"):
        raise ValueError(f"URL PostgreSQL «{text}» thiếu tên máy chủ và CSDL "
                         "(ví dụ postgresql://quay@trungtam.example.vn/motcua)")
    return text


def _qr_template(value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        filled = text.format(code="000.00.00.H00-260101-01001")
    except (KeyError, IndexError, ValueError):
        raise ValueError("mẫu QR chỉ được chứa một chỗ trống {code}, ví dụ "
                         "https://dichvucong.example.vn/tra-cuu?ma={code}") from None
    if filled == text:
        raise ValueError("mẫu QR phải có chỗ trống {code} cho mã hồ sơ")
    return text

def _hm(text: str) -> time:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if m is None:
        raise ValueError(f"giờ phải có dạng HH:MM (ví dụ 15:00), không phải «{text}»")
    try:
        return time(int(m.group(1)), int(m.group(2)))
    except ValueError:
        raise ValueError(f"«{text.strip()}» không phải giờ có thật (00:00 đến 23:59)") from None


def _sessions(text: str) -> tuple[tuple[time, time], ...]:
    sessions = []
    for part in text.split(","):
        if part.count("-") != 1:
            raise ValueError(f"giờ làm việc có dạng 07:00-11:30,13:30-17:00, không phải «{text}»")
        start, end = (_hm(t) for t in part.split("-"))
        if not start < end or (sessions and not sessions[-1][1] <= start):
            raise ValueError(f"các buổi làm việc phải theo thứ tự và không chồng nhau: «{text}»")
        sessions.append((start, end))
    return tuple(sessions)


def _office(value: Any) -> str:
    text = _text(value)
    _sessions(text)
    return text


def _clock_time(value: Any) -> str:
    text = _text(value)
    _hm(text)
    return text


# name: (parser, TOML section, TOML key, environment variable, flag)
_FIELDS: dict[str, tuple[Callable[[Any], Any], str, str, str, str]] = {
    "db_url": (_db_location, "database", "url", "MOTCUA_DB", "--db"),
    "db_busy_timeout_ms": (_integer(0, 600_000), "database", "busy_timeout_ms", "MOTCUA_DB_BUSY_TIMEOUT_MS", ""),
    "printer_uri": (_printer_uri, "printer", "uri", "MOTCUA_PRINTER", "--printer"),
    "paper_mm": (_paper, "printer", "paper_mm", "MOTCUA_PAPER_MM", ""),
    "print_mode": (_choice("raster", "text"), "printer", "mode", "MOTCUA_PRINT_MODE", ""),
    "codepage": (_codepage, "printer", "codepage", "MOTCUA_CODEPAGE", ""),
    "native_qr": (_boolean, "printer", "native_qr", "MOTCUA_NATIVE_QR", ""),
    "copies": (_copies, "printer", "copies", "MOTCUA_COPIES", ""),
    "print_timeout": (_seconds(0.5, 120), "printer", "timeout", "MOTCUA_PRINT_TIMEOUT", ""),
    "qr_template": (_qr_template, "printer", "qr_template", "MOTCUA_QR_TEMPLATE", ""),
    "central_url": (_db_location, "central", "url", "MOTCUA_CENTRAL", "--central"),
    "sync_interval": (_integer(5, 86_400), "central", "sync_interval", "MOTCUA_SYNC_INTERVAL", ""),
    "office_sessions": (_office, "calendar", "office_hours", "MOTCUA_OFFICE_HOURS", ""),
    "cutoff": (_clock_time, "calendar", "cutoff", "MOTCUA_CUTOFF", ""),
    "closing": (_clock_time, "calendar", "closing", "MOTCUA_CLOSING", ""),
    "demo": (_boolean, "", "", "", "--demo"),
    "supplement_mode": (_choice("restart", "pause"), "lifecycle", "supplement_mode", "MOTCUA_SUPPLEMENT_MODE", ""),
    "supplement_days": (_integer(1, 365), "lifecycle", "supplement_days", "MOTCUA_SUPPLEMENT_DAYS", ""),
    "on_time_by": (_choice("date", "datetime"), "lifecycle", "on_time_by", "MOTCUA_ON_TIME_BY", ""),
    "stats_for_clerks": (_boolean, "stats", "for_clerks", "MOTCUA_STATS_FOR_CLERKS", ""),
}
_SECTIONS = sorted({spec[1] for spec in _FIELDS.values() if spec[1]} | {"keys", "kiosk"})
# MOTCUA_* variables that are not settings but are read elsewhere (so not "unknown").
# The test and bench switches are here too: CI exports them around every `motcua` it runs.
OTHER_VARIABLES = {"MOTCUA_CONFIG", "MOTCUA_ADMIN_PASSWORD", "MOTCUA_TEST_PG", "MOTCUA_REQUIRE_PG",
                   "MOTCUA_REQUIRE_OCR", "MOTCUA_EMUPOS_PYTHON", "MOTCUA_EMUPOS_VENV",
                   "MOTCUA_BENCH_TAG", "MOTCUA_KIOSK_TIMEOUT", "MOTCUA_DESK_PASSWORD",
                   "MOTCUA_PASSWORD", "MOTCUA_SUPERVISOR_PASSWORD"}


@dataclass(frozen=True)
class Problem:
    source: str          # where the value came from, in Vietnamese
    message: str         # what is wrong and what is accepted

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class ConfigError(ValueError):
    """A setting or input the program cannot run with; the message is Vietnamese."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


def _settings_error(problems: list[Problem]) -> ConfigError:
    lines = [f"Cấu hình không hợp lệ ({len(problems)} lỗi); chương trình chưa chạy:"]
    lines += [f"  - {p}" for p in problems]
    lines.append("Sửa các giá trị trên (tệp cấu hình, biến môi trường hoặc tùy chọn) rồi chạy lại.")
    return ConfigError("\n".join(lines), tuple(problems))


def _read_toml(path: Path, problems: list[Problem]) -> dict:
    from tui.oserrors import describe_os_error
    where = f"tệp cấu hình {path}"
    if path.is_dir():
        problems.append(Problem(where, "là một thư mục; chỉ định một tệp .toml"))
        return {}
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(where, describe_os_error(exc)))
        return {}
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        problems.append(Problem(where, "đang lưu dạng UTF-16; lưu lại dạng UTF-8 (Notepad: Lưu thành… "
                                       "→ Mã hóa UTF-8)"))
        return {}
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        problems.append(Problem(where, "không phải văn bản UTF-8; lưu lại tệp dạng UTF-8"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(where, f"sai cú pháp TOML ({exc})"))
    return {}


def _from_file(doc: dict, path: Path, values: dict, problems: list[Problem]) -> None:
    by_place = {(s[1], s[2]): name for name, s in _FIELDS.items() if s[1]}
    for section, body in doc.items():
        where = f"tệp {path}, [{section}]"
        if section not in _SECTIONS:
            problems.append(Problem(where, "mục không có trong cấu hình của motcua "
                                           f"(các mục: {', '.join(f'[{s}]' for s in _SECTIONS)})"))
            continue
        if not isinstance(body, dict):
            problems.append(Problem(f"tệp {path}, {section}", f"phải là một mục [{section}]"))
            continue
        if section == "kiosk":          # checked as a whole by core.ratings.rating_config
            values["kiosk"] = dict(body)
            continue
        if section == "keys":
            for binding_id, key in body.items():
                if not isinstance(key, str) or not key.strip():
                    problems.append(Problem(f"{where} {binding_id}", "phải là tên phím, ví dụ \"ctrl+s\""))
                else:
                    values.setdefault("keys", {})[str(binding_id)] = key.strip()
            continue
        known = sorted(k for s, k in by_place if s == section)
        for key, value in body.items():
            name = by_place.get((section, key))
            if name is None:
                problems.append(Problem(f"{where} {key}", f"khóa không có trong mục này "
                                                          f"(các khóa: {', '.join(known)})"))
                continue
            _parse_into(name, value, f"{where} {key}", values, problems)


def _parse_into(name: str, value: Any, source: str, values: dict, problems: list[Problem]) -> None:
    try:
        values[name] = _FIELDS[name][0](value)
    except ValueError as exc:
        problems.append(Problem(source, str(exc)))


def load_settings(
    config_path: Path | None = None, env: Mapping[str, str] | None = None, **overrides
) -> Settings:
    """Defaults < file < environment < flags; raises ConfigError listing every problem."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    # A file named by --config must exist; MOTCUA_CONFIG may name one not written yet.
    path = config_path or Path(env.get("MOTCUA_CONFIG", "") or default_config_path())
    if config_path is not None and not path.exists():
        problems.append(Problem("tùy chọn --config", f"không có tệp cấu hình {path}"))
    elif path.exists():
        _from_file(_read_toml(path, problems), path, values, problems)
    variables = {spec[3]: name for name, spec in _FIELDS.items() if spec[3]}
    for var in sorted(k for k in env if k.startswith("MOTCUA_")):
        name = variables.get(var)
        if name is None:
            if var not in OTHER_VARIABLES:
                problems.append(Problem(f"biến môi trường {var}",
                                        "không phải biến của motcua (kiểm tra chính tả; các biến: "
                                        f"{', '.join(sorted(variables))})"))
        elif env[var] != "":
            _parse_into(name, env[var], f"biến môi trường {var}", values, problems)
    for name, value in overrides.items():
        if value is None:
            continue
        if name not in _FIELDS:
            raise TypeError(f"unknown setting {name!r}")
        flag = _FIELDS[name][4]
        _parse_into(name, value, f"tùy chọn {flag}" if flag else f"tùy chọn {name}", values, problems)
    if env.get("MOTCUA_KIOSK_TIMEOUT"):
        values["kiosk"] = {**values.get("kiosk", {}), "timeout": env["MOTCUA_KIOSK_TIMEOUT"]}
    if problems:
        raise _settings_error(problems)
    settings = replace(Settings(), **values)
    from core.ratings import RatingConfigError
    try:
        settings.rating_config()
    except RatingConfigError as exc:
        raise _settings_error([Problem("mục [kiosk]", str(exc))]) from exc
    return settings
