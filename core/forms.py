"""The content of forms 01-06 (TT 01/2018 templates, as printed today), built from a dossier.

Each form is a `core.slips.Slip` made from the dossier's state, the payload of its receipt
event (applicant, documents, agency) and the payload of the event that issued it (the
contract in TEAM.md): 02 supplement_requested, 03 refused, 04 apology_issued, 05 withdrawn
or stopped, 06 transferred / taken_back (the control sheet lists every hand-off so far).
`slip_for_event` is what an action prints; `form_slip` rebuilds any form later (the
`motcua slip` command, the A4 PDF). Kinds are compared as strings, so events of kinds this
module does not know are simply not forms.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Sequence

from core.catalogue import DELIVERY_VI, Delivery, DocForm, RequiredDocument
from core.catalogue_io import procedure_from_dict
from core.dossier_actions import TIMELINESS_VI, OnTimeBy, timeliness
from core.lifecycle import DossierState, Event, accepted_events
from core.people import Agency, Applicant, Desk
from core.slips import (CODE_LABEL, SIGN_HINT, Slip, SlipTable, build_receipt, desk_header, format_dt, place_date,
                        place_of)

FORM_TITLES = {
    1: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    2: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    3: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    4: "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    5: "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    6: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}
FORM_KINDS = {1: "receipt", 2: "supplement", 3: "refusal", 4: "apology", 5: "stop", 6: "control"}

# The event kinds (values of core.lifecycle.EventKind) whose action issues a form.
EVENT_FORM = {
    "received": 1, "supplement_requested": 2, "refused": 3, "apology_issued": 4,
    "withdrawn": 5, "stopped": 5, "transferred": 6, "taken_back": 6,
}
HANDOFF_KINDS = ("transferred", "taken_back")
_MISSING_FORMS = (("chinh", "Bản chính"), ("chung_thuc", "Bản chứng thực"), ("photo", "Bản photo"))
_NO_FORM_VI = {
    2: "chưa có yêu cầu bổ sung", 3: "không bị từ chối tiếp nhận",
    4: "chưa có văn bản xin lỗi, hẹn lại", 5: "chưa dừng giải quyết hay rút hồ sơ",
    6: "chưa được chuyển xử lý",
}
DESK_BODY = "Bộ phận Một cửa"


class FormUnavailable(LookupError):
    """The dossier has no such form (no event issued it); `message_vi` says so."""

    def __init__(self, message_vi: str):
        super().__init__(message_vi)
        self.message_vi = message_vi


@dataclass(frozen=True)
class FormContext:
    """What a form needs beyond the dossier's state."""
    receipt: Mapping[str, Any]                    # payload of the dossier's "received" event
    events: Sequence[Event] = ()                  # the dossier's events (form 06: hand-offs)
    clerk_names: Mapping[str, str] = field(default_factory=dict)   # clerk id -> full name
    qr_template: str = ""
    ledger_book: str = ""                         # Quyển số
    ledger_seq: str = ""                          # Số thứ tự
    place: str = ""                               # date line's place; "" = from the agency name
    on_time_by: str = OnTimeBy.DATE.value         # how a hand-off step is judged ([lifecycle])

    def clerk_name(self, clerk_id: str) -> str:
        return self.clerk_names.get(clerk_id, "")

    @property
    def agency_name(self) -> str:
        return str(self.receipt.get("agency_name", ""))

    def place_date(self, at: datetime) -> str:
        return place_date(self.place or place_of(self.agency_name), at)


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _reason(payload: Mapping[str, Any]) -> str:
    """The payload's reason ("reasons": [...] in payloads older than the contract)."""
    return str(payload.get("reason") or "; ".join(payload.get("reasons", ())) or "—")


def _kind(event: Event) -> str:
    return str(getattr(event.kind, "value", event.kind))


def _event_time(event: Event) -> datetime:
    at = event.payload.get("at") if isinstance(event.payload, Mapping) else None
    return _dt(at) if at else event.wall_time


def _applicant(ctx: FormContext) -> Mapping[str, Any]:
    return ctx.receipt.get("applicant", {}) or {}


def _header(state: DossierState, ctx: FormContext) -> tuple[str, ...]:
    return desk_header(ctx.agency_name, int(ctx.receipt.get("desk_number", state.desk_number)))


def _request(state: DossierState) -> str:
    return f"{state.procedure_name} ({state.procedure_code})"


