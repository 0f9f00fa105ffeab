"""What went wrong with the central store, in words a clerk can act on.

Every failure of the store or the link becomes `CentralUnavailable` whose `message_vi`
names what happened -- a refused login, a lock or statement timeout, a link lost in the
middle of a transfer, a centre that did not answer in time, a centre too old or too new --
and what to do. A refusal of one event (`refusal_reason`) is worded from the SQLSTATE and
the constraint's name only, never from the server's text, which can quote the row's
values (an address in a payload).
"""
from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, IntegrityError

from db.engine import DatabaseBusy

AFTER_VI = "Hồ sơ vẫn được lưu trên máy này và sẽ tự đồng bộ khi có mạng."


class CentralUnavailable(Exception):
    """The central store could not be reached or used; nothing local was lost.

    `message_vi` tells the clerk what happened and what to do; str() keeps the technical
    detail for the log (never personal data: no payloads, no passwords).
    """

    def __init__(self, message_vi: str, detail: str = ""):
        super().__init__(detail or message_vi)
        self.message_vi = message_vi


class DeskNumberTaken(CentralUnavailable):
    """Another desk (another UUID) already holds this desk number of the agency."""


def describe_url(url: str) -> str:
    """Where the store is, for messages: host:port/db or the SQLite path, no password."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.database or ":memory:"
    port = f":{u.port}" if u.port else ""
    return f"{u.host or 'localhost'}{port}/{u.database or ''}"


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None)


def is_row_error(exc: BaseException) -> bool:
    """A fault of the data in a statement (one bad row), not of the store or the link."""
    state = sqlstate(exc)
    if state:
        return state[:2] in ("22", "23")
    # SQLite: a constraint failure is the row's; "locked", "disk I/O", "no such table" not.
    # psycopg refuses some values before sending them (a NUL in text): DataError, no state.
    return isinstance(exc, (IntegrityError, DataError))


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", exc)
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:300]


def _constraint(exc: BaseException) -> str:
    orig = getattr(exc, "orig", exc)
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None) if diag is not None else None
    if name:
        return name
    text = str(orig)                 # SQLite names the columns: "UNIQUE constraint failed: event.x, ..."
    return "ix_event_agency_dossier_code" if "dossier_code" in text else ""


def refusal_reason(exc: BaseException) -> str:
    """Why the centre refused one event, without quoting any of its values."""
    state = sqlstate(exc) or ""
    if _constraint(exc) == "ix_event_agency_dossier_code":
        return ("Máy chủ trung tâm từ chối: mã hồ sơ này đã được một hồ sơ khác của cơ quan dùng "
                "(hai quầy trùng số quầy?). Báo quản trị kiểm tra số quầy của các máy.")
    if state.startswith("23") or isinstance(exc, IntegrityError):
        return f"Máy chủ trung tâm từ chối: vi phạm ràng buộc dữ liệu ({_constraint(exc) or state or 'SQLite'})."
    code = f" (mã lỗi {state})" if state else ""
    return f"Máy chủ trung tâm từ chối: nội dung sự kiện không hợp lệ{code}."


def unavailable(exc: BaseException, where: str, *, connected: bool, timed_out: float | None = None
                ) -> CentralUnavailable:
    """The Vietnamese message for a failure of the store or of the link."""
    if isinstance(exc, CentralUnavailable):
        return exc
    state = sqlstate(exc) or ""
    detail = f"{type(exc).__name__}[{state}]: {first_line(exc)}"
    low = detail.lower()
    if timed_out is not None:
        msg = (f"Máy chủ trung tâm ({where}) không phản hồi trong {timed_out:.0f} giây (đường truyền bị treo); "
               f"đã ngắt kết nối, lần sau sẽ thử lại. {AFTER_VI}")
    elif isinstance(exc, DatabaseBusy) or "locked" in low:
        msg = f"Máy chủ trung tâm ({where}) đang bận (tệp CSDL bị khóa); sẽ thử lại sau. {AFTER_VI}"
    elif state.startswith("28"):
        msg = (f"Máy chủ trung tâm ({where}) từ chối đăng nhập: sai tài khoản hoặc mật khẩu "
               f"của quầy. Báo quản trị kiểm tra cấu hình [central] url. {AFTER_VI}")
    elif state == "55P03":
        msg = (f"Máy chủ trung tâm ({where}): hết thời gian chờ khóa (lock timeout) — một phiên khác của "
               f"cơ quan đang giữ khóa đánh số. Sẽ thử lại sau. {AFTER_VI}")
    elif state == "57014":
        msg = (f"Máy chủ trung tâm ({where}): câu lệnh chạy quá thời gian cho phép (statement timeout); "
               f"sẽ thử lại sau. {AFTER_VI}")
    elif state == "25P03":
        msg = (f"Máy chủ trung tâm ({where}) đã ngắt phiên vì giao dịch chờ quá lâu; sẽ thử lại sau. "
               f"{AFTER_VI}")
    elif state == "42501" or state.startswith("3D") or state == "42P01":
        msg = (f"Tài khoản quầy chưa có quyền trên máy chủ trung tâm ({where}) hoặc CSDL chưa "
               f"được khởi tạo. Báo quản trị chạy «motcua central init». {AFTER_VI}")
    elif connected and (state.startswith(("57", "08")) or any(
            w in low for w in ("closed", "terminat", "consuming input", "lost", "reset", "eof", "broken"))):
        msg = f"Mất kết nối với máy chủ trung tâm ({where}) giữa chừng. {AFTER_VI}"
    elif connected:
        msg = f"Lỗi khi làm việc với máy chủ trung tâm ({where}): {state or type(exc).__name__}. {AFTER_VI}"
    elif "timeout" in low or "timed out" in low:
        msg = f"Không kết nối được máy chủ trung tâm ({where}): hết thời gian chờ kết nối. {AFTER_VI}"
    else:
        msg = f"Không kết nối được máy chủ trung tâm ({where}). {AFTER_VI}"
    return CentralUnavailable(msg, detail)
