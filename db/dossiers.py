"""Dossiers: the append-only event log and its projection, written together.

Every change is an event plus the re-folded `dossier` row, in one transaction. The
projection is always what `core.lifecycle.fold` makes of the dossier's events in
(HLC, id) order, so `rebuild()` and any other desk reach the same rows.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import Connection, Engine, func, select

from core.clock import Clock, HybridClock
from core.codes import format_dossier_code
from core.ids import new_id
from core.dossier_actions import Refused
from core.lifecycle import DossierState, Event, EventKind, apply, fold, start, transition_error
from core.people import Agency, Clerk, Desk
from core.receive import ReceiveDraft, receipt_payload
from core.slips import Slip
from db.engine import read_conn, write_tx
from db.meta import KEY_DESK, get_meta, raise_hlc
from db.models import daily_sequence, dossier, event
from db.print_jobs import queue_print
from db.rows import (
    event_to_row, events_of, row_to_event, row_to_state,
    state_to_row, upsert_projection,
)
from db.search import search_dossiers
from db.sql import dumps, insert_for, loads

# The action does not fit the dossier's current state; `message_vi` says why.
TransitionError = Refused


class DossierNotFound(LookupError):
    message_vi = "Không tìm thấy hồ sơ."


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    dossier: DossierState
    event: Event


@dataclass(frozen=True, slots=True)
class RecordResult:
    dossier: DossierState
    event: Event
    slip: Slip | None
    print_job_id: str | None


def next_sequence(conn: Connection, agency_code: str, desk_number: int, day, count: int = 1) -> int:
    """Take the next `count` sequence numbers of (agency, desk, day); returns the last."""
    stmt = insert_for(conn, daily_sequence).values(
        agency_code=agency_code, desk_number=desk_number, day=day, last_seq=count)
    stmt = stmt.on_conflict_do_update(
        index_elements=[daily_sequence.c.agency_code, daily_sequence.c.desk_number, daily_sequence.c.day],
        set_={"last_seq": daily_sequence.c.last_seq + count},
    ).returning(daily_sequence.c.last_seq)
    return conn.execute(stmt).scalar_one()


class DossierRepo:
    def __init__(self, engine: Engine, hlc: HybridClock, clock: Clock):
        self.engine = engine
        self.hlc = hlc
        self.clock = clock
        self._desk_number: int | None = None

    # -- writing ---------------------------------------------------------------------------
    def receive(
        self, draft: ReceiveDraft, *, agency: Agency, desk: Desk, clerk: Clerk,
        received_at: datetime, due_at: datetime,
    ) -> ReceiveResult:
        """Issue the code and write the RECEIVED event and the projection, in one transaction.
        The receipt's print job is the print queue's (db/print_jobs.py), queued after."""
        day = received_at.date()
        with write_tx(self.engine) as conn:
            while True:
                seq = next_sequence(conn, agency.code, desk.number, day)
                code = format_dossier_code(agency.code, day, desk.number, seq)
                # A desk restored from an old backup may meet its own earlier codes again
                # (pulled back from the centre): skip them rather than fail.
                if conn.execute(select(dossier.c.id).where(dossier.c.code == code)).first() is None:
                    break
            payload = receipt_payload(draft, code=code, agency_name=agency.name, desk_number=desk.number,
                                      clerk_name=clerk.full_name, received_at=received_at, due_at=due_at)
            ev = Event(id=new_id(), dossier_id=new_id(), agency_code=agency.code,
                       desk_number=desk.number, clerk_id=clerk.id, hlc=self.hlc.stamp(),
                       wall_time=self.clock.now(), kind=EventKind.RECEIVED, payload=payload)
            state = start(ev)
            conn.execute(event.insert().values(**event_to_row(ev)))
            conn.execute(dossier.insert().values(**state_to_row(state)))
            raise_hlc(conn, ev.hlc)
        return ReceiveResult(dossier=state, event=ev)

    def record(self, dossier_id: str, kind: EventKind, payload: dict, clerk: Clerk) -> DossierState:
        """Record an event whose payload is already made, if its kind fits the state (the
        state-only rules of core.lifecycle); `act` is the clerk's path with every rule."""
        kind = EventKind(kind)

        def decide(state: DossierState) -> dict:
            problem = transition_error(state, kind, payload or {})
            if problem:
                raise TransitionError(problem)
            return payload or {}
        return self.act(dossier_id, kind, clerk, decide).dossier

    def act(
        self, dossier_id: str, kind: EventKind, clerk: Clerk, decide: Callable[[DossierState], dict],
        *, make_slip: Callable[[DossierState, Event], Slip | None] | None = None,
        copies: int = 1, printer_uri: str = "",
    ) -> RecordResult:
        """One action in one transaction: read the projection, let `decide` make the
        payload from it (or raise `TransitionError`: then nothing is written), write the
        event and the re-folded projection, and queue the slip `make_slip` gives, if any."""
        kind = EventKind(kind)
        with write_tx(self.engine) as conn:
            row = conn.execute(select(dossier).where(dossier.c.id == dossier_id)).first()
            if row is None:
                raise DossierNotFound(dossier_id)
            state = row_to_state(row)
            if kind is EventKind.RECEIVED:
                raise TransitionError(transition_error(state, kind))
            # Round-trip through JSON so the state made now equals the one a rebuild makes later.
            payload = loads(dumps(decide(state) or {}))
            ev = Event(id=new_id(), dossier_id=dossier_id, agency_code=state.agency_code,
                       desk_number=self._local_desk(conn, state), clerk_id=clerk.id,
                       hlc=self.hlc.stamp(), wall_time=self.clock.now(), kind=kind, payload=payload)
            conn.execute(event.insert().values(**event_to_row(ev)))
            if ev.hlc > state.last_hlc:
                new_state = apply(state, ev)          # the usual case: it sorts last
                # Only the columns the event changed: the others' indexes stay untouched.
                old_row, new_row = state_to_row(state), state_to_row(new_state)
                changed = {k: v for k, v in new_row.items() if old_row[k] != v}
                conn.execute(dossier.update().where(dossier.c.id == dossier_id).values(**changed))
            else:
                new_state = fold(events_of(conn, [dossier_id])[dossier_id])
                upsert_projection(conn, new_state)
            slip = job_id = None
            if make_slip is not None:
                slip = make_slip(new_state, ev)
                if slip is not None:
                    job_id = queue_print(conn, dossier_id, slip, copies, printer_uri, self.clock.now())
            raise_hlc(conn, ev.hlc)
        return RecordResult(dossier=new_state, event=ev, slip=slip, print_job_id=job_id)

    def rebuild(self, page: int = 20000, progress=None) -> int:
        """Throw the projection away and fold every dossier again from the event log
        (db/rebuild.py); `progress(events_done, events_total)` after every page."""
        from db.rebuild import rebuild_projection
        return rebuild_projection(self.engine, page=page, progress=progress)

    # -- reading ---------------------------------------------------------------------------
    def get(self, dossier_id: str) -> DossierState | None:
        with read_conn(self.engine) as conn:
            row = conn.execute(select(dossier).where(dossier.c.id == dossier_id)).first()
        return row_to_state(row) if row else None

    def by_code(self, code: str) -> DossierState | None:
        code = (code or "").strip()
        with read_conn(self.engine) as conn:
            row = conn.execute(select(dossier).where(dossier.c.code == code)).first()
        return row_to_state(row) if row else None

    def events(self, dossier_id: str) -> builtins.list[Event]:
        with read_conn(self.engine) as conn:
            q = select(event).where(event.c.dossier_id == dossier_id).order_by(event.c.hlc, event.c.id)
            return [row_to_event(r) for r in conn.execute(q)]

    def received_between(self, start: datetime, end: datetime, limit: int = 500) -> builtins.list[DossierState]:
        with read_conn(self.engine) as conn:
            q = (select(dossier).where(dossier.c.received_at >= start, dossier.c.received_at < end)
                 .order_by(dossier.c.received_at.desc()).limit(limit))
            return [row_to_state(r) for r in conn.execute(q)]

    def search(self, query: str, limit: int = 50) -> builtins.list[DossierState]:
        with read_conn(self.engine) as conn:
            return search_dossiers(conn, query, limit)

    def receipt_payload(self, dossier_id: str) -> dict:
        """The RECEIVED event's payload (core.receive.receipt_payload): what the receipt said."""
        with read_conn(self.engine) as conn:
            q = (select(event.c.payload).where(event.c.dossier_id == dossier_id,
                                               event.c.kind == EventKind.RECEIVED.value)
                 .order_by(event.c.hlc, event.c.id).limit(1))
            text = conn.execute(q).scalar_one_or_none()
        if text is None:
            raise DossierNotFound(dossier_id)
        return loads(text)

    def count(self) -> int:
        with read_conn(self.engine) as conn:
            return conn.execute(select(func.count()).select_from(dossier)).scalar_one()

    # -- helpers ---------------------------------------------------------------------------
    def _local_desk(self, conn: Connection, state: DossierState) -> int:
        if self._desk_number is None:
            value = get_meta(conn, KEY_DESK)
            if value is None:
                return state.desk_number
            self._desk_number = int(value)
        return self._desk_number
