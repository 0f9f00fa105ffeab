"""The Textual application: wires screens, key bindings, the command palette and printing.

Everything concrete arrives through `Services` (see tui/services.py); this module only wires.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from core.people import Clerk
from tui import messages as msg
from tui.actions import print_job, requeue_receipt
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tui.services import Services

log = logging.getLogger("motcua.tui")

PRINT_GROUP = "print"
SYNC_GROUP = "sync"
STATUS_REFRESH_SECONDS = 5


def _offered(owner, action: str) -> bool:
    """Whether the screen offers `action` now (its check_action): the palette lists only
    what the keys would do, e.g. a dossier's actions that fit its state."""
    from textual.actions import parse
    _, name, params = parse(action)
    return owner.check_action(name, params) is not False


class MotcuaApp(App):
    TITLE = "motcua — Bộ phận Một cửa"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f1", "help", "Trợ giúp", id="app.help"),
        # priority: a modal screen (the receipt dialog) hides the app's other bindings
        Binding("f9", "print_queue", "Hàng đợi in", id="print.queue", priority=True),
        Binding("f10", "ledger", "Xuất sổ theo dõi hồ sơ", id="ledger.export"),
        Binding("f8", "sync_now", "Đồng bộ ngay", id="sync.now"),
        Binding("f12", "dashboard", "Thống kê", id="stats.dashboard"),
        Binding("ctrl+r", "ratings", "Đánh giá của công dân", id="ratings.open"),
        Binding("ctrl+q", "quit", "Thoát", id="app.quit", priority=True),
    ]

    def __init__(self, services: Services | None = None, *,
                 loader: Callable[[], Services] | None = None) -> None:
        """Either ready `services` (tests), or a `loader` run in a thread after the first
        screen is up: opening and migrating the database, and importing SQLAlchemy and
        Alembic, must not keep the clerk from typing their user name."""
        super().__init__()
        if services is None and loader is None:
            raise ValueError("MotcuaApp needs services or a loader")
        self._services = services
        self._loader = loader
        self._loaded = threading.Event()
        self._load_error = ""
        if services is not None:
            self._loaded.set()
        self.clerk: Clerk | None = None
        self.last_print_error: str = ""
        self.last_print_outcome: str = ""     # "Đã in xong." or "Đã gửi tới máy in. …"

    @property
    def services_ready(self) -> bool:
        return self._loaded.is_set()

    @property
    def services(self) -> Services:
        """The services; from a worker thread this waits until they are loaded."""
        if not self._loaded.is_set():
            if threading.current_thread() is threading.main_thread():
                raise RuntimeError("services used on the UI thread before they were loaded")
            self._loaded.wait()
            if self._services is None:
                raise RuntimeError(self._load_error or "services failed to load")
        return self._services

    # -- start-up ---------------------------------------------------------------------
    def on_mount(self) -> None:
        from tui.screens.login import LoginScreen
        if self._services is None:
            self.push_screen(LoginScreen())
            # After the first paint: the loader's imports would otherwise compete with it.
            self.call_after_refresh(self._load_services)
        else:
            self._services_loaded()

    @work(thread=True, exit_on_error=False, group="load")
    def _load_services(self) -> None:
        try:
            services = self._loader()
        except Exception as exc:
            message = getattr(exc, "message_vi", None) or f"Không mở được cơ sở dữ liệu ({type(exc).__name__}: {exc})."
            self._load_error = message
            self._loaded.set()
            self.call_from_thread(self._load_failed, message)
            return
        self._services = services
        self._loaded.set()
        self.call_from_thread(self._services_loaded)

    def _load_failed(self, message: str) -> None:
        self.notify(message + " Kiểm tra đường dẫn --db / MOTCUA_DB rồi chạy lại.",
                    title="Lỗi khởi động", severity="error", timeout=30)

    def _services_loaded(self) -> None:
        from tui.screens.login import LoginScreen
        from tui.screens.setup import SetupScreen
        services = self._services
        if services.settings.keys:
            self.set_keymap(services.settings.keys)
        if services.sync is not None:
            self.set_interval(max(5, services.settings.sync_interval), lambda: self._sync(False))
        self.set_interval(STATUS_REFRESH_SECONDS, self.refresh_status)
        if services.accounts.needs_setup():
            if self.screen_stack and isinstance(self.screen, LoginScreen):
                self.switch_screen(SetupScreen())
            else:
                self.push_screen(SetupScreen())
        elif isinstance(self.screen, LoginScreen):
            self.screen.services_loaded()
        else:
            self.push_screen(LoginScreen())

    def logged_in(self, clerk: Clerk) -> None:
        from tui.screens.dashboard import lands_on_dashboard
        from tui.screens.home import HomeScreen
        self.clerk = clerk
        log.info("login clerk=%s", clerk.id)
        self.switch_screen(HomeScreen())
        if lands_on_dashboard(clerk):       # supervisors and admins: statistics first
            self.action_dashboard()
        self.refresh_status()
        # Jobs that failed or were cut off last time are still waiting: say so now.
        pending = self.services.print_jobs.pending()
        if pending:
            self.notify(f"Còn {len(pending)} phiếu chưa in được. Bấm F9 để xem và in lại.",
                        severity="warning", timeout=8)

    def action_logout(self) -> None:
        from tui.screens.login import LoginScreen
        self.clerk = None
        self.switch_screen(LoginScreen())

    # -- help and command palette -----------------------------------------------------
    def action_help(self) -> None:
        from tui.screens.help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_dashboard(self) -> None:
        from tui.screens.dashboard import DashboardScreen, may_open_dashboard
        if self.clerk is None or isinstance(self.screen, DashboardScreen):
            return
        if may_open_dashboard(self.clerk, self.services.settings):
            self.push_screen(DashboardScreen())
        else:
            self.notify("Tài khoản cán bộ không được xem thống kê ([stats] for_clerks = false).",
                        severity="warning")

    def action_print_queue(self) -> None:
        from tui.screens.print_queue import PrintQueueScreen
        if self.clerk is not None and not isinstance(self.screen, PrintQueueScreen):
            self.push_screen(PrintQueueScreen())

    def action_ledger(self) -> None:
        from tui.config import data_dir
        from tui.screens.ledger import LedgerExportScreen
        if self.clerk is not None and not isinstance(self.screen, LedgerExportScreen):
            self.push_screen(LedgerExportScreen(self.services.clock.now().date(), data_dir() / "exports"))

    def action_ratings(self) -> None:
        from tui.screens.ratings import RatingsScreen
        if self.clerk is not None and not isinstance(self.screen, RatingsScreen):
            self.push_screen(RatingsScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding with an id is also a palette command, named in Vietnamese."""
        seen: set[str] = set()
        for owner in (screen, self):
            for binding in getattr(owner, "BINDINGS", []):
                if not isinstance(binding, Binding) or not binding.id or binding.id in seen:
                    continue
                if self.clerk is None and binding.id not in ("app.help", "app.quit"):
                    continue
                if not _offered(owner, binding.action):
                    continue
                seen.add(binding.id)
                key = self.get_key_display(binding)
                yield SystemCommand(binding.description, f"Phím {key} · {binding.id}",
                                    lambda o=owner, a=binding.action: o.run_action(a))
        yield SystemCommand("Đổi giao diện màu", "Chọn chủ đề màu", self.action_change_theme)

    # -- printing -----------------------------------------------------------------------
    def start_print(self, job_id: str) -> None:
        self._print_job(job_id, None)

    def reprint(self, dossier_id: str) -> None:
        """Ask why, then queue the dossier's receipt again marked "BẢN IN LẠI", and print it."""
        from tui.screens.reprint import ReprintReasonScreen

        def chosen(reason: str | None) -> None:
            if reason:
                self.notify("Đang in lại giấy tiếp nhận…", timeout=2)
                self._print_job(None, dossier_id, reason)
        self.push_screen(ReprintReasonScreen(), chosen)

    @work(thread=True, exit_on_error=False, group=PRINT_GROUP)
    def _print_job(self, job_id: str | None, reprint_of: str | None, reason: str = "") -> None:
        if job_id is None:
            job_id = requeue_receipt(self.services, reprint_of, reason)
            if job_id is None:
                self.post_message(msg.PrintFailed("", reprint_of, "Hồ sơ này chưa có phiếu để in lại."))
                return
        dossier_id = self.services.print_jobs.get(job_id).dossier_id
        result = print_job(self.services, job_id)
        if result.ok:
            self.post_message(msg.PrintFinished(job_id, dossier_id, result.message_vi))
        else:
            self.post_message(msg.PrintFailed(job_id, dossier_id, result.message_vi))

    # -- sync ---------------------------------------------------------------------------
    def action_sync_now(self) -> None:
        if self.services.sync is None:
            if self.clerk is not None:
                self.notify("Chưa cấu hình máy chủ trung tâm ([central] url hoặc MOTCUA_CENTRAL).",
                            severity="warning")
            return
        self.notify("Đang đồng bộ với máy chủ trung tâm…", timeout=2)
        self._sync(True)

    @work(thread=True, exclusive=True, exit_on_error=False, group=SYNC_GROUP)
    def _sync(self, manual: bool) -> None:
        from db.sync import CentralUnavailable
        try:
            report = self.services.sync.run_once()
        except CentralUnavailable as exc:
            log.warning("sync failed: %s", type(exc.__cause__).__name__ if exc.__cause__ else "unavailable")
            self.post_message(msg.SyncFailed(exc.message_vi, manual))
            return
        except Exception as exc:
            log.error("sync crashed: %s", type(exc).__name__)
            self.post_message(msg.SyncFailed(f"Lỗi đồng bộ ({type(exc).__name__}); sẽ thử lại sau.", manual))
            return
        self.post_message(msg.SyncFinished(report, manual))

    def on_sync_finished(self, event: msg.SyncFinished) -> None:
        r = event.report
        if event.manual:
            self.notify(f"Đã đồng bộ: gửi {r.pushed}, nhận {r.pulled} sự kiện.", timeout=4)
        if r.rejected:
            self.notify(f"Trung tâm từ chối {len(r.rejected)} sự kiện: {r.rejected[0][1]}",
                        title="Cần lãnh đạo xem", severity="warning", timeout=10)
        self.refresh_status()
        refresh = getattr(self.screen, "sync_updated", None)
        if refresh is not None:
            refresh()

    def on_sync_failed(self, event: msg.SyncFailed) -> None:
        # The periodic sync stays quiet when offline (the status line says so); a sync the
        # clerk asked for always answers.
        if event.manual:
            self.notify(event.message_vi, title="Chưa đồng bộ được", severity="warning", timeout=10)
        self.refresh_status()

    def _tell_screen(self, dossier_id: str, error: str | None) -> None:
        handler = getattr(self.screen, "print_updated", None)
        if handler is not None:
            handler(dossier_id, error)

    def on_print_finished(self, event: msg.PrintFinished) -> None:
        self.last_print_error = ""
        self.last_print_outcome = event.message_vi
        self.notify(event.message_vi, timeout=4)
        self.refresh_status()
        self._tell_screen(event.dossier_id, None)

    def on_print_failed(self, event: msg.PrintFailed) -> None:
        self.last_print_error = event.message_vi
        self.notify(event.message_vi + " Hồ sơ vẫn được lưu; bấm F9 để in lại.",
                    title="Không in được", severity="error", timeout=12)
        self.refresh_status()
        self._tell_screen(event.dossier_id, event.message_vi)

    # -- status line --------------------------------------------------------------------
    def status_text(self) -> tuple[str, bool]:
        s = self.services
        desk, agency = s.desk, s.agency
        parts = []
        if self.clerk:
            parts.append(f"Cán bộ: {self.clerk.full_name}")
        if desk and agency:
            parts.append(f"Quầy {desk.number} · {agency.name}")
        parts.append(f"Máy in: {s.printer.describe() or 'chưa cấu hình máy in'}")
        pending = len(s.print_jobs.pending())
        warning = bool(pending)
        parts.append(f"Chờ in: {pending}" if pending else "Chờ in: 0")
        parts.append(self.sync_text())
        from tui.screens.ratings import rating_status_text
        if rating := rating_status_text(s):
            parts.append(rating)
        if s.settings.demo:
            parts.append("DỮ LIỆU MẪU")
        return "  │  ".join(parts), warning

    def sync_text(self) -> str:
        """Online/offline, events waiting, last success; never "synced" while anything waits."""
        sync = self.services.sync
        if sync is None:
            return "Trung tâm: chưa cấu hình"
        st = sync.status()
        state = {True: "trực tuyến", False: "NGOẠI TUYẾN", None: "chưa kết nối"}[st.online]
        last = f"{st.last_success:%H:%M %d/%m}" if st.last_success else "chưa có"
        waiting = f"chờ gửi {st.waiting}" if st.waiting else "đã đồng bộ"
        return f"Trung tâm: {state} · {waiting} · lần cuối {last}"

    def refresh_status(self) -> None:
        if not self.services_ready or self._services is None:
            return
        text, warning = self.status_text()
        for bar in self.screen.query(StatusBar):
            bar.show(text, warning)
