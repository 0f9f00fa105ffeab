"""Small key/value facts about this database: which agency and desk it belongs to, the
local HLC high-water mark, demo mode.

The HLC high-water mark is the largest stamp this database has issued or applied. The
composition root hands it to `HybridClock(..., last=...)` so that a restarted desk whose
wall clock went backwards still stamps after everything it has already written.
"""
from __future__ import annotations

from sqlalchemy import Connection, Engine, case, select

from db.engine import read_conn
from db.models import meta
from db.sql import insert_for

KEY_HLC = "hlc_high_water"
KEY_AGENCY = "local_agency_code"
KEY_DESK = "local_desk_number"
KEY_DEMO = "demo"
KEY_DESK_UUID = "local_desk_uuid"        # made at setup; the centre registers (agency, desk) -> it


def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: str) -> None:
    stmt = insert_for(conn, meta).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": stmt.excluded.value}))


def raise_hlc(conn: Connection, stamp: str) -> None:
    """Keep the high-water mark at the max of itself and `stamp` (HLC strings sort)."""
    stmt = insert_for(conn, meta).values(key=KEY_HLC, value=stamp)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[meta.c.key],
        set_={"value": case((meta.c.value < stmt.excluded.value, stmt.excluded.value), else_=meta.c.value)},
    ))


def last_local_hlc(engine: Engine) -> str | None:
    with read_conn(engine) as conn:
        return get_meta(conn, KEY_HLC)
