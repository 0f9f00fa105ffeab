"""Nothing typed is lost: bursts at scanner speed, drafts, confirm before discarding,
the same person twice a day, and messages that say what is wrong."""
from __future__ import annotations

from datetime import datetime

from textual import events
from textual.widgets import Input, Static

from core.clock import FixedClock
from core.validation import parse_birth_date
from tests.tui.conftest import login, settle, type_text
from tests.tui.test_receive_flow import ID_QR, SIZE, receive_one
from tui.app import MotcuaApp
from tui.config import Settings
from tui.screens.home import HomeScreen
from tui.screens.receipt import ReceiptScreen
from tui.screens.receive import ReceiveScreen
from tui.services import build_services
from tui.widgets.confirm import ConfirmScreen


def burst(app, text_and_keys) -> None:
    """Post keys all at once, as a terminal delivers a paste or a scanner's burst."""
    for item in text_and_keys:
        if item in ("tab", "enter"):
            app.post_message(events.Key(item, "\t" if item == "tab" else "\r"))
        else:
            for ch in item:
                app.post_message(events.Key(ch, ch))


async def open_form(pilot, procedure="khai sinh"):
    await pilot.press("f2")
    await settle(pilot)
    await type_text(pilot, procedure)
    await pilot.press("enter")
    await settle(pilot)
    return pilot.app.screen


def value(screen, wid: str) -> str:
    return screen.query_one(f"#{wid}", Input).value


async def test_a_burst_of_text_tab_text_enter_lands_in_the_right_fields(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await open_form(pilot)
        assert app.focused.id == "full-name"
        burst(app, ["Lê Văn Tám", "tab", "051203001234", "tab", "14/07/2003", "enter"])
        await settle(pilot)
        assert value(screen, "full-name") == "Lê Văn Tám"
        assert value(screen, "id-number") == "051203001234"
        assert value(screen, "birth-date") == "14/07/2003"


async def test_login_typed_as_one_burst(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused.id == "username"
        burst(app, ["canbo", "enter", "canbo123", "enter"])
        for _ in range(20):                     # argon2 takes its time on a loaded machine
            await settle(pilot)
            if isinstance(app.screen, HomeScreen):
                break
        assert isinstance(app.screen, HomeScreen)
        await settle(pilot)


async def test_wedge_scanner_with_a_tab_suffix_fills_the_applicant(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await open_form(pilot)
        burst(app, [ID_QR.rstrip("\r\n"), "tab"])
        await settle(pilot)
        assert value(screen, "full-name") == "Trần Thị Bích Ngọc"
        assert value(screen, "id-number") == "051303004512"
        assert "|" not in value(screen, "full-name")


async def test_escape_on_a_form_with_data_asks_before_discarding(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await open_form(pilot)
        await type_text(pilot, "Lê Văn Tám")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("k")                  # no: back to the form, nothing lost
        await settle(pilot)
        assert app.screen is screen and value(screen, "full-name") == "Lê Văn Tám"
        await pilot.press("ctrl+q")             # quitting asks too
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.is_running
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("c")                  # yes: discard
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.services.drafts.load("receive") is None


async def test_a_draft_survives_a_crash_and_is_offered_not_forced(tmp_path, clock):
    settings = Settings(db_url=str(tmp_path / "desk.sqlite"), printer_uri="dummy:", demo=True, copies=1)
    app = MotcuaApp(build_services(settings, clock, seed_demo=0))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_form(pilot)
        await type_text(pilot, "Lê Văn Tám")
        await pilot.press("tab")
        await type_text(pilot, "051203001234")
        await settle(pilot)
    # The process dies here (no save, no discard): a new app on the same desk file.
    app = MotcuaApp(build_services(settings, clock, seed_demo=0))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)     # offered
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReceiveScreen)
        assert value(screen, "full-name") == "Lê Văn Tám"
        assert value(screen, "id-number") == "051203001234"
        assert screen.procedure is not None and "khai sinh" in screen.procedure.name.lower()
    app = MotcuaApp(build_services(settings, clock, seed_demo=0))
    async with app.run_test(size=SIZE) as pilot:       # declined: a clean form, draft gone
        await login(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert value(app.screen, "full-name") == ""
        assert app.services.drafts.load("receive") is None


async def test_same_person_same_procedure_twice_a_day_is_flagged_before_saving(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        await pilot.press("enter")              # next citizen... the same one again
        await settle(pilot)
        await receive_one_again(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "đã nộp hồ sơ cùng thủ tục hôm nay" in str(app.screen.query_one("#confirm-question", Static).render())
        assert app.services.dossiers.count() == 1
        await pilot.press("c")
        await settle(pilot)
        assert app.services.dossiers.count() == 2


async def receive_one_again(pilot):
    await type_text(pilot, "khai sinh")
    await pilot.press("enter")
    await pilot.press("f4")
    await type_text(pilot, ID_QR.rstrip("\r\n"))
    await pilot.press("enter")
    await type_text(pilot, "0912345678")
    await pilot.press("f6", "ctrl+s")
    await settle(pilot)


async def test_an_empty_catalogue_says_so_and_how_to_import_one(tmp_path, clock):
    from db.demo.seed import ensure_demo_setup
    settings = Settings(db_url=str(tmp_path / "desk.sqlite"), printer_uri="dummy:")
    services = build_services(settings, clock, seed_demo=0)
    ensure_demo_setup(services.engine, clock)
    services.engine.dispose()
    from sqlalchemy import text
    with services.engine.begin() as conn:
        conn.execute(text("DELETE FROM procedure_version"))
    app = MotcuaApp(build_services(settings, clock, seed_demo=0))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("f2")
        await settle(pilot)
        error = str(app.screen.query_one("#err-procedure", Static).render())
        assert "Danh mục thủ tục đang trống" in error and "motcua catalogue import" in error


async def test_after_closing_time_the_appointment_says_it_counts_from_the_next_day(tmp_path):
    clock = FixedClock(datetime(2026, 11, 23, 17, 30))
    settings = Settings(db_url=str(tmp_path / "desk.sqlite"), printer_uri="dummy:", demo=True)
    app = MotcuaApp(build_services(settings, clock, seed_demo=0))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_form(pilot)
        await settle(pilot)
        due = str(app.screen.query_one("#due-preview", Static).render())
        assert "tính từ ngày làm việc tiếp theo" in due


def test_a_date_that_does_not_exist_is_called_so():
    from datetime import date
    try:
        parse_birth_date("31/02/2003", date(2026, 1, 1))
    except ValueError as exc:
        assert "không phải ngày có thật" in str(exc) and "28 ngày" in str(exc)
    else:
        raise AssertionError("31/02/2003 accepted")
