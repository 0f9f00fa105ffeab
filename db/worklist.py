"""The morning work list and today's dossiers, counted and paged in SQL.

Each list is the `core.worklist` rule of the same name, written as one range over a
(status, column) index; counting every list on 200,000 dossiers reads only index ranges
(bench/bench_lifecycle.py).
"""
from __future__ import annotations

import heapq
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, and_, func, select

from core.lifecycle import DossierState
from core.worklist import Rule, WorkList
from db.engine import read_conn
from db.models import dossier
from db.rows import row_to_state


def _where(rule: Rule):
    parts = [dossier.c.status.in_([int(s) for s in rule.statuses])]
    if rule.no_apology:
        parts.append(dossier.c.apology_count == 0)
    if rule.column is not None:
        col = dossier.c[rule.column]
        parts.append(col.is_not(None))
        if rule.low is not None:
            parts.append(col >= rule.low)
        if rule.high is not None:
            parts.append(col < rule.high)
    return and_(*parts)


class WorkListRepo:
    def __init__(self, engine: Engine):
        self.engine = engine

    def counts(self, rules: dict[WorkList, Rule]) -> dict[WorkList, int]:
        with read_conn(self.engine) as conn:
            return {name: conn.execute(select(func.count()).select_from(dossier).where(_where(rule))).scalar_one()
                    for name, rule in rules.items()}

    def page(self, rule: Rule, offset: int = 0, limit: int = 100) -> list[DossierState]:
        """Rows `offset`..`offset + limit` of the list, oldest date first. A list over several
        statuses is read one status at a time (each an ordered index range, so no sort of
        the whole list) and merged."""
        column = rule.column or "received_at"
        order = (dossier.c[column], dossier.c.id)
        with read_conn(self.engine) as conn:
            if len(rule.statuses) == 1 or rule.column is None:
                q = select(dossier).where(_where(rule)).order_by(*order).offset(offset).limit(limit)
                return [row_to_state(r) for r in conn.execute(q)]
            runs = []
            for status in rule.statuses:
                q = (select(dossier).where(_where(replace(rule, statuses=(status,))))
                     .order_by(*order).limit(offset + limit))
                runs.append(conn.execute(q).all())
        merged = heapq.merge(*runs, key=lambda r: (getattr(r, column), r.id))
        return [row_to_state(r) for i, r in enumerate(merged) if offset <= i < offset + limit]

    # -- today's dossiers: the true count, and pages of it ---------------------------
    def received_count(self, start: datetime, end: datetime) -> int:
        with read_conn(self.engine) as conn:
            return conn.execute(select(func.count()).select_from(dossier).where(
                dossier.c.received_at >= start, dossier.c.received_at < end)).scalar_one()

    def received_page(self, start: datetime, end: datetime, offset: int = 0, limit: int = 100) -> list[DossierState]:
        with read_conn(self.engine) as conn:
            q = (select(dossier).where(dossier.c.received_at >= start, dossier.c.received_at < end)
                 .order_by(dossier.c.received_at.desc(), dossier.c.id.desc()).offset(offset).limit(limit))
            return [row_to_state(r) for r in conn.execute(q)]

    def listing(self, *, status: int | None = None, overdue_at: datetime | None = None,
                due_before: datetime | None = None, limit: int | None = None) -> list[DossierState]:
        """`motcua dossier list`: by status, overdue (open past its appointment), due before."""
        q = select(dossier)
        if status is not None:
            q = q.where(dossier.c.status == status)
        if overdue_at is not None:
            q = q.where(dossier.c.status.in_((2, 4)), dossier.c.due_at < overdue_at)
        if due_before is not None:
            q = q.where(dossier.c.due_at < due_before)
        q = q.order_by(dossier.c.due_at, dossier.c.id)
        if limit:
            q = q.limit(limit)
        with read_conn(self.engine) as conn:
            return [row_to_state(r) for r in conn.execute(q)]
