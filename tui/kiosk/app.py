"""The kiosk app: idle, the prompt, the reasons, the thank-you screen. Full screen, no
login, no personal data (the agency, the clerk's name, the procedure and the dossier code
only), no way to a clerk screen; Ctrl+Q asks for an administrator's password to quit.

Every key press and click is handed to core.ratings.KioskMachine on the UI thread (pure,
instant) and then recorded by one writer thread, in order; the database decides whether
an answer still counts. A watcher thread (tui/kiosk/watch.py) posts the desk's prompt.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from rich.markup import escape
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Static

from core.ratings import STEP_VI, KioskMachine, Mode, Prompt, Write
from tui.kiosk import KioskServices

log = logging.getLogger("motcua.kiosk")

TICK_SECONDS = 0.25
WRITE_ATTEMPTS = 5          # each waits up to the database busy timeout
STEP_QUESTION = {"receipt": "việc tiếp nhận hồ sơ", "return": "việc trả kết quả"}


class PromptRead(Message):
    def __init__(self, prompt: Prompt | None) -> None:
        super().__init__()
        self.prompt = prompt


class Choice(Static):
    """A big clickable line: a level on the prompt, a reason, or the send button."""

    class Clicked(Message):
        def __init__(self, kind: str, index: int) -> None:
            super().__init__()
            self.kind, self.index = kind, index

    def __init__(self, text: str, kind: str, index: int, **kw) -> None:
        super().__init__(text, **kw)
        self.kind, self.index = kind, index

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Clicked(self.kind, self.index))


class KioskApp(App):
    CSS_PATH = "kiosk.tcss"
    TITLE = "Đánh giá sự hài lòng"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "admin_exit", "Thoát (quản trị)", show=False, priority=True),
        Binding("ctrl+c", "admin_exit", show=False, priority=True),
    ]

    def __init__(self, services: KioskServices, *, poll_interval: float = 0.1,
                 on_visible: Callable[[Prompt], None] | None = None) -> None:
        super().__init__()
        self.kiosk = services
        self.machine = KioskMachine(services.config)
        self.poll_interval = poll_interval
        self.on_visible = on_visible           # bench: called once a prompt is painted
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-write")
        self._watcher = None
        self._last_second: int | None = None

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        cfg, k = self.kiosk.config, self.kiosk
        with Vertical(id="kiosk"):
            yield Static(escape(k.agency_name.upper()), id="agency")
            with Vertical(id="idle", classes="pane"):
                yield Static("Xin kính chào quý khách!", classes="big")
                yield Static("Sau khi được phục vụ, mời quý khách đánh giá\nmức độ hài lòng tại đây.",
                             classes="hint")
            with Vertical(id="prompt", classes="pane"):
                yield Static("", id="prompt-info")
                yield Static("", id="prompt-question", classes="big")
                with Center():
                    with Vertical(id="levels"):
                        for i, label in enumerate(cfg.labels, start=1):
                            yield Choice(f" {i}  {escape(label)} ", "level", i, classes="choice",
                                         id=f"level-{i}")
                yield Static(f"Bấm phím 1–{cfg.levels}, hoặc mũi tên rồi Enter, hoặc chạm vào lựa chọn.",
                             classes="hint")
            with Vertical(id="reasons", classes="pane"):
                yield Static("Xin quý khách cho biết lý do chưa hài lòng", classes="big")
                yield Static("Chọn một hoặc nhiều lý do (phím số), rồi Enter để gửi.", classes="hint")
                with Center():
                    with Vertical(id="reason-list"):
                        for i, reason in enumerate(cfg.reasons, start=1):
                            yield Choice("", "reason", i, classes="choice", id=f"reason-{i}")
                        yield Choice(" Gửi ý kiến ", "reason", 0, classes="choice send", id="reason-send")
            with Vertical(id="thanks", classes="pane"):
                yield Static("Cảm ơn quý khách đã đánh giá!", classes="big")
                yield Static("Ý kiến của quý khách giúp chúng tôi phục vụ tốt hơn.", classes="hint")
            yield Static("", id="countdown", classes="hint")

    def on_mount(self) -> None:
        self.render_state()
        self.set_interval(TICK_SECONDS, self._tick)
        self._start()

    @work(thread=True, exit_on_error=False, group="kiosk-start")
    def _start(self) -> None:
        # A restart: prompts whose time ran out meanwhile are closed; one still in time is
        # shown again (the watcher reads it).
        from tui.kiosk.watch import PromptWatcher
        k = self.kiosk
        try:
            k.ratings.sweep(k.agency_code, k.desk_number, k.clock.now())
        except Exception as exc:
            log.warning("kiosk sweep failed: %s", type(exc).__name__)
        self._watcher = PromptWatcher(
            k.engine, lambda: k.ratings.current(k.agency_code, k.desk_number, k.clock.now()),
            lambda p: self.post_message(PromptRead(p)), self.poll_interval)
        self._watcher.start()

    async def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        self._writer.shutdown(wait=True)

    # -- prompts from the clerk side ------------------------------------------------------
    def on_prompt_read(self, message: PromptRead) -> None:
        now = self.kiosk.clock.now()
        if self.machine.offer(message.prompt, now):
            st = self.machine.state
            if st.mode is Mode.PROMPT and st.prompt.shown_at is None:
                self._write(self.kiosk.ratings.mark_shown, st.prompt.id, now)
            self.render_state()
            if st.mode is Mode.PROMPT and self.on_visible is not None:
                prompt = st.prompt
                self.call_after_refresh(self.on_visible, prompt)

    # -- input ----------------------------------------------------------------------------
    async def on_key(self, event: events.Key) -> None:
        if self.screen is not self.screen_stack[0]:
            return                                          # the admin dialog has the keys
        event.stop()
        event.prevent_default()
        key = event.key
        if key.startswith("kp_"):
            key = key[3:]
        self.handle(key, lambda now: self.machine.press(key, now))

    @on(Choice.Clicked)
    def _clicked(self, message: Choice.Clicked) -> None:
        if message.kind == "level":
            self.handle(f"click:{message.index}", lambda now: self.machine.click_level(message.index, now))
        else:
            self.handle(f"click:reason:{message.index}",
                        lambda now: self.machine.click_reason(message.index, now))

    def handle(self, key: str, step: Callable) -> None:
        k = self.kiosk
        now = k.clock.now()
        prompt = self.machine.state.prompt
        outcome, write = step(now)
        if write is not None and write.kind == "answer":
            self._write(k.ratings.answer, write.prompt_id, write.level, key, now)
        elif write is not None and write.kind == "finish":
            self._write(k.ratings.finish, write.prompt_id, write.reasons, now, key)
        else:
            # A move, a reason, or misuse: kept against the prompt on screen, if any.
            self._write(k.ratings.press, k.agency_code, k.desk_number, key, outcome, now,
                        prompt.id if prompt is not None else None)
        self.render_state()

    def _tick(self) -> None:
        now = self.kiosk.clock.now()
        write = self.machine.tick(now)
        if write is not None:
            self._apply_write(write, now)
            self.render_state()
        elif self.machine.state.deadline is not None:
            left = max(0, int((self.machine.state.deadline - now).total_seconds()))
            if left != self._last_second:
                self.render_state()
        elif self._last_second is not None:
            self.render_state()

    def _apply_write(self, write: Write, now) -> None:
        if write.kind == "timeout":
            self._write(self.kiosk.ratings.time_out, write.prompt_id, now)
        elif write.kind == "finish":
            self._write(self.kiosk.ratings.finish, write.prompt_id, write.reasons, now)

    def _write(self, fn, *args) -> Future:
        def run():
            from db.engine import DatabaseBusy
            try:
                for attempt in range(WRITE_ATTEMPTS):
                    try:
                        return fn(*args)
                    except DatabaseBusy:
                        # The clerk side holds the lock (a long sync, say): the press is
                        # not dropped, it waits its turn.
                        if attempt == WRITE_ATTEMPTS - 1:
                            raise
            except Exception as exc:
                log.error("kiosk write failed: %s %s", getattr(fn, "__name__", fn), type(exc).__name__)
                raise
            finally:
                if self._watcher is not None:
                    self._watcher.poke()
        return self._writer.submit(run)

    async def writes_done(self) -> None:
        """Wait until every press so far is recorded (tests, bench)."""
        await asyncio.wrap_future(self._writer.submit(lambda: None))

    # -- drawing --------------------------------------------------------------------------
    def render_state(self) -> None:
        st, cfg = self.machine.state, self.kiosk.config
        for pane in ("idle", "prompt", "reasons", "thanks"):
            self.query_one(f"#{pane}").display = st.mode.value == pane
        if st.mode in (Mode.PROMPT, Mode.REASONS) and st.prompt is not None:
            p = st.prompt
            self.query_one("#prompt-info", Static).update(
                f"Quầy {p.desk_number} · Cán bộ: {escape(p.clerk_name)}\n"
                f"Hồ sơ {escape(p.dossier_code)} · {escape(p.procedure_name)}\n"
                f"Bước: {STEP_VI[p.step]}")
            self.query_one("#prompt-question", Static).update(
                f"Quý khách có hài lòng với {STEP_QUESTION[p.step.value]}?")
        for i in range(1, cfg.levels + 1):
            self.query_one(f"#level-{i}").set_class(st.mode is Mode.PROMPT and st.highlight == i, "-highlight")
        for i, reason in enumerate(cfg.reasons, start=1):
            mark = "☑" if i in st.picked else "☐"
            w = self.query_one(f"#reason-{i}", Choice)
            w.update(f" {i}  {mark} {escape(reason)} ")
            w.set_class(st.mode is Mode.REASONS and st.highlight == i, "-highlight")
            w.set_class(i in st.picked, "-picked")
        self.query_one("#reason-send").set_class(
            st.mode is Mode.REASONS and st.highlight == len(cfg.reasons) + 1, "-highlight")
        countdown = ""
        self._last_second = None
        if st.mode in (Mode.PROMPT, Mode.REASONS) and st.deadline is not None:
            self._last_second = max(0, int((st.deadline - self.kiosk.clock.now()).total_seconds()))
            countdown = f"Còn {self._last_second} giây"
        self.query_one("#countdown", Static).update(countdown)

    # -- leaving ----------------------------------------------------------------------------
    def action_admin_exit(self) -> None:
        from tui.kiosk.admin import AdminExitScreen
        if not isinstance(self.screen, AdminExitScreen):
            self.push_screen(AdminExitScreen())
