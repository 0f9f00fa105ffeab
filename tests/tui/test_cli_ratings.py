"""`motcua ratings` and `motcua kiosk` on the command line, against temporary databases."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from core.clock import FixedClock
from tests.db.conftest import make_draft
from tui.actions import save_dossier
from tui.cli import main
from tui.config import Settings
from tui.services import build_services

DAY = datetime(2026, 11, 23, 9, 30)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL", "MOTCUA_KIOSK_TIMEOUT", "MOTCUA_PASSWORD"):
        monkeypatch.delenv(var, raising=False)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def desk(tmp_path):
    """A demo desk with two dossiers received and rated at the kiosk (levels 1 and 3)."""
    db = str(tmp_path / "d.sqlite")
    services = build_services(Settings(db_url=db, demo=True, printer_uri="dummy:"), FixedClock(DAY), seed_demo=0)
    clerk = next(c for c in services.accounts.list() if c.username == "canbo")
    codes = []
    for level in (1, 3):
        d = save_dossier(services, clerk, make_draft()).dossier
        codes.append(d.code)
        p = services.ratings.current(d.agency_code, d.desk_number, DAY)
        services.ratings.mark_shown(p.id, DAY)
        services.ratings.answer(p.id, level, str(level), DAY)
    services.ratings.answer(p.id, 1, "1", DAY)              # misuse: already answered
    services.engine.dispose()
    return db, codes


def test_ratings_json_has_exactly_the_issue_keys(capsys, desk):
    db, _ = desk
    code, out, _ = run(capsys, "ratings", "--db", db, "--from", "2026-11-23", "--to", "2026-11-23", "--json")
    assert code == 0
    # Level 3 still waits for its reasons: only the first answer is a rating yet.
    assert json.loads(out) == {"ratings": 1, "by_level": {"1": 1, "2": 0, "3": 0}, "not_rated": 0,
                               "misuse": 1, "satisfaction_rate": 1.0}
    code, out, _ = run(capsys, "ratings", "--db", db, "--from", "2026-11-01", "--to", "2026-11-22", "--json")
    assert json.loads(out)["satisfaction_rate"] is None
    code, out, _ = run(capsys, "ratings", "--db", db, "--from", "2026-11-23", "--to", "2026-11-23")
    assert code == 0 and "Tỷ lệ hài lòng: 100,0 % (1/1)" in out and "Bấm sai, bấm thừa (không tính): 1" in out


def test_ratings_needs_a_valid_period(capsys, desk):
    db, _ = desk
    code, _, err = run(capsys, "ratings", "--db", db)
    assert code == 2 and "--from" in err
    code, _, err = run(capsys, "ratings", "--db", db, "--from", "23/11/2026", "--to", "2026-11-23")
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, err = run(capsys, "ratings", "--db", db, "--from", "2026-11-24", "--to", "2026-11-23")
    assert code == 2 and "sau hoặc bằng" in err


def test_paper_survey_by_a_supervisor(capsys, desk, monkeypatch):
    db, codes = desk
    monkeypatch.setenv("MOTCUA_PASSWORD", "canbo123")
    code, _, err = run(capsys, "ratings", "paper", codes[0], "--db", db, "--level", "2", "--by", "canbo")
    assert code == 2 and "lãnh đạo" in err
    monkeypatch.setenv("MOTCUA_PASSWORD", "lanhdao123")
    code, out, _ = run(capsys, "ratings", "paper", codes[0], "--db", db, "--level", "3", "--by", "lanhdao",
                       "--reason", "Phải đi lại nhiều lần", "--text", "Phải đến hai lần")
    assert code == 0 and "Chưa hài lòng" in out and "Phải đi lại nhiều lần" in out
    code, _, err = run(capsys, "ratings", "paper", codes[0], "--db", db, "--level", "1", "--by", "lanhdao")
    assert code == 2 and "đã được đánh giá" in err
    code, _, err = run(capsys, "ratings", "paper", codes[1], "--db", db, "--level", "3", "--by", "lanhdao",
                       "--reason", "Chờ lâu")
    assert code == 2 and "không có trong danh sách" in err
    # The paper form is dated when it is entered (today), the kiosk answer on 23/11/2026.
    code, out, _ = run(capsys, "ratings", "--db", db, "--from", "2026-11-23", "--to", "2099-12-31", "--json")
    assert json.loads(out)["ratings"] == 2 and json.loads(out)["satisfaction_rate"] == 0.5


def test_kiosk_refuses_a_database_without_a_desk_and_a_bad_timeout(capsys, tmp_path, monkeypatch):
    code, _, err = run(capsys, "kiosk", "--db", str(tmp_path / "empty.sqlite"))
    assert code == 2 and "chưa được cài đặt" in err
    monkeypatch.setenv("MOTCUA_KIOSK_TIMEOUT", "2")
    code, _, err = run(capsys, "kiosk", "--db", str(tmp_path / "empty.sqlite"))
    assert code == 2 and "[kiosk] timeout" in err
    (tmp_path / "bad.toml").write_text('[kiosk]\nlevels = 7\n', encoding="utf-8")
    monkeypatch.delenv("MOTCUA_KIOSK_TIMEOUT")
    code, _, err = run(capsys, "ratings", "--config", str(tmp_path / "bad.toml"), "--db", str(tmp_path / "x.sqlite"),
                       "--from", "2026-11-23", "--to", "2026-11-23")
    assert code == 2 and "[kiosk] levels" in err


def test_dossier_show_json_lists_ratings_timeouts_and_misuse(capsys, desk):
    db, codes = desk
    code, out, _ = run(capsys, "dossier", "show", codes[0], "--db", db, "--json")
    assert code == 0
    assert json.loads(out)["ratings"] == [{"step": "receipt", "level": 1, "label": "Rất hài lòng",
                                           "reasons": [], "at": "2026-11-23T09:30:00+07:00", "misuse": False}]
    # The second dossier: level 3 still waits for reasons, then a misuse press; the
    # replacement by a new receipt records the answer without reasons.
    services = build_services(Settings(db_url=db, demo=True, printer_uri="dummy:"), FixedClock(DAY), seed_demo=0)
    clerk = next(c for c in services.accounts.list() if c.username == "canbo")
    save_dossier(services, clerk, make_draft())
    services.engine.dispose()
    code, out, _ = run(capsys, "dossier", "show", codes[1], "--db", db, "--json")
    listed = json.loads(out)["ratings"]
    assert [(r["level"], r["label"], r["misuse"]) for r in listed] == [
        (3, "Chưa hài lòng", False), (None, "", True)]
    code, out, _ = run(capsys, "dossier", "show", codes[1], "--db", db)
    assert "Đánh giá tiếp nhận hồ sơ: Chưa hài lòng" in out and "bấm thừa (không tính)" in out
