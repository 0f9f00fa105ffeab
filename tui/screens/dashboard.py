"""The supervisor's dashboard: today at a glance, the period's Biểu 06 by lĩnh vực, the marks,
a daily chart, per-clerk counts; period keys; Enter on a number lists the dossiers behind it.

Every query runs in a thread worker that posts `StatsLoaded`; the screen never waits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from core.stats import Figures, Period, Report, buckets, percent_vi
from core.stats_report import PERIOD_VI, marks, named_period
from tui.widgets.status_bar import StatusBar
from tui.widgets.header import Header

STATS_GROUP = "stats"

# Biểu 06 columns of the dashboard: (column key = figure name, heading).
TABLE_COLUMNS = [
    ("carried_over", "Kỳ trước"), ("received", "Nhận"), ("received_online", "Trực tuyến"),
    ("received_direct_postal", "TT/BC"), ("resolved", "Đã GQ"), ("resolved_early", "Trước hạn"),
    ("resolved_on_time", "Đúng hạn"), ("resolved_late", "Quá hạn"), ("withdrawn_stopped", "Rút/dừng"),
    ("in_progress", "Đang GQ"), ("in_progress_on_time", "Trong hạn"), ("in_progress_late", "Quá hạn "),
    ("waiting_supplement", "Chờ BS"),
]
CLERK_COLUMNS = [("received", "Nhận"), ("resolved", "Đã GQ"), ("resolved_late", "Quá hạn"),
                 ("in_progress", "Đang GQ")]
TOTAL_KEY = "__total__"
TODAY_RATINGS = "ratings_today"


@dataclass(frozen=True)
class DashboardData:
    period: Period
    kind: str
    today: dict[str, int]
    ratings_today: int
    by_field: Report
    by_clerk: Report
    received_daily: list[int]
    resolved_daily: list[int]


class StatsLoaded(Message):
    def __init__(self, data: DashboardData) -> None:
        super().__init__()
        self.data = data


class StatsFailed(Message):
    def __init__(self, message_vi: str) -> None:
        super().__init__()
        self.message_vi = message_vi


def lands_on_dashboard(clerk) -> bool:
    from core.people import Role
    return clerk.role in (Role.SUPERVISOR, Role.ADMIN)


def may_open_dashboard(clerk, settings) -> bool:
    return lands_on_dashboard(clerk) or bool(settings.stats_for_clerks)


def make_stats(services):
    """The statistics repository of the desk's database (called in a worker thread)."""
    from core.stats import working_days_counter
    from db.stats import StatsRepo, ratings_repo
    calendar = services.calendar()
    return StatsRepo(services.engine, working_days=working_days_counter(calendar.is_working_day),
                     ratings=ratings_repo(services.engine))