def _person_fields(state: DossierState, ctx: FormContext, label: str = "Người nộp hồ sơ") -> list:
    a = _applicant(ctx)
    rows = [(CODE_LABEL, state.code), (label, state.applicant_name),
            ("Địa chỉ", a.get("address") or "—"), ("Số điện thoại", a.get("phone") or "—")]
    if a.get("email"):
        rows.append(("Email", a["email"]))
    rows.append(("Nội dung yêu cầu giải quyết", _request(state)))
    return rows


def _sign(caption: str, name: str = "", hint: str = SIGN_HINT) -> str:
    return "\n".join(x for x in (caption, hint, name) if x)


def _slip(form: int, state: DossierState, ctx: FormContext, at: datetime, **parts) -> Slip:
    return Slip(kind=FORM_KINDS[form], header=_header(state, ctx), title=FORM_TITLES[form],
                place_date=ctx.place_date(at), **parts)


# --- form 01 -----------------------------------------------------------------------------

def receipt_slip(state: DossierState, ctx: FormContext) -> Slip:
    """Form 01 again, from the receipt event: what the citizen was given at the desk."""
    p = ctx.receipt
    a = _applicant(ctx)
    procedure = procedure_from_dict(p["procedure"])
    docs = tuple(RequiredDocument(d["name"], DocForm(d.get("form", "original")), int(d.get("count", 1)))
                 for d in p.get("documents", ()))
    return build_receipt(
        agency=Agency(state.agency_code, ctx.agency_name),
        desk=Desk(state.agency_code, int(p.get("desk_number", state.desk_number))),
        code=state.code,
        applicant=Applicant(a.get("full_name", state.applicant_name), address=a.get("address", ""),
                            phone=a.get("phone", ""), email=a.get("email", "")),
        procedure=procedure, documents=docs, sets=int(p.get("sets", 1)),
        received_at=_dt(p["received_at"]), due_at=_dt(p["due_at"]),
        delivery=Delivery(p.get("delivery", Delivery.DESK.value)),
        clerk_name=str(p.get("clerk_name", "")), qr_template=ctx.qr_template,
        ledger_book=ctx.ledger_book, ledger_seq=ctx.ledger_seq)


# --- form 02 -----------------------------------------------------------------------------

def supplement_slip(state: DossierState, event: Event, ctx: FormContext) -> Slip:
    p = event.payload
    rows = []
    for i, item in enumerate(p.get("missing", ()), 1):
        if not isinstance(item, Mapping):        # payloads older than the contract: names only
            item = {"name": str(item)}
        form = item.get("form", "")
        rows.append((str(i), item.get("name", "")) + tuple("x" if form == key else ""
                                                           for key, _ in _MISSING_FORMS))
    contact = p.get("contact_name") or ctx.clerk_name(event.clerk_id)
    fields = _person_fields(state, ctx) + [
        ("Ngày nhận hồ sơ", format_dt(state.received_at)),
        ("Ngày yêu cầu bổ sung", format_dt(event.wall_time)),
    ]
    after = [("Lý do yêu cầu bổ sung", (p.get("reason") or "—",)),
             ("Cán bộ hướng dẫn, liên hệ", (f"{contact or '—'}"
                                            + (f" — Điện thoại: {p['contact_phone']}"
                                               if p.get("contact_phone") else ""),))]
    if p.get("override"):
        after.append(("Yêu cầu bổ sung lần thứ hai", (p.get("override_reason") or "—",)))
    return _slip(2, state, ctx, event.wall_time, fields=tuple(fields),
                 sections=tuple(after),
                 tables=(SlipTable("Để hoàn thiện hồ sơ theo quy định, đề nghị Ông/Bà bổ sung, "
                                   "hoàn thiện các thành phần hồ sơ sau",
                                   ("STT", "Thành phần hồ sơ") + tuple(v for _, v in _MISSING_FORMS),
                                   tuple(rows) or (("1", "(không ghi)", "", "", ""),),
                                   (2, 10, 3, 3, 3)),),
                 signatures=(_sign("NGƯỜI NỘP HỒ SƠ", state.applicant_name),
                             _sign("NGƯỜI HƯỚNG DẪN", contact)),
                 footer=("Vui lòng mang theo phiếu này khi nộp bổ sung hồ sơ.",))


# --- form 03 -----------------------------------------------------------------------------

