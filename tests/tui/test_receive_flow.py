"""End to end through real keystrokes: log in, receive, print, find, scan, reprint."""
from __future__ import annotations

import re
import socket

from textual.widgets import DataTable, Input, Static

from tests.printers.escpos_decode import decode
from tests.tui.conftest import login, record_notifications, settle, type_text
from tui.screens.dossier import DossierScreen
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.screens.print_queue import PrintQueueScreen
from tui.screens.receipt import ReceiptScreen
from tui.screens.receive import ReceiveScreen

ID_QR = "051303004512|212345678|Trần Thị Bích Ngọc|14072003|Nữ|Tổ 3, phường Cẩm Thành, tỉnh Quảng Ngãi|20052021\r\n"
CODE = re.compile(r"^000\.21\.53\.H48-261123-01\d{3}$")
SIZE = (140, 60)


async def receive_one(pilot, procedure="khai sinh", scan=True, phone="0912345678") -> None:
    await pilot.press("f2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReceiveScreen)
    await type_text(pilot, procedure)
    await pilot.press("enter")
    if scan:
        await pilot.press("f4")
        await type_text(pilot, ID_QR.rstrip("\r\n"))
        await pilot.press("enter")       # the scan fills the applicant and moves to the phone
    else:
        # Leave the name empty: Tab past name, ID number, birth date, sex, address.
        await pilot.press("tab", "tab", "tab", "tab", "tab")
    assert pilot.app.focused.id == "phone"
    await type_text(pilot, phone)
    await pilot.press("f6")
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_wrong_password_is_refused_then_login_works(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "canbo", "sai-mat-khau")
        assert isinstance(app.screen, LoginScreen)
        assert "Sai tên đăng nhập" in str(app.screen.query_one("#login-error", Static).render())
        assert app.screen.query_one("#password", Input).value == ""
        await type_text(pilot, "canbo123")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.clerk.username == "canbo"


async def test_demo_login_screen_lists_demo_accounts(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        text = str(app.screen.query_one("#demo-accounts", Static).render())
        assert "canbo" in text and "canbo123" in text


async def test_receive_scan_and_print_qr_receipt(make_app, printer_file):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        assert isinstance(app.screen, ReceiptScreen), app.screen
        dossiers = app.services.dossiers.search("tran thi bich")
        assert len(dossiers) == 1
        d = dossiers[0]
        assert CODE.match(d.code), d.code
        assert d.applicant_id_number == "051303004512"
        assert d.applicant_name == "Trần Thị Bích Ngọc"
        assert d.procedure_code == "1.001193"
        # Received Monday 09:30, same-day procedure: due at closing time the same day.
        assert f"{d.due_at:%H:%M %d/%m/%Y}" == "17:00 23/11/2026"
        out = decode(printer_file.read_bytes())
        assert out["native_qr"] == [d.code]
        assert out["cuts"] == 1
        assert 480 < max(out["raster_widths"]) <= 576
        preview = str(app.screen.query_one("#receipt-text", Static).render())
        assert d.code in preview and "GIẤY TIẾP NHẬN" in preview
        assert "051303004512" not in preview   # the receipt shows no ID number
        status = str(app.screen.query_one("#print-status", Static).render())
        # a file printer cannot answer a status query: sent, never "printed"
        assert status.startswith("Đã gửi tới máy in") and "Đã in xong" not in status


async def test_invalid_form_saves_nothing_and_keeps_what_was_typed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot, scan=False, phone="09123")
        screen = app.screen
        assert isinstance(screen, ReceiveScreen)
        assert "Chưa nhập họ tên" in str(screen.query_one("#err-full_name", Static).render())
        assert "10 chữ số" in str(screen.query_one("#err-phone", Static).render())
        assert screen.query_one("#phone", Input).value == "09123"
        assert app.services.dossiers.count() == 0
        assert app.services.print_jobs.pending() == []


async def test_find_by_code_by_scanned_receipt_and_reprint(make_app, printer_file):
    template = "https://dichvucong.quangngai.gov.vn/tra-cuu?ma={code}"
    app = make_app(qr_template=template)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        code = app.services.dossiers.search("051303004512")[0].code
        await pilot.press("escape")          # receipt -> back to the list
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f3")
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("escape")
        await settle(pilot)
        # A scanner reads the receipt's QR (a lookup URL) into the search box.
        await pilot.press("f3")
        await type_text(pilot, template.replace("{code}", code))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        events = app.screen.query_one("#events", DataTable)
        assert events.row_count == 1
        dossier_id = app.screen.dossier_id
        await pilot.press("p")                # the reprint asks why first
        await settle(pilot)
        await pilot.press("enter")            # no reason: refused, nothing queued
        assert "lý do" in str(app.screen.query_one("#reprint-error", Static).render())
        assert len(app.services.print_jobs.for_dossier(dossier_id)) == 1
        await type_text(pilot, "Giấy bị kẹt")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        first, again = app.services.print_jobs.for_dossier(dossier_id)
        assert [j.status for j in (first, again)] == ["done", "done"]
        assert (first.reprint_reason, again.reprint_reason) == ("", "Giấy bị kẹt")
        assert again.slip.marks == ("BẢN IN LẠI — 09 giờ 30 phút, ngày 23/11/2026",)
        assert again.slip.fields == first.slip.fields and first.slip.marks == ()
        jobs_table = app.screen.query_one("#jobs", DataTable)
        assert "In lại: Giấy bị kẹt" in [str(c) for c in jobs_table.get_row_at(1)]
        out = decode(printer_file.read_bytes())
        assert out["native_qr"] == [template.replace("{code}", code)] * 2


async def test_scanning_id_card_in_search_starts_a_prefilled_receipt(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await type_text(pilot, ID_QR.rstrip("\r\n"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiveScreen)
        assert app.screen.query_one("#full-name", Input).value == "Trần Thị Bích Ngọc"
        assert app.screen.query_one("#birth-date", Input).value == "14/07/2003"


async def test_refused_printer_keeps_dossier_and_queues_job(make_app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]          # closed again on exit: connections are refused
    app = make_app(printer_uri=f"tcp://127.0.0.1:{port}")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        assert app.services.dossiers.count() == 1
        pending = app.services.print_jobs.pending()
        assert len(pending) == 1 and pending[0].status == "failed"
        assert "máy in" in pending[0].reason.lower()
        status = str(app.screen.query_one("#print-status", Static).render())
        assert status.startswith("Không in được")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, PrintQueueScreen)
        assert app.screen.query_one("#jobs", DataTable).row_count == 1


async def test_every_action_is_in_the_command_palette_and_help(make_app):
    from textual.command import CommandList, CommandPalette
    from tui.screens.help import HelpScreen
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        placeholder = palette.query_one(Input).placeholder
        assert "Gõ tên lệnh" in placeholder and "Search" not in placeholder
        await type_text(pilot, "hang doi in")       # no diacritics: "Hàng đợi in"
        await pilot.pause(0.6)
        await settle(pilot)
        options = palette.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Hàng đợi in" in p for p in prompts), prompts
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PrintQueueScreen)
        await pilot.press("escape", "ctrl+p")
        await settle(pilot)
        await type_text(pilot, "zzqx")
        await pilot.pause(0.8)
        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Không có lệnh nào khớp" in p for p in prompts), prompts
        await pilot.press("escape")
        await settle(pilot)
        # Each action run from the palette itself: Ctrl+P, type its name, Enter.
        for title, screen in (("Tiếp nhận hồ sơ", ReceiveScreen), ("Hàng đợi in", PrintQueueScreen),
                              ("Trợ giúp", HelpScreen)):
            await pilot.press("ctrl+p")
            await settle(pilot)
            assert isinstance(app.screen, CommandPalette)
            await type_text(pilot, title)
            await pilot.pause(0.3)          # the palette searches its providers in a worker
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, screen), (title, app.screen)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen), (title, app.screen)
        await pilot.press("f1")
        await settle(pilot)
        table = app.screen.query_one("#help-keys", DataTable)
        ids = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert {"receive.new", "dossier.search", "print.queue", "app.help"} <= ids
        header = [str(c.label) for c in table.columns.values()][2]
        assert "[keys]" in header          # was eaten as markup


async def test_locked_database_keeps_the_form_and_saves_once_free(make_app, tmp_path):
    import sqlite3
    app = make_app(db_busy_timeout_ms=200)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        blocker = sqlite3.connect(tmp_path / "desk.sqlite", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")          # another program holds the file
        try:
            await receive_one(pilot)
            screen = app.screen
            assert isinstance(screen, ReceiveScreen)
            messages = [m for _, m in notes]
            assert any("đang bị khóa" in m for m in messages), messages
            assert screen.query_one("#full-name", Input).value == "Trần Thị Bích Ngọc"
            assert screen.query_one("#phone", Input).value == "0912345678"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert app.services.dossiers.count() == 0
        await pilot.press("ctrl+s")                 # the same form, now the file is free
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert app.services.dossiers.count() == 1
