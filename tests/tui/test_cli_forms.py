"""`motcua slip` and `motcua ledger`, run in-process against a real SQLite file."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime

import openpyxl
import pytest
from pypdf import PdfReader

from core.clock import FixedClock
from core.lifecycle import EventKind
from core.people import Applicant
from core.receive import ReceiveDraft
from tests.printers.escpos_decode import decode
from tui.actions import save_dossier
from tui.cli import main
from tui.config import Settings
from tui.services import build_services


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def desk(tmp_path):
    """A demo desk with two dossiers received on 23/11/2026; the first asked to supplement."""
    db = str(tmp_path / "desk.sqlite")
    services = build_services(Settings(db_url=db, demo=True, printer_uri="dummy:"),
                              FixedClock(datetime(2026, 11, 23, 9, 30)), seed_demo=0)
    clerk = next(c for c in services.accounts.list() if c.username == "canbo")
    proc = services.catalogue.get("1.001193")
    codes = []
    for name in ("Trần Thị Bích Ngọc", "Lê Văn Tám"):
        draft = ReceiveDraft(applicant=Applicant(full_name=name, address="Thôn 1, xã Tịnh Khê",
                                                 phone="0905123456"),
                             procedure=proc, documents=proc.documents, sets=1)
        result = save_dossier(services, clerk, draft)
        codes.append(result.dossier.code)
        services.clock.advance(minutes=20)
    first = services.dossiers.by_code(codes[0])
    services.dossiers.record(first.id, EventKind.SUPPLEMENT_REQUESTED, {
        "missing": [{"name": "Giấy chứng sinh", "form": "chinh"}], "reason": "Thiếu giấy chứng sinh",
        "contact_name": clerk.full_name, "contact_phone": "02553822123", "override": False,
        "override_reason": ""}, clerk)
    services.engine.dispose()
    return db, codes


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_slip_as_pdf_and_forms_the_dossier_never_had(capsys, desk, tmp_path):
    db, codes = desk
    pdf = tmp_path / "mau02.pdf"
    code, out, _ = run(capsys, "slip", codes[0], "--form", "02", "--pdf", str(pdf), "--db", db)
    assert code == 0 and str(pdf) in out
    text = re.sub(r"\s+", " ", PdfReader(str(pdf)).pages[0].extract_text())
    for phrase in ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", codes[0], "Giấy chứng sinh",
                   "Thiếu giấy chứng sinh", "(Ký, ghi rõ họ tên)", "Độc lập - Tự do - Hạnh phúc"):
        assert phrase in text, phrase
    code, _, err = run(capsys, "slip", codes[1], "--form", "03", "--pdf", str(pdf), "--db", db)
    assert code == 2 and "không bị từ chối tiếp nhận nên không có mẫu 03" in err
    code, _, err = run(capsys, "slip", "000.21.53.H48-261123-09999", "--form", "01", "--print", "--db", db)
    assert code == 2 and "Không tìm thấy hồ sơ" in err
    with pytest.raises(SystemExit):
        main(["slip", codes[0], "--form", "02", "--db", db])          # neither --print nor --pdf


def test_slip_print_on_a_file_printer_and_reprint_needs_a_reason(capsys, desk, tmp_path):
    db, codes = desk
    lp = tmp_path / "lp0"
    lp.write_bytes(b"")
    printer = f"file://{lp}"
    # The receipt was queued at receipt (never printed here): printing it again is a reprint.
    code, _, err = run(capsys, "slip", codes[1], "--form", "01", "--print", "--printer", printer, "--db", db)
    assert code == 2 and "lý do" in err and lp.read_bytes() == b""
    code, out, _ = run(capsys, "slip", codes[1], "--form", "01", "--print", "--printer", printer,
                       "--reason", "Công dân làm mất", "--db", db, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["printed"] is True and result["form"] == "01"
    job = decode(lp.read_bytes())
    assert job["native_qr"] and set(job["native_qr"]) == {codes[1]}
    services = build_services(Settings(db_url=db, demo=True), seed_demo=0)
    last = services.print_jobs.get(result["job_id"])
    assert last.reprint_reason == "Công dân làm mất" and last.slip.marks[0].startswith("BẢN IN LẠI — ")
    assert dict(last.slip.fields)["Số thứ tự"] == "2"
    # Form 02 was never printed: no reason needed; text mode shows its fields.
    code, _, _ = run(capsys, "slip", codes[0], "--form", "02", "--print", "--printer", printer, "--db", db)
    assert code == 0
    services.engine.dispose()


def test_ledger_to_xlsx_and_pdf(capsys, desk, tmp_path):
    db, codes = desk
    out = tmp_path / "so.xlsx"
    code, text, _ = run(capsys, "ledger", "--from", "2026-11-01", "--to", "2026-11-30",
                        "--out", str(out), "--db", db, "--json")
    assert code == 0 and json.loads(text)["rows"] == 2
    ws = openpyxl.load_workbook(out).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert [r[1] for r in rows] == codes
    assert rows[0][12] == "Trần Thị Mai" and rows[0][13] == "5 - Yêu cầu bổ sung giấy tờ"
    assert rows[0][14] == "Yêu cầu bổ sung 1 lần" and rows[0][7] == datetime(2026, 11, 23)
    pdf = tmp_path / "so.pdf"
    code, text, _ = run(capsys, "ledger", "--from", "2026-11-23", "--to", "2026-11-23",
                        "--out", str(pdf), "--db", db)
    assert code == 0 and "2 hồ sơ" in text
    assert codes[1] in PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()


@pytest.mark.parametrize("args,message", [
    (("--from", "2026-11-30", "--to", "2026-11-01", "--out", "so.xlsx"), "sau ngày kết thúc"),
    (("--from", "2026-11-01", "--to", "2026-11-30", "--out", "so.csv"), "đuôi .xlsx"),
    (("--from", "01/11/2026", "--to", "2026-11-30", "--out", "so.xlsx"), "YYYY-MM-DD"),
    (("--from", "2026-11-01", "--to", "2026-11-30", "--out", "/khong/co/so.xlsx"), "không tồn tại"),
])
def test_ledger_bad_input_says_what_to_do(capsys, desk, tmp_path, args, message):
    db, _ = desk
    code, _, err = run(capsys, "ledger", *args, "--db", db)
    assert code == 2 and message in err