def refusal_slip(state: DossierState, event: Event, ctx: FormContext) -> Slip:
    fields = _person_fields(state, ctx) + [("Thời gian nhận hồ sơ", format_dt(state.received_at)),
                                           ("Thời gian từ chối", format_dt(event.wall_time))]
    text = ("Sau khi xem xét, đối chiếu thành phần hồ sơ, Bộ phận Một cửa thông báo không "
            "tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:")
    return _slip(3, state, ctx, event.wall_time, fields=tuple(fields),
                 sections=(("", (text,)), ("Lý do", (_reason(event.payload),))),
                 signatures=(_sign("NGƯỜI NỘP HỒ SƠ", state.applicant_name),
                             _sign("NGƯỜI TỪ CHỐI", ctx.clerk_name(event.clerk_id))),
                 footer=("Xin cảm ơn Ông/Bà.",))


# --- form 04 -----------------------------------------------------------------------------

def apology_slip(state: DossierState, event: Event, ctx: FormContext) -> Slip:
    p = event.payload
    delivery = ctx.receipt.get("delivery", Delivery.DESK.value)
    agency = ctx.agency_name or "Cơ quan"
    fields = [("Kính gửi", f"Ông/Bà {state.applicant_name}"), (CODE_LABEL, state.code),
              ("Nội dung yêu cầu giải quyết", _request(state)),
              ("Ngày nhận hồ sơ", format_dt(state.received_at)),
              ("Hẹn trả kết quả (theo giấy tiếp nhận)",
               format_dt(_dt(p.get("original_due_at") or state.original_due_at))),
              ("Cơ quan, đơn vị giải quyết chậm", p.get("delay_body") or "—"),
              ("Lý do chậm", p.get("reason") or "—"),
              ("Thời gian hẹn trả kết quả mới", format_dt(_dt(p["new_due_at"]))),
              ("Nơi trả kết quả", DELIVERY_VI.get(Delivery(delivery), str(delivery)))]
    text = (f"{agency} thành thật xin lỗi Ông/Bà vì hồ sơ chưa được giải quyết đúng thời hạn "
            "đã hẹn, và đề nghị Ông/Bà đồng ý gia hạn thời gian trả kết quả đến thời gian hẹn "
            "mới nêu trên. Mong Ông/Bà thông cảm.")
    return _slip(4, state, ctx, event.wall_time, fields=tuple(fields), sections=(("", (text,)),),
                 signatures=(_sign("THỦ TRƯỞNG CƠ QUAN", "", "(Ký, ghi rõ họ tên, đóng dấu)"),),
                 footer=("Vui lòng mang theo giấy tiếp nhận khi nhận kết quả.",))


# --- form 05 -----------------------------------------------------------------------------

def stop_slip(state: DossierState, event: Event, ctx: FormContext) -> Slip:
    withdrawn = _kind(event) == "withdrawn"
    fields = _person_fields(state, ctx) + [
        ("Ngày nhận hồ sơ", format_dt(state.received_at)),
        ("Hẹn trả kết quả", format_dt(state.due_at)),
        ("Thời gian dừng giải quyết", format_dt(event.wall_time)),
    ]
    if withdrawn:
        text = ("Theo đề nghị của Ông/Bà (rút hồ sơ), sau khi kiểm tra hồ sơ chưa có quyết "
                "định hay kết quả giải quyết, Bộ phận Một cửa thông báo dừng giải quyết hồ sơ "
                "và trả lại hồ sơ cho Ông/Bà.")
    else:
        text = ("Bộ phận Một cửa thông báo dừng giải quyết hồ sơ nêu trên; hồ sơ chưa có quyết "
                "định hay kết quả giải quyết.")
    return _slip(5, state, ctx, event.wall_time, fields=tuple(fields),
                 sections=(("", (text,)), ("Lý do", (_reason(event.payload),))),
                 signatures=(_sign("NGƯỜI NỘP HỒ SƠ", state.applicant_name),
                             _sign("NGƯỜI TIẾP NHẬN", ctx.clerk_name(event.clerk_id))))


# --- form 06 -----------------------------------------------------------------------------

def _accepted(events: Sequence[Event]) -> list[Event]:
    """The events the fold applied, in fold order (a conflicting hand-off is not a row)."""
    try:
        return accepted_events(events)
    except ValueError:                      # no receipt among them: keep them all
        return sorted(events, key=Event.sort_key)


