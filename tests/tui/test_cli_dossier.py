"""`motcua dossier ...` end to end on a temporary demo database, with a fixed clock."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from core.clock import FixedClock
from tui.cli import main

CLOCK = FixedClock(datetime(2026, 2, 10, 9, 0))       # Tuesday before Tết 2026


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("tui.services.SystemClock", lambda: CLOCK)
    CLOCK.at = datetime(2026, 2, 10, 9, 0)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_PRINTER", f"file://{tmp_path / 'printer.bin'}")
    return ["--demo", "--db", str(tmp_path / "d.sqlite")]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def show(capsys, db, code) -> dict:
    rc, out, _ = run(capsys, "dossier", "show", code, *db, "--json")
    assert rc == 0
    return json.loads(out)


def test_a_dossier_from_receipt_to_return_on_the_command_line(capsys, db):
    rc, out, err = run(capsys, "dossier", "receive", *db, "--procedure", "1.004873", "--name", "Lê Thị Hoa",
                       "--phone", "0912345678", "--docs", "all", "--clerk", "canbo")
    assert rc == 0, err
    code = out.strip()
    assert code.startswith("000.21.53.H48-260210-")
    d = show(capsys, db, code)
    assert d["status"] == 2 and d["status_vi"] == "Được tiếp nhận"
    assert d["received_at"] == "2026-02-10T09:00:00+07:00" and d["due_at"] == "2026-02-13T17:00:00+07:00"

    CLOCK.advance(minutes=30)
    rc, out, _ = run(capsys, "dossier", "supplement", code, *db, "--clerk", "canbo", "--missing",
                     "Giấy khai sinh:chinh", "--missing", "Sổ hộ khẩu", "--reason", "Thiếu bản chính", "--json")
    assert rc == 0 and json.loads(out)["status"] == 5
    # A second request without a supervisor: refused, exit 2, reason on stderr, nothing written.
    rc, out, err = run(capsys, "dossier", "supplement", code, *db, "--clerk", "canbo", "--missing", "X", "--reason", "Y")
    assert (rc, out) == (2, "") and "chờ công dân bổ sung" in err
    assert len(show(capsys, db, code)["events"]) == 2

    CLOCK.at = datetime(2026, 2, 13, 10, 0)               # complete supplement on Friday before Tết
    rc, out, _ = run(capsys, "dossier", "supplemented", code, *db, "--clerk", "canbo", "--json")
    assert json.loads(out)["original_due_at"] == "2026-02-25T17:00:00+07:00"    # restart: 23, 24, 25/02
    for argv in (["handoff", code, "--to", "Tư pháp - Hộ tịch", "--step-due", "2026-02-24 17:00"],
                 ["takeback", code, "--note", "Đã ký"], ["result", code],
                 ["return", code, "--post", "EB123456789VN"], ["note", code, "--text", "Gọi báo đã gửi"]):
        CLOCK.advance(minutes=10)
        rc, _, err = run(capsys, "dossier", *argv, *db, "--clerk", "canbo")
        assert rc == 0, (argv, err)
    rc, _, err = run(capsys, "dossier", "stop", code, *db, "--clerk", "canbo", "--reason", "x")
    assert rc == 2 and err.strip() == "Hồ sơ đã trả kết quả; không thể «Dừng giải quyết» nữa."

    d = show(capsys, db, code)
    assert {"code", "status", "status_vi", "received_at", "due_at", "original_due_at", "result_at", "returned_at",
            "supplement_requests", "apologies", "conflict", "events"} <= set(d)
    assert (d["status"], d["status_vi"], d["supplement_requests"], d["apologies"], d["conflict"]) == \
        (10, "Đã trả kết quả", 1, 0, False)
    assert d["result_at"] == "2026-02-13T10:30:00+07:00" and d["returned_at"] == "2026-02-13T10:40:00+07:00"
    assert [e["kind"] for e in d["events"]] == ["received", "supplement_requested", "supplement_received",
                                                "transferred", "taken_back", "result_ready", "returned", "note"]
    assert all(e["clerk"] == "canbo" for e in d["events"])
    assert all(e["via"] == "cli" for e in d["events"][1:])


def test_apology_unknown_clerk_and_bad_input(capsys, db):
    rc, out, _ = run(capsys, "dossier", "receive", *db, "--procedure", "1.004873", "--name", "Lê Thị Hoa",
                     "--docs", "all", "--clerk", "canbo")
    code = out.strip()
    rc, _, err = run(capsys, "dossier", "note", code, *db, "--clerk", "khongco", "--text", "x")
    assert rc == 2 and "Không có tài khoản «khongco»" in err
    rc, _, err = run(capsys, "dossier", "result", "000.21.53.H48-260210-09999", *db, "--clerk", "canbo")
    assert rc == 2 and "Không tìm thấy hồ sơ" in err
    rc, _, err = run(capsys, "dossier", "apology", code, *db, "--clerk", "canbo", "--new-due", "2026-02-12 17:00",
                     "--reason", "Chờ xác minh")
    assert rc == 2 and "phải sau ngày hẹn hiện tại" in err
    rc, out, _ = run(capsys, "dossier", "apology", code, *db, "--clerk", "canbo", "--new-due", "2026-02-24 17:00",
                     "--reason", "Chờ xác minh", "--json")
    assert rc == 0 and json.loads(out)["due_at"] == "2026-02-24T17:00:00+07:00"
    d = show(capsys, db, code)
    assert d["original_due_at"] == "2026-02-13T17:00:00+07:00" and d["apologies"] == 1
    rc, _, err = run(capsys, "dossier", "receive", *db, "--procedure", "1.004873", "--name", "Lê Thị Hoa",
                     "--phone", "12345", "--clerk", "canbo")
    assert rc == 2 and "Số điện thoại" in err


def test_list_by_status_overdue_and_due_before(capsys, db):
    codes = []
    for name in ("Lê Thị Hoa", "Trần Văn Nam", "Phạm Thị Lan"):
        codes.append(run(capsys, "dossier", "receive", *db, "--procedure", "1.004873", "--name", name,
                         "--docs", "all", "--clerk", "canbo")[1].strip())
    run(capsys, "dossier", "result", codes[0], *db, "--clerk", "canbo")
    rc, out, _ = run(capsys, "dossier", "list", *db, "--status", "9", "--json")
    assert [d["code"] for d in json.loads(out)] == [codes[0]]
    rc, out, _ = run(capsys, "dossier", "list", *db, "--overdue", "--json")
    assert json.loads(out) == []
    CLOCK.at = datetime(2026, 2, 23, 8)                   # after Tết: the two open ones are late
    rc, out, _ = run(capsys, "dossier", "list", *db, "--overdue", "--json")
    assert sorted(d["code"] for d in json.loads(out)) == sorted(codes[1:])
    rc, out, _ = run(capsys, "dossier", "list", *db, "--due-before", "2026-02-13", "--json")
    assert json.loads(out) == []
    rc, out, _ = run(capsys, "dossier", "list", *db, "--due-before", "2026-02-14", "--json")
    assert len(json.loads(out)) == 3
    rc, out, _ = run(capsys, "dossier", "list", *db, "--work-list", "not_returned", "--json")
    assert [d["code"] for d in json.loads(out)] == [codes[0]]
    rc, _, err = run(capsys, "dossier", "list", *db, "--due-before", "14/02/2026x")
    assert rc == 2 and "YYYY-MM-DD" in err


def test_print_puts_the_receipt_and_the_action_slip_on_the_printer(capsys, db, tmp_path):
    printer = tmp_path / "printer.bin"
    rc, out, err = run(capsys, "dossier", "receive", *db, "--procedure", "1.004873", "--name", "Lê Thị Hoa",
                       "--docs", "all", "--clerk", "canbo", "--print", "--json")
    assert rc == 0 and json.loads(out)["printed"] is True, err
    after_receipt = printer.stat().st_size
    assert after_receipt > 0
    code = json.loads(out)["code"]
    rc, out, _ = run(capsys, "dossier", "refuse", code, *db, "--clerk", "canbo", "--reason",
                     "Không thuộc thẩm quyền", "--print", "--json")
    result = json.loads(out)
    assert rc == 0 and result["status"] == 3 and result["printed"] is True and result["print_job"]
    assert printer.stat().st_size > after_receipt
    # A note issues no form: nothing queued, nothing printed.
    rc, out, _ = run(capsys, "dossier", "note", code, *db, "--clerk", "canbo", "--text", "x", "--print", "--json")
    assert json.loads(out)["print_job"] is None
