"""What a form needs from the database: the dossier's events, its receipt, clerks' names,
and its place in the ledger book (see core.ledger for the numbering)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, and_, func, or_, select

from core.forms import FormContext
from core.ledger import ledger_book
from core.lifecycle import DossierState
from db.engine import read_conn
from db.models import account, dossier, event
from db.rows import row_to_event


def ledger_position(conn: Connection, agency_code: str, desk_number: int, at: datetime,
                    code: str = "") -> int:
    """Số thứ tự: 1 + the dossiers this desk received earlier in `at`'s year (by time, then
    code). For a dossier about to be received (no code yet) it is the next number."""
    year_start = datetime(at.year, 1, 1)
    earlier = dossier.c.received_at < at
    if code:
        earlier = or_(earlier, and_(dossier.c.received_at == at, dossier.c.code < code))
    q = (select(func.count()).select_from(dossier)
         .where(dossier.c.agency_code == agency_code, dossier.c.desk_number == desk_number,
                dossier.c.received_at >= year_start, earlier))
    return conn.execute(q).scalar_one() + 1


def next_ledger_number(engine: Engine, agency_code: str, desk_number: int,
                       at: datetime) -> tuple[str, str]:
    """(Quyển số, Số thứ tự) for a dossier this desk receives now."""
    with read_conn(engine) as conn:
        seq = ledger_position(conn, agency_code, desk_number, at)
    return ledger_book(desk_number, at.year), str(seq)


def form_context(engine: Engine, state: DossierState, *, qr_template: str = "",
                 place: str = "") -> FormContext:
    """Everything `core.forms` needs about `state`'s dossier beyond the state itself."""
    with read_conn(engine) as conn:
        rows = conn.execute(select(event).where(event.c.dossier_id == state.id)
                            .order_by(event.c.hlc, event.c.id)).all()
        events = [row_to_event(r) for r in rows]
        clerk_ids = sorted({e.clerk_id for e in events})
        names = dict(conn.execute(select(account.c.id, account.c.full_name)
                                  .where(account.c.id.in_(clerk_ids))).all()) if clerk_ids else {}
        seq = ledger_position(conn, state.agency_code, state.desk_number, state.received_at,
                              state.code)
    receipt = next((e.payload for e in events if str(e.kind) == "received"), {})
    if receipt.get("clerk_name") and state.received_by not in names:
        names[state.received_by] = receipt["clerk_name"]   # a clerk of another desk
    return FormContext(receipt=receipt, events=tuple(events), clerk_names=names,
                       qr_template=qr_template, place=place,
                       ledger_book=ledger_book(state.desk_number, state.received_at.year),
                       ledger_seq=str(seq))
