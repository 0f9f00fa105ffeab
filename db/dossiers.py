"""Dossiers: the append-only event log and its projection, written together.

Every change is an event plus the re-folded `dossier` row, in one transaction. The
projection is always what `core.lifecycle.fold` makes of the dossier's events in
(HLC, id) order, so `rebuild()` and any other desk reach the same rows.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.exc import IntegrityError

from core.catalogue_io import procedure_to_dict
from core.clock import Clock, HybridClock
from core.codes import format_dossier_code
from core.ids import new_id
from core.dossier_actions import Refused
from core.lifecycle import DossierState, Event, EventKind, apply, fold, start, transition_error
from core.people import Agency, Clerk, Desk
from core.receive import ReceiveDraft
from core.slips import Slip, slip_to_dict
from db.engine import read_conn, write_tx
from db.meta import KEY_DESK, get_meta, raise_hlc
from db.models import daily_sequence, dossier, event, print_job
from db.rows import (
    event_to_row, events_of, guard_duplicate_code, refold, row_to_event, row_to_state,
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
    slip: Slip | None
    print_job_id: str | None


@dataclass(frozen=True, slots=True)
class RecordResult:
    dossier: DossierState
    event: Event
    slip: Slip | None
    print_job_id: str | None


def queue_print(conn: Connection, dossier_id: str, slip: Slip, copies: int, printer_uri: str,
                now: datetime) -> str:
    """Queue `slip` in the caller's transaction: saved with the event, printed after."""
    job_id = new_id()
    conn.execute(print_job.insert().values(
        id=job_id, dossier_id=dossier_id, slip=dumps(slip_to_dict(slip)), copies=copies,
        printer_uri=printer_uri, status="queued", reason="", attempts=0, created_at=now, updated_at=now))
    return job_id


