"""The clerk app and the kiosk app together on one database file, each with its own fixed
clock, driven by real keystrokes and clicks through Pilot."""
from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import Input, Static

from core.clock import FixedClock
from core.lifecycle import EventKind
from core.ratings import Mode
from tests.tui.conftest import login, settle, type_text
from tests.tui.test_receive_flow import SIZE, receive_one
from tui.config import Settings
from tui.kiosk import KioskSetupError, build_kiosk
from tui.kiosk.admin import AdminExitScreen
from tui.kiosk.app import KioskApp
from tui.screens.ratings import PaperSurveyScreen, RatingsScreen
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.status_bar import StatusBar


@pytest.fixture
def kclock():
    return FixedClock(datetime(2026, 11, 23, 9, 30))


@pytest.fixture
def make_kiosk(tmp_path, kclock):
    def factory(**kiosk) -> KioskApp:
        s = Settings(db_url=str(tmp_path / "desk.sqlite"), demo=True, kiosk=kiosk)
        return KioskApp(build_kiosk(s, kclock), poll_interval=0.05)
    return factory


async def until(pilot, condition, tries: int = 100) -> None:
    """Wait (polling, no timing asserted) until the kiosk reaches `condition`."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


def mode(kiosk) -> Mode:
    return kiosk.machine.state.mode


async def prompt_shown(kp, kiosk) -> None:
    await until(kp, lambda: mode(kiosk) is Mode.PROMPT)
    await kiosk.writes_done()
    await kp.pause()


def rated(app):
    [d] = app.services.dossiers.search("tran thi bich")
    return d, [e.payload for e in app.services.dossiers.events(d.id) if e.kind is EventKind.RATED]


async def status_line(pilot, app) -> str:
    """The clerk's status line, once a fresh read has been published to it."""
    app.refresh_status()
    await app.workers.wait_for_complete()
    await settle(pilot)
    # A modal (the receipt) shows the status line of the screen beneath it.
    bar = next(b for screen in reversed(app.screen_stack) for b in screen.query(StatusBar))
    return str(bar.render())


def screen_text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_receive_prompt_key_1_rating(make_app, make_kiosk):
    app, kiosk = make_app(), make_kiosk()
    async with app.run_test(size=SIZE) as cp, kiosk.run_test(size=(100, 40)) as kp:
        await kp.pause()
        assert kiosk.query_one("#idle").display
        await login(cp)
        await receive_one(cp)
        await prompt_shown(kp, kiosk)
        info = str(kiosk.query_one("#prompt-info", Static).render())
        d, _ = rated(app)
        assert d.code in info and "Trần Thị Mai" in info and "Đăng ký khai sinh" in info
        assert d.applicant_name not in info and "051303004512" not in info   # no personal data
        assert "công dân đang đánh giá" in await status_line(cp, app)
        await kp.press("1")
        await kiosk.writes_done()
        assert mode(kiosk) is Mode.THANKS and kiosk.query_one("#thanks").display
        d, payloads = rated(app)
        assert [(p["step"], p["level"], p["label"]) for p in payloads] == [("receipt", 1, "Rất hài lòng")]
        status = await status_line(cp, app)
        assert "đã đánh giá" in status and "Rất hài lòng" not in status


async def test_timeout_records_not_rated(make_app, make_kiosk, kclock):
    app, kiosk = make_app(), make_kiosk(timeout=30)
    async with app.run_test(size=SIZE) as cp, kiosk.run_test(size=(100, 40)) as kp:
        await login(cp)
        await receive_one(cp)
        await prompt_shown(kp, kiosk)
        kclock.advance(seconds=31)
        await until(kp, lambda: mode(kiosk) is Mode.IDLE)
        await kiosk.writes_done()
        _, payloads = rated(app)
        assert [(p["level"], p["label"]) for p in payloads] == [(None, "Không đánh giá")]
        assert "không đánh giá" in await status_line(cp, app)


