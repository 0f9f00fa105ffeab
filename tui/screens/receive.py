"""Receive a dossier: procedure, applicant (typed or scanned from the ID card), documents,
channel and delivery; Ctrl+S validates, saves and prints. What the clerk typed stays on the
screen until the dossier is saved, whatever fails."""
from __future__ import annotations

import logging
import re

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from core.catalogue import DELIVERY_VI, Delivery, Procedure
from core.catalogue_io import search_procedures
from core.citizen_id import CitizenCard, CitizenIdError, parse_id_qr
from core.people import CHANNEL_VI, Channel
from core.validation import ReceiveForm, validate_receive
from tui import messages as msg
from tui.actions import save_dossier
from tui.format import dt_short
from tui.widgets.confirm import ConfirmScreen
from tui.screens.receive_drafts import DRAFT, TEXT_FIELDS, ReceiveDrafts, due_text, same_day_twin
from tui.widgets.form_screen import FormScreen
from tui.widgets.status_bar import StatusBar
from tui.widgets.header import Header

log = logging.getLogger("motcua.tui")
SAVE_GROUP = "save"
# A chip-card QR typed by a keyboard-wedge scanner into any field: 12 digits, then '|'.
_ID_QR_IN_TEXT = re.compile(r"\d{12}\|[^\r\n]*\|[^\r\n]*\|")
# The whole payload (seven fields, the last an issue date): complete as soon as its last
# digit arrives, whatever suffix (Tab, Enter, none) the scanner adds after it.
_WHOLE_ID_QR = re.compile(r"\d{12}\|[^|\r\n]*\|[^|\r\n]*\|\d{8}\|[^|\r\n]*\|[^|\r\n]*\|\d{8}")



