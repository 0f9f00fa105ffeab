"""Dossier projection rows written straight from core.stats.Facts, for statistics tests."""
from __future__ import annotations

from sqlalchemy import Engine, delete, insert

from core.stats import Facts, stored_facts
from db.models import dossier


def facts_row(f: Facts, n: int) -> dict:
    return {
        "id": f.id, "code": f"{f.agency_code}-250101-{n:06d}", "agency_code": f.agency_code,
        "desk_number": f.desk_number, "procedure_code": f.procedure_code,
        "procedure_name": f.procedure_name, "procedure_version": 1, "applicant_name": "Nguyễn Văn A",
        "name_fold": "nguyen van a", "channel": f.channel, "status": f.status,
        "received_at": f.received_at, "due_at": f.original_due_at, "original_due_at": f.original_due_at,
        "received_by": f.received_by, "resolved_at": f.resolved_at, "returned_at": f.returned_at,
        "closed_at": f.closed_at, "supplement_count": f.supplement_count,
        "apology_count": f.apology_count, "procedure_field": f.procedure_field, **stored_facts(f),
    }


def write_facts(engine: Engine, facts: list[Facts], *, replace: bool = True) -> None:
    with engine.begin() as conn:
        if replace:
            conn.execute(delete(dossier))
        if facts:
            conn.execute(insert(dossier), [facts_row(f, n) for n, f in enumerate(facts)])


def unique_ids(facts: list[Facts]) -> list[Facts]:
    from dataclasses import replace as dc_replace
    return [dc_replace(f, id=f"d{n:05d}") for n, f in enumerate(facts)]