async def test_double_press_gives_one_rating_and_one_misuse(make_app, make_kiosk):
    app, kiosk = make_app(), make_kiosk()
    async with app.run_test(size=SIZE) as cp, kiosk.run_test(size=(100, 40)) as kp:
        await login(cp)
        await receive_one(cp)
        await prompt_shown(kp, kiosk)
        await kp.press("2", "2")
        await kiosk.writes_done()
        d, payloads = rated(app)
        assert [p["level"] for p in payloads] == [2]
        listed = app.services.ratings.for_dossier(d.id)
        assert [(x["level"], x["misuse"]) for x in listed] == [(2, False), (None, True)]
        s = app.services.ratings.summary(d.received_at.date(), d.received_at.date())
        assert (s.ratings, s.misuse, s.satisfaction_rate) == (1, 1, 1.0)


async def test_dissatisfied_asks_reasons_by_arrows_digits_and_clicks(make_app, make_kiosk):
    app, kiosk = make_app(), make_kiosk()
    async with app.run_test(size=SIZE) as cp, kiosk.run_test(size=(100, 40)) as kp:
        await login(cp)
        await receive_one(cp)
        await prompt_shown(kp, kiosk)
        await kp.press("down", "down", "enter")          # the third level: Chưa hài lòng
        await kiosk.writes_done()
        assert mode(kiosk) is Mode.REASONS and kiosk.query_one("#reasons").display
        await kp.press("1")
        await kp.click("#reason-5")
        assert "☑" in str(kiosk.query_one("#reason-5", Static).render())
        await kp.click("#reason-send")
        await kiosk.writes_done()
        assert mode(kiosk) is Mode.THANKS
        _, payloads = rated(app)
        assert [(p["level"], p["reasons"]) for p in payloads] == [
            (3, ["Thời gian giải quyết", "Thái độ của cán bộ"])]
        presses = [(p.key, p.outcome) for p in app.services.ratings.presses()]
        assert presses == [("down", "select"), ("down", "select"), ("enter", "rating"), ("1", "reason"),
                           ("click:reason:5", "reason"), ("click:reason:0", "reason")]


async def test_kiosk_restarted_mid_prompt_shows_it_again(make_app, make_kiosk, kclock):
    app = make_app()
    async with app.run_test(size=SIZE) as cp:
        await login(cp)
        await receive_one(cp)
        first = make_kiosk()
        async with first.run_test(size=(100, 40)) as kp:
            await prompt_shown(kp, first)
            prompt_id = first.machine.state.prompt.id
        kclock.advance(seconds=10)
        second = make_kiosk()
        async with second.run_test(size=(100, 40)) as kp:
            await prompt_shown(kp, second)
            assert second.machine.state.prompt.id == prompt_id
            assert "Còn 20 giây" in str(second.query_one("#countdown", Static).render())
            await kp.click("#level-1")
            await second.writes_done()
        _, payloads = rated(app)
        assert [p["level"] for p in payloads] == [1]


