"""`motcua stats`: JSON with exactly the issue's keys, grouping, Biểu 06 spreadsheet read back."""
from __future__ import annotations

import json

import openpyxl
import pytest

from core.stats import JSON_KEYS
from db.engine import make_engine
from db.migrate import upgrade
from tests.core.stats_cases import CASES, EXPECTED
from tests.db.stats_helpers import write_facts
from tui.cli import main


@pytest.fixture
def stats_db(tmp_path, monkeypatch):
    path = tmp_path / "desk.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    write_facts(engine, CASES)
    engine.dispose()
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "config.toml"))
    return str(path)


def test_json_month_has_exact_keys_and_known_answers(stats_db, capsys):
    assert main(["stats", "--db", stats_db, "--month", "2025-03", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert tuple(data) == JSON_KEYS
    assert {k: data[k] for k in EXPECTED if k in data} == {k: v for k, v in EXPECTED.items() if k in data}
    assert data["on_time_rate"] == 0.75 and data["satisfaction_rate"] is None
    assert data["avg_processing_working_days"] is not None
    assert data["misuse"] == 0                  # a desk keeps its kiosk's presses: a count


def test_json_grouped_by_field(stats_db, capsys):
    assert main(["stats", "--db", stats_db, "--from", "2025-03-01", "--to", "2025-03-31",
                 "--by", "field", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [g["label"] for g in data["groups"]] == ["Chứng thực", "Hộ tịch"]
    assert tuple(data["groups"][0]) == ("key", "label", *JSON_KEYS)
    assert sum(g["received"] for g in data["groups"]) == data["received"] == 6


def test_bad_period_says_what_to_do(stats_db, capsys):
    assert main(["stats", "--db", stats_db, "--quarter", "2025-Q7"]) == 2
    assert "YYYY-Qn" in capsys.readouterr().err
    assert main(["stats", "--db", stats_db, "--month", "2025-03", "--from", "2025-03-01"]) == 2
    assert main(["stats", "--db", stats_db, "--from", "2025-04-01", "--to", "2025-03-01"]) == 2
    assert "trước ngày đầu" in capsys.readouterr().err


def test_xlsx_is_biểu_06_with_extra_sheets(stats_db, tmp_path, capsys):
    out = tmp_path / "bao-cao.xlsx"
    assert main(["stats", "--db", stats_db, "--month", "2025-03", "--xlsx", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Biểu số 06", "Chỉ tiêu bổ sung", "Hồ sơ quá hạn"]
    ws = wb["Biểu số 06"]
    assert ws["A2"].value.startswith("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC")
    assert ws["A3"].value == "(Từ ngày 01/03/2025 đến ngày 31/03/2025)"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A5:A6", "B5:B6", "C5:F5", "G5:J5", "K5:M5"} <= merged
    assert [ws.cell(6, c).value for c in range(3, 14)] == [
        "Tổng số", "Trực tuyến", "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước",
        "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn", "Tổng số", "Trong hạn", "Quá hạn"]
    rows = {ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(3, 14)] for r in range(8, 11)}
    # Tổng cộng: (3) = received 6 + carried 3; online 1; direct+postal 5; carried 3; resolved 4 = 2+1+1;
    # in progress 3 = 2 + 1.
    assert rows["Tổng cộng"] == [9, 1, 5, 3, 4, 2, 1, 1, 3, 2, 1]
    assert rows["Chứng thực"][0] + rows["Hộ tịch"][0] == 9
    extra = wb["Chỉ tiêu bổ sung"]
    head = [extra.cell(4, c).value for c in range(1, extra.max_column + 1)]
    total_row = next(r for r in range(5, 10) if extra.cell(r, 2).value == "Tổng cộng")
    values = dict(zip(head, [extra.cell(total_row, c).value for c in range(1, extra.max_column + 1)]))
    assert values["Tỷ lệ đúng hạn"] == "75,0 %" and values["Tỷ lệ hài lòng"] == "—"
    assert values["Quá hạn chưa có thư xin lỗi"] == 1 and values["Rút / dừng xử lý"] == 2
    col_766 = [extra.cell(r, 3).value for r in range(total_row + 3, total_row + 9)]
    assert "ngoài phạm vi" in col_766 and any("(ước tính)" in str(v) for v in col_766)
    late = wb["Hồ sơ quá hạn"]
    assert [late.cell(r, 9).value for r in (5, 6)] == ["Đã có", "Chưa có"]
    assert late.cell(5, 8).value == "Đang giải quyết"


def test_xlsx_needs_the_suffix(stats_db, tmp_path, capsys):
    assert main(["stats", "--db", stats_db, "--xlsx", str(tmp_path / "x.csv")]) == 2
    assert ".xlsx" in capsys.readouterr().err


def test_central_sqlite_store_reads_and_tells_freshness(stats_db, capsys):
    from datetime import datetime

    from sqlalchemy import insert

    from core.lifecycle import Event, EventKind
    from db.models import event
    from db.rows import event_to_row
    engine = make_engine(f"sqlite:///{stats_db}")
    with engine.begin() as conn:
        e = Event(id="e1", dossier_id="x", agency_code="000.21.53.H48", desk_number=2, clerk_id="c1",
                  hlc="0001", wall_time=datetime(2025, 3, 31, 9), kind=EventKind.NOTE, payload={"text": "a"})
        # As a centre stores it: numbered (freshness reads numbered events only, migration 0014).
        conn.execute(insert(event), [{**event_to_row(e, synced_at=datetime(2025, 3, 31, 16, 5)), "seq": 1}])
    engine.dispose()
    assert main(["stats", "--central", stats_db, "--month", "2025-03", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["received"] == EXPECTED["received"]
    # Kiosk presses stay on the desk where they happened: a centre's misuse is unknown, not 0.
    assert data["misuse"] is None
    assert main(["stats", "--central", stats_db, "--month", "2025-03"]) == 0
    out = capsys.readouterr().out
    assert "000.21.53.H48" in out and "(1 quầy): 16:05 31/03/2025" in out
    assert "bấm sai không có ở trung tâm, xem trên từng quầy" in out
