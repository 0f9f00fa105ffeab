"""Create or upgrade the central store (`motcua central init`), and on PostgreSQL the roles
desks connect as.

The schema is the desks' schema, made by the same Alembic migrations (db/migrate.py);
on PostgreSQL migration 0002 also adds the trigger that numbers events per agency. This
module adds what is not schema: the store's identity and, on PostgreSQL, roles, grants
and row-level security.

Role scheme (PostgreSQL)
------------------------
- `motcua_desk`: a NOLOGIN group role holding every grant a desk needs and nothing more:
  CONNECT on the database, USAGE on the schema; SELECT and INSERT on `event`; SELECT on
  `account`, `desk`, `agency`, `procedure_version`, `holiday_override`, `meta` and
  `alembic_version`. No UPDATE, DELETE or TRUNCATE anywhere, and no access to `desk_role`.
  INSERT on `event` covers only the columns a desk sends (not `seq`, not `dossier_code`).
  Event numbering runs in a SECURITY DEFINER trigger that locks its agency's row of
  `event_numbering` (migration 0003); the group has no right on that table or the sequence,
  so it can neither choose its own numbers nor hold any lock another agency's push waits
  for. Desk registration runs in `motcua_register_desk` (SECURITY DEFINER, own agency only).
  No CREATE on the schema.
- One LOGIN role per agency (e.g. `xa_tinh_khe`), member of `motcua_desk`, NOSUPERUSER,
  NOBYPASSRLS; every desk of the agency connects with it. The table `desk_role` maps the
  role name to the agency code; `motcua_agency_of(name)` (SECURITY DEFINER, so desks
  need no read right on the table) looks it up.
- Row-level security on `event` (read and insert), `account`, `desk` and `agency` (read):
  a row is visible or insertable only when its agency code is
  `motcua_agency_of(current_user)`. The policies apply to `motcua_desk` only; the owner
  (the administrator who ran `central init`) is not restricted. An unmapped role sees
  nothing and can insert nothing.
- Catalogue versions and holiday overrides are shared reference data: readable by every
  desk, written only by the administrator.

Everything is idempotent: running it again upgrades the schema, re-applies grants and
policies, and for an existing role updates the password (when one is given) and mapping.
A desk's URL then looks like
`postgresql://xa_tinh_khe:PASSWORD@central.example.vn:5432/motcua?sslmode=verify-full`.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import Connection, select, text
from sqlalchemy.engine import make_url

from db.engine import make_engine, write_tx
from db.meta import get_meta, set_meta
from db.migrate import HEAD, current_revision, upgrade
from db.models import desk_role as desk_role_t
from db.sql import insert_for
from db.sync.store import KEY_STORE_ID, describe_url

GROUP_ROLE = "motcua_desk"
_ROLE_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_READ_ONLY = ("account", "desk", "agency", "procedure_version", "holiday_override", "meta", "alembic_version")
_BY_AGENCY = {"event": "agency_code", "account": "agency_code", "desk": "agency_code", "agency": "code"}

# What a desk may write into `event`: not `seq` (numbered by the centre) nor `dossier_code`.
_INSERTABLE = ("id", "dossier_id", "agency_code", "desk_number", "clerk_id", "hlc", "wall_time", "kind",
               "payload", "synced_at")

# A desk registers (agency, desk number) -> its UUID on its first sync. SECURITY DEFINER: desks
# have no right on the table; a desk login may only register a number of its own agency.
# Returns the UUID holding the number (the caller's, or the desk that came first).
_REGISTER = """
CREATE OR REPLACE FUNCTION motcua_register_desk(p_agency text, p_number int, p_uuid text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET lock_timeout = '10s' AS $$
DECLARE
    mine text;
    holder text;
BEGIN
    SELECT agency_code INTO mine FROM desk_role WHERE role_name = session_user;
    IF mine IS DISTINCT FROM p_agency AND (mine IS NOT NULL OR (pg_has_role(session_user, 'motcua_desk', 'MEMBER')
            AND NOT (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user))) THEN
        RAISE EXCEPTION 'desk role may register only its own agency' USING ERRCODE = '42501';
    END IF;
    INSERT INTO desk_registration (agency_code, desk_number, desk_uuid, registered_at)
        VALUES (p_agency, p_number, p_uuid, localtimestamp(0)) ON CONFLICT DO NOTHING;
    SELECT desk_uuid INTO holder FROM desk_registration
        WHERE agency_code = p_agency AND desk_number = p_number;
    RETURN holder;
END
$$
"""

# Server-side limits on every desk login, so a desk that vanished (or misbehaves) mid-
# transaction is cut off by the centre itself; they only ever hurt the agency's own desks.
_ROLE_LIMITS = {"idle_in_transaction_session_timeout": "60s", "statement_timeout": "120s",
                "lock_timeout": "30s"}

_FUNCTION = """
CREATE OR REPLACE FUNCTION motcua_agency_of(role_name name) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT agency_code FROM desk_role WHERE desk_role.role_name = $1
$$
"""


def init_central(url: str, *, desk_role: str | None = None, desk_password: str | None = None,
                 agency_code: str | None = None) -> list[str]:
    """Create or upgrade the central schema; on PostgreSQL set up roles and RLS.
    Returns what was done, one Vietnamese line each. Raises ValueError for bad input."""
    if desk_role is not None and not agency_code:
        raise ValueError("Cần mã cơ quan (--agency) cho vai trò quầy.")
    if agency_code is not None:
        from core.codes import validate_agency_code
        agency_code = validate_agency_code(agency_code)
    lines: list[str] = []
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            before = current_revision(conn)
        upgrade(engine)
        where = describe_url(url)
        if before == HEAD:
            lines.append(f"Lược đồ CSDL trung tâm ({where}) đã ở phiên bản mới nhất ({HEAD}).")
        elif before is None:
            lines.append(f"Đã tạo lược đồ CSDL trung tâm ({where}), phiên bản {HEAD}.")
        else:
            lines.append(f"Đã nâng cấp lược đồ CSDL trung tâm ({where}) từ {before} lên {HEAD}.")
        with write_tx(engine) as conn:
            store_id = get_meta(conn, KEY_STORE_ID)
            if store_id is None:
                store_id = str(uuid.uuid4())
                set_meta(conn, KEY_STORE_ID, store_id)
        lines.append(f"Mã định danh kho trung tâm: {store_id}.")
        if engine.dialect.name != "postgresql":
            lines.append("Kho trung tâm SQLite: không có vai trò đăng nhập; quyền truy cập theo quyền của tệp.")
            if desk_role:
                lines.append(f"Bỏ qua vai trò «{desk_role}»: SQLite không có vai trò.")
            return lines
        with write_tx(engine) as conn:
            lines += _setup_group(conn)
            if desk_role:
                lines += _setup_desk_role(conn, desk_role, desk_password, agency_code)
        if desk_role:
            u = make_url(url)
            port = f":{u.port}" if u.port else ""
            lines.append(f"Chuỗi kết nối cho các quầy của cơ quan {agency_code}: postgresql://{desk_role}:"
                         f"MẬT_KHẨU@{u.host or 'MÁY_CHỦ'}{port}/{u.database}?sslmode=verify-full")
    finally:
        engine.dispose()
    return lines


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _setup_group(conn: Connection) -> list[str]:
    lines = []
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": GROUP_ROLE}).first()
    if exists is None:
        # Roles belong to the cluster; another database's init may race us to it.
        conn.execute(text(f"DO $$ BEGIN CREATE ROLE {GROUP_ROLE} NOLOGIN; "
                          f"EXCEPTION WHEN duplicate_object THEN NULL; END $$"))
        lines.append(f"Đã tạo vai trò nhóm {GROUP_ROLE} (không đăng nhập).")
    db = conn.execute(text("SELECT current_database()")).scalar_one()
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    conn.execute(text(f"GRANT CONNECT ON DATABASE {_q(conn, db)} TO {GROUP_ROLE}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {_q(conn, schema)} TO {GROUP_ROLE}"))
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {_q(conn, schema)} FROM {GROUP_ROLE}"))
    conn.execute(text(f"REVOKE CREATE ON SCHEMA {_q(conn, schema)} FROM PUBLIC"))
    conn.execute(text(f"GRANT SELECT ON event TO {GROUP_ROLE}"))
    conn.execute(text(f"GRANT INSERT ({', '.join(_INSERTABLE)}) ON event TO {GROUP_ROLE}"))
    conn.execute(text(f"GRANT SELECT ON {', '.join(_READ_ONLY)} TO {GROUP_ROLE}"))
    conn.execute(text(_FUNCTION))
    conn.execute(text("REVOKE ALL ON FUNCTION motcua_agency_of(name) FROM PUBLIC"))
    conn.execute(text(f"GRANT EXECUTE ON FUNCTION motcua_agency_of(name) TO {GROUP_ROLE}"))
    conn.execute(text(_REGISTER))
    conn.execute(text("REVOKE ALL ON FUNCTION motcua_register_desk(text, int, text) FROM PUBLIC"))
    conn.execute(text(f"GRANT EXECUTE ON FUNCTION motcua_register_desk(text, int, text) TO {GROUP_ROLE}"))
    mine = "(SELECT motcua_agency_of(current_user))"
    for table, column in _BY_AGENCY.items():
        conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        conn.execute(text(f"DROP POLICY IF EXISTS motcua_desk_read ON {table}"))
        conn.execute(text(f"CREATE POLICY motcua_desk_read ON {table} FOR SELECT TO {GROUP_ROLE} "
                          f"USING ({column} = {mine})"))
    conn.execute(text("DROP POLICY IF EXISTS motcua_desk_insert ON event"))
    conn.execute(text(f"CREATE POLICY motcua_desk_insert ON event FOR INSERT TO {GROUP_ROLE} "
                      f"WITH CHECK (agency_code = {mine})"))
    lines.append(f"Quyền của {GROUP_ROLE}: thêm và đọc sự kiện, đọc danh mục, ngày nghỉ, tài khoản; "
                 "không được sửa hay xóa bất cứ gì.")
    lines.append("Bảo mật theo dòng (RLS) theo cơ quan: event, account, desk, agency.")
    return lines


def _setup_desk_role(conn: Connection, role: str, password: str | None, agency_code: str) -> list[str]:
    if not _ROLE_RE.fullmatch(role):
        raise ValueError("Tên vai trò quầy chỉ gồm chữ thường không dấu, số và dấu gạch dưới "
                         "(ví dụ xa_tinh_khe), tối đa 63 ký tự.")
    if role == GROUP_ROLE:
        raise ValueError(f"Không dùng tên {GROUP_ROLE} cho vai trò đăng nhập.")
    found = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                         {"r": role}).first()
    if found is not None and (found.rolsuper or found.rolbypassrls):
        raise ValueError(f"Vai trò «{role}» là quản trị (bỏ qua RLS); không dùng làm vai trò quầy.")
    from psycopg import sql as psql           # DDL takes no bind parameters: compose it
    limits = psql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT")
    verb = psql.SQL("CREATE ROLE" if found is None else "ALTER ROLE")
    ddl = psql.SQL("{} {} {}").format(verb, psql.Identifier(role), limits)
    if password:
        ddl = psql.SQL("{} PASSWORD {}").format(ddl, psql.Literal(password))
    elif found is None:
        raise ValueError(f"Cần mật khẩu cho vai trò mới «{role}».")
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur:
        cur.execute(ddl)
        cur.execute(psql.SQL("GRANT {} TO {}").format(psql.Identifier(GROUP_ROLE), psql.Identifier(role)))
        for name, value in _ROLE_LIMITS.items():
            cur.execute(psql.SQL("ALTER ROLE {} SET {} = {}").format(
                psql.Identifier(role), psql.Identifier(name), psql.Literal(value)))
    if found is None:
        lines = [f"Đã tạo vai trò đăng nhập «{role}»."]
    else:
        lines = [f"Vai trò «{role}» đã có" + ("; đã đổi mật khẩu." if password else "; giữ mật khẩu cũ.")]
    previous = conn.execute(select(desk_role_t.c.agency_code).where(desk_role_t.c.role_name == role)
                            ).scalar_one_or_none()
    stmt = insert_for(conn, desk_role_t).values(role_name=role, agency_code=agency_code,
                                                created_at=datetime.now().replace(microsecond=0))
    conn.execute(stmt.on_conflict_do_update(index_elements=[desk_role_t.c.role_name],
                                            set_={"agency_code": stmt.excluded.agency_code}))
    if previous and previous != agency_code:
        lines.append(f"Đã chuyển vai trò «{role}» từ cơ quan {previous} sang {agency_code}.")
    else:
        lines.append(f"Vai trò «{role}» chỉ thấy và chỉ ghi được dữ liệu của cơ quan {agency_code}.")
    return lines


def release_desk(url: str, agency_code: str, desk_number: int) -> str:
    """Free a desk number (a desk replaced after a breakdown): the next desk to sync with that
    number claims it. Administrator only (desks have no right on the registry)."""
    from db.models import desk_registration
    engine = make_engine(url)
    try:
        with write_tx(engine) as conn:
            gone = conn.execute(desk_registration.delete().where(
                desk_registration.c.agency_code == agency_code,
                desk_registration.c.desk_number == desk_number)).rowcount
    finally:
        engine.dispose()
    if gone:
        return f"Đã giải phóng số quầy {desk_number} của cơ quan {agency_code}."
    return f"Số quầy {desk_number} của cơ quan {agency_code} chưa được máy nào đăng ký."
