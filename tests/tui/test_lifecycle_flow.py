"""The life of a dossier through real keystrokes: the morning work list, the dossier
screen's actions and their forms, the new appointments they make."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from textual.widgets import DataTable, Static

from core.lifecycle import EventKind, Status
from core.validation import ReceiveForm, validate_receive
from tests.printers.escpos_decode import decode
from tests.tui.conftest import login, settle, type_text
from tui.actions import save_dossier
from tui.screens.dossier import DossierScreen
from tui.screens.dossier_action import ActionFormScreen
from tui.screens.home import HomeScreen

SIZE = (150, 50)


def receive(app, code: str, name: str):
    """Receive a dossier now through the same function the receive screen uses."""
    services = app.services
    proc = services.catalogue.get(code)
    form = ReceiveForm(procedure=proc, full_name=name, phone="0912345678", address="Thôn 3, xã Tịnh Khê",
                       documents=tuple(range(len(proc.documents))))
    clerk = next(c for c in services.accounts.list() if c.username == "canbo")
    return save_dossier(services, clerk, validate_receive(form, services.clock.now().date()).draft).dossier


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_first_row(pilot) -> None:
    await pilot.press("down")             # from the search box into the list
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DossierScreen)


async def test_morning_lists_overdue_row_then_apology_from_the_apology_list(make_app, clock, printer_file):
    app = make_app(print_mode="text", codepage="CP1258")
    async with app.run_test(size=SIZE) as pilot:
        late = receive(app, "1.001193", "Nguyễn Văn Trễ")          # same day: due 23/11 17:00
        soon = receive(app, "1.004873", "Lê Thị Hoa")              # 3 working days: due 27/11 17:00
        assert soon.due_at == datetime(2026, 11, 27, 17)           # 24/11 is a day off in 2026
        clock.at = datetime(2026, 11, 26, 9, 0)                    # Thursday: the apology's last day
        await login(pilot)
        assert isinstance(app.screen, HomeScreen)
        counts = text_of(app, "#worklist-counts")
        assert "Quá hạn: 1" in counts and "Cần xin lỗi, hẹn lại: 1" in counts and "Hôm nay: 0" in counts

        await pilot.press("alt+1")
        await settle(pilot)
        assert text_of(app, "#list-title").startswith("Quá hạn: 1 hồ sơ")
        table = app.screen.query_one("#dossiers", DataTable)
        cell = table.get_row_at(0)[0]
        assert str(cell) == late.code and "red" in str(cell.style)      # the overdue row stands out
        await open_first_row(pilot)
        assert "QUÁ HẠN" in text_of(app, "#dossier-summary")
        # Past its appointment an apology is no longer allowed: not offered, the key does nothing.
        assert "Xin lỗi" not in text_of(app, "#dossier-actions")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("alt+4")
        await settle(pilot)
        assert text_of(app, "#list-title").startswith("Cần xin lỗi, hẹn lại: 1 hồ sơ")
        await open_first_row(pilot)
        assert "X Xin lỗi, hẹn lại" in text_of(app, "#dossier-actions")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ActionFormScreen)
        await type_text(pilot, "27/11/2026 16:00")             # not later than the appointment
        await pilot.press("enter")
        await type_text(pilot, "Chờ xác minh tại nơi cư trú")
        await pilot.press("enter")
        await type_text(pilot, "Công an xã")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionFormScreen)
        assert "phải sau ngày hẹn hiện tại" in text_of(app, "#action-error")
        app.screen.query_one("#f-new_due_at").focus()
        await pilot.press("end", *["backspace"] * 16)
        await type_text(pilot, "01/12/2026 17:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        d = app.services.dossiers.get(soon.id)
        assert d.due_at == datetime(2026, 12, 1, 17) and d.original_due_at == datetime(2026, 11, 27, 17)
        assert d.apology_count == 1
        summary = text_of(app, "#dossier-summary")
        assert "Hẹn trả: 17:00 01/12/2026" in summary and "Hẹn theo quy định: 17:00 27/11/2026" in summary
        assert "Xin lỗi" not in text_of(app, "#dossier-actions")     # once per dossier
        # Form 04 was queued with the event and printed by the print worker.
        jobs = app.services.print_jobs.for_dossier(soon.id)
        assert [(j.slip.title, j.status) for j in jobs[1:]] == [
            ("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "done")]
        printed = " ".join(unicodedata.normalize("NFC", line) for line in
                           decode(printer_file.read_bytes()).text_lines("cp1258"))
        assert "XIN LỖI" in printed and "01/12/2026" in printed and "Chờ xác minh tại nơi cư trú" in printed
        jobs_table = app.screen.query_one("#jobs", DataTable)
        assert any("XIN LỖI" in str(jobs_table.get_row_at(i)[1]) for i in range(jobs_table.row_count))


async def test_supplement_then_supplemented_shows_the_new_appointment(make_app, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        d = receive(app, "1.004873", "Lê Thị Hoa")
        await login(pilot)
        await open_first_row(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ActionFormScreen)
        await pilot.press("space")                              # the first required document is missing
        await pilot.press("tab", "tab", "tab")                  # form, other documents, reason
        await type_text(pilot, "Bản sao không rõ")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        state = app.services.dossiers.get(d.id)
        assert state.status is Status.SUPPLEMENT
        ev = app.services.dossiers.events(d.id)[-1]
        assert ev.kind is EventKind.SUPPLEMENT_REQUESTED and ev.payload["missing"][0]["form"] == "chinh"
        assert ev.payload["contact_name"] == "Trần Thị Mai"
        assert "Nhận hồ sơ bổ sung" in text_of(app, "#dossier-actions")
        assert "Trả kết quả" not in text_of(app, "#dossier-actions")

        clock.at = datetime(2026, 11, 25, 10, 0)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Restart: three working days from 25/11 are 26, 27 and 30/11.
        assert "Hẹn trả: 17:00 30/11/2026" in text_of(app, "#dossier-summary")
        assert app.services.dossiers.get(d.id).original_due_at == datetime(2026, 11, 30, 17)


async def test_result_then_return_reads_returned(make_app, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        d = receive(app, "1.004873", "Lê Thị Hoa")
        await login(pilot)
        await open_first_row(pilot)
        await pilot.press("r")                                  # no result yet: not offered
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Đã xử lý xong" in text_of(app, "#dossier-summary")
        assert "Trước hạn" in text_of(app, "#dossier-summary")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ActionFormScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        assert "Đã trả kết quả" in text_of(app, "#dossier-summary")
        assert app.services.dossiers.get(d.id).status is Status.RETURNED
        assert text_of(app, "#dossier-actions") == "Thao tác được phép: G Ghi chú"


async def test_todays_list_counts_every_dossier_and_pages(make_app, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for i in range(103):
            receive(app, "1.001193", "Nguyễn Văn An")
            clock.advance(seconds=30)
        await login(pilot)
        assert text_of(app, "#list-title").startswith("Hồ sơ tiếp nhận hôm nay: 103 hồ sơ — trang 1/2")
        assert "Hôm nay: 103" in text_of(app, "#worklist-counts")
        table = app.screen.query_one("#dossiers", DataTable)
        assert table.row_count == 100
        await pilot.press("f7")
        await settle(pilot)
        assert table.row_count == 3 and "trang 2/2" in text_of(app, "#list-title")
        await pilot.press("f7")                      # past the last page: stays there
        await settle(pilot)
        assert table.row_count == 3
        await pilot.press("f6")
        await settle(pilot)
        assert table.row_count == 100 and "trang 1/2" in text_of(app, "#list-title")


async def test_the_palette_offers_exactly_the_actions_that_fit_and_runs_them(make_app, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        d = receive(app, "1.004873", "Lê Thị Hoa")
        await login(pilot)
        await open_first_row(pilot)
        actions = {"Yêu cầu bổ sung", "Nhận hồ sơ bổ sung", "Từ chối tiếp nhận", "Chuyển xử lý", "Nhận lại hồ sơ",
                   "Có kết quả", "Trả kết quả", "Xin lỗi, hẹn lại", "Công dân rút hồ sơ", "Dừng giải quyết", "Ghi chú"}
        titles = {c.title for c in app.get_system_commands(app.screen)} & actions
        assert titles == actions - {"Nhận hồ sơ bổ sung", "Nhận lại hồ sơ", "Trả kết quả"}
        await pilot.press("ctrl+p")                              # the command palette, by name
        await settle(pilot)
        await type_text(pilot, "Ghi chú")
        from textual.widgets import OptionList
        for _ in range(100):                                     # until the palette has searched
            await pilot.pause(0.05)
            found = app.screen.query(OptionList)
            if found and found.first().option_count and "Ghi chú" in str(found.first().get_option_at_index(0).prompt):
                break
        await pilot.press("down")
        results = app.screen.query(OptionList).first()
        assert "Ghi chú" in str(results.get_option_at_index(results.highlighted).prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionFormScreen)
        await type_text(pilot, "Công dân hẹn chiều quay lại")
        await pilot.press("enter")
        await settle(pilot)
        assert app.services.dossiers.events(d.id)[-1].payload["text"] == "Công dân hẹn chiều quay lại"
        await pilot.press("c")                                   # hand-off by key
        await settle(pilot)
        await type_text(pilot, "Công chức Tư pháp - Hộ tịch")
        await pilot.press("ctrl+s")
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)} & actions
        assert "Nhận lại hồ sơ" in titles and "Đang ở: Công chức Tư pháp - Hộ tịch" in text_of(app, "#dossier-summary")
        steps = app.screen.query_one("#steps", DataTable)
        assert steps.row_count == 1 and str(steps.get_row_at(0)[1]) == "Công chức Tư pháp - Hộ tịch"
