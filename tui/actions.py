"""The desk's two slow operations as plain functions: save a received dossier, and print a
queued job. Thread workers call them; so do the benchmarks, so what is measured is what runs."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from core.lifecycle import DossierState, Event
from core.people import Clerk
from core.receive import ReceiveDraft
from core.slips import Slip, build_receipt

log = logging.getLogger("motcua.actions")


@dataclass(frozen=True, slots=True)
class Received:
    """A saved dossier and its receipt, queued for printing."""
    dossier: DossierState
    event: Event
    slip: Slip
    print_job_id: str


def save_dossier(services, clerk: Clerk, draft: ReceiveDraft) -> Received:
    """Compute the appointment, issue the code, write event + projection (one transaction),
    then queue the receipt. A crash between the two leaves the dossier saved and its receipt
    reprintable from the dossier screen; the dossier never waits on the print queue."""
    agency, desk, settings = services.agency, services.desk, services.settings
    now = services.clock.now()
    due = services.calendar().due(now, draft.procedure.term, draft.procedure.cutoff_applies)

    saved = services.dossiers.receive(draft, agency=agency, desk=desk, clerk=clerk,
                                      received_at=now, due_at=due)
    slip = build_receipt(
        agency=agency, desk=desk, code=saved.dossier.code, applicant=draft.applicant,
        procedure=draft.procedure, documents=draft.documents, sets=draft.sets,
        received_at=now, due_at=due, delivery=draft.delivery,
        clerk_name=clerk.full_name, qr_template=settings.qr_template,
    )
    job_id = services.print_jobs.enqueue(saved.dossier.id, slip, settings.copies,
                                         settings.resolved_printer_uri())
    return Received(saved.dossier, saved.event, slip, job_id)


def run_print_job(services, job_id: str) -> str | None:
    """Print one queued job. Returns None on success, else the Vietnamese reason; the job
    row records the outcome either way, so nothing is lost if the printer is off."""
    from printers.service import PrintError
    jobs = services.print_jobs
    job = jobs.get(job_id)
    jobs.mark_printing(job_id)
    try:
        services.printer.print_slip(job.slip, copies=job.copies)
    except PrintError as exc:
        log.warning("print failed job=%s reason=%s", job_id, exc.reason)
        jobs.mark_failed(job_id, exc.message_vi)
        return exc.message_vi
    except Exception as exc:  # an unexpected device error: keep the job for a retry
        log.error("print crashed job=%s error=%s", job_id, type(exc).__name__)
        text = f"Lỗi khi in ({type(exc).__name__}). Phiếu vẫn trong hàng đợi: bấm F9 để in lại."
        jobs.mark_failed(job_id, text)
        return text
    jobs.mark_done(job_id)
    return None


def requeue_receipt(services, dossier_id: str) -> str | None:
    """Queue the dossier's original receipt again (a reprint). None if it never had one."""
    previous = services.print_jobs.for_dossier(dossier_id)
    if not previous:
        return None
    first = min(previous, key=lambda j: j.created_at)
    return services.print_jobs.enqueue(dossier_id, first.slip, services.settings.copies,
                                       services.settings.resolved_printer_uri())
