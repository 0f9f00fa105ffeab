"""The desk's slow operations as plain functions: save a received dossier, print a queued
job, build a form (01-06) and queue it, reprint. Thread workers call them; so do the CLI
and the benchmarks, so what is measured is what runs."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from core.lifecycle import DossierState, Event
from core.people import Clerk
from core.receive import ReceiveDraft
from core.slips import Slip, build_receipt, with_reprint_mark

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
    from db.forms import ledger_numbering
    book, ledger_seq = ledger_numbering(services.engine, agency.code, desk.number, now)

    saved = services.dossiers.receive(draft, agency=agency, desk=desk, clerk=clerk,
                                      received_at=now, due_at=due)
    slip = build_receipt(
        agency=agency, desk=desk, code=saved.dossier.code, applicant=draft.applicant,
        procedure=draft.procedure, documents=draft.documents, sets=draft.sets,
        received_at=now, due_at=due, delivery=draft.delivery,
        clerk_name=clerk.full_name, qr_template=settings.qr_template,
        ledger_book=book, ledger_seq=ledger_seq(saved.dossier.code),
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


def form_context_for(services, state):
    from db.forms import form_context
    return form_context(services.engine, state, qr_template=services.settings.qr_template,
                        on_time_by=services.settings.on_time_by)


def form_for(services, state, form: int) -> Slip:
    """Form `form` (1-6) of the dossier `state`. Raises core.forms.FormUnavailable."""
    from core.forms import form_slip
    return form_slip(form, state, form_context_for(services, state))


def slip_after_action(services, state, event) -> Slip | None:
    """The slip an action prints (core.forms.slip_for_event), with its context from the
    database; `state` is the dossier after the action, `event` the action's event."""
    from core.forms import slip_for_event
    return slip_for_event(state, event, form_context_for(services, state))


def queue_slip(services, dossier_id: str, slip: Slip, reprint_reason: str = "") -> str:
    return services.print_jobs.enqueue(dossier_id, slip, services.settings.copies,
                                       services.settings.resolved_printer_uri(),
                                       reprint_reason=reprint_reason)


def requeue_receipt(services, dossier_id: str, reason: str) -> str | None:
    """Queue the dossier's receipt again, marked "BẢN IN LẠI" with the time, keeping the
    clerk's `reason` on the job: the slip first printed, or (if it never was) the receipt
    rebuilt from the receipt event. None if there is no such dossier."""
    previous = [j for j in services.print_jobs.for_dossier(dossier_id) if j.slip.kind == "receipt"]
    if previous:
        slip = min(previous, key=lambda j: (j.created_at, j.id)).slip
    else:
        state = services.dossiers.get(dossier_id)
        if state is None:
            return None
        slip = form_for(services, state, 1)
    slip = with_reprint_mark(slip, services.clock.now())
    return queue_slip(services, dossier_id, slip, reprint_reason=reason.strip())


def print_form(services, state, form: int, reason: str = "") -> tuple[str, str | None]:
    """Queue form `form` of `state`'s dossier and print it: (job id, None or the Vietnamese
    reason it failed; the job then stays queued). A form already printed for this dossier
    is a reprint: it needs `reason` and is marked "BẢN IN LẠI". Raises FormUnavailable,
    or ValueError (Vietnamese) for a reprint without a reason."""
    slip = form_for(services, state, form)
    printed = any(j.slip.kind == slip.kind for j in services.print_jobs.for_dossier(state.id))
    if printed:
        if len(reason.strip()) < 3:
            raise ValueError(f"Mẫu {form:02d} của hồ sơ {state.code} đã in trước đó; bản in lại cần "
                             "lý do (ít nhất 3 ký tự), ví dụ --reason \"giấy bị kẹt\".")
        slip = with_reprint_mark(slip, services.clock.now())
    job_id = queue_slip(services, state.id, slip, reprint_reason=reason.strip() if printed else "")
    return job_id, run_print_job(services, job_id)


def export_ledger(services, date_from, date_to, out, desk_number: int | None = None) -> int:
    """Write the ledger (form 07) of the dossiers received from `date_from` to `date_to` to
    `out` (.xlsx or .pdf); returns the number of rows. Raises ValueError (Vietnamese)."""
    from pathlib import Path
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise ValueError(f"Tệp «{out.name}» phải có đuôi .xlsx (bảng tính) hoặc .pdf.")
    if date_from > date_to:
        raise ValueError(f"Ngày bắt đầu {date_from:%d/%m/%Y} sau ngày kết thúc {date_to:%d/%m/%Y}: "
                         "đổi lại --from và --to.")
    if not out.parent.is_dir():
        raise ValueError(f"Thư mục «{out.parent}» không tồn tại: tạo thư mục hoặc chọn nơi lưu khác.")
    from db.ledger import ledger_entries
    entries = ledger_entries(services.engine, date_from, date_to, desk_number=desk_number)
    agency = services.agency
    name = agency.name if agency else ""
    if suffix == ".xlsx":
        from printers.ledger_xlsx import ledger_to_xlsx
        ledger_to_xlsx(entries, date_from, date_to, agency_name=name, path=out)
    else:
        from core.slips import place_date, place_of
        from printers.ledger_pdf import ledger_to_pdf
        ledger_to_pdf(entries, date_from, date_to, agency_name=name, path=out,
                      place_date=place_date(place_of(name), services.clock.now()))
    return len(entries)