class DashboardScreen(Screen):
    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("1", "period('today')", "Hôm nay", id="stats.today"),
        Binding("2", "period('week')", "Tuần", id="stats.week"),
        Binding("3", "period('month')", "Tháng", id="stats.month"),
        Binding("4", "period('quarter')", "Quý", id="stats.quarter"),
        Binding("5", "period('half')", "6 tháng", id="stats.half"),
        Binding("6", "period('year')", "Năm", id="stats.year"),
        Binding("7", "custom_period", "Tùy chọn", id="stats.custom"),
        Binding("l", "late_list", "DS quá hạn", id="stats.late"),
        Binding("f5", "reload", "Làm mới", id="stats.reload"),
        Binding("escape", "leave", "Quay lại", id="stats.back"),
        Binding("ctrl+o", "app.logout", "Đăng xuất", id="app.logout"),
    ]

    def __init__(self, kind: str = "month") -> None:
        super().__init__()
        self.kind = kind
        self.period: Period | None = None
        self.data: DashboardData | None = None
        self._repo = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dash"):
            yield Static("Đang tính số liệu…", id="period-title", classes="title")
            glance = DataTable(id="glance", cursor_type="cell", show_cursor=True)
            yield glance
            yield Static("", id="marks")
            yield Static("Biểu 06 theo lĩnh vực (Enter: xem hồ sơ)", classes="subtitle")
            yield DataTable(id="bieu06", cursor_type="cell", zebra_stripes=True)
            yield Static("", id="chart-label", classes="subtitle")
            yield Sparkline([], id="chart-received")
            yield Sparkline([], id="chart-resolved")
            yield Static("Theo cán bộ", classes="subtitle")
            yield DataTable(id="clerks", cursor_type="cell", zebra_stripes=True)
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        glance = self.query_one("#glance", DataTable)
        from db.stats import StatsRepo
        for key, title in [*StatsRepo.TODAY_VI.items(), (TODAY_RATINGS, "Đánh giá hôm nay")]:
            glance.add_column(title, key=key)
        table = self.query_one("#bieu06", DataTable)
        table.add_column("Lĩnh vực", key="label")
        for key, title in TABLE_COLUMNS:
            table.add_column(title, key=key)
        clerks = self.query_one("#clerks", DataTable)
        clerks.add_column("Cán bộ", key="label")
        for key, title in CLERK_COLUMNS:
            clerks.add_column(title, key=key)
        clerks.add_column("Đúng hạn", key="on_time_rate")
        clerks.add_column("Hài lòng", key="satisfaction")
        self.action_period(self.kind)
        self.app.refresh_status()

    # -- loading ------------------------------------------------------------------------------
    def action_period(self, kind: str) -> None:
        self.kind = kind
        self.load(named_period(kind, self.app.services.clock.now().date()))

    def action_reload(self) -> None:
        if self.period is not None:
            self.load(self.period)

    def load(self, period: Period) -> None:
        self.period = period
        self.query_one("#period-title", Static).update(
            f"{PERIOD_VI.get(self.kind, PERIOD_VI['custom'])} · {period.label_vi()} — đang tính…")
        self._load(period, self.kind)

    @work(thread=True, exclusive=True, exit_on_error=False, group=STATS_GROUP)
    def _load(self, period: Period, kind: str) -> None:
        try:
            from db.stats import ratings_of
            services = self.app.services
            if self._repo is None:
                self._repo = make_stats(services)
            repo = self._repo
            now = services.clock.now()
            today = repo.today(now)
            ratings_today = ratings_of(repo.ratings_repo, now.date(), now.date()).ratings
            # One pass over the period's dossiers: both tables and the daily chart.
            by_field, by_clerk = repo.report_pair(period, "field", "clerk")
            days = [b.start for _, b in buckets(period, "day")]
            whole = by_field.whole
            received = [whole.received_by_day.get(d, 0) for d in days]
            resolved = [whole.resolved_by_day.get(d, 0) for d in days]
        except Exception as exc:      # a locked or broken database: say so, keep the app alive
            self.post_message(StatsFailed(f"Không tính được số liệu ({type(exc).__name__}). Bấm F5 để thử lại."))
            return
        self.post_message(StatsLoaded(DashboardData(period, kind, today, ratings_today, by_field, by_clerk,
                                                    received, resolved)))

    def on_stats_failed(self, event: StatsFailed) -> None:
        self.query_one("#period-title", Static).update(escape(event.message_vi))
        self.notify(event.message_vi, severity="error")

    def on_stats_loaded(self, event: StatsLoaded) -> None:
        d = self.data = event.data
        if d.period != self.period:
            return                        # an older request finished after a newer one began
        whole = d.by_field.whole
        self.query_one("#period-title", Static).update(
            f"{PERIOD_VI.get(d.kind, PERIOD_VI['custom'])} · {d.period.label_vi()}")
        glance = self.query_one("#glance", DataTable)
        glance.clear()
        glance.add_row(*[str(v) for v in d.today.values()], str(d.ratings_today), key="today")
        self.query_one("#marks", Static).update(self._marks_text(whole))
        self._fill(self.query_one("#bieu06", DataTable), d.by_field, TABLE_COLUMNS, total_row=True)
        self._fill(self.query_one("#clerks", DataTable), d.by_clerk, CLERK_COLUMNS, total_row=False)
        days = len(d.received_daily)
        self.query_one("#chart-label", Static).update(
            f"Theo ngày ({days} ngày): trên — nhận {sum(d.received_daily)}; dưới — đã giải quyết "
            f"{sum(d.resolved_daily)}")
        self.query_one("#chart-received", Sparkline).data = d.received_daily or [0]
        self.query_one("#chart-resolved", Sparkline).data = d.resolved_daily or [0]

    @staticmethod
    def _marks_text(whole: Figures) -> str:
        parts = []
        for m in marks(whole):
            colour = {None: "dim", True: "green", False: "red"}[m.met]
            parts.append(f"[{colour}]{escape(m.text_vi())}[/]")
        return "   ".join(parts)

    def _fill(self, table: DataTable, report: Report, columns, *, total_row: bool) -> None:
        table.clear()
        for g in report.groups:
            table.add_row(*self._cells(g, columns, table), key=g.key)
        if total_row:
            table.add_row(*self._cells(report.whole, columns, table, label="Tổng cộng"), key=TOTAL_KEY)
        if not report.groups:
            table.add_row("Không có hồ sơ trong kỳ", *[""] * (len(table.columns) - 1), key="__none__")

    @staticmethod
    def _cells(f: Figures, columns, table: DataTable, label: str | None = None) -> list[str]:
        cells = [escape(label or f.label or "")] + [str(f.counts[key]) for key, _ in columns]
        if "on_time_rate" in table.columns:
            cells += [percent_vi(f.on_time_rate), percent_vi(f.ratings.satisfaction_rate)]
        return cells

    # -- what lies behind a number ------------------------------------------------------------
    @on(DataTable.CellSelected)
    def open_cell(self, event: DataTable.CellSelected) -> None:
        if self.data is None or self.period is None:
            return
        table_id = event.data_table.id
        figure = event.cell_key.column_key.value
        row = event.cell_key.row_key.value
        if figure in ("label", "on_time_rate", "satisfaction") or row == "__none__":
            return
        if table_id == "glance":
            if figure == TODAY_RATINGS:
                self.notify("Lượt đánh giá không gắn với danh sách hồ sơ; xem ở màn hình đánh giá.")
                return
            title = f"{self._today_title(figure)} ({self.app.services.clock.now():%d/%m/%Y})"
            self._open_list(title, lambda repo, now: repo.behind_today(figure, now))
            return
        by = "field" if table_id == "bieu06" else "clerk"
        key = None if row == TOTAL_KEY else row
        heading = dict(TABLE_COLUMNS + CLERK_COLUMNS)[figure].strip()
        title = f"{heading} · {self.period.label_vi()}"
        period = self.period
        self._open_list(title, lambda repo, now: repo.behind(figure, period, by=by if key is not None else None,
                                                              key=key))

    @staticmethod
    def _today_title(name: str) -> str:
        from db.stats import StatsRepo
        return StatsRepo.TODAY_VI[name]

    def _open_list(self, title: str, query) -> None:
        from tui.screens.stats_list import StatsListScreen
        self.app.push_screen(StatsListScreen(title, query, lambda: self._repo))

    def action_late_list(self) -> None:
        if self.period is None:
            return
        period = self.period
        self._open_list(f"Hồ sơ quá hạn · {period.label_vi()}", lambda repo, now: repo.late_list(period))

    def action_custom_period(self) -> None:
        from tui.screens.stats_list import PeriodDialog

        def chosen(period: Period | None) -> None:
            if period is not None:
                self.kind = "custom"
                self.load(period)
        start = self.period.start if self.period else date.today().replace(day=1)
        end = self.period.end if self.period else date.today()
        self.app.push_screen(PeriodDialog(start, end), chosen)

    def action_leave(self) -> None:
        self.app.pop_screen()             # back to the home screen underneath
