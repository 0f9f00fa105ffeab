"""The Textual application: wires screens, key bindings, the command palette and printing.

Everything concrete arrives through `Services` (see tui/services.py); this module only wires.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING, Callable

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.signal import Signal

from core.people import Clerk
from tui import messages as msg
from tui.actions import print_job, requeue_receipt
from tui.status import StatusSnapshot, read_status

if TYPE_CHECKING:
    from tui.services import Services

log = logging.getLogger("motcua.tui")

PRINT_GROUP = "print"
SYNC_GROUP = "sync"
STATUS_GROUP = "status"
# Keys after which the next key may belong to another field or screen (focus moves on Tab,
# an Enter submits and the screen moves on). A scanner or a paste sends the next keys at
# once; they wait until the screen has acted on this one (see on_event).
FOCUS_KEYS = frozenset({"tab", "shift+tab", "enter", "escape", "f2", "f3", "f4", "f6", "ctrl+f"})
SETTLE_LIMIT_SECONDS = 2.0
SETTLE_QUIET_TURNS = 3
SETTLE_ROUNDS = 5
STATUS_REFRESH_SECONDS = 5


SYNC_RETRY_CAP_SECONDS = 15 * 60


def retry_delay(interval: float, failures: int) -> float:
    """Seconds before the next background sync after `failures` failures in a row: the
    interval, doubled per failure, at most 15 minutes (never less than the interval)."""
    if failures <= 0:
        return interval
    return max(interval, min(SYNC_RETRY_CAP_SECONDS, interval * 2 ** min(failures, 20)))


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
        Binding("ctrl+p", "command_palette", "Bảng lệnh", id="app.palette", priority=True, show=False),
    ]
    # The palette's commands come from tui/palette.py (Vietnamese, diacritics optional);
    # Textual's own system commands (theme picker, screenshots, in English) are left out.
    COMMANDS: set = set()

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
        # What screens subscribe to instead of being poked: the status line's snapshot, a
        # finished sync (its report), a print job's outcome (msg.PrintOutcome), and the
        # services once loaded.
        self.status: StatusSnapshot | None = None
        self.status_changed: Signal[StatusSnapshot] = Signal(self, "status-changed")
        self.sync_changed: Signal[object] = Signal(self, "sync-changed")
        self.print_changed: Signal[msg.PrintOutcome] = Signal(self, "print-changed")
        self.services_changed: Signal[object] = Signal(self, "services-loaded")
        self._announce_queue = False
        self._settling = False
        self._sync_failures = 0
        self._sync_resume_at = 0.0
        self._status_reading = False
        self._status_again = False
        self.agency_name = ""                    # read with the services (for the login screen)
        self.sync_online: bool | None = None     # what the last sync child found

    @property
    def services_ready(self) -> bool:
        return self._loaded.is_set()

    @property
    def loaded_services(self) -> Services | None:
        """The services if loading has finished and succeeded, else None (any thread)."""
        return self._services if self._loaded.is_set() else None

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

    # -- keystroke bursts --------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if self._settling or not (isinstance(event, events.Key) and event.key in FOCUS_KEYS):
            await super().on_event(event)
            return
        # Bindings (Tab's focus_next, an Input's Enter) run when the key has bubbled back up
        # to the app, and a focus change is a callback the app runs later: both land behind
        # the keys already queued here. Run them now, in the order the keys were typed.
        queue = self._message_queue.values
        before = {id(m) for m in queue}
        self._settling = True
        try:
            await super().on_event(event)
            for _ in range(SETTLE_ROUNDS):
                await self._settle_screen()
                due = [m for m in queue if id(m) not in before
                       and (m is event or isinstance(m, events.Callback))]
                if not due:
                    break
                for message in due:
                    queue.remove(message)
                    if not queue:       # Textual's queue pops whenever its event is set
                        self._message_queue.ready_event.clear()
                    await self._dispatch_message(message)
        finally:
            self._settling = False

    async def _settle_screen(self) -> None:
        """Wait until every widget of the screen has handled what this key set off (the key
        itself, a Submitted message, a focus change), so the keys queued behind it reach the
        field that now has focus. Bounded: a handler waiting on the app cannot hang input."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_LIMIT_SECONDS
        quiet = 0
        # Textual's queues have no join(): wait for a few turns of the loop in a row with
        # every queue of the screen empty (a handler that posts on runs within one turn).
        while quiet < SETTLE_QUIET_TURNS and loop.time() < deadline:
            await asyncio.sleep(0)
            nodes = self.screen.walk_children(with_self=True)
            quiet = 0 if any(node._message_queue.qsize() for node in nodes) else quiet + 1

    # -- start-up ---------------------------------------------------------------------
    def on_mount(self) -> None:
        from tui.screens.login import LoginScreen
        # The login screen first, always; the first-run setup replaces it once a worker has
        # asked the database whether the desk is set up (_first_screen).
        self.push_screen(LoginScreen())
        if self._services is None:
            # After the first paint: the loader's imports would otherwise compete with it.
            self.call_after_refresh(self._load_services)
        else:
            self._services_loaded()

    @work(thread=True, exit_on_error=False, group="load")
    def _load_services(self) -> None:
        try:
            services = self._loader()
        except Exception as exc:
            log.error("services failed to load: %s", type(exc).__name__)
            message = getattr(exc, "message_vi", None)
            if message is None and isinstance(exc, OSError):
                from tui.oserrors import describe_os_error
                message = f"Không mở được cơ sở dữ liệu: {describe_os_error(exc)}."
            message = message or f"Không mở được cơ sở dữ liệu ({type(exc).__name__})."
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
        services = self._services
        if services.settings.keys:
            self.set_keymap(services.settings.keys)
        if services.sync is not None:
            self.set_interval(max(5, services.settings.sync_interval), self._sync_tick)
        self.set_interval(STATUS_REFRESH_SECONDS, self.refresh_status)
        self._check_setup()

    @work(thread=True, exit_on_error=False, group="load")
    def _check_setup(self) -> None:
        needs_setup = self.services.accounts.needs_setup()
        agency = self.services.agency
        self.call_from_thread(self._first_screen, needs_setup, agency.name if agency else "")

    def read_agency(self) -> None:
        """Re-read the agency's name (after setup) and publish services_changed. An app
        worker: a screen's worker would be cancelled when the screen is switched away."""
        if self.loaded_services is not None:
            self._read_agency()

    @work(thread=True, exit_on_error=False, group="load")
    def _read_agency(self) -> None:
        agency = self.services.agency
        self.call_from_thread(self._agency_read, agency.name if agency else "")

    def _agency_read(self, name: str) -> None:
        self.agency_name = name
        self.services_changed.publish(self._services)

    def _first_screen(self, needs_setup: bool, agency_name: str = "") -> None:
        self.agency_name = agency_name
        from tui.screens.login import LoginScreen
        from tui.screens.setup import SetupScreen
        services = self._services
        if needs_setup:
            if self.screen_stack and isinstance(self.screen, LoginScreen):
                self.switch_screen(SetupScreen())
            else:
                self.push_screen(SetupScreen())
        elif not isinstance(self.screen, LoginScreen):
            self.push_screen(LoginScreen())
        self.services_changed.publish(services)
        self.refresh_status()

    def logged_in(self, clerk: Clerk) -> None:
        from tui.screens.dashboard import lands_on_dashboard
        from tui.screens.home import HomeScreen
        self.clerk = clerk
        self.refresh_bindings()
        log.info("login clerk=%s", clerk.id)
        self.switch_screen(HomeScreen())
        # Jobs that failed or were cut off last time are still waiting: the status read
        # that follows says so (on_status_read).
        self._announce_queue = True
        if lands_on_dashboard(clerk):       # supervisors and admins: statistics first
            self.action_dashboard()
        self.refresh_status()

    def action_logout(self) -> None:
        from tui.screens.login import LoginScreen
        self.clerk = None
        self.refresh_bindings()
        self.switch_screen(LoginScreen())
        self.refresh_status()

    # Keys that open a clerk's screen: neither shown nor active before a login.
    CLERK_ACTIONS = frozenset({"print_queue", "ledger", "sync_now", "dashboard", "ratings"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.CLERK_ACTIONS and self.clerk is None:
            return False
        return True

    # -- leaving: never lose what was typed ------------------------------------------
    def unsaved_screen(self):
        """The first screen on the stack holding typed data that is not saved, or None."""
        from tui.widgets.form_screen import FormScreen
        for screen in reversed(self.screen_stack):
            if isinstance(screen, FormScreen) and screen.has_unsaved_data():
                return screen
        return None

    async def action_quit(self) -> None:
        from tui.widgets.confirm import ConfirmScreen
        if self.unsaved_screen() is None:
            self.exit()
            return
        if isinstance(self.screen, ConfirmScreen):
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmScreen(
            "Thoát chương trình? Hồ sơ đang nhập chưa được lưu.",
            "Bản nháp vẫn được giữ trên máy này và sẽ được đề nghị mở lại lần sau."), answered)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help_quit(self) -> None:
        key = self.get_key_display(Binding("ctrl+q", "quit"))
        self.notify(f"Bấm {key} để thoát chương trình.", title="Thoát?")

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = False) -> None:
        # Messages carry data (names, reasons, URIs, config keys like [central]): never markup.
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

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

    def get_system_commands(self, screen):
        """The palette's commands (tui/palette.py) as Textual SystemCommands, for callers
        that ask the app; the palette itself uses MotcuaCommands."""
        from textual.app import SystemCommand
        from tui.palette import commands
        for name, help_text, callback in commands(self, screen):
            yield SystemCommand(name, help_text, callback)

    def action_command_palette(self) -> None:
        from tui.palette import VietnamesePalette
        if self.use_command_palette and not VietnamesePalette.is_open(self):
            self.push_screen(VietnamesePalette())

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
        """One push-then-pull in a child process (tui/sync_child.py): this thread only waits."""
        from tui.sync_child import SyncChildFailed, run_sync_in_child
        try:
            report = run_sync_in_child(self.services.settings)
        except SyncChildFailed as exc:
            log.warning("sync failed (reachable=%s)", exc.reachable)
            self.sync_online = False if exc.reachable is False else self.sync_online
            self.post_message(msg.SyncFailed(exc.message_vi, manual))
            return
        except Exception as exc:
            log.error("sync crashed: %s", type(exc).__name__)
            self.post_message(msg.SyncFailed(f"Lỗi đồng bộ ({type(exc).__name__}); sẽ thử lại sau.", manual))
            return
        self.sync_online = True
        self.post_message(msg.SyncFinished(report, manual))

    def _sync_tick(self) -> None:
        if time.monotonic() >= self._sync_resume_at:
            self._sync(False)

    def on_sync_finished(self, event: msg.SyncFinished) -> None:
        r = event.report
        self._sync_failures, self._sync_resume_at = 0, 0.0
        if event.manual:
            self.notify(f"Đã đồng bộ: gửi {r.pushed}, nhận {r.pulled} sự kiện.", timeout=4)
        if r.rejected:
            self.notify(f"Trung tâm từ chối {len(r.rejected)} sự kiện: {r.rejected[0][1]}",
                        title="Cần lãnh đạo xem", severity="warning", timeout=10)
        self.refresh_status()
        self.sync_changed.publish(r)

    def on_sync_failed(self, event: msg.SyncFailed) -> None:
        # Back off while the centre stays unreachable; F8 still tries at once.
        self._sync_failures += 1
        interval = max(5, self.services.settings.sync_interval)
        self._sync_resume_at = time.monotonic() + retry_delay(interval, self._sync_failures)
        # The periodic sync stays quiet when offline (the status line says so); a sync the
        # clerk asked for always answers.
        if event.manual:
            self.notify(event.message_vi, title="Chưa đồng bộ được", severity="warning", timeout=10)
        self.refresh_status()

    def _tell_screens(self, job_id: str, dossier_id: str, error: str | None) -> None:
        self.print_changed.publish(msg.PrintOutcome(job_id, dossier_id, error))

    def on_print_finished(self, event: msg.PrintFinished) -> None:
        self.last_print_error = ""
        self.last_print_outcome = event.message_vi
        self.notify(event.message_vi, timeout=4)
        self.refresh_status()
        self._tell_screens(event.job_id, event.dossier_id, None)

    def on_print_failed(self, event: msg.PrintFailed) -> None:
        self.last_print_error = event.message_vi
        self.notify(event.message_vi + " Hồ sơ vẫn được lưu; bấm F9 để in lại.",
                    title="Không in được", severity="error", timeout=12)
        self.refresh_status()
        self._tell_screens(event.job_id, event.dossier_id, event.message_vi)

    # -- status line --------------------------------------------------------------------
    def refresh_status(self) -> None:
        """Read the counts in a worker; the snapshot is published to every StatusBar. One read
        at a time: a request while one runs is answered by one more read after it."""
        if self.loaded_services is None:
            return
        if self._status_reading:
            self._status_again = True
            return
        self._status_reading = True
        self._read_status(self.clerk)

    @work(thread=True, exit_on_error=False, group=STATUS_GROUP)
    def _read_status(self, clerk: Clerk | None) -> None:
        try:
            snapshot = read_status(self.services, clerk, self.sync_online)
        except Exception as exc:     # a locked or vanished database: try again next tick
            log.warning("status read failed: %s", type(exc).__name__)
            snapshot = None
        self.post_message(msg.StatusRead(snapshot))

    def on_status_read(self, event: msg.StatusRead) -> None:
        self._status_reading = False
        if self._status_again:
            self._status_again = False
            self.refresh_status()
        if event.snapshot is None:
            return
        self.status = event.snapshot
        self.status_changed.publish(event.snapshot)
        waiting = event.snapshot.queued + event.snapshot.failed
        if self._announce_queue and self.clerk is not None:
            self._announce_queue = False
            if waiting:
                self.notify(f"Còn {waiting} phiếu chưa in được. Bấm F9 để xem và in lại.",
                            severity="warning", timeout=8)
