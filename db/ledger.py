"""The ledger's rows (form 07): the dossiers received in a period, with what the ledger
shows of their receipt and later events, read in two queries whatever the period's size."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, select

from core.ledger import LEDGER_EVENT_KINDS, LedgerEntry, ledger_entry
from db.engine import read_conn
from db.models import dossier, event
from db.sql import loads

_DOSSIER_COLUMNS = (dossier.c.id, dossier.c.code, dossier.c.procedure_code, dossier.c.procedure_name,
                    dossier.c.applicant_name, dossier.c.applicant_phone, dossier.c.status,
                    dossier.c.received_at, dossier.c.original_due_at, dossier.c.resolved_at,
                    dossier.c.returned_at, dossier.c.conflicts)


def ledger_entries(engine: Engine, date_from: date, date_to: date, *,
                   desk_number: int | None = None) -> list[LedgerEntry]:
    """One entry per dossier received from `date_from` to `date_to` (both included), in
    order of receipt; only desk `desk_number`'s when given."""
    start = datetime.combine(date_from, time())
    end = datetime.combine(date_to + timedelta(days=1), time())
    where = [dossier.c.received_at >= start, dossier.c.received_at < end]
    if desk_number is not None:
        where.append(dossier.c.desk_number == desk_number)
    with read_conn(engine) as conn:
        rows = conn.execute(select(*_DOSSIER_COLUMNS).where(*where)
                            .order_by(dossier.c.received_at, dossier.c.code)).all()
        evs = conn.execute(
            select(event.c.dossier_id, event.c.kind, event.c.payload)
            .join(dossier, dossier.c.id == event.c.dossier_id)
            .where(*where, event.c.kind.in_(LEDGER_EVENT_KINDS))
            .order_by(event.c.dossier_id, event.c.hlc, event.c.id)).all()
    receipts: dict[str, dict] = {}
    later: dict[str, list] = {}
    for dossier_id, kind, payload in evs:
        if kind == "received":
            receipts.setdefault(dossier_id, loads(payload) or {})
        else:
            later.setdefault(dossier_id, []).append((kind, loads(payload) or {}))
    out = []
    for r in rows:
        d = r._mapping
        fields = dict(d, conflicts=loads(d["conflicts"]) or ())
        out.append(ledger_entry(fields, receipts.get(r.id, {}), later.get(r.id, ())))
    return out
