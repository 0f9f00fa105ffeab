"""Accounts: first-run set-up, argon2 hashes, Vietnamese validation messages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts import check_password_policy
from core.people import Role
from db.accounts import AccountRepo
from db.models import account

from .conftest import AGENCY, DESK1


@pytest.fixture
def accounts(engine, clock):
    return AccountRepo(engine, clock)


def test_setup_once_then_authenticate(accounts, engine):
    assert accounts.needs_setup() and accounts.agency() is None and accounts.desk() is None
    admin = accounts.setup(AGENCY, DESK1, " Admin ", "matkhau2025", "Nguyễn Văn Quản")
    assert admin.role is Role.ADMIN and admin.username == "admin" and admin.agency_code == AGENCY.code
    assert not accounts.needs_setup()
    assert accounts.agency() == AGENCY and accounts.desk() == DESK1
    with engine.connect() as conn:
        stored = conn.execute(select(account.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "matkhau2025" not in stored
    assert accounts.authenticate("ADMIN", "matkhau2025") == admin
    assert accounts.authenticate("admin", "sai-mat-khau1") is None
    assert accounts.authenticate("khongco", "matkhau2025") is None
    with pytest.raises(ValueError, match="đã được cài đặt"):
        accounts.setup(AGENCY, DESK1, "admin2", "matkhau2025", "Người khác")
    assert [c.username for c in accounts.list()] == ["admin"]
    assert accounts.get(admin.id) == admin


def test_create_validates_in_vietnamese(accounts):
    with pytest.raises(ValueError, match="Chưa cài đặt"):
        accounts.create("canbo", "canbo123", "Trần Thị Mai", Role.CLERK)
    accounts.setup(AGENCY, DESK1, "admin", "admin123", "Nguyễn Văn Quản")
    clerk = accounts.create("canbo", "canbo123", "Trần Thị Mai", Role.CLERK)
    assert clerk.role is Role.CLERK
    with pytest.raises(ValueError, match="đã có"):
        accounts.create("CanBo", "canbo456", "Trần Thị Mai", Role.CLERK)
    with pytest.raises(ValueError, match="Tên đăng nhập"):
        accounts.create("cán bộ", "canbo123", "Trần Thị Mai", Role.CLERK)
    with pytest.raises(ValueError, match="ít nhất 8"):
        accounts.create("canbo2", "ab1", "Trần Thị Mai", Role.CLERK)
    with pytest.raises(ValueError, match="họ và tên"):
        accounts.create("canbo2", "canbo123", "  ", Role.CLERK)


def test_password_policy():
    assert check_password_policy("admin123") is None
    assert "chữ và số" in check_password_policy("abcdefghij")
    assert "chữ và số" in check_password_policy("1234567890")
    assert "dấu cách" in check_password_policy(" admin1234")


def test_old_hashes_are_upgraded_on_login(accounts, engine):
    from argon2 import PasswordHasher
    accounts.setup(AGENCY, DESK1, "admin", "admin123", "Nguyễn Văn Quản")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("admin123")
    with engine.begin() as conn:
        conn.execute(account.update().values(password_hash=weak))
    assert accounts.authenticate("admin", "admin123") is not None
    with engine.connect() as conn:
        assert conn.execute(select(account.c.password_hash)).scalar_one() != weak
