"""Pilot fixtures: the real app from build_services, a temporary SQLite file, a file
printer and a fixed clock (Monday 23/11/2026 09:30)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from core.clock import FixedClock
from tui.app import MotcuaApp
from tui.config import Settings
from tui.services import build_services


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 23, 9, 30))


@pytest.fixture
def printer_file(tmp_path) -> Path:
    return tmp_path / "printer.bin"


@pytest.fixture
def make_app(tmp_path, clock, printer_file):
    def factory(printer_uri: str | None = None, **settings) -> MotcuaApp:
        s = Settings(db_url=str(tmp_path / "desk.sqlite"),
                     printer_uri=printer_uri or f"file://{printer_file}",
                     demo=True, copies=1, print_timeout=1.0, **settings)
        return MotcuaApp(build_services(s, clock, seed_demo=0))
    return factory


async def settle(pilot) -> None:
    """Let workers finish and their messages land."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*list(text))


async def login(pilot, username="canbo", password="canbo123") -> None:
    await type_text(pilot, username)
    await pilot.press("enter")
    await type_text(pilot, password)
    await pilot.press("enter")
    await settle(pilot)


def record_notifications(app) -> list[tuple[str, str]]:
    """Every (title, message) the app shows as a notification from now on, read through
    the public `notify` rather than the app's private notification store."""
    seen: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        seen.append((kwargs.get("title") or "", str(message)))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return seen
