"""The composition root's cached calendar follows the override table."""
from __future__ import annotations

from datetime import date

from core.calendar import Override, OverrideKind
from tui.config import Settings
from tui.services import build_services


def test_calendar_is_reused_until_an_override_changes(tmp_path, clock):
    services = build_services(Settings(db_url=str(tmp_path / "d.sqlite"), printer_uri="dummy:",
                                       demo=True), clock, seed_demo=0)
    first = services.calendar()
    assert services.calendar() is first
    assert not first.is_working_day(date(2026, 11, 24))
    services.calendar_repo.put(Override(date(2026, 11, 24), OverrideKind.CANCEL_DAY_OFF, "Làm việc"), by="t")
    again = services.calendar()
    assert again is not first and again.is_working_day(date(2026, 11, 24))
