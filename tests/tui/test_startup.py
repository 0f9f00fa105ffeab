"""Start-up as `motcua` runs it: the login screen first, the database opened behind it."""
from __future__ import annotations

import asyncio

from textual.widgets import Static

from tests.tui.conftest import login, record_notifications, settle
from tui.app import MotcuaApp
from tui.config import Settings
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.screens.setup import SetupScreen
from tui.services import build_services


async def _wait_loaded(app) -> None:
    for _ in range(3000):                  # generous on a loaded machine, but never silent
        if app.services_ready:
            await asyncio.sleep(0.05)
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the database did not open within 60 s")


async def _wait_until(condition) -> None:
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("waited 60 s in vain")


async def test_login_screen_comes_first_and_fills_in_when_the_database_opens(tmp_path, clock):
    settings = Settings(db_url=str(tmp_path / "d.sqlite"), printer_uri="dummy:", demo=True)
    app = MotcuaApp(loader=lambda: build_services(settings, clock, seed_demo=5))
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await _wait_loaded(app)
        await settle(pilot)
        assert "canbo123" in str(app.screen.query_one("#demo-accounts", Static).render())
        await login(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.services.dossiers.count() == 5


async def test_unopenable_database_is_reported_in_vietnamese(tmp_path, clock):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings = Settings(db_url=str(blocker / "d.sqlite"), printer_uri="dummy:")
    app = MotcuaApp(loader=lambda: build_services(settings, clock))
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait_until(lambda: notes)
        await pilot.pause()
        messages = [m for _, m in notes]
        assert any("Không mở được cơ sở dữ liệu" in m or "cơ sở dữ liệu" in m for m in messages), messages


async def test_first_run_without_setup_asks_for_agency_desk_and_admin(tmp_path, clock):
    settings = Settings(db_url=str(tmp_path / "new.sqlite"), printer_uri="dummy:")
    app = MotcuaApp(loader=lambda: build_services(settings, clock))
    async with app.run_test(size=(120, 50)) as pilot:
        await _wait_loaded(app)
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        for text in ("UBND xã Tịnh Khê", "000.21.53.H48", "2", "Nguyễn Văn Quản", "quantri",
                     "matkhau-manh-123", "matkhau-manh-123"):
            await pilot.press(*list(text))
            await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen), app.screen
        desk = app.services.desk
        assert (desk.agency_code, desk.number) == ("000.21.53.H48", 2)
        await login(pilot, "quantri", "matkhau-manh-123")
        assert isinstance(app.screen, HomeScreen)
