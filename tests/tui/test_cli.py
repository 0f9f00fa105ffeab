"""The `motcua` command line, run in-process against temporary databases."""
from __future__ import annotations

import json

import pytest

from tui.cli import main


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL"):
        monkeypatch.delenv(var, raising=False)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_due_for_a_procedure_received_after_the_cutoff_on_friday(capsys, tmp_path):
    db = str(tmp_path / "d.sqlite")
    code, out, _ = run(capsys, "calendar", "due", "--demo", "--db", db,
                       "--received", "2026-11-20 15:30", "--procedure", "1.001193")
    assert code == 0
    assert out.strip() == "17:00 23/11/2026"


def test_due_in_working_days_across_tet_2026_as_json(capsys, tmp_path):
    db = str(tmp_path / "d.sqlite")
    code, out, _ = run(capsys, "calendar", "due", "--db", db, "--received", "2026-02-13 10:00",
                       "--days", "3", "--json")
    assert code == 0
    assert json.loads(out) == {"due": "2026-02-25T17:00:00"}
    code, out, _ = run(capsys, "calendar", "due", "--db", db, "--received", "2026-11-21 08:00", "--same-day")
    assert out.strip() == "17:00 23/11/2026"      # Saturday: next working day, closing time


def test_bad_received_time_and_unknown_procedure_say_what_to_do(capsys, tmp_path):
    db = str(tmp_path / "d.sqlite")
    code, _, err = run(capsys, "calendar", "due", "--db", db, "--received", "20/11/2026", "--days", "1")
    assert code == 2 and "YYYY-MM-DD HH:MM" in err
    code, _, err = run(capsys, "calendar", "due", "--db", db, "--received", "2026-11-20 10:00",
                       "--procedure", "9.999999")
    assert code == 2 and "catalogue import" in err


def test_calendar_show_lists_swaps_and_local_overrides(capsys, tmp_path):
    db = str(tmp_path / "d.sqlite")
    code, out, _ = run(capsys, "calendar", "show", "2026", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("22/08/2026") and "Làm bù" in line and "gói holidays" in line for line in lines)
    assert any(line.startswith("31/08/2026") and "Nghỉ" in line for line in lines)
    assert any(line.startswith("24/11/2026") for line in lines)
    assert run(capsys, "calendar", "set", "2026-11-24", "--db", db, "--kind", "cancel_day_off",
               "--name", "Tỉnh không nghỉ")[0] == 0
    assert run(capsys, "calendar", "set", "2026-12-05", "--db", db, "--kind", "worked_day",
               "--name", "Làm bù theo quyết định của tỉnh")[0] == 0
    _, out, _ = run(capsys, "calendar", "show", "2026", "--db", db)
    assert not any(line.startswith("24/11/2026") for line in out.splitlines())
    assert any(line.startswith("05/12/2026") and "điều chỉnh địa phương" in line for line in out.splitlines())
    _, out, _ = run(capsys, "calendar", "due", "--db", db, "--received", "2026-11-23 16:00", "--days", "1")
    assert out.strip() == "17:00 25/11/2026"      # D0 = 24/11, now a working day


def test_catalogue_export_then_import_elsewhere(capsys, tmp_path):
    src, dst = str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")
    for suffix in ("csv", "json"):
        path = tmp_path / f"catalogue.{suffix}"
        code, out, _ = run(capsys, "catalogue", "export", str(path), "--demo", "--db", src)
        assert code == 0 and "21 thủ tục" in out
        code, out, _ = run(capsys, "catalogue", "import", str(path), "--db", dst)
        assert code == 0
    assert "0 thủ tục mới, 0 phiên bản mới, 21 không đổi" in out
    broken = tmp_path / "broken.csv"
    broken.write_text("code,name\n1.001193,Thiếu cột\n", encoding="utf-8")
    code, _, err = run(capsys, "catalogue", "import", str(broken), "--db", dst)
    assert code == 1 and "chưa nhập gì" in err


def test_demo_seed_rebuild_and_sync_without_central(capsys, tmp_path):
    db = str(tmp_path / "d.sqlite")
    code, out, _ = run(capsys, "demo", "seed", "--dossiers", "40", "--days", "5", "--db", db)
    assert code == 0 and "40 hồ sơ" in out
    code, out, _ = run(capsys, "db", "rebuild", "--db", db)
    assert code == 0 and "40 hồ sơ" in out
    code, _, err = run(capsys, "sync", "--db", db)
    assert code == 2 and "máy chủ trung tâm" in err
