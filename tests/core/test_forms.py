"""Forms 02-06 from the dossier state and the contract's event payloads (core only)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from core.forms import EVENT_FORM, FormUnavailable, form_slip, slip_for_event
from core.lifecycle import EventKind
from core.slips import (COPY_LABELS, SIGN_HINT, Slip, SlipTable, printable, place_of, slip_from_dict,
                        slip_to_dict, table_lines, with_reprint_mark)
from tests.core.forms_fixtures import (AGENCY_NAME, CODE, RECEIPT, RECEIVED, context, event, history,
                                       state_of)


def _fields(slip: Slip) -> dict[str, str]:
    return dict(slip.fields)


@pytest.mark.parametrize("kind,form,slip_kind", [
    (EventKind.SUPPLEMENT_REQUESTED, 2, "supplement"), (EventKind.REFUSED, 3, "refusal"),
    (EventKind.APOLOGY_ISSUED, 4, "apology"), (EventKind.WITHDRAWN, 5, "stop"), ("stopped", 5, "stop"),
    (EventKind.TRANSFERRED, 6, "control"), ("taken_back", 6, "control"),
])
def test_each_action_with_a_form_gets_its_slip(kind, form, slip_kind):
    events = history()
    payload = {"reason": "Lý do thử", "new_due_at": "2025-03-19T16:00:00"} if form != 6 else {}
    e = event(50, kind, payload, datetime(2025, 3, 13, 9, 0))
    slip = slip_for_event(state_of(events), e, context(events + [e]))
    assert EVENT_FORM[str(kind)] == form
    assert slip is not None and slip.kind == slip_kind
    assert slip.header[0] == AGENCY_NAME.upper() and slip.place_date.endswith("ngày 13 tháng 03 năm 2025")
    assert all(SIGN_HINT in s or "(Ký" in s for s in slip.signatures)


@pytest.mark.parametrize("kind", [EventKind.NOTE, EventKind.RESULT_READY, EventKind.RETURNED,
                                  EventKind.SUPPLEMENT_RECEIVED, EventKind.RATED, "unknown_kind"])
def test_actions_without_a_form_print_nothing(kind):
    events = history()
    assert slip_for_event(state_of(events), event(60, kind, {}, RECEIVED), context(events)) is None


def test_supplement_request_lists_each_missing_paper_with_its_form():
    events = history()
    slip = form_slip(2, state_of(events), context(events))
    (table,) = slip.tables
    assert table.columns == ("STT", "Thành phần hồ sơ", "Bản chính", "Bản chứng thực", "Bản photo")
    assert table.rows == (("1", "Giấy chứng sinh", "x", "", ""), ("2", "Sổ hộ khẩu", "", "x", ""),
                          ("3", "Ảnh chân dung 4x6", "", "", "x"))
    assert table_lines(table)[1] == "2. Sổ hộ khẩu — Bản chứng thực"
    f = _fields(slip)
    assert f["Người nộp hồ sơ"] == "Phạm Thị Hồng Nhung" and f["Email"] == "nhung.pham@example.com"
    assert f["Nội dung yêu cầu giải quyết"] == "Đăng ký nhận cha, mẹ, con (1.001022)"
    sections = dict(slip.sections)
    assert sections["Lý do yêu cầu bổ sung"] == ("Thiếu giấy tờ chứng minh quan hệ cha con",)
    assert sections["Cán bộ hướng dẫn, liên hệ"] == ("Trần Thị Mai — Điện thoại: 02553822123",)
    assert slip.signatures[1].split("\n") == ["NGƯỜI HƯỚNG DẪN", SIGN_HINT, "Trần Thị Mai"]


def test_second_supplement_request_says_why_and_contact_defaults_to_the_clerk():
    events = history()
    e = event(40, EventKind.SUPPLEMENT_REQUESTED,
              {"missing": [{"name": "Tờ khai", "form": "chinh"}], "reason": "Sai ngày sinh",
               "override": True, "override_reason": "Công dân khai sai lần hai"},
              datetime(2025, 3, 13, 9, 0), "clerk-2")
    slip = slip_for_event(state_of(events), e, context(events + [e]))
    sections = dict(slip.sections)
    assert sections["Yêu cầu bổ sung lần thứ hai"] == ("Công dân khai sai lần hai",)
    assert sections["Cán bộ hướng dẫn, liên hệ"] == ("Lê Văn Hùng",)


def test_apology_keeps_the_original_appointment_and_gives_the_new_one():
    events = history()
    state = state_of(events)
    slip = form_slip(4, state, context(events))
    f = _fields(slip)
    assert f["Hẹn trả kết quả (theo giấy tiếp nhận)"] == "17 giờ 00 phút, ngày 14/03/2025"
    assert f["Thời gian hẹn trả kết quả mới"] == "16 giờ 00 phút, ngày 19/03/2025"
    assert f["Cơ quan, đơn vị giải quyết chậm"] == "Công an xã Tịnh Khê"
    assert f["Lý do chậm"] == "Cần xác minh thêm nơi cư trú"
    assert "xin lỗi" in slip.sections[0][1][0]
    assert slip.signatures == ("THỦ TRƯỞNG CƠ QUAN\n(Ký, ghi rõ họ tên, đóng dấu)",)


def test_refusal_and_stop_carry_the_reason():
    base = history()[:1]
    refused = event(2, EventKind.REFUSED, {"reason": "Không thuộc thẩm quyền của xã"}, RECEIVED)
    slip = form_slip(3, state_of(base + [refused]), context(base + [refused]))
    assert dict(slip.sections)["Lý do"] == ("Không thuộc thẩm quyền của xã",)
    assert slip.signatures[1].startswith("NGƯỜI TỪ CHỐI")
    for kind, phrase in ((EventKind.WITHDRAWN, "rút hồ sơ"), ("stopped", "dừng giải quyết")):
        stop = event(2, kind, {"reason": "Công dân xin rút"}, datetime(2025, 3, 12, 8, 0))
        slip = form_slip(5, state_of(base + [stop]), context(base + [stop]))
        assert phrase in slip.sections[0][1][0]
        assert _fields(slip)["Thời gian dừng giải quyết"] == "08 giờ 00 phút, ngày 12/03/2025"


def test_control_sheet_judges_each_hand_off_and_stops_at_its_event():
    events = history()
    ctx = context(events)
    sheet = form_slip(6, state_of(events), ctx)
    (table,) = sheet.tables
    assert [r[3] for r in table.rows] == ["Trước hạn (hạn 13/03/2025)", "",
                                         "Đang giải quyết (hạn 14/03/2025)"]
    assert table.rows[1][1] == ("Giao: Công chức Tư pháp - Hộ tịch — Nguyễn Văn Bình\n"
                                "Nhận: Bộ phận Một cửa — Trần Thị Mai")
    assert table.rows[1][4] == "Đã có kết quả xác minh"
    f = _fields(sheet)
    assert f["Cơ quan (bộ phận) giải quyết hồ sơ"] == "Công chức Tư pháp - Hộ tịch"
    assert f["Cơ quan phối hợp giải quyết hồ sơ"] == "Công an xã Tịnh Khê"
    assert (f["Quyển số"], f["Số thứ tự"]) == ("02/2025", "104")
    # Printed at the first hand-off: only that row, still in progress.
    first = slip_for_event(state_of(events[:2]), events[1], ctx)
    assert [r[3] for r in first.tables[0].rows] == ["Đang giải quyết (hạn 13/03/2025)"]
    # The second step ends late with the result.
    late = event(9, EventKind.RESULT_READY, {"at": "2025-03-17T10:00:00"}, datetime(2025, 3, 17, 10, 0))
    rows = form_slip(6, state_of(events), context(events + [late])).tables[0].rows
    assert rows[2][3] == "Quá hạn (hạn 14/03/2025)"


def test_forms_the_dossier_never_had_are_refused_in_vietnamese():
    events = history()
    with pytest.raises(FormUnavailable) as caught:
        form_slip(3, state_of(events), context(events))
    assert caught.value.message_vi == f"Hồ sơ {CODE} không bị từ chối tiếp nhận nên không có mẫu 03."
    with pytest.raises(FormUnavailable, match="từ 01 đến 06"):
        form_slip(7, state_of(events), context(events))


def test_receipt_is_rebuilt_from_its_event_with_ledger_numbers_and_two_copies():
    events = history()
    slip = form_slip(1, state_of(events), context(events, qr_template="https://x/?ma={code}"))
    f = _fields(slip)
    assert (f["Quyển số"], f["Số thứ tự"], f["Số bộ hồ sơ"]) == ("02/2025", "104", "2")
    assert f["Thời gian trả kết quả"] == "17 giờ 00 phút, ngày 14/03/2025"
    assert slip.copy_labels == COPY_LABELS and slip.qr_payload == f"https://x/?ma={CODE}"
    assert slip.signatures[0].split("\n")[:2] == ["NGƯỜI NỘP HỒ SƠ", SIGN_HINT]
    assert slip.place_date == "Tịnh Khê, ngày 11 tháng 03 năm 2025"
    assert RECEIPT["applicant"]["id_number"] not in str(slip_to_dict(slip))   # no ID on the receipt


def test_printable_puts_marks_and_labels_in_the_header_and_tables_in_sections():
    events = history()
    slip = with_reprint_mark(form_slip(1, state_of(events), context(events)), datetime(2025, 3, 12, 8, 5))
    again = with_reprint_mark(slip, datetime(2025, 3, 12, 9, 0))
    assert again.marks == ("BẢN IN LẠI — 09 giờ 00 phút, ngày 12/03/2025",)
    second = printable(slip, 1)
    assert second.header[-2:] == ("BẢN IN LẠI — 08 giờ 05 phút, ngày 12/03/2025", "Liên 2: lưu hồ sơ")
    assert printable(slip, 5).header[-1] == "Liên 2: lưu hồ sơ"
    assert printable(second) == second
    sheet = printable(form_slip(6, state_of(events), context(events)))
    assert not sheet.tables and sheet.sections[0][0] == "Quá trình giao, nhận hồ sơ"


def test_slip_dicts_round_trip_and_old_jobs_still_load():
    events = history()
    for form in (1, 2, 4, 6):
        slip = with_reprint_mark(form_slip(form, state_of(events), context(events)), RECEIVED)
        assert slip_from_dict(slip_to_dict(slip)) == slip
    old = {k: v for k, v in slip_to_dict(form_slip(1, state_of(events), context(events))).items()
           if k not in ("tables", "marks", "copy_labels", "place_date")}
    loaded = slip_from_dict(old)
    assert loaded.tables == () and loaded.copy_labels == () and loaded.title.startswith("GIẤY")


def test_place_of_agency_names():
    assert place_of("UBND xã Tịnh Ấn Tây, tỉnh Quảng Ngãi") == "Tịnh Ấn Tây"
    assert place_of("Trung tâm Phục vụ hành chính công phường Cẩm Thành") == "Cẩm Thành"
    assert place_of("UBND đặc khu Lý Sơn") == "Lý Sơn"
    assert place_of("Sở Tư pháp tỉnh Quảng Ngãi") == "Sở Tư pháp tỉnh Quảng Ngãi"


def test_table_without_stt_uses_dashes():
    t = SlipTable("", ("Tên", "Ghi chú"), (("A", "x"), ("B", "")))
    assert table_lines(t) == ("- A — Ghi chú", "- B")
    assert replace(Slip("k", (), "T", tables=(t,)), tables=()).tables == ()


def test_control_sheet_follows_the_on_time_setting():
    events = history()
    done = event(9, EventKind.RESULT_READY, {"at": "2025-03-14T15:00:00"}, datetime(2025, 3, 14, 15, 0))
    by_date = form_slip(6, state_of(events), context(events + [done])).tables[0].rows
    by_time = form_slip(6, state_of(events), context(events + [done], on_time_by="datetime")).tables[0].rows
    assert (by_date[2][3], by_time[2][3]) == ("Đúng hạn (hạn 14/03/2025)", "Quá hạn (hạn 14/03/2025)")
