"""The local override table of the working-day calendar (edited by an admin)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, delete, select

from core.calendar import Override, OverrideKind
from db.engine import read_conn, write_tx
from db.models import holiday_override as ho
from db.sql import insert_for


class CalendarRepo:
    def __init__(self, engine: Engine, clock=None):
        self.engine = engine
        self.clock = clock

    def overrides(self) -> list[Override]:
        with read_conn(self.engine) as conn:
            rows = conn.execute(select(ho).order_by(ho.c.day)).all()
        return [Override(day=r.day, kind=OverrideKind(r.kind), name=r.name) for r in rows]

    def put(self, override: Override, by: str) -> None:
        """Add or replace the override for its day."""
        now = self.clock.now() if self.clock is not None else datetime.now().replace(microsecond=0)
        values = {"day": override.day, "kind": OverrideKind(override.kind).value,
                  "name": override.name, "created_by": by, "created_at": now}
        with write_tx(self.engine) as conn:
            stmt = insert_for(conn, ho).values(**values)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=[ho.c.day], set_={k: stmt.excluded[k] for k in values if k != "day"}))

    def remove(self, day: date) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(delete(ho).where(ho.c.day == day))