async def test_no_kiosk_nothing_blocks_the_clerk(make_app, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as cp:
        await login(cp)
        for phone in ("0912345678", "0912345679", "0912345670"):
            await receive_one(cp, phone=phone)
            if isinstance(app.screen, ConfirmScreen):    # the same citizen again today: go on
                await cp.press("c")
                await settle(cp)
            await cp.press("escape")
            await settle(cp)
        assert app.services.dossiers.count() == 3
        clock.advance(minutes=1)
        assert "hết hạn (kiosk không chạy)" in await status_line(cp, app)
        prompts = app.services.ratings.prompts()
        # Each receipt replaced the one before (nobody saw them); the last one ran out.
        assert [p.status for p in prompts] == ["replaced", "replaced", "open"]
        assert all(e.kind is not EventKind.RATED for p in prompts for e in app.services.dossiers.events(p.dossier_id))


async def test_idle_presses_are_misuse_and_leaving_needs_an_admin(make_kiosk, make_app):
    app = make_app()                     # sets the demo desk up (accounts: admin / canbo)
    kiosk = make_kiosk()
    async with kiosk.run_test(size=(100, 40)) as kp:
        await kp.press("1", "enter")
        await kiosk.writes_done()
        assert [(p.key, p.outcome, p.dossier_id) for p in app.services.ratings.presses()] == [
            ("1", "misuse", None), ("enter", "misuse", None)]
        await kp.press("ctrl+q")
        assert isinstance(kiosk.screen, AdminExitScreen)
        await type_text(kp, "canbo")
        await kp.press("enter")
        await type_text(kp, "canbo123")
        await kp.press("enter")
        await kiosk.workers.wait_for_complete()
        await kp.pause()
        assert kiosk.is_running and "không phải quản trị" in str(kiosk.screen.query_one("#admin-error").render())
        await kp.press("escape")
        assert not isinstance(kiosk.screen, AdminExitScreen)
        await kp.press("ctrl+c")
        await type_text(kp, "admin")
        await kp.press("enter")
        await type_text(kp, "admin123")
        await kp.press("enter")
        await kiosk.workers.wait_for_complete()
        await kp.pause()
        assert not kiosk.is_running
    assert len(app.services.ratings.presses()) == 2       # the admin's typing is not a press


def test_kiosk_needs_a_set_up_desk(tmp_path):
    with pytest.raises(KioskSetupError, match="chưa được cài đặt"):
        build_kiosk(Settings(db_url=str(tmp_path / "empty.sqlite")))


async def test_rated_clerk_sees_the_choice_only_tomorrow_supervisor_now(make_app, make_kiosk, clock):
    app, kiosk = make_app(), make_kiosk()
    async with app.run_test(size=SIZE) as cp, kiosk.run_test(size=(100, 40)) as kp:
        await login(cp)
        await receive_one(cp)
        await prompt_shown(kp, kiosk)
        await kp.press("3", "4", "enter")                 # Chưa hài lòng; reason 4
        await kiosk.writes_done()
        await cp.press("escape")
        await cp.press("ctrl+r")
        await settle(cp)
        assert isinstance(app.screen, RatingsScreen)
        row = app.screen.query_one("#ratings-table").get_row_at(0)
        assert "xem từ ngày mai" in row[5] and "Chưa hài lòng" not in row[5] and row[6] == ""
        await cp.press("n")                               # a clerk may not enter paper surveys
        assert not isinstance(app.screen, PaperSurveyScreen)
        clock.advance(days=1)
        app.screen.reload()
        await settle(cp)
        row = app.screen.query_one("#ratings-table").get_row_at(0)
        assert row[5] == "Chưa hài lòng" and row[6] == "Thông tin thủ tục chưa rõ"


async def test_supervisor_enters_a_paper_survey(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as cp:
        await login(cp)
        await receive_one(cp)
        d, _ = rated(app)
        await cp.press("escape")
        await app.run_action("logout")
        await settle(cp)
        await login(cp, "lanhdao", "lanhdao123")
        await cp.press("ctrl+r")
        await settle(cp)
        await cp.press("n")
        assert isinstance(app.screen, PaperSurveyScreen)
        await type_text(cp, d.code)
        await cp.press("enter")
        await type_text(cp, "9")
        await cp.press("enter", "enter", "enter")
        await settle(cp)
        assert "phải từ 1 đến 3" in screen_text(app, "#paper-error")
        app.screen.query_one("#paper-level", Input).value = "2"
        app.screen.query_one("#paper-text", Input).focus()
        await type_text(cp, "Cán bộ nhiệt tình")
        await cp.press("enter")
        await settle(cp)
        assert isinstance(app.screen, RatingsScreen)
        _, payloads = rated(app)
        assert [(p["source"], p["level"], p["text"]) for p in payloads] == [("paper", 2, "Cán bộ nhiệt tình")]
        assert "phiếu giấy 1" in screen_text(app, "#ratings-summary")
