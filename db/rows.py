"""Conversions between table rows and core objects (events, dossier projections)."""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import Connection, select

from core.lifecycle import DossierState, Event, EventKind, Status, fold, state_fields
from core.stats import stored_fact_values
from core.text import fold as fold_text
from db.models import dossier, event
from db.search_index import search_keys
from db.sql import dumps, insert_for, loads


def event_to_row(e: Event, synced_at: datetime | None = None) -> dict[str, Any]:
    return {
        "id": e.id, "dossier_id": e.dossier_id, "agency_code": e.agency_code,
        "desk_number": e.desk_number, "clerk_id": e.clerk_id, "hlc": e.hlc,
        "wall_time": e.wall_time, "kind": EventKind(e.kind).value,
        "payload": dumps(e.payload), "synced_at": synced_at,
    }


def row_to_event(r: Any) -> Event:
    return Event(
        id=r.id, dossier_id=r.dossier_id, agency_code=r.agency_code, desk_number=r.desk_number,
        clerk_id=r.clerk_id, hlc=r.hlc, wall_time=r.wall_time, kind=EventKind(r.kind),
        payload=loads(r.payload) or {},
    )


def state_to_row(s: DossierState) -> dict[str, Any]:
    return fields_to_row(state_fields(s))


def fields_to_row(f: dict[str, Any]) -> dict[str, Any]:
    """The dossier row of a projection given as DossierState's fields (`fold_fields`):
    the same names, plus the folded name, search keys and statistics columns; enums as
    ints, conflicts as JSON. (Every projection a sync pull writes comes through here: it
    builds one dict and no Facts.)"""
    row = dict(f)
    status = row["status"] = int(f["status"])
    channel = row["channel"] = int(f["channel"])
    prior = f["prior_status"]
    row["prior_status"] = int(prior) if prior is not None else None
    row["name_fold"] = fold_text(f["applicant_name"])
    row["search_keys"] = search_keys(f["code"], f["applicant_phone"], f["applicant_id_number"])
    row["conflicts"] = dumps(list(f["conflicts"])) if f["conflicts"] else "[]"
    # The statistics columns (core.stats.stored_facts), kept with every write of the row.
    row["received_day"], row["ended_day"], row["stat_class"] = stored_fact_values(
        status, channel, f["received_at"], f["original_due_at"], f["resolved_at"], f["returned_at"],
        f["closed_at"], f["supplement_count"], f["apology_count"])
    return row


_STATE_FIELDS = tuple(f.name for f in fields(DossierState))


def row_to_state(r: Any) -> DossierState:
    values = {name: getattr(r, name) for name in _STATE_FIELDS}
    values["status"] = Status(r.status)
    values["prior_status"] = Status(r.prior_status) if r.prior_status is not None else None
    values["conflicts"] = tuple(loads(r.conflicts) or ())
    return DossierState(**values)


def newest_first(states: Iterable[DossierState]) -> list[DossierState]:
    return sorted(states, key=lambda s: (s.received_at, s.id), reverse=True)


# -- writing projections ---------------------------------------------------------------

def _code_holder(conn: Connection, code: str, dossier_id: str) -> str | None:
    return conn.execute(select(dossier.c.id).where(dossier.c.code == code, dossier.c.id != dossier_id)
                        ).scalar_one_or_none()


def guard_duplicate_code(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    """Two dossiers with one code can only come from two desks set up with the same number.

    The code column is unique, and a sync must never stall on it: the later dossier keeps
    its events and gets a marked code plus a conflict a supervisor will see.
    """
    other = _code_holder(conn, row["code"], row["id"])
    if other is None:
        return row
    conflicts = (loads(row["conflicts"]) or []) + [f"duplicate-code:{other}"]
    return {**row, "code": f"{row['code']}#{row['id'][-6:]}", "conflicts": dumps(conflicts)}


def upsert_projection(conn: Connection, state: DossierState) -> None:
    row = guard_duplicate_code(conn, state_to_row(state))
    stmt = insert_for(conn, dossier).values(**row)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[dossier.c.id],
        set_={k: stmt.excluded[k] for k in row if k != "id"},
    ))


def events_of(conn: Connection, dossier_ids: Iterable[str]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {}
    ids = list(dossier_ids)
    for i in range(0, len(ids), 500):
        q = (select(event).where(event.c.dossier_id.in_(ids[i:i + 500]))
             .order_by(event.c.dossier_id, event.c.hlc, event.c.id))
        for r in conn.execute(q):
            out.setdefault(r.dossier_id, []).append(row_to_event(r))
    return out


def refold(conn: Connection, dossier_ids: Iterable[str]) -> None:
    """Recompute the projection of each dossier from all of its events."""
    grouped = events_of(conn, dossier_ids)
    for dossier_id, evs in grouped.items():
        try:
            state = fold(evs)
        except ValueError:
            # Only later events have arrived so far (the receipt is still on its way).
            conn.execute(dossier.delete().where(dossier.c.id == dossier_id))
            continue
        upsert_projection(conn, state)

