"""Pilot: a supervisor logs in, lands on the dashboard, switches period, opens the late list
and the dossiers behind a number; a clerk reaches it by key only when allowed."""
from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Static

from core.stats import Period
from core.stats_report import named_period
from db.demo.seed import seed_dossiers
from db.stats import StatsRepo
from tests.tui.conftest import login, settle
from tui.screens.dashboard import DashboardScreen
from tui.screens.home import HomeScreen
from tui.screens.stats_list import PeriodDialog, StatsListScreen

SIZE = (120, 40)


def _seeded(make_app, clock, **settings):
    app = make_app(**settings)
    s = app._services
    seed_dossiers(s.engine, n=300, days=120, clock=clock, hlc=s.hlc)
    return app


def _title(app) -> str:
    return str(app.screen.query_one("#period-title", Static).render())


async def test_supervisor_lands_on_dashboard_switches_period_opens_late_list(make_app, clock):
    app = _seeded(make_app, clock)
    repo = StatsRepo(app._services.engine)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "lanhdao", "lanhdao123")
        assert isinstance(app.screen, DashboardScreen)
        assert "Tháng này" in _title(app) and "01/11/2026" in _title(app)
        table = app.screen.query_one("#bieu06", DataTable)
        month = repo.figures(named_period("month", clock.now().date()), by="field")
        assert table.row_count == len(month) + 1                  # lĩnh vực rows + Tổng cộng
        assert table.get_row("__total__")[2] == str(sum(f.received for f in month.values()))

        await pilot.press("4")                                     # quý
        await settle(pilot)
        assert "Quý này" in _title(app) and "01/10/2026" in _title(app)
        quarter = named_period("quarter", clock.now().date())
        want_late = len(repo.late_list(quarter))
        assert want_late > 0
        assert table.get_row("__total__")[1] == str(repo.figures(quarter)[None].carried_over)

        await pilot.press("l")                                     # the late list
        await settle(pilot)
        assert isinstance(app.screen, StatsListScreen)
        rows = app.screen.query_one("#dossiers", DataTable)
        assert rows.row_count == want_late
        assert {rows.get_row_at(i)[7] for i in range(rows.row_count)} <= {"Đã có", "Chưa có"}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_enter_on_a_number_lists_the_dossiers_behind_it(make_app, clock):
    app = _seeded(make_app, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "admin", "admin123")
        assert isinstance(app.screen, DashboardScreen)
        table = app.screen.query_one("#bieu06", DataTable)
        table.focus()
        total_row = table.get_row_index("__total__")
        resolved_col = table.get_column_index("resolved")
        table.cursor_coordinate = (total_row, resolved_col)
        expected = table.get_row("__total__")[resolved_col]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StatsListScreen)
        assert str(app.screen.query_one("#dossiers", DataTable).row_count) == expected


async def test_custom_period_and_bad_dates(make_app, clock):
    app = _seeded(make_app, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "lanhdao", "lanhdao123")
        await pilot.press("7")
        await settle(pilot)
        assert isinstance(app.screen, PeriodDialog)
        dialog = app.screen
        dialog.query_one("#period-from").value = "01/13/2026"        # no 13th month
        dialog.query_one("#period-to").focus()
        await pilot.press("enter")
        assert isinstance(app.screen, PeriodDialog)
        assert "dd/mm/yyyy" in str(dialog.query_one("#period-error").render())
        dialog.query_one("#period-from").value = "01/09/2026"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.period == Period(date(2026, 9, 1), date(2026, 11, 23))
        assert "Tùy chọn" in _title(app)


async def test_clerk_reaches_dashboard_by_key_only_if_allowed(make_app, clock):
    app = _seeded(make_app, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "canbo", "canbo123")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    app = _seeded(make_app, clock, stats_for_clerks=False)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "canbo", "canbo123")
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
