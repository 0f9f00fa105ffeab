"""Passwords: argon2id hashes and the password policy, with Vietnamese messages.

Only the hash is ever stored. `needs_rehash` lets the login path upgrade old hashes when
the hashing parameters are raised.
"""
from __future__ import annotations

import re

from functools import lru_cache

PASSWORD_MIN = 8
PASSWORD_MAX = 128
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")

@lru_cache(maxsize=2)
def _hasher(demo: bool = False):
    # argon2 is loaded on the first hash or check, not by every command that reads accounts.
    from argon2 import PasswordHasher
    if demo:
        # For the demo accounts only, whose passwords are printed on the login screen anyway:
        # cheap to make, so a first `motcua --demo` starts quickly; upgraded at their first login.
        return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    return PasswordHasher()    # argon2id, RFC 9106 low-memory profile


def hash_password(password: str, *, demo: bool = False) -> str:
    return _hasher(demo).hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    from argon2.exceptions import InvalidHashError
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def check_password_policy(password: str) -> str | None:
    """What is wrong with `password` (Vietnamese), or None if it is acceptable."""
    if len(password) < PASSWORD_MIN:
        return f"Mật khẩu phải có ít nhất {PASSWORD_MIN} ký tự."
    if len(password) > PASSWORD_MAX:
        return f"Mật khẩu dài tối đa {PASSWORD_MAX} ký tự."
    if password != password.strip():
        return "Mật khẩu không được bắt đầu hoặc kết thúc bằng dấu cách."
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        return "Mật khẩu phải có cả chữ và số."
    return None


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def check_username(username: str) -> str | None:
    """What is wrong with an (already normalised) username, or None."""
    if not USERNAME_RE.fullmatch(username):
        return ("Tên đăng nhập gồm 3–32 ký tự: chữ thường không dấu, số, dấu chấm, "
                "gạch dưới hoặc gạch ngang, bắt đầu bằng chữ hoặc số.")
    return None
