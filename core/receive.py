"""A dossier about to be received: what the clerk entered, once it is valid, and the
RECEIVED event's payload made from it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from typing import Any

from core.catalogue import Delivery, Procedure, RequiredDocument
from core.catalogue_io import procedure_to_dict
from core.people import Applicant, Channel


@dataclass(frozen=True, slots=True)
class ReceiveDraft:
    applicant: Applicant
    procedure: Procedure
    documents: tuple[RequiredDocument, ...]   # what was actually received, with counts
    sets: int = 1
    channel: Channel = Channel.IN_PERSON
    delivery: Delivery = Delivery.DESK
    notes: str = ""


@lru_cache(maxsize=512)
def _snapshot(procedure: Procedure) -> dict[str, Any]:
    # A few dozen procedures make every receipt of a day (and a million-dossier demo seed):
    # their dicts are made once and shared, read-only, by the payloads that carry them.
    return procedure_to_dict(procedure)


def receipt_payload(draft: ReceiveDraft, *, code: str, agency_name: str, desk_number: int,
                    clerk_name: str, received_at: datetime, due_at: datetime) -> dict[str, Any]:
    """The payload of a dossier's RECEIVED event: everything the receipt says, with the
    procedure as it stood that day, so a receipt can be reprinted anywhere (even where the
    clerk has no account) and the fold (core.lifecycle) can start the dossier from it.
    The one place this payload is made: receiving at the desk, the demo seeder, benches."""
    a = draft.applicant
    applicant: dict[str, Any] = {
        "full_name": a.full_name, "id_number": a.id_number,
        "birth_date": a.birth_date.isoformat() if a.birth_date else None, "sex": a.sex,
        "address": a.address, "phone": a.phone, "email": a.email,
    }
    if a.extra:
        applicant["extra"] = a.extra
    return {
        "code": code,
        "procedure": _snapshot(draft.procedure),
        "applicant": applicant,
        "documents": [{"name": d.name, "form": str(d.form), "count": d.count} for d in draft.documents],
        "sets": draft.sets,
        "channel": int(draft.channel),
        "delivery": str(draft.delivery),
        "notes": draft.notes,
        "received_at": received_at.isoformat(),
        "due_at": due_at.isoformat(),
        "term": draft.procedure.term.label_vi(),
        "agency_name": agency_name,
        "desk_number": desk_number,
        "clerk_name": clerk_name,
    }
