"""Statistics at the centre: supervisor roles, the central projection, data freshness.

Supervisor roles (PostgreSQL; `motcua central init --supervisor-role NAME [--agency CODE]`)
---------------------------------------------------------------------------------------
- `motcua_supervisor`: a NOLOGIN group role with SELECT only: the dossier projection,
  events, agencies, desks, catalogue, holidays, meta, and of `account` only the id,
  agency and full name (never password hashes). No INSERT, UPDATE, DELETE anywhere;
  members also default to read-only transactions.
- One LOGIN role per supervisor, member of the group, NOSUPERUSER NOBYPASSRLS. The table
  `supervisor_role` maps it to an agency, or to NULL for the province.
- Row-level security on dossier, event, agency, desk and account for the group: a row is
  visible when `motcua_supervisor_scope(current_user)` is '*' (province) or equals the
  row's agency code. An unmapped role sees nothing.

The centre receives events only; `project_central` folds what arrived since its last run
into the centre's `dossier` table (run by the administrator, e.g. every few minutes),
keeping one cursor per agency because each agency's sequence numbers commit in order.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, Engine, select, text

from db.engine import write_tx
from db.meta import get_meta, set_meta
from db.models import agency as agency_t, event, supervisor_role
from db.rows import refold
from db.sql import insert_for

SUPERVISOR_GROUP = "motcua_supervisor"
_ROLE_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_READ = ("dossier", "event", "agency", "desk", "procedure_version", "holiday_override", "meta",
         "alembic_version")
_ACCOUNT_COLUMNS = "id, agency_code, full_name, role"
_BY_AGENCY = {"dossier": "agency_code", "event": "agency_code", "account": "agency_code",
              "desk": "agency_code", "agency": "code"}
_SCOPE_FUNCTION = """
CREATE OR REPLACE FUNCTION motcua_supervisor_scope(role_name name) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT COALESCE(agency_code, '*') FROM supervisor_role WHERE supervisor_role.role_name = $1
$$
"""
CURSOR_KEY = "stats_projection_seq:"


def setup_supervisor(engine: Engine, role: str, password: str | None, agency_code: str | None) -> list[str]:
    """Create or update a supervisor login role on a central PostgreSQL (idempotent).
    Returns what was done, one Vietnamese line each; ValueError for bad input."""
    if engine.dialect.name != "postgresql":
        return [f"Bỏ qua vai trò giám sát «{role}»: kho trung tâm SQLite không có vai trò; "
                "quyền đọc theo quyền của tệp."]
    if not _ROLE_RE.fullmatch(role) or role == SUPERVISOR_GROUP:
        raise ValueError("Tên vai trò giám sát chỉ gồm chữ thường không dấu, số và dấu gạch dưới "
                         "(ví dụ giam_sat_tinh_khe), tối đa 63 ký tự.")
    with write_tx(engine) as conn:
        lines = _setup_group(conn)
        lines += _setup_login(conn, role, password, agency_code)
    return lines


def _setup_group(conn: Connection) -> list[str]:
    conn.execute(text(f"DO $$ BEGIN CREATE ROLE {SUPERVISOR_GROUP} NOLOGIN; "
                      "EXCEPTION WHEN duplicate_object THEN NULL; END $$"))
    db = conn.execute(text("SELECT current_database()")).scalar_one()
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    q = conn.dialect.identifier_preparer.quote_identifier
    conn.execute(text(f"GRANT CONNECT ON DATABASE {q(db)} TO {SUPERVISOR_GROUP}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {q(schema)} TO {SUPERVISOR_GROUP}"))
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {q(schema)} FROM {SUPERVISOR_GROUP}"))
    conn.execute(text(f"GRANT SELECT ON {', '.join(_READ)} TO {SUPERVISOR_GROUP}"))
    conn.execute(text(f"GRANT SELECT ({_ACCOUNT_COLUMNS}) ON account TO {SUPERVISOR_GROUP}"))
    conn.execute(text(_SCOPE_FUNCTION))
    conn.execute(text("REVOKE ALL ON FUNCTION motcua_supervisor_scope(name) FROM PUBLIC"))
    conn.execute(text(f"GRANT EXECUTE ON FUNCTION motcua_supervisor_scope(name) TO {SUPERVISOR_GROUP}"))
    scope = "(SELECT motcua_supervisor_scope(current_user))"
    for table, column in _BY_AGENCY.items():
        conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        conn.execute(text(f"DROP POLICY IF EXISTS motcua_supervisor_read ON {table}"))
        conn.execute(text(f"CREATE POLICY motcua_supervisor_read ON {table} FOR SELECT TO {SUPERVISOR_GROUP} "
                          f"USING ({scope} = '*' OR {column} = {scope})"))
    return [f"Quyền của {SUPERVISOR_GROUP}: chỉ đọc hồ sơ, sự kiện, cơ quan, quầy, danh mục; "
            "bảo mật theo dòng (RLS) theo cơ quan."]


def _setup_login(conn: Connection, role: str, password: str | None, agency_code: str | None) -> list[str]:
    found = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                         {"r": role}).first()
    if found is not None and (found.rolsuper or found.rolbypassrls):
        raise ValueError(f"Vai trò «{role}» là quản trị (bỏ qua RLS); không dùng làm vai trò giám sát.")
    if found is None and not password:
        raise ValueError(f"Cần mật khẩu cho vai trò mới «{role}».")
    desk = conn.execute(text("SELECT 1 FROM desk_role WHERE role_name = :r"), {"r": role}).first()
    if desk is not None:
        raise ValueError(f"«{role}» đang là vai trò của quầy; chọn tên khác cho vai trò giám sát.")
    from psycopg import sql as psql           # DDL takes no bind parameters: compose it
    limits = psql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT")
    ddl = psql.SQL("{} {} {}").format(psql.SQL("CREATE ROLE" if found is None else "ALTER ROLE"),
                                      psql.Identifier(role), limits)
    if password:
        ddl = psql.SQL("{} PASSWORD {}").format(ddl, psql.Literal(password))
    with conn.connection.dbapi_connection.cursor() as cur:
        cur.execute(ddl)
        cur.execute(psql.SQL("GRANT {} TO {}").format(psql.Identifier(SUPERVISOR_GROUP), psql.Identifier(role)))
        cur.execute(psql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(psql.Identifier(role)))
    stmt = insert_for(conn, supervisor_role).values(role_name=role, agency_code=agency_code,
                                                    created_at=datetime.now().replace(microsecond=0))
    conn.execute(stmt.on_conflict_do_update(index_elements=[supervisor_role.c.role_name],
                                            set_={"agency_code": stmt.excluded.agency_code}))
    scope = f"cơ quan {agency_code}" if agency_code else "toàn tỉnh (mọi cơ quan)"
    made = "Đã tạo" if found is None else "Đã cập nhật"
    return [f"{made} vai trò giám sát «{role}»: chỉ đọc, thấy số liệu của {scope}."]


# -- the central projection -------------------------------------------------------------

def project_central(engine: Engine, *, batch: int = 2000) -> int:
    """Fold events that reached the centre since the last run into its `dossier` table.
    Returns the number of dossiers re-folded."""
    with engine.connect() as conn:
        agencies = [r[0] for r in conn.execute(select(event.c.agency_code).distinct())]
    done = 0
    for code in agencies:
        while True:
            with write_tx(engine) as conn:
                cursor = int(get_meta(conn, CURSOR_KEY + code) or 0)
                rows = conn.execute(select(event.c.dossier_id, event.c.seq)
                                    .where(event.c.agency_code == code, event.c.seq > cursor)
                                    .order_by(event.c.agency_code, event.c.seq).limit(batch)).all()
                if not rows:
                    break
                ids = list(dict.fromkeys(r.dossier_id for r in rows))
                refold(conn, ids)
                set_meta(conn, CURSOR_KEY + code, str(rows[-1].seq))
                done += len(ids)
    return done


# -- freshness ---------------------------------------------------------------------------

class DeskFreshness(NamedTuple):
    agency_code: str
    agency_name: str
    desk_number: int
    last_sync: datetime | None


_PAIRS = """
WITH RECURSIVE pairs(a, n) AS (
    SELECT * FROM (SELECT agency_code, desk_number FROM event WHERE seq IS NOT NULL
                   ORDER BY agency_code, desk_number LIMIT 1) AS first_pair
    UNION ALL
    SELECT (SELECT e.agency_code FROM event e WHERE (e.agency_code, e.desk_number) > (pairs.a, pairs.n)
            AND e.seq IS NOT NULL ORDER BY e.agency_code, e.desk_number LIMIT 1),
           (SELECT e.desk_number FROM event e WHERE (e.agency_code, e.desk_number) > (pairs.a, pairs.n)
            AND e.seq IS NOT NULL ORDER BY e.agency_code, e.desk_number LIMIT 1)
    FROM pairs WHERE pairs.a IS NOT NULL
)
SELECT a, n, (SELECT MAX(e.synced_at) FROM event e WHERE e.agency_code = pairs.a AND e.desk_number = pairs.n
                                  AND e.seq IS NOT NULL)
FROM pairs WHERE a IS NOT NULL
"""


def freshness(engine: Engine) -> list[DeskFreshness]:
    """Each desk's last sync (its newest event's arrival at the centre), per agency the
    connection may see. A skip scan of ix_event_desk_synced: one probe per desk (every
    event at a centre is numbered; "seq IS NOT NULL" lets SQLite use its partial index)."""
    with engine.connect() as conn:
        rows = conn.execute(text(_PAIRS)).all()
        names = dict(conn.execute(select(agency_t.c.code, agency_t.c.name)).all())
    out = []
    for a, n, last in rows:
        if isinstance(last, str):
            last = datetime.fromisoformat(last)
        out.append(DeskFreshness(a, names.get(a, a), int(n), last))
    return out
