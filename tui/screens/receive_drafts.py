"""The receive form's safety net: what counts as unsaved, the draft on disk (saved as the
clerk types, offered on the next start), the same person twice a day, and the appointment
line that says why it counts from the next working day. Mixed into ReceiveScreen."""
from __future__ import annotations

import logging
import threading

from textual import work
from textual.widgets import Select, SelectionList

from tui.format import dt_short
from tui.widgets.confirm import ConfirmScreen

log = logging.getLogger("motcua.tui")
DRAFT_GROUP = "draft"
DRAFT = "receive"
_CLEAR = object()                  # queued instead of a draft: remove the file
_DRAFT_LOCK = threading.Lock()
TEXT_FIELDS = ("full_name", "id_number", "birth_date", "address", "phone", "email", "sets", "notes")


class ReceiveDrafts:
    """Needs from the screen: read_form(), select_procedure(), _set(), app, is_mounted."""
    _saved = False
    _restoring = False
    _draft_next = None
    _draft_busy = False

    def has_unsaved_data(self) -> bool:
        if self._saved or not self.is_mounted:
            return False
        form = self.read_form()
        typed = any(getattr(form, n).strip() for n in TEXT_FIELDS if n != "sets")
        return typed or form.procedure is not None or form.sets.strip() not in ("", "1") or bool(form.sex)

    def draft_data(self) -> dict:
        form = self.read_form()
        data = {n: getattr(form, n) for n in TEXT_FIELDS}
        data.update(procedure=form.procedure.code if form.procedure else "", sex=form.sex,
                    documents=list(form.documents), channel=form.channel.value,
                    delivery=form.delivery.value, saved_at=self.app.services.clock.now().isoformat())
        return data

    # One writer thread at a time, always the newest state: keystrokes only replace what is
    # waiting; a discard is queued the same way, so a save in flight cannot bring it back.
    def _save_draft(self, data: dict) -> None:
        self._queue_draft(data)

    def _discard_draft(self) -> None:
        self._queue_draft(_CLEAR)

    _clear_draft = _discard_draft

    def _queue_draft(self, item) -> None:
        with _DRAFT_LOCK:
            self._draft_next = item
            if self._draft_busy:
                return
            self._draft_busy = True
        self._write_drafts()

    @work(thread=True, exit_on_error=False, group=DRAFT_GROUP)
    def _write_drafts(self) -> None:
        drafts = self.app.services.drafts
        while True:
            with _DRAFT_LOCK:
                item, self._draft_next = self._draft_next, None
                if item is None:
                    self._draft_busy = False
                    return
            if drafts is None:
                continue
            try:
                drafts.clear(DRAFT) if item is _CLEAR else drafts.save(DRAFT, item)
            except OSError as exc:
                log.warning("draft not written: %s", type(exc).__name__)

    def _offer_draft(self, draft: dict) -> None:
        name = draft.get("full_name") or "chưa có tên"
        when = str(draft.get("saved_at", ""))[11:16]

        def answered(yes: bool | None) -> None:
            if yes:
                self.restore_draft(draft)
            else:
                self._clear_draft()

        self.app.push_screen(ConfirmScreen(
            "Có một hồ sơ đang nhập dở chưa lưu. Mở lại để nhập tiếp?",
            f"Người nộp: {name}" + (f" · lúc {when}" if when else "")
            + ". Chọn Không để bắt đầu hồ sơ mới (bản nháp sẽ bị xóa)."), answered)

    def restore_draft(self, draft: dict) -> None:
        self._restoring = True
        try:
            if draft.get("procedure"):
                self.select_procedure(draft["procedure"])
            for name in TEXT_FIELDS:
                if name in draft:
                    self._set(name, str(draft[name]))
            if draft.get("sex") in ("Nam", "Nữ"):
                self.query_one("#sex", Select).value = draft["sex"]
            for widget_id, key in (("#channel", "channel"), ("#delivery", "delivery")):
                try:
                    self.query_one(widget_id, Select).value = draft[key]
                except Exception:       # an option the procedure no longer offers
                    pass
            docs = self.query_one("#documents", SelectionList)
            for index in draft.get("documents", []):
                if isinstance(index, int) and index < docs.option_count:
                    docs.select(index)
        finally:
            self.call_after_refresh(self._restored)

    def _restored(self) -> None:
        self._restoring = False


def same_day_twin(services, draft):
    """A dossier received today for the same person (ID number, else name) and procedure."""
    from datetime import datetime, time, timedelta
    now = services.clock.now()
    start = datetime.combine(now.date(), time.min)
    person = draft.applicant
    for d in services.dossiers.received_between(start, start + timedelta(days=1), limit=5000):
        if d.procedure_code != draft.procedure.code:
            continue
        if person.id_number and d.applicant_id_number == person.id_number:
            return d
        if not person.id_number and d.applicant_name.casefold() == person.full_name.casefold():
            return d
    return None


def due_text(now, due, hours, cutoff_applies: bool) -> str:
    """The appointment, and why it counts from the next working day when it does."""
    text = f"Hẹn trả kết quả: {dt_short(due)}"
    limit = hours.cutoff if cutoff_applies else hours.closing
    if now.time() > limit:
        text += (f" — nhận sau {limit:%H:%M} nên thời hạn tính từ ngày làm việc tiếp theo")
    return text
