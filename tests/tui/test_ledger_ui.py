"""The ledger export dialog, driven by real keystrokes: F10, dates, file, Ctrl+S."""
from __future__ import annotations

import openpyxl
from textual.widgets import Static

from core.ledger import LEDGER_COLUMNS
from tests.tui.conftest import login, settle, type_text
from tests.tui.test_receive_flow import SIZE, receive_one
from tui.screens.home import HomeScreen
from tui.screens.ledger import LedgerExportScreen


async def _fill(pilot, value: str) -> None:
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, value)
    await pilot.press("enter")


async def test_export_the_ledger_from_the_tui(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, LedgerExportScreen)
        out = tmp_path / "xuat" / "so-thang-11.xlsx"
        await _fill(pilot, "31/11/2026")                       # no such day
        await _fill(pilot, "30/11/2026")
        await _fill(pilot, str(out))                           # Enter on the file exports
        await settle(pilot)
        status = str(app.screen.query_one("#ledger-status", Static).render())
        assert "Từ ngày «31/11/2026» không đúng dạng" in status and not out.exists()
        await pilot.press("shift+tab", "shift+tab")            # back to "Từ ngày"
        await _fill(pilot, "01/11/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(app.screen.query_one("#ledger-status", Static).render())
        assert status == f"Đã xuất 1 hồ sơ vào {out}"
        ws = openpyxl.load_workbook(out).active
        assert [c.value for c in ws[4]] == list(LEDGER_COLUMNS)
        assert ws.max_row == 5 and ws["E5"].value == "Trần Thị Bích Ngọc"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