def _handoff_rows(events: Sequence[Event], ctx: FormContext) -> list[tuple[str, ...]]:
    ordered = _accepted(events)
    by = OnTimeBy(ctx.on_time_by)
    rows = []
    for i, e in enumerate(ordered):
        kind = _kind(e)
        if kind not in HANDOFF_KINDS:
            continue
        p = e.payload
        giver = " — ".join(x for x in (p.get("from_body"), p.get("from_person")) if x)
        if kind == "transferred":
            taker = " — ".join(x for x in (p.get("to_body") or p.get("to"), p.get("to_person")) if x)
        else:
            taker = " — ".join(x for x in (DESK_BODY, ctx.clerk_name(e.clerk_id)) if x)
        result, note = "", ""
        if kind == "transferred" and p.get("step_due_at"):
            due = _dt(p["step_due_at"])
            end = next((x for x in ordered[i + 1:]
                        if _kind(x) in HANDOFF_KINDS or _kind(x) == "result_ready"), None)
            if end is None:
                result = f"Đang giải quyết (hạn {due:%d/%m/%Y})"
            else:
                verdict = TIMELINESS_VI[timeliness(_event_time(end), due, by)]
                result = f"{verdict} (hạn {due:%d/%m/%Y})"
        if kind == "taken_back":
            note = p.get("note", "")
        at = e.wall_time
        when = f"{at:%H} giờ {at:%M} phút, ngày {at:%d} tháng {at:%m} năm {at:%Y}"
        rows.append((str(len(rows) + 1), f"Giao: {giver or '—'}\nNhận: {taker or '—'}",
                     when, result, note))
    return rows


def control_slip(state: DossierState, event: Event | None, ctx: FormContext) -> Slip:
    """The control sheet as of `event` (every hand-off up to it), or of all events."""
    events = list(ctx.events)
    if event is not None:
        if all(e.id != event.id for e in events):
            events.append(event)
        events = [e for e in events if (e.hlc, e.id) <= (event.hlc, event.id)]
    rows = _handoff_rows(events, ctx)
    bodies = []
    for e in _accepted(events):
        body = (e.payload.get("to_body") or e.payload.get("to")) if _kind(e) == "transferred" else None
        if body and body not in bodies:
            bodies.append(body)
    fields = [("Kèm theo hồ sơ của", state.applicant_name), (CODE_LABEL, state.code),
              ("Ngày nhận", format_dt(state.received_at)),
              ("Ngày, giờ hẹn trả kết quả", format_dt(state.due_at)),
              ("Cơ quan (bộ phận) giải quyết hồ sơ", bodies[0] if bodies else "—"),
              ("Cơ quan phối hợp giải quyết hồ sơ", ", ".join(bodies[1:]) or "—"),
              ("Quyển số", ctx.ledger_book or "—"), ("Số thứ tự", ctx.ledger_seq or "—")]
    handoffs = [e for e in events if _kind(e) in HANDOFF_KINDS]
    at = event.wall_time if event is not None else max(
        (e.wall_time for e in handoffs), default=state.received_at)
    return _slip(6, state, ctx, at, fields=tuple(fields),
                 tables=(SlipTable("Quá trình giao, nhận hồ sơ",
                                   ("STT", "Tên cơ quan (giao, nhận)", "Thời gian giao, nhận hồ sơ",
                                    "Kết quả giải quyết hồ sơ (trước hạn/đúng hạn/quá hạn)", "Ghi chú"),
                                   tuple(rows), (2, 10, 7, 6, 5)),),
                 signatures=(_sign("NGƯỜI GIAO", "", "(Ký)"), _sign("NGƯỜI NHẬN", "", "(Ký)")))


# --- dispatch ----------------------------------------------------------------------------

_BUILDERS = {2: supplement_slip, 3: refusal_slip, 4: apology_slip, 5: stop_slip, 6: control_slip}


def slip_for_event(state: DossierState, event: Event, ctx: FormContext) -> Slip | None:
    """The slip the action recorded by `event` prints, or None if it prints none."""
    form = EVENT_FORM.get(_kind(event))
    if form is None or form == 1:
        return None
    return _BUILDERS[form](state, event, ctx)


def form_slip(form: int, state: DossierState, ctx: FormContext) -> Slip:
    """Form `form` (1-6) of the dossier as it stands; 02-05 from the latest event that
    issued it. Raises FormUnavailable when the dossier never had that form."""
    if form == 1:
        return receipt_slip(state, ctx)
    if form not in _BUILDERS:
        raise FormUnavailable(f"Mẫu {form:02d} không có; chọn một mẫu từ 01 đến 06.")
    issuing = [e for e in ctx.events if EVENT_FORM.get(_kind(e)) == form]
    if not issuing:
        raise FormUnavailable(f"Hồ sơ {state.code} {_NO_FORM_VI[form]} nên không có mẫu {form:02d}.")
    if form == 6:
        return control_slip(state, None, ctx)       # every hand-off and its outcome so far
    last = max(issuing, key=lambda e: (e.hlc, e.id))
    return _BUILDERS[form](state, last, ctx)
