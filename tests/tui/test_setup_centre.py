"""The first-run setup screen asks the centre for the desk number (issue 7)."""
from __future__ import annotations

import asyncio

from textual.widgets import Static

from db.sync.central import init_central
from db.sync.register import claim_desk_number
from tests.tui.conftest import settle
from tui.app import MotcuaApp
from tui.config import Settings
from tui.screens.login import LoginScreen
from tui.screens.setup import SetupScreen
from tui.services import build_services


async def _fill(pilot, desk: str) -> None:
    for text in ("UBND xã Tịnh Khê", "000.21.53.H48", desk, "Nguyễn Văn Quản", "quantri",
                 "matkhau-manh-123", "matkhau-manh-123"):
        await pilot.press(*list(text))
        await pilot.press("enter")
    for _ in range(50):
        await settle(pilot)
        if not isinstance(pilot.app.screen, SetupScreen) or "Đang lưu" not in str(
                pilot.app.screen.query_one("#setup-error", Static).render()):
            break
        await asyncio.sleep(0.1)


async def test_setup_screen_refuses_a_desk_number_the_centre_gave_another_desk(tmp_path, clock):
    central = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(central)
    assert claim_desk_number(central, "000.21.53.H48", 2, "another-desk-uuid")[0]
    settings = Settings(db_url=str(tmp_path / "new.sqlite"), printer_uri="dummy:", central_url=central)
    app = MotcuaApp(loader=lambda: build_services(settings, clock))
    async with app.run_test(size=(120, 50)) as pilot:
        for _ in range(500):
            if app.services_ready:
                break
            await asyncio.sleep(0.02)
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        await _fill(pilot, "2")
        assert isinstance(app.screen, SetupScreen)
        shown = str(app.screen.query_one("#setup-error", Static).render())
        assert "Số quầy 2" in shown
        assert app.services.accounts.needs_setup()           # nothing saved
        desk_input = app.screen.query_one("#desk-number")
        desk_input.value = "3"
        app.screen.action_save()
        for _ in range(50):
            await settle(pilot)
            if isinstance(app.screen, LoginScreen):
                break
            await asyncio.sleep(0.1)
        assert isinstance(app.screen, LoginScreen)
        assert app.services.desk.number == 3
