"""Lifecycle actions as plain functions: the TUI's thread workers, the CLI and the benchmark
all call `perform`, so what is measured and tested is what runs.

`perform` decides the event with `core.dossier_actions.decide` against the projection read
inside the writing transaction (a refused action writes nothing), writes event and
projection, and queues the slip the action prints (forms 02-06, from `core.forms`).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from core.catalogue import Term, TermUnit
from core.dossier_actions import Context, OnTimeBy, Policy, Refused, SupplementMode, decide
from core.lifecycle import DossierState, Event, EventKind
from core.people import Clerk

log = logging.getLogger("motcua.lifecycle")

# The CLI marks its events so a supervisor can tell them from the desk's screens.
VIA_CLI = "cli"


def policy_of(settings) -> Policy:
    return Policy(supplement_mode=SupplementMode(settings.supplement_mode),
                  supplement_days=int(settings.supplement_days), on_time_by=OnTimeBy(settings.on_time_by))


def term_of(receipt: dict) -> tuple[Term, bool]:
    """The procedure's term and cut-off rule as the dossier was received under them."""
    proc = receipt.get("procedure") or {}
    term = proc.get("term") or {}
    try:
        value = Term(int(term.get("amount", 0)), TermUnit(term.get("unit", TermUnit.SAME_DAY)))
    except (TypeError, ValueError):
        value = Term(0, TermUnit.SAME_DAY)
    return value, bool(proc.get("cutoff_applies", False))


def _slip_maker(services, state: DossierState):
    """The forms' slip for the event (core.forms.slip_for_event), made inside the action's
    transaction from a context read just before it."""
    from core.forms import slip_for_event
    from tui.actions import form_context_for
    ctx = form_context_for(services, state)

    def make(new_state: DossierState, event: Event):
        return slip_for_event(new_state, event, replace(ctx, events=tuple(ctx.events) + (event,)))
    return make


def perform(services, clerk: Clerk, dossier_id: str, kind: EventKind, fields: dict[str, Any], *,
            override_by: Clerk | None = None, via: str = ""):
    """Record one action now. Returns db.dossiers.RecordResult; raises Refused (Vietnamese
    reason, nothing written) or DossierNotFound."""
    kind = EventKind(kind)
    repo = services.dossiers
    state = repo.get(dossier_id)
    if state is None:
        from db.dossiers import DossierNotFound
        raise DossierNotFound(dossier_id)
    receipt = repo.receipt_payload(dossier_id)
    term, cutoff = term_of(receipt)
    fields = dict(fields)
    if override_by is not None:
        fields["override_by"] = override_by.username
    agency = services.agency

    def decide_now(current: DossierState) -> dict:
        ctx = Context(now=services.clock.now(), calendar=services.calendar(), policy=policy_of(services.settings),
                      term=term, cutoff_applies=cutoff, clerk_name=clerk.full_name,
                      override_role=override_by.role if override_by is not None else None,
                      desk_body=f"Bộ phận Một cửa {agency.name}" if agency else "Bộ phận Một cửa")
        payload = decide(current, kind, fields, ctx)
        if via:
            payload["via"] = via
        return payload

    result = repo.act(dossier_id, kind, clerk, decide_now, make_slip=_slip_maker(services, state),
                      copies=services.settings.copies, printer_uri=services.settings.resolved_printer_uri())
    log.info("action %s dossier=%s clerk=%s job=%s", kind.value, dossier_id, clerk.id, result.print_job_id)
    return result


__all__ = ["Refused", "perform", "policy_of", "term_of", "VIA_CLI"]
