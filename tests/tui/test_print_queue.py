"""The print queue through real keys: whose job each is, reachable from the receipt
dialog; and a desk with no printer configured keeps its receipts queued and says why."""
from __future__ import annotations

import socket

from textual.widgets import DataTable, Static

from db.demo.seed import ensure_demo_setup
from tests.tui.conftest import login, settle
from tests.tui.test_receive_flow import SIZE, receive_one
from tui.app import MotcuaApp
from tui.config import Settings
from tui.screens.print_queue import PrintQueueScreen
from tui.screens.receipt import ReceiptScreen
from tui.services import build_services


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


async def test_f9_from_the_receipt_dialog_shows_whose_job_it_is(make_app):
    app = make_app(printer_uri=f"tcp://127.0.0.1:{_closed_port()}")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, PrintQueueScreen)
        table = app.screen.query_one("#jobs", DataTable)
        assert table.row_count == 1
        code, name, kind = (str(c) for c in table.get_row_at(0)[:3])
        (dossier,) = app.services.dossiers.search("tran thi bich")
        assert (code, name) == (dossier.code, "Trần Thị Bích Ngọc")
        assert kind == "Giấy tiếp nhận (mẫu 01)"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)      # back where the clerk was


def _unconfigured_app(tmp_path, clock) -> MotcuaApp:
    settings = Settings(db_url=str(tmp_path / "desk.sqlite"), copies=1)
    assert settings.resolved_printer_uri() == ""
    ensure_demo_setup(build_services(settings, clock, seed_demo=0).engine, clock)
    return MotcuaApp(build_services(settings, clock, seed_demo=0))


async def test_no_printer_configured_keeps_the_receipt_queued_and_tells_the_clerk(tmp_path, clock):
    app = _unconfigured_app(tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        status = str(app.screen.query_one("#print-status", Static).render())
        assert "chưa cấu hình máy in" in status and "Đã in" not in status
        (job,) = app.services.print_jobs.pending()
        assert job.status == "queued" and job.reason_code == "not-configured"
        assert "chưa cấu hình máy in" in job.reason
        assert app.services.printer.last_output is None      # no silent dummy: printer
