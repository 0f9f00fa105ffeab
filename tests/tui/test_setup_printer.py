"""The first-run screen chooses the printer: a test slip, then saved with the setup and
used at once; without one, the clerk's receipts will wait in the queue."""
from __future__ import annotations

import asyncio
import tomllib

from textual.widgets import Input, Select, Static

from tests.tui.conftest import settle
from tui.app import MotcuaApp
from tui.config import Settings
from tui.screens.login import LoginScreen
from tui.screens.setup import SetupScreen
from tui.services import build_services


async def _wait(pilot, done, tries: int = 100) -> None:
    for _ in range(tries):
        await settle(pilot)
        if done():
            return
        await asyncio.sleep(0.05)


async def test_setup_screen_prints_a_test_slip_and_saves_the_printer(tmp_path, clock, monkeypatch):
    config = tmp_path / "config.toml"
    monkeypatch.setenv("MOTCUA_CONFIG", str(config))
    lp0 = tmp_path / "lp0"
    settings = Settings(db_url=str(tmp_path / "new.sqlite"))
    app = MotcuaApp(build_services(settings, clock))
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        for text in ("UBND xã Tịnh Khê", "000.21.53.H48", "2", "Nguyễn Văn Quản", "quantri",
                     "matkhau-manh-123", "matkhau-manh-123"):
            await pilot.press(*list(text))
            await pilot.press("enter")
        assert app.focused.id == "printer-uri"
        await pilot.press(*list(f"file://{lp0}"))
        app.screen.query_one("#paper-mm", Select).value = 58
        await pilot.press("f6")
        status = app.screen.query_one("#printer-status", Static)
        await _wait(pilot, lambda: "Trang thử" in str(status.render()))
        assert str(status.render()).startswith("Trang thử: Đã gửi tới máy in.")
        assert lp0.stat().st_size > 0
        await pilot.press("enter")                          # Enter on the printer field saves
        await _wait(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert isinstance(app.screen, LoginScreen)
        saved = tomllib.loads(config.read_text(encoding="utf-8"))["printer"]
        assert saved == {"uri": f"file://{lp0}", "paper_mm": 58, "mode": "raster", "codepage": ""}
        assert app.services.printer.uri == f"file://{lp0}"
        assert app.services.printer.profile.paper_mm == 58


async def test_a_bad_printer_address_saves_nothing(tmp_path, clock, monkeypatch):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "config.toml"))
    app = MotcuaApp(build_services(Settings(db_url=str(tmp_path / "new.sqlite")), clock))
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        for fid, text in (("agency-name", "UBND xã Tịnh Khê"), ("agency-code", "000.21.53.H48"),
                          ("desk-number", "2"), ("admin-name", "Nguyễn Văn Quản"),
                          ("admin-username", "quantri"), ("admin-password", "matkhau-manh-123"),
                          ("admin-password2", "matkhau-manh-123"), ("printer-uri", "http://máy-in")):
            app.screen.query_one(f"#{fid}", Input).value = text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "Địa chỉ máy in không hợp lệ" in str(app.screen.query_one("#setup-error", Static).render())
        assert app.services.accounts.needs_setup()
        assert not (tmp_path / "config.toml").exists()


async def test_the_printer_fields_are_on_screen_at_80x24(tmp_path, clock, monkeypatch):
    """The printer step once had no height inside the scrolling setup form: its title showed,
    its fields did not, and Tab could not reach them."""
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "config.toml"))
    app = MotcuaApp(build_services(Settings(db_url=str(tmp_path / "new.sqlite")), clock))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(7):
            await pilot.press("tab")
        await settle(pilot)
        assert app.focused.id == "printer-uri"
        for fid in ("#printer-uri", "#paper-mm", "#print-mode"):
            widget = app.screen.query_one(fid)
            assert widget.outer_size.height >= 3, fid
        region = app.screen.query_one("#printer-uri", Input).region
        assert region.height >= 3 and 0 <= region.y and region.bottom <= 24
