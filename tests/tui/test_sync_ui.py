"""Sync in the app and on the command line, against a central SQLite store."""
from __future__ import annotations

import socket

from textual.widgets import Static

from db.sync.central import init_central
from tests.tui.conftest import login, record_notifications, settle
from tests.tui.test_receive_flow import SIZE, receive_one
from tui.cli import main
from tui.screens.dossier import DossierScreen
from tui.screens.home import HomeScreen
from tui.widgets.status_bar import StatusBar


def _status(app) -> str:
    return str(app.screen.query_one(StatusBar).render())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_status_line_waits_then_syncs_on_f8_and_dossier_shows_it(make_app, tmp_path):
    central = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(central)
    app = make_app(central_url=central)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        app.refresh_status()
        assert "chờ gửi 1" in _status(app) and "đã đồng bộ" not in _status(app)
        await pilot.press("down", "enter")      # into the list, open the dossier just received
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        assert "Chưa lên máy chủ trung tâm" in str(app.screen.query_one("#dossier-summary", Static).render())
        await pilot.press("f8")
        await settle(pilot)
        assert "Đã lên máy chủ trung tâm" in str(app.screen.query_one("#dossier-summary", Static).render())
        assert "trực tuyến · đã đồng bộ" in _status(app)


async def test_unreachable_centre_shows_offline_and_keeps_everything(make_app):
    app = make_app(central_url=f"postgresql://motcua@127.0.0.1:{_closed_port()}/motcua")
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await receive_one(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert "NGOẠI TUYẾN" in _status(app) and "chờ gửi 1" in _status(app)
        assert any(title == "Chưa đồng bộ được" for title, _ in notes), notes
        assert app.services.dossiers.count() == 1


def test_cli_sync_reports_what_moved_and_fails_cleanly_offline(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    desk = str(tmp_path / "desk.sqlite")
    central = f"sqlite:///{tmp_path / 'central.sqlite'}"
    assert main(["central", "init", "--db", central]) == 0
    assert main(["demo", "seed", "--dossiers", "12", "--days", "2", "--db", desk]) == 0
    capsys.readouterr()
    assert main(["sync", "--db", desk, "--central", central]) == 0
    out = capsys.readouterr().out
    assert "Đã gửi lên:" in out and "Bị từ chối: 0" in out
    pushed = int(out.split("Đã gửi lên:")[1].split()[0])
    assert pushed >= 12
    offline = f"postgresql://motcua@127.0.0.1:{_closed_port()}/motcua"
    assert main(["--central", offline, "sync", "--db", desk]) == 3
    err = capsys.readouterr().err
    assert "máy chủ trung tâm" in err.lower() and "dữ liệu trên máy này không thay đổi" in err
