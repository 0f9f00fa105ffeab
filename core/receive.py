"""A dossier about to be received: what the clerk entered, once it is valid."""
from __future__ import annotations

from dataclasses import dataclass

from core.catalogue import Delivery, Procedure, RequiredDocument
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
