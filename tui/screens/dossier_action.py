"""The form of one lifecycle action, as a modal over the dossier screen.

Ctrl+S records the action in a thread worker (`tui.dossier_actions.perform`); a refusal
is shown in the form, with everything typed kept, and nothing is written. On success the
form closes with the result (db.dossiers.RecordResult) and the dossier screen prints the
slip the action queued.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Select, SelectionList, Static

from core.dossier_actions import DOC_FORM_VI, Refused
from core.lifecycle import EVENT_VI, DossierState, EventKind

ACTION_GROUP = "dossier-action"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    placeholder: str = ""
    default: str = ""
    password: bool = False


K = EventKind
FORMS: dict[EventKind, tuple[FieldSpec, ...]] = {
    K.SUPPLEMENT_REQUESTED: (
        FieldSpec("extra", "Giấy tờ khác còn thiếu (ngăn cách bằng dấu ;)", "ví dụ: Giấy chứng sinh; Tờ khai"),
        FieldSpec("reason", "Lý do yêu cầu bổ sung"),
        FieldSpec("contact_name", "Cán bộ hướng dẫn (người liên hệ)"),
        FieldSpec("contact_phone", "Số điện thoại liên hệ"),
    ),
    K.SUPPLEMENT_RECEIVED: (),
    K.REFUSED: (FieldSpec("reason", "Lý do từ chối tiếp nhận"),),
    K.TRANSFERRED: (
        FieldSpec("to_body", "Chuyển cho cơ quan, bộ phận", "ví dụ: Công chức Tư pháp - Hộ tịch"),
        FieldSpec("to_person", "Người nhận"),
        FieldSpec("step_due_at", "Hạn của bước này (dd/mm/yyyy HH:MM; để trống = ngày hẹn trả)"),
    ),
    K.TAKEN_BACK: (FieldSpec("from_person", "Người giao lại"), FieldSpec("note", "Ghi chú")),
    K.RESULT_READY: (),
    K.RETURNED: (
        FieldSpec("to_name", "Người nhận kết quả (để trống = người nộp)"),
        FieldSpec("to_id_number", "Số giấy tờ của người nhận thay (được ủy quyền)"),
        FieldSpec("tracking", "Số hiệu bưu gửi (khi trả qua bưu chính)"),
    ),
    K.WITHDRAWN: (FieldSpec("reason", "Lý do rút hồ sơ"),),
    K.STOPPED: (FieldSpec("reason", "Lý do dừng giải quyết"),),
    K.APOLOGY_ISSUED: (
        FieldSpec("new_due_at", "Ngày hẹn trả mới (dd/mm/yyyy HH:MM)", "ví dụ: 26/02/2026 17:00"),
        FieldSpec("reason", "Lý do chậm trễ"),
        FieldSpec("delay_body", "Cơ quan, bộ phận gây chậm"),
    ),
    K.NOTE: (FieldSpec("text", "Nội dung ghi chú"),),
}
OVERRIDE = (
    FieldSpec("override_user", "Tài khoản lãnh đạo cho phép bổ sung lần nữa"),
    FieldSpec("override_password", "Mật khẩu lãnh đạo", password=True),
    FieldSpec("override_reason", "Lý do yêu cầu bổ sung lần nữa"),
)


class ActionFailed(Message):
    def __init__(self, message_vi: str) -> None:
        super().__init__()
        self.message_vi = message_vi


class ActionDone(Message):
    def __init__(self, result) -> None:
        super().__init__()
        self.result = result


class ActionFormScreen(ModalScreen):
    CSS_PATH = "dossier_action.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Ghi nhận", id="action.save", priority=True),
        Binding("escape", "cancel", "Hủy", id="action.cancel"),
    ]

    def __init__(self, state: DossierState, kind: EventKind, documents: list[str]) -> None:
        super().__init__()
        self.state, self.kind, self.documents = state, EventKind(kind), documents
        self.saving = False

    def _specs(self) -> tuple[FieldSpec, ...]:
        specs = FORMS[self.kind]
        if self.kind is K.SUPPLEMENT_REQUESTED and self.state.supplement_count:
            specs = specs + OVERRIDE
        return specs

    def compose(self) -> ComposeResult:
        title = f"{EVENT_VI[self.kind]} — {self.state.code}"
        with Vertical(id="action-box"):
            yield Static(escape(title), classes="title", id="action-title")
            with VerticalScroll(id="action-fields"):
                if self.kind is K.SUPPLEMENT_REQUESTED:
                    yield Label("Thành phần hồ sơ còn thiếu (phím Cách để chọn)")
                    yield SelectionList[int](*[(escape(name), i) for i, name in enumerate(self.documents)],
                                             id="missing")
                    yield Label("Hình thức giấy tờ yêu cầu")
                    yield Select([(label, key) for key, label in DOC_FORM_VI.items()], value="chinh",
                                 allow_blank=False, id="missing-form")
                if self.kind is K.RETURNED:
                    yield Label("Cách trả kết quả")
                    yield Select([("Tại Bộ phận Một cửa", "desk"), ("Qua bưu chính công ích", "post")],
                                 value="desk", allow_blank=False, id="method")
                for spec in self._specs():
                    yield Label(spec.label)
                    yield Input(value=self._default(spec), placeholder=spec.placeholder,
                                password=spec.password, id=f"f-{spec.key}")
                if not self._specs() and self.kind not in (K.SUPPLEMENT_REQUESTED, K.RETURNED):
                    yield Static(f"Ghi nhận «{EVENT_VI[self.kind]}» vào lúc này?", classes="hint")
            yield Static("", id="action-error")
            yield Static("Ctrl+S: ghi nhận và in phiếu · Esc: hủy", classes="hint")
        yield Footer()

    def _default(self, spec: FieldSpec) -> str:
        if spec.key == "contact_name" and self.app.clerk is not None:
            return self.app.clerk.full_name
        return spec.default

    def on_mount(self) -> None:
        first = self.query("SelectionList, Input").first() if self.query("SelectionList, Input") else None
        if first is not None:
            first.focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def read_fields(self) -> dict:
        fields = {spec.key: self.query_one(f"#f-{spec.key}", Input).value for spec in self._specs()}
        if self.kind is K.SUPPLEMENT_REQUESTED:
            form = self.query_one("#missing-form", Select).value
            chosen = [self.documents[i] for i in self.query_one("#missing", SelectionList).selected]
            typed = [t.strip() for t in fields.pop("extra", "").split(";") if t.strip()]
            fields["missing"] = [{"name": name, "form": form} for name in chosen + typed]
        if self.kind is K.RETURNED:
            fields["method"] = self.query_one("#method", Select).value
        return fields

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.query_one("#action-error", Static).update("Đang ghi…")
        self._perform(self.read_fields())

    @work(thread=True, exclusive=True, exit_on_error=False, group=ACTION_GROUP)
    def _perform(self, fields: dict) -> None:
        from tui.dossier_actions import perform
        services, clerk = self.app.services, self.app.clerk
        override_by = None
        try:
            user = fields.pop("override_user", "").strip()
            password = fields.pop("override_password", "")
            if user:
                override_by = services.accounts.authenticate(user, password)
                if override_by is None:
                    raise Refused("Sai tài khoản hoặc mật khẩu lãnh đạo.")
            result = perform(services, clerk, self.state.id, self.kind, fields, override_by=override_by)
        except Refused as exc:
            self.post_message(ActionFailed(exc.message_vi))
            return
        except Exception as exc:           # the database is locked or gone: say so, keep the form
            message = getattr(exc, "message_vi", None) or f"Chưa ghi được ({type(exc).__name__}); thử lại."
            self.post_message(ActionFailed(message))
            return
        self.post_message(ActionDone(result))

    def on_action_failed(self, event: ActionFailed) -> None:
        self.saving = False
        self.query_one("#action-error", Static).update(f"[b]{escape(event.message_vi)}[/b]")

    def on_action_done(self, event: ActionDone) -> None:
        self.saving = False
        self.dismiss(event.result)
