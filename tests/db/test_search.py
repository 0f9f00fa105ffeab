"""Search at the desk: any word of a name with or without diacritics, the last digits of a
code, phone or ID number, code prefixes; through the FTS5 index kept by triggers."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.people import Channel
from db import search_index
from db.rows import refold

from .conftest import AGENCY, TUESDAY, make_draft

PEOPLE = [
    ("Trần Thị Bích Ngọc", "051303004512", "0905123456"),
    ("Trần Thị Hoa", "051185001234", "0912000111"),
    ("Trần Thanh Tâm", "051090004321", "0935555666"),
    ("Nguyễn Văn An", "051092000777", "0977888999"),
    ("Đặng Thị Ánh", "051195000888", "0966111222"),
    ("Nguyễn Thị Ánh Nguyệt", "051301777888", "0988123999"),
]


@pytest.fixture
def filed(receive):
    out = []
    for i, (name, id_number, phone) in enumerate(PEOPLE):
        at = TUESDAY + timedelta(minutes=10 * i)
        out.append(receive(make_draft(name, id_number, phone, channel=Channel.ONLINE), received_at=at).dossier)
    return out


def names(result):
    return [d.applicant_name for d in result]


def test_by_code_exact_and_prefix(repo, filed):
    assert repo.search(filed[2].code) == [filed[2]]
    assert repo.search(f"  {filed[2].code}\r\n") == [filed[2]]        # scanner noise
    assert repo.search(filed[2].code.lower()) == [filed[2]]
    every = repo.search(f"{AGENCY.code}-250311")
    assert every == sorted(filed, key=lambda d: d.received_at, reverse=True)
    assert repo.search(f"https://dvc.example.vn/tra-cuu?ma={filed[1].code}") == [filed[1]]
    assert repo.search(f"{AGENCY.code}-250312") == []


def test_by_name_prefix_without_diacritics_newest_first(repo, filed):
    assert names(repo.search("tran thi")) == ["Trần Thị Hoa", "Trần Thị Bích Ngọc"]
    assert names(repo.search("TRẦN")) == ["Trần Thanh Tâm", "Trần Thị Hoa", "Trần Thị Bích Ngọc"]
    assert names(repo.search("dang thi anh")) == ["Đặng Thị Ánh"]
    assert names(repo.search("  nguyen   van ")) == ["Nguyễn Văn An"]
    assert names(repo.search("tran thi hoa ")) == ["Trần Thị Hoa"]
    assert names(repo.search("tran thanh ")) == ["Trần Thanh Tâm"]
    assert repo.search("tran thi", limit=1) == [filed[1]]
    assert repo.search("le van") == []
    assert repo.search("") == []


def test_by_id_number_and_phone(repo, filed):
    assert repo.search("051185001234") == [filed[1]]
    assert repo.search("0935555666") == [filed[2]]
    assert repo.search("0935 555 666") == [filed[2]]
    assert repo.search("+84935555666") == [filed[2]]
    assert repo.search("051999999999") == []


def test_received_between_is_newest_first(repo, filed):
    got = repo.received_between(TUESDAY, TUESDAY + timedelta(minutes=25))
    assert got == [filed[2], filed[1], filed[0]]
    assert repo.received_between(TUESDAY, TUESDAY + timedelta(days=1), limit=2) == [filed[5], filed[4]]


def test_any_word_of_the_name_with_or_without_diacritics(repo, filed):
    assert names(repo.search("ngoc")) == ["Trần Thị Bích Ngọc"]
    assert names(repo.search("Ngọc")) == ["Trần Thị Bích Ngọc"]
    assert names(repo.search("Nguyệt")) == ["Nguyễn Thị Ánh Nguyệt"]
    assert names(repo.search("anh nguyet")) == ["Nguyễn Thị Ánh Nguyệt"]
    assert names(repo.search("nguyet anh")) == ["Nguyễn Thị Ánh Nguyệt"]
    assert names(repo.search("anh ")) == ["Nguyễn Thị Ánh Nguyệt", "Đặng Thị Ánh"]
    assert names(repo.search("bich")) == ["Trần Thị Bích Ngọc"]
    assert names(repo.search("nguyen")) == ["Nguyễn Thị Ánh Nguyệt", "Nguyễn Văn An"]
    assert names(repo.search("nguyen an ")) == ["Nguyễn Văn An"]
    assert repo.search("ngoc hoa") == []


def test_the_last_digits_of_a_code_phone_or_id_number(repo, filed):
    assert repo.search(filed[2].code[-5:]) == [filed[2]]             # "01003"
    assert repo.search(filed[4].code[-4:]) == [filed[4]]
    assert repo.search("777888") == [filed[5]]                       # ID number's tail
    assert repo.search("888999") == [filed[3]]                       # phone's tail
    assert repo.search("4512") == [filed[0]]
    assert repo.search("3456") == [filed[0]]
    assert repo.search("ngoc 4512") == [filed[0]]
    assert repo.search("hoa 4512") == []
    assert repo.search("99999") == []


def test_the_index_follows_every_change_of_the_projection(repo, filed, engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE dossier SET applicant_name = 'Lê Thu Thảo', name_fold = 'le thu thao' "
                             "WHERE id = ?", (filed[1].id,))
    assert names(repo.search("thao")) == ["Lê Thu Thảo"]
    assert repo.search("hoa") == []
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM dossier WHERE id = ?", (filed[1].id,))
        assert conn.exec_driver_sql("SELECT count(*) FROM dossier_name_fts WHERE dossier_name_fts "
                                    "MATCH 'thao'").scalar() == 0
        refold(conn, [filed[1].id])                                  # back from its events
    assert names(repo.search("hoa")) == ["Trần Thị Hoa"]


def test_a_rebuilt_dossier_table_gets_its_index_back(repo, filed, engine):
    with engine.begin() as conn:
        search_index.drop_triggers(conn)      # what a batch migration's table copy does
        conn.exec_driver_sql("INSERT INTO dossier_name_fts(dossier_name_fts) VALUES ('delete-all')")
        assert search_index.ensure(conn)
        assert not search_index.ensure(conn)
    assert names(repo.search("ngoc")) == ["Trần Thị Bích Ngọc"]


def test_newest_first_across_seconds_and_pages(repo, receive):
    base = TUESDAY
    made = [receive(make_draft("Nguyễn Thị Lan", f"05130300{i:04d}", f"09051{i:05d}"),
                    received_at=base + timedelta(seconds=37 * i)).dossier for i in range(12)]
    got = repo.search("lan", limit=5)
    assert got == sorted(made, key=lambda d: d.received_at, reverse=True)[:5]


def _plan(engine, sql: str, **params) -> str:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
    return " | ".join(r[-1] for r in rows)


@pytest.mark.parametrize("sql, index", [
    ("SELECT * FROM dossier WHERE code >= :lo AND code < :hi ORDER BY code DESC LIMIT 50",
     "sqlite_autoindex_dossier_2"),
    # A single-status list of the work list: status alone is a prefix of (status, due_at) and
    # of (status, supplement_due_at), so either serves it (migration 0015).
    ("SELECT * FROM dossier WHERE status IN (5) ORDER BY received_at, id LIMIT 100", "ix_dossier_status_"),
    ("SELECT * FROM dossier WHERE received_at >= :lo AND received_at < :hi "
     "ORDER BY received_at DESC LIMIT 500", "ix_dossier_received_at"),
    ("SELECT * FROM event WHERE dossier_id = :lo ORDER BY hlc, id", "ix_event_dossier_hlc"),
])
def test_queries_use_their_index(engine, filed, sql, index):
    plan = _plan(engine, sql, lo="a", hi="b")
    assert index in plan and "SCAN dossier" not in plan.replace(f"SCAN dossier USING", "")


def test_the_code_index_is_the_unique_one(engine):
    plan = _plan(engine, "SELECT * FROM dossier WHERE code = :c", c="x")
    with engine.connect() as conn:
        cols = conn.exec_driver_sql("PRAGMA index_info('sqlite_autoindex_dossier_2')").all()
    assert [c[2] for c in cols] == ["code"] and "sqlite_autoindex_dossier_2" in plan


def test_an_exact_code_is_that_dossier_even_when_it_prefixes_others(repo, receive, engine):
    def receive_as(seq: int):
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE daily_sequence SET last_seq = ?", (seq - 1,))
        return receive().dossier

    receive()
    hundredth, thousandth = receive_as(100), receive_as(1000)
    assert (hundredth.code[-5:], thousandth.code[-6:]) == ("01100", "011000")
    assert repo.search(hundredth.code) == [hundredth]
    assert repo.search(hundredth.code[:-1]) == [thousandth, hundredth]
