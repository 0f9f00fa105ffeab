"""Search at the desk: code, name prefix without diacritics, ID number, phone; indexed."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.people import Channel
from db.search import BROAD_NAME_MATCHES

from .conftest import AGENCY, TUESDAY, make_draft

PEOPLE = [
    ("Trần Thị Bích Ngọc", "051303004512", "0905123456"),
    ("Trần Thị Hoa", "051185001234", "0912000111"),
    ("Trần Thanh Tâm", "051090004321", "0935555666"),
    ("Nguyễn Văn An", "051092000777", "0977888999"),
    ("Đặng Thị Ánh", "051195000888", "0966111222"),
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
    assert repo.received_between(TUESDAY, TUESDAY + timedelta(days=1), limit=2) == [filed[4], filed[3]]


def test_broad_name_prefixes_walk_the_date_index(repo, filed, engine, monkeypatch):
    import db.search
    monkeypatch.setattr(db.search, "BROAD_NAME_MATCHES", 2)
    assert names(repo.search("tran")) == ["Trần Thanh Tâm", "Trần Thị Hoa", "Trần Thị Bích Ngọc"]
    assert BROAD_NAME_MATCHES > 1000


def _plan(engine, sql: str, **params) -> str:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
    return " | ".join(r[-1] for r in rows)


@pytest.mark.parametrize("sql, index", [
    ("SELECT * FROM dossier WHERE code >= :lo AND code < :hi ORDER BY code DESC LIMIT 50",
     "sqlite_autoindex_dossier_2"),
    ("SELECT * FROM dossier WHERE applicant_id_number = :lo ORDER BY received_at DESC LIMIT 50",
     "ix_dossier_applicant_id_number"),
    ("SELECT * FROM dossier WHERE applicant_phone = :lo ORDER BY received_at DESC LIMIT 50",
     "ix_dossier_applicant_phone"),
    ("SELECT rowid FROM dossier INDEXED BY ix_dossier_name_fold WHERE name_fold >= :lo "
     "AND name_fold < :hi ORDER BY received_at DESC LIMIT 50", "COVERING INDEX ix_dossier_name_fold"),
    ("SELECT rowid FROM dossier INDEXED BY ix_dossier_received_at WHERE name_fold >= :lo "
     "AND name_fold < :hi ORDER BY received_at DESC LIMIT 50", "ix_dossier_received_at"),
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
