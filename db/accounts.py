"""Agency, desk and clerk accounts of this database, with argon2 passwords."""
from __future__ import annotations

import builtins
import uuid

from sqlalchemy import Engine, select, update

from core.accounts import (
    check_password_policy, check_username, hash_password, needs_rehash, normalize_username,
    verify_password,
)
from core.clock import Clock
from core.ids import new_id
from core.people import Agency, Clerk, Desk, Role
from db.engine import read_conn, write_tx
from db.meta import KEY_AGENCY, KEY_DESK, KEY_DESK_UUID, get_meta, set_meta
from db.models import account, agency as agency_t, desk as desk_t

# Verified against when the username is unknown, so a wrong name costs as much as a wrong
# password and the login time does not reveal which accounts exist.
_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("motcua-dummy-password-0")
    return _DUMMY_HASH


def _clerk(row) -> Clerk:
    return Clerk(id=row.id, username=row.username, full_name=row.full_name,
                 role=Role(row.role), agency_code=row.agency_code)


class AccountRepo:
    def __init__(self, engine: Engine, clock: Clock):
        self.engine = engine
        self.clock = clock

    # -- this desk ----------------------------------------------------------------------
    def needs_setup(self) -> bool:
        with read_conn(self.engine) as conn:
            return get_meta(conn, KEY_AGENCY) is None

    def agency(self) -> Agency | None:
        with read_conn(self.engine) as conn:
            code = get_meta(conn, KEY_AGENCY)
            if code is None:
                return None
            row = conn.execute(select(agency_t).where(agency_t.c.code == code)).first()
        return Agency(code=row.code, name=row.name) if row else None

    def desk(self) -> Desk | None:
        with read_conn(self.engine) as conn:
            code, number = get_meta(conn, KEY_AGENCY), get_meta(conn, KEY_DESK)
            if code is None or number is None:
                return None
            row = conn.execute(select(desk_t).where(
                desk_t.c.agency_code == code, desk_t.c.number == int(number))).first()
        return Desk(agency_code=row.agency_code, number=row.number, name=row.name) if row else None

    def setup(self, agency: Agency, desk: Desk, admin_username: str, admin_password: str,
              admin_full_name: str, *, demo: bool = False, desk_uuid: str | None = None) -> Clerk:
        """First run: the agency, this desk and its admin, all or nothing.

        `demo`: the published demo password, hashed cheaply (see core.accounts).
        `desk_uuid`: this desk's identity (made here when not given; the centre registers
        the desk number to it on the first sync).
        """
        username = self._validate(admin_username, admin_password, admin_full_name)
        if desk.agency_code != agency.code:
            raise ValueError("Quầy phải thuộc cơ quan đang cài đặt.")
        if not 1 <= desk.number <= 99:
            raise ValueError("Số quầy là số nguyên từ 1 đến 99.")
        password_hash = hash_password(admin_password, demo=demo)    # slow: outside the transaction
        now = self.clock.now()
        clerk_id = new_id()
        with write_tx(self.engine) as conn:
            if get_meta(conn, KEY_AGENCY) is not None:
                raise ValueError("Máy này đã được cài đặt cơ quan và quầy; không cài đặt lại.")
            if conn.execute(select(agency_t.c.code).where(agency_t.c.code == agency.code)).first() is None:
                conn.execute(agency_t.insert().values(code=agency.code, name=agency.name, created_at=now))
            if conn.execute(select(desk_t.c.number).where(
                    desk_t.c.agency_code == agency.code, desk_t.c.number == desk.number)).first() is None:
                conn.execute(desk_t.insert().values(agency_code=agency.code, number=desk.number,
                                                    name=desk.name, created_at=now))
            self._insert(conn, clerk_id, agency.code, username, password_hash,
                         admin_full_name.strip(), Role.ADMIN, now)
            set_meta(conn, KEY_AGENCY, agency.code)
            set_meta(conn, KEY_DESK, str(desk.number))
            set_meta(conn, KEY_DESK_UUID, desk_uuid or str(uuid.uuid4()))
        return Clerk(id=clerk_id, username=username, full_name=admin_full_name.strip(),
                     role=Role.ADMIN, agency_code=agency.code)

    # -- accounts -----------------------------------------------------------------------
    def create(self, username: str, password: str, full_name: str, role: Role, *,
               demo: bool = False) -> Clerk:
        username = self._validate(username, password, full_name)
        role = Role(role)
        password_hash = hash_password(password, demo=demo)
        now = self.clock.now()
        clerk_id = new_id()
        with write_tx(self.engine) as conn:
            code = get_meta(conn, KEY_AGENCY)
            if code is None:
                raise ValueError("Chưa cài đặt cơ quan và quầy; hãy cài đặt trước khi tạo tài khoản.")
            self._insert(conn, clerk_id, code, username, password_hash, full_name.strip(), role, now)
        return Clerk(id=clerk_id, username=username, full_name=full_name.strip(), role=role, agency_code=code)

    def authenticate(self, username: str, password: str) -> Clerk | None:
        username = normalize_username(username)
        with read_conn(self.engine) as conn:
            code = get_meta(conn, KEY_AGENCY)
            q = select(account).where(account.c.username == username, account.c.active.is_(True))
            if code is not None:
                q = q.where(account.c.agency_code == code)
            row = conn.execute(q).first()
        if row is None:
            verify_password(_dummy_hash(), password)
            return None
        if not verify_password(row.password_hash, password):
            return None
        if needs_rehash(row.password_hash):
            new_hash = hash_password(password)
            with write_tx(self.engine) as conn:
                conn.execute(update(account).where(account.c.id == row.id).values(password_hash=new_hash))
        return _clerk(row)

    def list(self) -> builtins.list[Clerk]:
        with read_conn(self.engine) as conn:
            code = get_meta(conn, KEY_AGENCY)
            q = select(account).order_by(account.c.username)
            if code is not None:
                q = q.where(account.c.agency_code == code)
            return [_clerk(r) for r in conn.execute(q)]

    def get(self, clerk_id: str) -> Clerk | None:
        with read_conn(self.engine) as conn:
            row = conn.execute(select(account).where(account.c.id == clerk_id)).first()
        return _clerk(row) if row else None

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _validate(username: str, password: str, full_name: str) -> str:
        username = normalize_username(username)
        problem = check_username(username) or check_password_policy(password)
        if problem:
            raise ValueError(problem)
        if not (full_name or "").strip():
            raise ValueError("Chưa nhập họ và tên.")
        return username

    @staticmethod
    def _insert(conn, clerk_id, agency_code, username, password_hash, full_name, role, now) -> None:
        taken = conn.execute(select(account.c.id).where(
            account.c.agency_code == agency_code, account.c.username == username)).first()
        if taken is not None:
            raise ValueError(f"Tên đăng nhập «{username}» đã có; chọn tên khác.")
        conn.execute(account.insert().values(
            id=clerk_id, agency_code=agency_code, username=username, password_hash=password_hash,
            full_name=full_name, role=Role(role).value, active=True, created_at=now))
