"""The database side of forms and the ledger: ledger numbers, a form's context, the ledger
rows, and the ledger read back from its XLSX (openpyxl) and PDF (pypdf)."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import openpyxl
from pypdf import PdfReader
from sqlalchemy import delete

from core.forms import form_slip, slip_for_event
from core.ledger import LEDGER_COLUMNS
from core.lifecycle import EventKind
from db.engine import read_conn, write_tx
from db.forms import form_context, ledger_numbering, ledger_position
from db.models import daily_sequence
from db.ledger import ledger_entries
from printers.ledger_pdf import ledger_to_pdf
from printers.ledger_xlsx import HEADER_ROW, ledger_to_xlsx

from .conftest import AGENCY, CLERK, DESK2, make_draft

DAY = datetime(2025, 3, 11, 9, 30)


def _history(receive, repo, clock):
    """Three dossiers on 11/03 (one returned by post after an apology, one refused, one
    open), one on 12/03 at desk 2, one the year before."""
    a = receive(make_draft("Nguyễn Thị Hoa", phone="0905000001"), received_at=DAY).dossier
    b = receive(make_draft("Lê Văn Tâm", phone="0905000002"), received_at=DAY.replace(hour=10)).dossier
    c = receive(make_draft("Trần Minh Khoa", phone="0905000003"), received_at=DAY.replace(hour=11)).dossier
    d = receive(make_draft("Phạm Thu Hà", phone="0905000004"), desk=DESK2,
                received_at=datetime(2025, 3, 12, 8, 0)).dossier
    old = receive(make_draft("Võ Văn Cũ"), received_at=datetime(2024, 12, 30, 8, 0)).dossier
    repo.record(a.id, EventKind.SUPPLEMENT_REQUESTED,
                {"missing": [{"name": "Giấy chứng sinh", "form": "chinh"}], "reason": "Thiếu giấy",
                 "contact_name": "Trần Thị Mai", "contact_phone": "0255382", "override": False,
                 "override_reason": ""}, CLERK)
    repo.record(a.id, EventKind.SUPPLEMENT_RECEIVED, {}, CLERK)
    repo.record(a.id, EventKind.APOLOGY_ISSUED, {"new_due_at": "2025-03-14T16:00:00",
                                                 "reason": "Chờ xác minh", "delay_body": "Tư pháp"}, CLERK)
    repo.record(a.id, EventKind.RESULT_READY, {"at": "2025-03-13T15:00:00"}, CLERK)
    repo.record(a.id, EventKind.RETURNED, {"at": "2025-03-14T09:00:00", "to_name": "Nguyễn Văn Nam",
                                           "to_id_number": "051090001234", "method": "post",
                                           "tracking": "EB123456789VN"}, CLERK)
    repo.record(b.id, EventKind.REFUSED, {"reason": "Không thuộc thẩm quyền"}, CLERK)
    return a, b, c, d, old


def test_ledger_numbers_count_the_desk_s_codes_of_the_year(receive, repo, clock, engine):
    a, b, c, d, old = _history(receive, repo, clock)
    e = receive(make_draft("Đinh Văn Năm"), desk=DESK2, received_at=datetime(2025, 3, 12, 9, 0)).dossier

    def positions():
        with read_conn(engine) as conn:
            return [ledger_position(conn, x.agency_code, x.desk_number, x.received_at, x.code)
                    for x in (a, b, c, d, e, old)]
    assert positions() == [1, 2, 3, 1, 2, 1]          # per desk, per year
    book, number = ledger_numbering(engine, AGENCY.code, 1, datetime(2025, 3, 12, 9, 0))
    assert (book, number(f"{AGENCY.code}-250312-01001")) == ("01/2025", "4")
    # Dossiers of a desk this database never counted for (pulled from the centre) are
    # numbered by counting that desk's dossiers instead: the same answer.
    with write_tx(engine) as conn:
        conn.execute(delete(daily_sequence).where(daily_sequence.c.desk_number == 2))
    assert positions() == [1, 2, 3, 1, 2, 1]


def test_form_context_reads_events_receipt_and_ledger(receive, repo, clock, engine):
    a, b, c, *_ = _history(receive, repo, clock)
    state = repo.get(a.id)
    ctx = form_context(engine, state, qr_template="https://tra-cuu/?ma={code}")
    assert [str(e.kind) for e in ctx.events][:2] == ["received", "supplement_requested"]
    assert ctx.receipt["code"] == a.code and ctx.agency_name == AGENCY.name
    assert (ctx.ledger_book, ctx.ledger_seq) == ("01/2025", "1")
    assert ctx.clerk_name(CLERK.id) == CLERK.full_name     # from the receipt: no account here
    receipt = form_slip(1, state, ctx)
    assert dict(receipt.fields)["Số thứ tự"] == "1" and receipt.qr_payload == f"https://tra-cuu/?ma={a.code}"
    slip = slip_for_event(state, ctx.events[1], ctx)
    assert slip.kind == "supplement" and slip.tables[0].rows == (("1", "Giấy chứng sinh", "x", "", ""),)
    refused = repo.get(b.id)
    assert dict(form_slip(3, refused, form_context(engine, refused)).sections)["Lý do"] == (
        "Không thuộc thẩm quyền",)


def test_ledger_rows_of_a_period(receive, repo, clock, engine):
    a, b, c, d, old = _history(receive, repo, clock)
    rows = ledger_entries(engine, date(2025, 3, 11), date(2025, 3, 12))
    assert [r.code for r in rows] == [a.code, b.code, c.code, d.code]
    first = rows[0]
    assert first.address == "Thôn Mỹ Lai, xã Tịnh Khê, tỉnh Quảng Ngãi" and first.phone == "0905000001"
    assert first.received_by == CLERK.full_name and first.sets == 1
    assert first.due_at == a.original_due_at
    assert (first.resolved_at, first.returned_at) == (datetime(2025, 3, 13, 15), datetime(2025, 3, 14, 9))
    assert first.result_receiver == "Nguyễn Văn Nam" and first.status == 10
    assert first.note == ("Yêu cầu bổ sung 1 lần; Xin lỗi, hẹn lại ngày 14/03/2025; "
                          "Trả qua bưu chính, mã EB123456789VN")
    assert rows[1].note == "Từ chối: Không thuộc thẩm quyền" and rows[1].status == 3
    assert [r.code for r in ledger_entries(engine, date(2025, 3, 11), date(2025, 3, 11))] == [
        a.code, b.code, c.code]
    assert [r.code for r in ledger_entries(engine, date(2025, 3, 1), date(2025, 3, 31),
                                           desk_number=2)] == [d.code]


def test_ledger_xlsx_read_back(receive, repo, clock, engine, tmp_path):
    a, b, c, d, _ = _history(receive, repo, clock)
    rows = ledger_entries(engine, date(2025, 3, 11), date(2025, 3, 12))
    path = tmp_path / "so.xlsx"
    ledger_to_xlsx(rows, date(2025, 3, 11), date(2025, 3, 12), agency_name=AGENCY.name, path=path)
    assert path.stat().st_mode & 0o077 == 0
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == f"SỔ THEO DÕI HỒ SƠ — {AGENCY.name}"
    assert ws["A2"].value == "(Từ ngày 11/03/2025 đến ngày 12/03/2025)"
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == list(LEDGER_COLUMNS) == [
        "STT", "Mã hồ sơ", "Nội dung hồ sơ (thủ tục)", "Số lượng (bộ)", "Họ tên chủ hồ sơ", "Địa chỉ",
        "Số điện thoại", "Ngày nhận hồ sơ", "Ngày hẹn trả kết quả", "Ngày có kết quả",
        "Ngày trả kết quả", "Người nhận kết quả", "Người tiếp nhận", "Trạng thái", "Ghi chú"]
    body = list(ws.iter_rows(min_row=HEADER_ROW + 1))
    assert len(body) == 4
    first = [c.value for c in body[0]]
    assert first[:7] == [1, a.code, "Đăng ký khai sinh (1.001193)", 1, "Nguyễn Thị Hoa",
                         "Thôn Mỹ Lai, xã Tịnh Khê, tỉnh Quảng Ngãi", "0905000001"]
    assert first[7:11] == [datetime(2025, 3, 11), datetime(a.original_due_at.date().year,
                                                           a.original_due_at.month, a.original_due_at.day),
                           datetime(2025, 3, 13), datetime(2025, 3, 14)]
    assert all(body[0][i].number_format == "dd/mm/yyyy" for i in (7, 8, 9, 10))
    assert first[11:14] == ["Nguyễn Văn Nam", CLERK.full_name, "10 - Đã trả kết quả"]
    assert [c.value for c in body[2]][9:14] == [None, None, None, CLERK.full_name, "2 - Được tiếp nhận"]
    assert ws.page_setup.orientation == "landscape"


def test_ledger_pdf_read_back(receive, repo, clock, engine, tmp_path):
    a, *_ = _history(receive, repo, clock)
    rows = ledger_entries(engine, date(2025, 3, 11), date(2025, 3, 12))
    data = ledger_to_pdf(rows, date(2025, 3, 11), date(2025, 3, 12), agency_name=AGENCY.name,
                         place_date="Tịnh Khê, ngày 15 tháng 03 năm 2025")
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)          # landscape
    text = re.sub(r"\s+", " ", page.extract_text())
    for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SỔ THEO DÕI HỒ SƠ",
                   "(Từ ngày 11/03/2025 đến ngày 12/03/2025)", "Họ tên chủ hồ sơ", "Người tiếp nhận",
                   a.code, "Nguyễn Thị Hoa", "11/03/2025", "13/03/2025", "10 - Đã trả kết quả",
                   "Không thuộc thẩm quyền", "Phạm Thu Hà"):
        assert phrase in text, phrase


def test_empty_period_gives_headers_only(engine, tmp_path):
    path = tmp_path / "empty.xlsx"
    ledger_to_xlsx(ledger_entries(engine, date(2025, 1, 1), date(2025, 1, 31)),
                   date(2025, 1, 1), date(2025, 1, 31), path=path)
    ws = openpyxl.load_workbook(path).active
    assert ws.max_row == HEADER_ROW and ws["A1"].value == "SỔ THEO DÕI HỒ SƠ"
