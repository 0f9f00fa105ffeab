"""Decoding pulled rows: a receipt is read only as far as the fold needs, and folds exactly
as the whole JSON would; rows this build cannot read are skipped, not fatal."""
from __future__ import annotations

import json
from datetime import datetime

from hypothesis import given, settings, strategies as st

from core.lifecycle import DossierState, Event, EventKind, fold
from db.sync_apply import decode_pulled, prefold

AGENCY = "000.21.53.H48"
WALL = datetime(2025, 9, 22, 8, 0)
HLC = "000001758528000.00000.000.21.53.H48/1"


def row(payload, kind="received", eid="e1", hlc=HLC, agency=AGENCY, wall=WALL):
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return (eid, "d1", agency, 1, "clerk", hlc, wall, kind, text, 7)


def full_fold(payload):
    return fold([Event("e1", "d1", AGENCY, 1, "clerk", HLC, WALL, EventKind.RECEIVED, payload)])


texts = st.text(max_size=12)
receipts = st.fixed_dictionaries(
    {"code": texts, "received_at": st.just("2025-09-22T08:00:00"), "due_at": st.just("2025-09-25T17:00:00"),
     "procedure": st.fixed_dictionaries({"code": texts, "name": texts},
                                        optional={"version": st.integers(1, 9) | st.sampled_from(["2", "10"]),
                                                  "documents": st.lists(st.dictionaries(texts, texts), max_size=3)}),
     "applicant": st.fixed_dictionaries({"full_name": texts},
                                        optional={"id_number": texts | st.none(), "phone": texts | st.none(),
                                                  "address": texts})},
    optional={"channel": st.integers(1, 3) | st.just("2"), "notes": texts,
              "documents": st.lists(st.dictionaries(texts, st.integers() | texts), max_size=3)})


@settings(max_examples=300, deadline=None)
@given(receipts)
def test_a_receipt_read_for_the_fold_folds_as_the_whole_json(payload):
    [p] = decode_pulled([row(payload)], AGENCY)
    assert p.payload == json.dumps(payload, ensure_ascii=False)        # stored exactly as received
    assert p.row[6] == "2025-09-22 08:00:00.000000" and p.row[8] == p.payload
    assert fold([p.event]) == full_fold(payload)
    assert DossierState(**prefold([p]).folded["d1"][0]) == full_fold(payload)


def test_an_unusual_receipt_is_decoded_whole():
    payload = {"code": 12345, "received_at": "2025-09-22T08:00:00", "due_at": "2025-09-25T17:00:00",
               "procedure": {"code": "1.0", "name": "Thủ tục", "version": 2},
               "applicant": {"full_name": "Lê Văn A", "id_number": 51}}
    [p] = decode_pulled([row(payload)], AGENCY)
    assert p.event.payload == payload and fold([p.event]) == full_fold(payload)


def test_unreadable_rows_are_skipped_and_the_rest_kept(caplog):
    rows = [row("{not json"), row({"a": 1}, kind="no-such-kind", eid="e2"), row("[1, 2]", kind="note", eid="e3"),
            row({}, kind="note", eid="e4", hlc="garbage"), row({}, kind="note", eid="e5", agency="other"),
            row({"text": "Đã gọi"}, kind="note", eid="e6", wall="2025-09-22 09:00:00.000000")]
    out = decode_pulled(rows, AGENCY)
    assert [p.event.id for p in out] == ["e6"]
    assert out[0].event.payload == {"text": "Đã gọi"} and out[0].event.wall_time == datetime(2025, 9, 22, 9)
    assert len([r for r in caplog.records if "skipping unreadable" in r.getMessage()]) == 5
