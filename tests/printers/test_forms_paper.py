"""Forms 01-06 on paper: decoded back from a file printer's ESC/POS bytes, and read back
from the A4 PDF with pypdf, each for its fields."""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime

import pytest
from pypdf import PdfReader

from core.forms import form_slip
from core.slips import with_reprint_mark
from printers.pdf import NATION, slip_to_pdf
from printers.profile import PrinterProfile
from printers.service import PrintService
from tests.core.forms_fixtures import CODE, context, event, history, state_of
from tests.printers.escpos_decode import decode

REFUSED = {"reason": "Hồ sơ không thuộc thẩm quyền giải quyết của xã"}
STOPPED = {"reason": "Công dân đề nghị rút để bổ sung giấy tờ khác"}

# form -> (extra events, phrases the slip must show)
EXPECTED = {
    1: ([], ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {CODE}",
             "Người nộp: Phạm Thị Hồng Nhung", "Số bộ hồ sơ: 2", "Quyển số: 02/2025",
             "Số thứ tự: 104", "Thời gian trả kết quả: 17 giờ 00 phút, ngày 14/03/2025",
             "NGƯỜI TIẾP NHẬN", "(Ký, ghi rõ họ tên)"]),
    2: ([], ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Giấy chứng sinh", "Sổ hộ khẩu",
             "Bản chứng thực", "Ảnh chân dung 4x6", "Bản photo",
             "Thiếu giấy tờ chứng minh quan hệ cha con", "02553822123", "NGƯỜI HƯỚNG DẪN"]),
    3: ([("refused", REFUSED)], ["PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
                                 "không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau",
                                 REFUSED["reason"], "NGƯỜI TỪ CHỐI", "NGƯỜI NỘP HỒ SƠ"]),
    4: ([], ["VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
             "17 giờ 00 phút, ngày 14/03/2025", "16 giờ 00 phút, ngày 19/03/2025",
             "Cần xác minh thêm nơi cư trú", "Công an xã Tịnh Khê", "THỦ TRƯỞNG CƠ QUAN"]),
    5: ([("stopped", STOPPED)], ["THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", STOPPED["reason"],
                                 "chưa có quyết định hay kết quả giải quyết"]),
    6: ([], ["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Kèm theo hồ sơ của: Phạm Thị Hồng Nhung",
             "Công chức Tư pháp - Hộ tịch", "Nguyễn Văn Bình", "Trước hạn (hạn 13/03/2025)",
             "Đang giải quyết (hạn 14/03/2025)", "Đã có kết quả xác minh", "NGƯỜI GIAO",
             "NGƯỜI NHẬN"]),
}


def _slip(form: int):
    events = history()
    extra = [event(20 + i, kind, payload, datetime(2025, 3, 13, 10, i))
             for i, (kind, payload) in enumerate(EXPECTED[form][0])]
    if extra:
        events = events[:1] + extra
    return form_slip(form, state_of(events), context(events))


def _flat(lines) -> str:
    text = " ".join(unicodedata.normalize("NFC", ln).strip() for ln in lines)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_each_form_decoded_from_the_file_printer(form, tmp_path):
    out = tmp_path / "lp0"
    out.write_bytes(b"")
    service = PrintService(f"file://{out}", PrinterProfile(mode="text", codepage="CP1258", copies=2))
    service.print_slip(_slip(form))
    job = decode(out.read_bytes())
    assert job.cuts == 2 and job.codepages == [52, 52]
    copies = [_flat(c.text_lines("cp1258")) for c in job.copies()]
    for text in copies:
        for phrase in EXPECTED[form][1]:
            assert phrase in text, phrase
    if form == 1:
        assert "Liên 1: giao người nộp hồ sơ" in copies[0] and "Liên 2: lưu hồ sơ" in copies[1]
        assert job["native_qr"] == [CODE, CODE]


@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_each_form_as_raster_has_ink_and_every_copy(form):
    job = decode(PrintService("dummy:", PrinterProfile(copies=2)).render(_slip(form)))
    assert job.cuts == 2 and job.rasters and all(r.width <= 576 for r in job.rasters)
    assert max(r.width for r in job.rasters) > 480          # bands cropped to their ink


def _pdf_text(data: bytes) -> list[str]:
    return [_flat(p.extract_text().splitlines()) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_each_form_as_an_a4_pdf(form, tmp_path):
    path = tmp_path / f"mau-{form:02d}.pdf"
    slip_to_pdf(_slip(form), path)
    reader = PdfReader(str(path))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    pages = _pdf_text(path.read_bytes())
    assert len(pages) == (2 if form == 1 else 1)
    text = " ".join(pages)
    for phrase in (*NATION, "UBND XÃ TỊNH KHÊ, TỈNH QUẢNG NGÃI", "Tịnh Khê, ngày"):
        assert phrase in text, phrase
    for phrase in EXPECTED[form][1]:
        assert phrase.replace(": ", ":") in text.replace(": ", ":"), phrase
    assert path.stat().st_mode & 0o077 == 0          # personal data: owner only


def test_pdf_receipt_labels_each_copy_and_shows_a_reprint():
    slip = with_reprint_mark(_slip(1), datetime(2025, 3, 12, 8, 5))
    first, second = _pdf_text(slip_to_pdf(slip))
    assert "Liên 1: giao người nộp hồ sơ" in first and "Liên 2: lưu hồ sơ" in second
    assert "BẢN IN LẠI — 08 giờ 05 phút, ngày 12/03/2025" in first
    assert "Tịnh Khê, ngày 11 tháng 03 năm 2025" in first


def test_an_existing_export_file_becomes_private(tmp_path):
    path = tmp_path / "old.pdf"
    path.write_bytes(b"old")
    path.chmod(0o644)
    slip_to_pdf(_slip(3), path)
    assert path.stat().st_mode & 0o777 == 0o600 and path.read_bytes().startswith(b"%PDF")
