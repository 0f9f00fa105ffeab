"""What a form needs from the database: the dossier's events, its receipt, clerks' names,
and its place in the ledger book (see core.ledger for the numbering)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Callable

from sqlalchemy import Connection, Engine, and_, func, or_, select

from core.codes import parse_dossier_code

from core.forms import FormContext
from core.ledger import ledger_book
from core.lifecycle import DossierState
from db.engine import read_conn
from db.models import account, daily_sequence, dossier, event
from db.rows import row_to_event


def _codes_before(conn: Connection, agency_code: str, desk_number: int, day: date) -> int | None:
    """Codes desk `desk_number` issued in `day`'s year before `day`, from the desk's own
    daily counters; None when this database never counted for that desk on `day` (a
    dossier of another desk, pulled from the centre)."""
    year_start = date(day.year, 1, 1)
    key = (daily_sequence.c.agency_code == agency_code, daily_sequence.c.desk_number == desk_number)
    if conn.execute(select(daily_sequence.c.last_seq).where(*key, daily_sequence.c.day == day)).first() is None:
        return None
    return conn.execute(select(func.coalesce(func.sum(daily_sequence.c.last_seq), 0))
                        .where(*key, daily_sequence.c.day >= year_start,
                               daily_sequence.c.day < day)).scalar_one()


def ledger_position(conn: Connection, agency_code: str, desk_number: int, received_at: datetime,
                    code: str) -> int:
    """Số thứ tự of a received dossier: its place among the codes its desk issued that
    year. From the desk's daily counters (a few hundred rows at most) plus the code's own
    daily number; for another desk's dossier, by counting that desk's dossiers instead."""
    parsed = parse_dossier_code(code)
    if parsed.desk_number == desk_number:
        before = _codes_before(conn, agency_code, desk_number, parsed.day)
        if before is not None:
            return before + parsed.seq
    year_start = datetime(received_at.year, 1, 1)
    earlier = or_(dossier.c.received_at < received_at,
                  and_(dossier.c.received_at == received_at, dossier.c.code < code))
    q = (select(func.count()).select_from(dossier)
         .where(dossier.c.agency_code == agency_code, dossier.c.desk_number == desk_number,
                dossier.c.received_at >= year_start, earlier))
    return conn.execute(q).scalar_one() + 1


def ledger_numbering(engine: Engine, agency_code: str, desk_number: int,
                     at: datetime) -> tuple[str, Callable[[str], str]]:
    """For a dossier this desk receives at `at`: (Quyển số, code -> Số thứ tự). The days
    before are summed now; the day's own number comes from the code once it is issued."""
    with read_conn(engine) as conn:
        year_start = date(at.year, 1, 1)
        before = conn.execute(
            select(func.coalesce(func.sum(daily_sequence.c.last_seq), 0))
            .where(daily_sequence.c.agency_code == agency_code,
                   daily_sequence.c.desk_number == desk_number,
                   daily_sequence.c.day >= year_start, daily_sequence.c.day < at.date())).scalar_one()
    return ledger_book(desk_number, at.year), lambda code: str(before + parse_dossier_code(code).seq)


def form_context(engine: Engine, state: DossierState, *, qr_template: str = "",
                 place: str = "", on_time_by: str = "date") -> FormContext:
    """Everything `core.forms` needs about `state`'s dossier beyond the state itself."""
    with read_conn(engine) as conn:
        rows = conn.execute(select(event).where(event.c.dossier_id == state.id)
                            .order_by(event.c.hlc, event.c.id)).all()
        events = [row_to_event(r) for r in rows]
        # Every clerk of the agency (a handful): the clerk of an action being recorded now
        # signs its slip before the event is in the log.
        names = dict(conn.execute(select(account.c.id, account.c.full_name)
                                  .where(account.c.agency_code == state.agency_code)).all())
        seq = ledger_position(conn, state.agency_code, state.desk_number, state.received_at,
                              state.code)
    receipt = next((e.payload for e in events if str(e.kind) == "received"), {})
    if receipt.get("clerk_name") and state.received_by not in names:
        names[state.received_by] = receipt["clerk_name"]   # a clerk of another desk
    return FormContext(receipt=receipt, events=tuple(events), clerk_names=names,
                       qr_template=qr_template, place=place, on_time_by=on_time_by,
                       ledger_book=ledger_book(state.desk_number, state.received_at.year),
                       ledger_seq=str(seq))
