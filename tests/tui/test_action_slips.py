"""Every lifecycle action that issues a form queues its slip, and the slip that comes out
of the desk's (file) printer carries the form's fields: the path lifecycle's `perform` runs."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import pytest

from core.clock import FixedClock
from core.lifecycle import EventKind
from core.people import Applicant
from core.receive import ReceiveDraft
from tests.printers.escpos_decode import decode
from tui.actions import run_print_job, save_dossier
from tui.config import Settings
from tui.dossier_actions import perform
from tui.services import build_services


@pytest.fixture
def desk(tmp_path):
    lp = tmp_path / "lp0"
    lp.write_bytes(b"")
    services = build_services(Settings(db_url=str(tmp_path / "desk.sqlite"), demo=True, copies=1,
                                       printer_uri=f"file://{lp}", print_mode="text", codepage="CP1258"),
                              FixedClock(datetime(2026, 11, 23, 9, 30)), seed_demo=0)
    clerk = next(c for c in services.accounts.list() if c.username == "canbo")
    proc = services.catalogue.get("1.001022")

    def receive(name: str):
        draft = ReceiveDraft(applicant=Applicant(full_name=name, address="Thôn 2, xã Tịnh Khê",
                                                 phone="0905111222"),
                             procedure=proc, documents=proc.documents, sets=1)
        return save_dossier(services, clerk, draft).dossier

    yield services, clerk, receive, lp
    services.engine.dispose()


def _printed(services, lp, job_id) -> str:
    before = lp.stat().st_size
    assert job_id is not None and run_print_job(services, job_id) is None
    lines = decode(lp.read_bytes()[before:]).text_lines("cp1258")
    return re.sub(r"\s+", " ", " ".join(unicodedata.normalize("NFC", ln).strip() for ln in lines))


def test_each_action_prints_its_form(desk):
    services, clerk, receive, lp = desk
    cases = [
        (EventKind.SUPPLEMENT_REQUESTED,
         {"missing": [{"name": "Giấy chứng sinh", "form": "chinh"}], "reason": "Thiếu giấy chứng sinh",
          "contact_phone": "02553822123"},
         ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "1. Giấy chứng sinh — Bản chính",
          "Thiếu giấy chứng sinh", "Trần Thị Mai — Điện thoại: 02553822123"]),
        (EventKind.REFUSED, {"reason": "Không thuộc thẩm quyền của xã"},
         ["PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Không thuộc thẩm quyền của xã", "NGƯỜI TỪ CHỐI"]),
        (EventKind.TRANSFERRED, {"to_body": "Công chức Tư pháp - Hộ tịch", "to_person": "Nguyễn Văn Bình"},
         ["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Nhận: Công chức Tư pháp - Hộ tịch — Nguyễn Văn Bình",
          "Đang giải quyết (hạn 27/11/2026)", "Quyển số: 01/2026", "Số thứ tự: 3"]),
        (EventKind.APOLOGY_ISSUED, {"new_due_at": "2026-11-30 16:00", "reason": "Chờ xác minh",
                                    "delay_body": "Công an xã"},
         ["VĂN BẢN XIN LỖI", "Hẹn trả kết quả (theo giấy tiếp nhận): 17 giờ 00 phút, ngày 27/11/2026",
          "Thời gian hẹn trả kết quả mới: 16 giờ 00 phút, ngày 30/11/2026", "Công an xã"]),
        (EventKind.WITHDRAWN, {"reason": "Công dân xin rút hồ sơ"},
         ["THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "rút hồ sơ", "Công dân xin rút hồ sơ"]),
    ]
    for i, (kind, fields, phrases) in enumerate(cases):
        d = receive(f"Công Dân Số {i}")
        result = perform(services, clerk, d.id, kind, fields)
        text = _printed(services, lp, result.print_job_id)
        assert f"Mã hồ sơ: {d.code}" in text
        for phrase in phrases:
            assert phrase in text, (kind, phrase)
    # Taken back: the control sheet now has both hand-offs, the first judged early.
    d = services.dossiers.by_code(receive("Công Dân Cuối").code)
    perform(services, clerk, d.id, EventKind.TRANSFERRED, {"to_body": "Công an xã"})
    services.clock.advance(hours=3)
    result = perform(services, clerk, d.id, EventKind.TAKEN_BACK, {"from_person": "Đỗ Minh Quân",
                                                                   "note": "Đã xác minh xong"})
    text = _printed(services, lp, result.print_job_id)
    assert "Trước hạn (hạn 27/11/2026)" in text and "Đã xác minh xong" in text
    assert "Giao: Công an xã — Đỗ Minh Quân; Nhận: Bộ phận Một cửa — Trần Thị Mai" in text


def test_actions_without_a_form_queue_nothing(desk):
    services, clerk, receive, _ = desk
    d = receive("Không In")
    for kind, fields in ((EventKind.NOTE, {"text": "Gọi điện hẹn"}), (EventKind.RESULT_READY, {}),
                         (EventKind.RETURNED, {})):
        assert perform(services, clerk, d.id, kind, fields).print_job_id is None
    assert [j.slip.kind for j in services.print_jobs.for_dossier(d.id)] == ["receipt"]
