"""The desk's files on disk: private to the user, and checked before SQLite touches them.

Citizens' ID numbers and addresses live in the desk database, its WAL and the log, so what
motcua creates is private: directories 0700, files 0600 (SQLite gives the -wal and -shm
files the main file's mode). On Windows the modes mean little; the README says how to
restrict the folder with icacls.

`check_sqlite_path` runs before a SQLite file is opened, so a `--db` that names a
directory, a text file, or a file the user may not write ends with a Vietnamese message
and the file untouched -- not a traceback, and not a WAL file left next to someone's
document.
"""
from __future__ import annotations

import os
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseFileError(ValueError):
    """The path given as the desk database cannot be used; nothing was written to it."""

    def __init__(self, message_vi: str):
        super().__init__(message_vi)
        self.message_vi = message_vi


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; an existing directory is left as it is."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=0o700, exist_ok=True)
        _chmod(d, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty as 0600 unless it exists (never truncates)."""
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path
    os.close(fd)
    _chmod(path, 0o600)
    return path


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)         # the umask may have taken bits off; never adds any
    except OSError:
        pass


def check_sqlite_path(path: Path) -> None:
    """Raise DatabaseFileError if `path` cannot be this desk's SQLite database."""
    path = Path(path).expanduser()
    shown = str(path)
    if path.is_dir():
        raise DatabaseFileError(f"«{shown}» là một thư mục, không phải tệp CSDL. Chỉ định một tệp, "
                                f"ví dụ --db {path / 'motcua.sqlite'}.")
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise DatabaseFileError(f"Không mở được cơ sở dữ liệu: «{parent}» là một tệp, không phải thư mục.")
    if not path.exists():
        return
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError:
        raise DatabaseFileError(f"Không đọc được tệp CSDL «{shown}» (không có quyền đọc). "
                                f"Kiểm tra quyền của tệp hoặc chọn tệp khác.") from None
    if head and head != SQLITE_HEADER:
        raise DatabaseFileError(f"«{shown}» không phải tệp CSDL của motcua (không phải SQLite). Tệp không bị "
                                f"thay đổi; kiểm tra lại đường dẫn --db.")
    if not os.access(path, os.W_OK) or not os.access(parent, os.W_OK):
        raise DatabaseFileError(f"Tệp CSDL «{shown}» hoặc thư mục chứa nó chỉ cho phép đọc. motcua cần ghi "
                                f"vào đó; cấp quyền ghi hoặc sao chép tệp sang thư mục khác.")
