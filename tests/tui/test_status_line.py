"""The status line is visible at 80x24, 120x35 and 200x50, above the key footer, and says
printer, queue (failed in red), central, events waiting, last sync, demo and clerk."""
from __future__ import annotations

import pytest
from textual.widgets import Footer

from tests.tui.conftest import login, settle
from tui.widgets.status_bar import StatusBar


@pytest.mark.parametrize("size", [(80, 24), (120, 35), (200, 50)])
async def test_status_line_is_always_visible(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await login(pilot)
        app.services.print_jobs.mark_failed(
            app.services.print_jobs.enqueue("d1", _slip(), 1, "dummy:"), "Hết giấy [thử]")
        app.refresh_status()
        await settle(pilot)
        bar = app.screen.query_one(StatusBar)
        footer = app.screen.query_one(Footer)
        width, height = size
        assert bar.region.height >= 1 and bar.region.bottom <= height
        assert not bar.region.overlaps(footer.region)
        text = str(bar.render())
        for part in ("Cán bộ: Trần Thị Mai", "Máy in:", "lỗi 1", "Trung tâm: chưa cấu hình",
                     "chờ gửi", "chưa đồng bộ lần nào", "DỮ LIỆU MẪU"):
            assert part in text, (part, text)
        styles = [span.style for span in bar.render().spans if "lỗi" in str(bar.render())[span.start:span.end]]
        assert any("red" in str(s) for s in styles)


def _slip():
    from core.slips import Slip
    return Slip(kind="receipt", header=(), title="GIẤY TIẾP NHẬN")


async def test_square_brackets_from_data_and_config_are_shown_as_written(make_app):
    """Rich markup used to eat "[central]" in the F8 message and "[keys]" in the F1 header."""
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await login(pilot)
        await pilot.press("f8")
        await settle(pilot)
        note = [n for n in app._notifications if "MOTCUA_CENTRAL" in n.message][-1]
        assert "[central] url" in note.message and note.markup is False
