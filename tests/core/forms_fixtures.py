"""A dossier with every event that issues a form (the payloads of the TEAM contract), built
in core alone: the receipt payload, the events, the folded state and a FormContext."""
from __future__ import annotations

from datetime import datetime

from core.catalogue_io import procedure_to_dict
from core.demo_catalogue import DEMO_PROCEDURES
from core.forms import FormContext
from core.lifecycle import Event, EventKind, fold

AGENCY_CODE = "000.21.53.H48"
AGENCY_NAME = "UBND xã Tịnh Khê, tỉnh Quảng Ngãi"
CODE = "000.21.53.H48-250311-0104"
CLERK_ID, HEAD_ID = "clerk-1", "clerk-2"
NAMES = {CLERK_ID: "Trần Thị Mai", HEAD_ID: "Lê Văn Hùng"}
RECEIVED = datetime(2025, 3, 11, 9, 30)
DUE = datetime(2025, 3, 14, 17, 0)
PROC = next(p for p in DEMO_PROCEDURES if p.code == "1.001022")

RECEIPT = {
    "code": CODE, "procedure": procedure_to_dict(PROC),
    "applicant": {"full_name": "Phạm Thị Hồng Nhung", "id_number": "051303004512",
                  "address": "Thôn Mỹ Lai, xã Tịnh Khê, tỉnh Quảng Ngãi", "phone": "0905123456",
                  "email": "nhung.pham@example.com"},
    "documents": [{"name": d.name, "form": str(d.form), "count": d.count} for d in PROC.documents],
    "sets": 2, "channel": 1, "delivery": "desk", "notes": "Hồ sơ nộp thay",
    "received_at": RECEIVED.isoformat(), "due_at": DUE.isoformat(),
    "term": PROC.term.label_vi(), "agency_name": AGENCY_NAME, "desk_number": 2,
    "clerk_name": "Trần Thị Mai",
}

SUPPLEMENT = {"missing": [{"name": "Giấy chứng sinh", "form": "chinh"},
                          {"name": "Sổ hộ khẩu", "form": "chung_thuc"},
                          {"name": "Ảnh chân dung 4x6", "form": "photo"}],
              "reason": "Thiếu giấy tờ chứng minh quan hệ cha con",
              "contact_name": "Trần Thị Mai", "contact_phone": "02553822123",
              "override": False, "override_reason": ""}
TRANSFER_1 = {"from_body": "Bộ phận Một cửa", "from_person": "Trần Thị Mai",
              "to_body": "Công chức Tư pháp - Hộ tịch", "to_person": "Nguyễn Văn Bình",
              "step_due_at": "2025-03-13T17:00:00"}
TAKEN_BACK = {"from_body": "Công chức Tư pháp - Hộ tịch", "from_person": "Nguyễn Văn Bình",
              "note": "Đã có kết quả xác minh"}
TRANSFER_2 = {"from_body": "Bộ phận Một cửa", "from_person": "Trần Thị Mai",
              "to_body": "Công an xã Tịnh Khê", "to_person": "Đỗ Minh Quân",
              "step_due_at": "2025-03-14T11:00:00"}
APOLOGY = {"new_due_at": "2025-03-19T16:00:00", "reason": "Cần xác minh thêm nơi cư trú",
           "delay_body": "Công an xã Tịnh Khê"}


def event(n: int, kind: str, payload: dict, at: datetime, clerk: str = CLERK_ID) -> Event:
    return Event(id=f"0190{n:04d}-0000-7000-8000-000000000000", dossier_id="dossier-1",
                 agency_code=AGENCY_CODE, desk_number=2, clerk_id=clerk, hlc=f"{n:016d}",
                 wall_time=at, kind=kind, payload=payload)


def history() -> list[Event]:
    return [
        event(1, EventKind.RECEIVED, RECEIPT, RECEIVED),
        event(2, EventKind.TRANSFERRED, TRANSFER_1, datetime(2025, 3, 11, 10, 0)),
        event(3, "taken_back", TAKEN_BACK, datetime(2025, 3, 12, 15, 20)),   # a day early
        event(4, EventKind.SUPPLEMENT_REQUESTED, SUPPLEMENT, datetime(2025, 3, 12, 15, 45)),
        event(5, EventKind.SUPPLEMENT_RECEIVED, {}, datetime(2025, 3, 13, 8, 0)),
        event(6, EventKind.TRANSFERRED, TRANSFER_2, datetime(2025, 3, 13, 8, 30)),
        event(7, EventKind.APOLOGY_ISSUED, APOLOGY, datetime(2025, 3, 13, 16, 0), HEAD_ID),
    ]


def state_of(events: list[Event]):
    known = {k.value for k in EventKind}
    return fold([e for e in events if str(e.kind) in known])


def context(events: list[Event], **kw) -> FormContext:
    return FormContext(receipt=RECEIPT, events=tuple(events), clerk_names=NAMES,
                       ledger_book="02/2025", ledger_seq="104", **kw)