def receipt_payload_for(draft: ReceiveDraft, *, code: str, agency: Agency, desk: Desk, clerk: Clerk,
                        received_at: datetime, due_at: datetime) -> dict[str, Any]:
    a = draft.applicant
    applicant = {
        "full_name": a.full_name, "id_number": a.id_number,
        "birth_date": a.birth_date.isoformat() if a.birth_date else None, "sex": a.sex,
        "address": a.address, "phone": a.phone, "email": a.email,
    }
    if a.extra:
        applicant["extra"] = a.extra
    return {
        "code": code,
        "procedure": procedure_to_dict(draft.procedure),
        "applicant": applicant,
        "documents": [{"name": d.name, "form": str(d.form), "count": d.count} for d in draft.documents],
        "sets": draft.sets,
        "channel": int(draft.channel),
        "delivery": str(draft.delivery),
        "notes": draft.notes,
        "received_at": received_at.isoformat(),
        "due_at": due_at.isoformat(),
        "term": draft.procedure.term.label_vi(),
        # So a receipt can be reprinted anywhere, even where this clerk has no account.
        "agency_name": agency.name,
        "desk_number": desk.number,
        "clerk_name": clerk.full_name,
    }


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
        received_at: datetime, due_at: datetime, make_slip: Callable[[str], Slip] | None = None,
        copies: int = 1, printer_uri: str = "",
    ) -> ReceiveResult:
        day = received_at.date()
        with write_tx(self.engine) as conn:
            while True:
                seq = next_sequence(conn, agency.code, desk.number, day)
                code = format_dossier_code(agency.code, day, desk.number, seq)
                # A desk restored from an old backup may meet its own earlier codes again
                # (pulled back from the centre): skip them rather than fail.
                if conn.execute(select(dossier.c.id).where(dossier.c.code == code)).first() is None:
                    break
            payload = receipt_payload_for(draft, code=code, agency=agency, desk=desk, clerk=clerk,
                                          received_at=received_at, due_at=due_at)
            ev = Event(id=new_id(), dossier_id=new_id(), agency_code=agency.code,
                       desk_number=desk.number, clerk_id=clerk.id, hlc=self.hlc.stamp(),
                       wall_time=self.clock.now(), kind=EventKind.RECEIVED, payload=payload)
            state = start(ev)
            conn.execute(event.insert().values(**event_to_row(ev)))
            conn.execute(dossier.insert().values(**state_to_row(state)))
            slip, job_id = None, None
            if make_slip is not None:
                slip = make_slip(code)
                job_id = queue_print(conn, ev.dossier_id, slip, copies, printer_uri, self.clock.now())
            raise_hlc(conn, ev.hlc)
        return ReceiveResult(dossier=state, event=ev, slip=slip, print_job_id=job_id)

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

    def apply_events(self, events: builtins.list[Event], *, synced: bool = True) -> set[str]:
        """Insert the events not already here (by id), re-fold the dossiers they touch.

        Idempotent and order-free: applying a batch twice, or its parts in any order,
        gives the same log and projections. Events arriving from elsewhere are already on
        the central store, so they are stored as sent unless `synced=False`.
        """
        if not events:
            return set()
        with write_tx(self.engine) as conn:
            existing: set[str] = set()
            ids = list({e.id for e in events})
            for i in range(0, len(ids), 500):
                existing.update(conn.execute(select(event.c.id).where(event.c.id.in_(ids[i:i + 500]))).scalars())
            fresh: dict[str, Event] = {}
            for e in events:
                if e.id not in existing and e.id not in fresh:
                    fresh[e.id] = e
            if not fresh:
                return set()
            synced_at = self.clock.now() if synced else None
            conn.execute(insert_for(conn, event).on_conflict_do_nothing(index_elements=[event.c.id]),
                         [event_to_row(e, synced_at) for e in fresh.values()])
            affected = {e.dossier_id for e in fresh.values()}
            refold(conn, sorted(affected))
            top = max(e.hlc for e in fresh.values())
            raise_hlc(conn, top)
        self.hlc.observe(top)
        return affected

    def rebuild(self, page: int = 20000) -> int:
        """Throw the projection away and fold every dossier again from the event log."""
        count = 0
        with write_tx(self.engine) as conn:
            conn.execute(delete(dossier))
            after = ""
            while True:
                # Keyset pages in fold order; each page is read completely before writing,
                # so no cursor is open across the inserts and savepoints below.
                rows = conn.execute(select(event).where(event.c.dossier_id > after)
                                    .order_by(event.c.dossier_id, event.c.hlc, event.c.id)
                                    .limit(page)).all()
                if not rows:
                    break
                if len(rows) == page and rows[0].dossier_id != rows[-1].dossier_id:
                    last = rows[-1].dossier_id          # may be cut short: next page
                    rows = [r for r in rows if r.dossier_id != last]
                elif len(rows) == page:                 # one huge dossier: read it whole
                    rows = conn.execute(select(event).where(event.c.dossier_id == rows[0].dossier_id)
                                        .order_by(event.c.hlc, event.c.id)).all()
                grouped: dict[str, builtins.list[Event]] = {}
                for r in rows:
                    grouped.setdefault(r.dossier_id, []).append(row_to_event(r))
                batch = []
                for evs in grouped.values():
                    try:
                        batch.append(state_to_row(fold(evs)))
                    except ValueError:
                        pass            # no receipt yet: no projection
                self._insert_projections(conn, batch)
                count += len(batch)
                after = rows[-1].dossier_id
        return count

    @staticmethod
    def _insert_projections(conn: Connection, rows: builtins.list[dict]) -> None:
        if not rows:
            return
        try:
            with conn.begin_nested():
                conn.execute(dossier.insert(), rows)
        except IntegrityError:      # a duplicate code (see guard_duplicate_code): row by row
            for row in rows:
                conn.execute(dossier.insert().values(**guard_duplicate_code(conn, row)))

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

    def unsent_count(self) -> int:
        """Events not yet on the central store (for the sync status line)."""
        with read_conn(self.engine) as conn:
            return conn.execute(select(func.count()).select_from(event)
                                .where(event.c.synced_at.is_(None))).scalar_one()

    # -- helpers ---------------------------------------------------------------------------
    def _local_desk(self, conn: Connection, state: DossierState) -> int:
        if self._desk_number is None:
            value = get_meta(conn, KEY_DESK)
            if value is None:
                return state.desk_number
            self._desk_number = int(value)
        return self._desk_number
