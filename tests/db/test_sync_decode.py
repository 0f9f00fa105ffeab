"""Decoding pulled rows: a receipt is read only as far as the fold needs, and folds exactly
as the whole JSON would; rows this build cannot read are skipped, not fatal."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given, settings, strategies as st

from core.lifecycle import DossierState, Event, EventKind, fold
from db.sync.apply import decode_pulled, prefold

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


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 20_000), st.integers(1, 3_000))
def test_statement_sizes_come_from_a_small_set(n, most):
    from db.sync.apply import chunk_sizes
    sizes = chunk_sizes(n, most)
    assert sum(sizes) >= n and sum(sizes) - n < max(1, n)            # the spare places never double a page
    assert all(s == most or (s < most and s & (s - 1) == 0) for s in sizes)
    assert sizes[:-1] == [most] * (len(sizes) - 1)


@pytest.mark.parametrize("n", [1, 7, 2999, 3001, 6000])
def test_padded_statements_store_each_row_once(tmp_path, n):
    from db.engine import make_engine, read_conn, write_tx
    from db.migrate import upgrade
    from db.models import event
    from db.sync.apply import _EVENT_INSERT_COLS, _insert_many
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.sqlite'}")
    upgrade(engine)
    rows = [(f"e{i:05d}", "d1", AGENCY, 1, "c", HLC, "2025-09-22 08:00:00.000000", "note", "{}", None)
            for i in range(n)]
    with write_tx(engine) as conn:
        _insert_many(conn, event, _EVENT_INSERT_COLS, rows, update=False)
        _insert_many(conn, event, _EVENT_INSERT_COLS, rows[: n // 2 + 1], update=True)     # again: updates
    with read_conn(engine) as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM event ORDER BY id")]
    assert ids == [r[0] for r in rows]


def test_a_wall_time_in_sqlite_text_is_stored_as_it_came_and_any_other_form_as_sqlite_text():
    out = decode_pulled([row({}, kind="note", eid="e1", wall="2025-09-22 09:00:00.123456"),
                         row({}, kind="note", eid="e2", wall="2025-09-22T09:00:00"),
                         row({}, kind="note", eid="e3", wall="2025-09-22 09:00:00.123+07:00"),
                         row({}, kind="note", eid="e4", wall=datetime(2025, 9, 22, 9, 0, 0, 5)),
                         # 26 characters, yet not SQLite's text: a comma, a zone
                         row({}, kind="note", eid="e5", wall="2025-09-22 09:00:00,123456"),
                         row({}, kind="note", eid="e6", wall="2025-09-22 09:00:00.1+0700")], AGENCY)
    assert [p.row[6] for p in out] == ["2025-09-22 09:00:00.123456", "2025-09-22 09:00:00.000000",
                                       "2025-09-22 09:00:00.123000+07:00", "2025-09-22 09:00:00.000005",
                                       "2025-09-22 09:00:00.123456", "2025-09-22 09:00:00.100000+07:00"]
    assert out[0].event.wall_time == datetime(2025, 9, 22, 9, 0, 0, 123456)


def unsent(payload, kind="received"):
    from db.sync.local import Unsent
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return Unsent("e1", "d1", AGENCY, 1, "clerk", HLC, "2025-09-22 08:00:00.000000", kind, text)


odd = st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=6), st.just("2025-02-30T08:00:00"),
                st.just("9"), st.just(" 7 "), st.booleans(), st.lists(st.integers(), max_size=2))


@settings(max_examples=400, deadline=None)
@given(receipts, st.sampled_from(["code", "received_at", "due_at", "channel", "procedure.version",
                                  "procedure.name", "applicant.full_name", "applicant.phone", None]), odd)
def test_the_quick_push_check_of_a_receipt_agrees_with_the_full_one(payload, where, value):
    """check_batch decides most receipts without problem_of: it must take exactly the
    receipts problem_of takes, and refuse the others with problem_of's reason."""
    from db.sync.local import check_batch, problem_of
    if where is not None:
        *path, last = where.split(".")
        target = payload
        for part in path:
            target = target[part]
        target[last] = value
    r = unsent(payload)
    good, refused = check_batch([r], AGENCY)
    expected = problem_of(r, AGENCY)
    assert (good, refused) == (([], [("e1", expected)]) if expected else ([r], []))


@pytest.mark.parametrize("text", ['{"level": "hai_long"}', "{}", "null", "[1]", '"x"', "{not json", "",
                                  '{"a": NaN}', '{"a": 1, "a": 2}'])
def test_the_quick_push_check_of_other_events_agrees_with_the_full_one(text):
    from db.sync.local import check_batch, problem_of
    r = unsent(text, kind="note")
    good, refused = check_batch([r], AGENCY)
    expected = problem_of(r, AGENCY)
    assert (good, refused) == (([], [("e1", expected)]) if expected else ([r], []))


def test_a_projection_row_holds_each_datetime_as_sqlite_text():
    """prefold reuses the page's wall-time texts for equal datetimes of the projection."""
    from db.models import dossier
    from db.sync.local import sqlite_dt
    payload = {"code": "C1", "received_at": "2025-09-22T08:00:00", "due_at": "2025-09-25T17:00:00",
               "procedure": {"code": "1.0", "name": "Thủ tục"}, "applicant": {"full_name": "Lê Văn A"}}
    page = decode_pulled([row(payload, wall="2025-09-22 08:00:00.000000"),
                          row({}, kind="transferred", eid="e2", hlc=HLC.replace(".00000.", ".00001."),
                              wall="2025-09-23 10:00:00.000000"),
                          row({}, kind="result_ready", eid="e3", hlc=HLC.replace(".00000.", ".00002."),
                              wall="2025-09-24 11:30:00.250000")], AGENCY)
    fields, values = prefold(page).folded["d1"]
    assert fields["resolved_at"] == datetime(2025, 9, 24, 11, 30, 0, 250000)
    for i, c in enumerate(dossier.c):
        if c.name in fields and isinstance(fields[c.name], datetime):
            assert values[i] == sqlite_dt(fields[c.name]), c.name