class ReceiveScreen(ReceiveDrafts, FormScreen):
    CSS_PATH = "receive.tcss"
    AUTO_FOCUS = "#procedure-search"
    BINDINGS = [
        Binding("ctrl+s", "confirm", "Xác nhận tiếp nhận", id="receive.confirm", priority=True),
        Binding("f4", "focus_scan", "Quét QR CCCD", id="receive.scan"),
        Binding("f6", "all_documents", "Đánh dấu đủ giấy tờ", id="receive.all_documents"),
        Binding("ctrl+f", "focus_procedure", "Chọn thủ tục", id="receive.procedure"),
        Binding("escape", "leave", "Quay lại", id="receive.back"),
    ]

    def __init__(self, card: CitizenCard | None = None) -> None:
        super().__init__()
        self._card = card
        self.procedure: Procedure | None = None
        self._procedures: list[Procedure] = []
        self._saving = False
        self._saved = False
        self._restoring = False
        self._duplicate_ok = False

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form"):
            yield Static("TIẾP NHẬN HỒ SƠ", classes="title")
            yield Label("Thủ tục (gõ tên không dấu hoặc mã, Enter để chọn)")
            yield Input(placeholder="ví dụ: khai sinh, chung thuc ban sao, 1.001193", id="procedure-search")
            yield OptionList(id="procedure-list")
            yield Static("", id="procedure-info", classes="hint")
            yield Static("", id="err-procedure", classes="error")
            yield Label("Quét QR trên thẻ căn cước (F4)")
            yield Input(placeholder="Đưa thẻ vào máy quét…", id="scan")
            yield Static("", id="err-scan", classes="error")
            with Horizontal(classes="row"):
                yield self._field("full_name", "Họ tên người nộp *", "NGUYỄN VĂN A")
                yield self._field("id_number", "Số định danh (12 số)", "051203001234")
            with Horizontal(classes="row"):
                yield self._field("birth_date", "Ngày sinh (dd/mm/yyyy)", "14/07/2003")
                with Vertical(classes="field"):
                    yield Label("Giới tính")
                    yield Select([("Nam", "Nam"), ("Nữ", "Nữ")], id="sex", prompt="—", allow_blank=True)
                    yield Static("", id="err-sex", classes="error")
            yield self._field("address", "Địa chỉ", "Thôn, xã, tỉnh")
            with Horizontal(classes="row"):
                yield self._field("phone", "Điện thoại", "0912345678")
                yield self._field("email", "Email", "")
            yield Label("Giấy tờ đã nhận (Cách để đánh dấu, F6 đánh dấu tất cả)")
            yield SelectionList[int](id="documents")
            yield Static("", id="err-documents", classes="error")
            with Horizontal(classes="row"):
                yield self._field("sets", "Số bộ hồ sơ", "1", value="1")
                with Vertical(classes="field"):
                    yield Label("Kênh nộp")
                    yield Select([(v, c.value) for c, v in CHANNEL_VI.items()], id="channel",
                                 value=Channel.IN_PERSON.value, allow_blank=False)
                with Vertical(classes="field"):
                    yield Label("Nhận kết quả")
                    yield Select([(v, d.value) for d, v in DELIVERY_VI.items()], id="delivery",
                                 value=Delivery.DESK.value, allow_blank=False)
                    yield Static("", id="err-delivery", classes="error")
            yield self._field("notes", "Ghi chú", "")
            yield Static("", id="due-preview", classes="title")
            yield Static("Ctrl+S: xác nhận, lưu và in giấy hẹn · Esc: quay lại", classes="hint")
        yield StatusBar()
        yield Footer()

    @staticmethod
    def _field(name: str, label: str, placeholder: str, value: str = "") -> Vertical:
        return Vertical(
            Label(label), Input(placeholder=placeholder, id=name.replace("_", "-"), value=value),
            Static("", id=f"err-{name}", classes="error"), classes="field",
        )

    def on_mount(self) -> None:
        self._load_catalogue()
        if self._card is not None:
            self.fill_from_card(self._card)

    @work(thread=True, exit_on_error=False, group="catalogue")
    def _load_catalogue(self) -> None:
        services = self.app.services
        procedures = services.catalogue.current()
        draft = services.drafts.load(DRAFT) if services.drafts and self._card is None else None
        self.app.call_from_thread(self._catalogue_loaded, procedures, draft)

    def _catalogue_loaded(self, procedures: list, draft: dict | None) -> None:
        self._procedures = procedures
        if not procedures:
            self._error("procedure", "Danh mục thủ tục đang trống: chưa có thủ tục nào để chọn. "
                                     "Quản trị viên nhập danh mục bằng lệnh «motcua catalogue import "
                                     "thu-tuc.csv» (hoặc .json) rồi mở lại màn hình này.")
        self._fill_procedures(self.query_one("#procedure-search", Input).value
                              if self.procedure is None else "")
        if draft and not self.has_unsaved_data():
            self._offer_draft(draft)

    # -- procedure picker ---------------------------------------------------------------
    def _fill_procedures(self, query: str) -> None:
        options = self.query_one("#procedure-list", OptionList)
        options.clear_options()
        found = search_procedures(self._procedures, query, limit=30)
        options.add_options([Option(f"{p.code}  {p.name}", id=p.code) for p in found])
        if found:
            options.highlighted = 0

    @on(Input.Changed, "#procedure-search")
    def _procedure_typed(self, event: Input.Changed) -> None:
        self._fill_procedures(event.value)

    @on(Input.Submitted, "#procedure-search")
    def _procedure_enter(self) -> None:
        options = self.query_one("#procedure-list", OptionList)
        if options.highlighted is not None and options.option_count:
            self.select_procedure(options.get_option_at_index(options.highlighted).id)
            self.query_one("#full-name", Input).focus()
        else:
            self._error("procedure", "Không tìm thấy thủ tục. Gõ ít chữ hơn, hoặc gõ mã thủ tục.")

    def key_down(self) -> None:
        if self.focused is self.query_one("#procedure-search", Input):
            self.query_one("#procedure-list", OptionList).action_cursor_down()

    def key_up(self) -> None:
        if self.focused is self.query_one("#procedure-search", Input):
            self.query_one("#procedure-list", OptionList).action_cursor_up()

    @on(OptionList.OptionSelected, "#procedure-list")
    def _procedure_picked(self, event: OptionList.OptionSelected) -> None:
        self.select_procedure(event.option.id)
        self.query_one("#full-name", Input).focus()

    def select_procedure(self, code: str) -> None:
        proc = next((p for p in self._procedures if p.code == code), None)
        if proc is None:
            return
        self.procedure = proc
        self.query_one("#procedure-search", Input).value = proc.name
        docs = self.query_one("#documents", SelectionList)
        docs.clear_options()
        docs.add_options([(d.label_vi(), i) for i, d in enumerate(proc.documents)])
        delivery = self.query_one("#delivery", Select)
        delivery.set_options([(DELIVERY_VI[d], d.value) for d in proc.delivery])
        delivery.value = proc.delivery[0].value
        demo = " · dữ liệu mẫu" if proc.demo else ""
        self.query_one("#procedure-info", Static).update(Text(
            f"Đã chọn: {proc.name} ({proc.code}) · Thời hạn: {proc.term.label_vi()} · "
            f"Phí: {proc.fee_label_vi()}{demo}"))
        self._error("procedure", "")
        self._update_due(proc)

    @work(thread=True, exit_on_error=False, group="due")
    def _update_due(self, proc: Procedure) -> None:
        services = self.app.services
        now = services.clock.now()
        due = services.calendar().due(now, proc.term, proc.cutoff_applies)
        self.app.call_from_thread(self._show_due, proc, due_text(now, due, services.settings.office_hours(),
                                                                proc.cutoff_applies))

    def _show_due(self, proc: Procedure, text: str) -> None:
        if proc is self.procedure:          # an answer for a procedure since replaced: drop it
            self.query_one("#due-preview", Static).update(Text(text))

    # -- scanning -----------------------------------------------------------------------
    def action_focus_scan(self) -> None:
        self.query_one("#scan", Input).focus()

    def action_focus_procedure(self) -> None:
        self.query_one("#procedure-search", Input).focus()

    @on(Input.Submitted, "#scan")
    def _scanned(self, event: Input.Submitted) -> None:
        payload = event.value.replace("\r", "").replace("\n", "")
        event.input.value = ""
        try:
            card = parse_id_qr(payload)
        except CitizenIdError as exc:
            self._error("scan", f"{exc} Quét lại, hoặc nhập tay các ô bên dưới.")
            return
        self.fill_from_card(card)

    def _scan_in_field(self, field: Input) -> None:
        """A wedge scanner typed a whole ID QR into this field (any suffix or none)."""
        match = _WHOLE_ID_QR.search(field.value)
        if match is None:
            return
        try:
            card = parse_id_qr(match.group(0))
        except CitizenIdError as exc:
            self._error("scan", f"{exc} Quét lại, hoặc nhập tay các ô bên dưới.")
            return
        field.value = field.value[: match.start()] + field.value[match.end():]
        self.fill_from_card(card, move_focus=False)

    @on(Input.Submitted)
    def _maybe_scan_anywhere(self, event: Input.Submitted) -> None:
        """A scanner fires into whatever field has focus: take the payload out of it."""
        if event.input.id in ("scan", "procedure-search"):
            return
        match = _ID_QR_IN_TEXT.search(event.value)
        if match is None:
            return
        event.input.value = event.value[: match.start()]
        try:
            card = parse_id_qr(event.value[match.start():])
        except CitizenIdError as exc:
            self._error("scan", str(exc))
            return
        self.fill_from_card(card)

    def fill_from_card(self, card: CitizenCard, move_focus: bool = True) -> None:
        self._set("full_name", card.full_name)
        self._set("id_number", card.id_number)
        self._set("birth_date", f"{card.birth_date:%d/%m/%Y}")
        self._set("address", card.address)
        if card.sex in ("Nam", "Nữ"):
            self.query_one("#sex", Select).value = card.sex
        self._error("scan", "")
        self.notify(f"Đã điền thông tin từ thẻ căn cước: {card.full_name}.", timeout=3)
        if move_focus:
            target = "#phone" if self.procedure else "#procedure-search"
            self.query_one(target, Input).focus()

    def _set(self, name: str, value: str) -> None:
        self.query_one(f"#{name.replace('_', '-')}", Input).value = value

    # -- confirm ------------------------------------------------------------------------
    def action_all_documents(self) -> None:
        self.query_one("#documents", SelectionList).select_all()

    def action_leave(self) -> None:
        if self._saving:
            return
        if not self.has_unsaved_data():
            self._discard_draft()
            self.app.pop_screen()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._discard_draft()
                self.app.pop_screen()

        self.app.push_screen(ConfirmScreen("Bỏ hồ sơ đang nhập?",
                                           "Những gì đã gõ trên màn hình này sẽ bị xóa."), answered)

    # -- nothing typed is lost ----------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _form_changed(self, event) -> None:
        if self._restoring or self._saved or not self.is_mounted:
            return
        if isinstance(event, Input.Changed) and event.input.id not in ("scan", "procedure-search"):
            self._scan_in_field(event.input)
        if self.has_unsaved_data():
            self._save_draft(self.draft_data())

    def read_form(self) -> ReceiveForm:
        value = lambda n: self.query_one(f"#{n.replace('_', '-')}", Input).value  # noqa: E731
        sex = self.query_one("#sex", Select).value
        return ReceiveForm(
            procedure=self.procedure,
            full_name=value("full_name"), id_number=value("id_number"),
            birth_date=value("birth_date"), sex=sex if isinstance(sex, str) else "",
            address=value("address"), phone=value("phone"), email=value("email"),
            documents=tuple(self.query_one("#documents", SelectionList).selected),
            sets=value("sets"), channel=Channel(self.query_one("#channel", Select).value),
            delivery=Delivery(self.query_one("#delivery", Select).value), notes=value("notes"),
        )

    def _error(self, name: str, text: str) -> None:
        self.query_one(f"#err-{name}", Static).update(Text(text))
        widget_id = name.replace("_", "-")
        for widget in self.query(f"#{widget_id}"):
            widget.set_class(bool(text), "-invalid")

    def action_confirm(self) -> None:
        if self._saving:
            return
        services = self.app.services
        result = validate_receive(self.read_form(), services.clock.now().date())
        for name in ("procedure", "documents", "sex", "delivery", *TEXT_FIELDS):
            self._error(name, result.errors.get(name, ""))
        if result.draft is None:
            first = next(iter(result.errors))
            self.notify("Hồ sơ chưa hợp lệ, chưa lưu: " + result.errors[first],
                        severity="error", timeout=6)
            focus_id = {"procedure": "procedure-search"}.get(first, first.replace("_", "-"))
            for widget in self.query(f"#{focus_id}"):
                widget.focus()
            return
        self._saving = True
        self._save(result.draft, self._duplicate_ok)

    @work(thread=True, exclusive=True, exit_on_error=False, group=SAVE_GROUP)
    def _save(self, draft, duplicate_ok: bool) -> None:
        try:
            if not duplicate_ok:
                twin = same_day_twin(self.app.services, draft)
                if twin is not None:
                    self.app.call_from_thread(self._ask_duplicate, twin)
                    return
            result = save_dossier(self.app.services, self.app.clerk, draft)
        except Exception as exc:
            # Type only: SQLAlchemy errors carry row parameters (personal data).
            log.error("save failed: %s", type(exc).__name__)
            message = getattr(exc, "message_vi", None) or (
                f"Không lưu được hồ sơ ({type(exc).__name__}). Thông tin vừa nhập vẫn còn; thử lại.")
            self.post_message(msg.SaveFailed(message))
            return
        self.post_message(msg.DossierSaved(result))

    def _ask_duplicate(self, twin) -> None:
        self._saving = False

        def answered(yes: bool | None) -> None:
            if yes:
                self._duplicate_ok = True
                self.action_confirm()

        self.app.push_screen(ConfirmScreen(
            "Người này đã nộp hồ sơ cùng thủ tục hôm nay. Vẫn tiếp nhận thêm?",
            f"Hồ sơ {twin.code}, nhận lúc {dt_short(twin.received_at)}. Chọn Không để kiểm tra "
            "lại (mở hồ sơ cũ bằng ô tìm kiếm); thông tin vừa nhập vẫn còn."), answered)

    def on_save_failed(self, event: msg.SaveFailed) -> None:
        self._saving = False
        self.notify(event.message_vi, title="Chưa lưu được", severity="error", timeout=12)

    def on_dossier_saved(self, event: msg.DossierSaved) -> None:
        from tui.screens.receipt import ReceiptScreen
        result = event.result
        self._saving = False
        self._saved = True
        self._discard_draft()
        if result.print_job_id:
            self.app.start_print(result.print_job_id)
        self.app.refresh_status()

        def after_receipt(choice: str | None) -> None:
            if choice == "next":      # a clean form for the next citizen
                self.app.switch_screen(ReceiveScreen())
            else:                     # back to the list, which now shows this dossier
                self.app.pop_screen()

        self.app.push_screen(ReceiptScreen(result.dossier, result.slip, result.print_job_id), after_receipt)
