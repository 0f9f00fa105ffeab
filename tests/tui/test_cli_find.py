"""`motcua dossier find`: the desk's search from the command line, on a real SQLite file."""
from __future__ import annotations

import json

import pytest

from tui.cli import main


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db(tmp_path):
    """A demo desk with three known applicants received on one day."""
    from datetime import datetime, timedelta

    from core.clock import FixedClock
    from core.people import Applicant
    from core.receive import ReceiveDraft
    from tui.cli.common import settings_from
    from tui.services import build_services

    path = str(tmp_path / "d.sqlite")

    class Args:
        config, demo = None, True
    Args.db = path
    at = datetime(2025, 3, 11, 9, 0)
    services = build_services(settings_from(Args), FixedClock(at), seed_demo=0)
    agency, desk = services.agency, services.desk
    clerk = services.accounts.list()[0]
    proc = services.catalogue.get("1.001193")
    for i, (name, phone) in enumerate([("Nguyễn Thị Ánh Nguyệt", "0912777888"),
                                       ("Trần Thị Bích Ngọc", "0905123456"),
                                       ("Lê Văn Ánh", "0935000111")]):
        draft = ReceiveDraft(applicant=Applicant(full_name=name, id_number=f"05130300{i:04d}", phone=phone),
                             procedure=proc, documents=proc.documents[:1], sets=1)
        services.dossiers.receive(draft, agency=agency, desk=desk, clerk=clerk,
                                  received_at=at + timedelta(minutes=i), due_at=at + timedelta(days=3))
    services.engine.dispose()
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_find_by_words_without_diacritics_as_json(capsys, db):
    code, out, _ = run(capsys, "dossier", "find", "--db", db, "anh nguyet", "--json")
    assert code == 0
    found = json.loads(out)
    assert [d["name"] for d in found] == ["Nguyễn Thị Ánh Nguyệt"]
    assert set(found[0]) == {"code", "name", "status", "received_at"}
    assert found[0]["status"] == 2 and found[0]["received_at"] == "2025-03-11T09:00:00"
    code, out, _ = run(capsys, "dossier", "find", "--db", db, "Ánh ", "--json")
    assert [d["name"] for d in json.loads(out)] == ["Lê Văn Ánh", "Nguyễn Thị Ánh Nguyệt"]


def test_find_by_the_last_digits_of_a_phone_in_text(capsys, db):
    code, out, _ = run(capsys, "dossier", "find", "--db", db, "777888")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "Nguyễn Thị Ánh Nguyệt" in lines[0] and "Được tiếp nhận" in lines[0]
    assert "09:00 11/03/2025" in lines[0]


def test_nothing_found_says_what_to_try(capsys, db):
    code, out, _ = run(capsys, "dossier", "find", "--db", db, "khong co ai")
    assert code == 1 and "Không tìm thấy" in out and "4 số cuối" in out
    code, out, _ = run(capsys, "dossier", "find", "--db", db, "khong co ai", "--json")
    assert code == 1 and json.loads(out) == []


def test_db_rebuild_shows_progress_time_and_memory_and_keeps_search(capsys, db):
    code, out, err = run(capsys, "db", "rebuild", "--db", db)
    assert code == 0
    assert "Đã dựng lại 3 hồ sơ" in out and "giây" in out and "MB" in out
    assert "Đang dựng lại: 3 / 3 sự kiện (100%)" in err
    code, out, _ = run(capsys, "dossier", "find", "--db", db, "777888", "--json")
    assert [d["name"] for d in json.loads(out)] == ["Nguyễn Thị Ánh Nguyệt"]


def test_sync_retry_lists_the_refused_events_and_queues_them_again(capsys, db):
    import sqlite3
    with sqlite3.connect(db) as conn:
        event_id = conn.execute("SELECT id FROM event LIMIT 1").fetchone()[0]
        conn.execute("INSERT INTO sync_rejection VALUES (?, ?, '2025-03-11 10:00:00.000000')",
                     (event_id, "Sự kiện thuộc cơ quan khác."))
    code, out, _ = run(capsys, "sync", "retry", "--db", db)
    assert code == 0
    assert f"{event_id}: Sự kiện thuộc cơ quan khác." in out and "Đã đưa 1 sự kiện" in out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sync_rejection").fetchone()[0] == 0
    code, out, _ = run(capsys, "sync", "retry", "--db", db)
    assert code == 0 and "Không có sự kiện nào" in out
