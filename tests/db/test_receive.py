"""Receiving: event and projection in one transaction; codes never collide; print jobs."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.lifecycle import EventKind, Status
from core.slips import Slip
from db.dossiers import DossierRepo
from db.engine import DatabaseBusy, make_engine
from db.models import daily_sequence, dossier, event, print_job
from db.print_jobs import JobStatus, PrintJobRepo

from .conftest import AGENCY, CLERK, DESK1, DESK2, TUESDAY, make_draft


def _counts(engine) -> tuple[int, int, int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (event, dossier, print_job, daily_sequence))


def _slip(code: str) -> Slip:
    return Slip(kind="receipt", header=("UBND",), title="GIẤY TIẾP NHẬN", qr_payload=code)


def test_receive_writes_event_and_projection_and_no_print_job(receive, repo, engine, clock):
    result = receive()
    d = result.dossier
    assert d.code == f"{AGENCY.code}-250311-01001"
    assert d.status is Status.RECEIVED and d.received_by == CLERK.id
    assert result.event.kind is EventKind.RECEIVED and result.event.dossier_id == d.id
    assert repo.get(d.id) == d
    assert repo.by_code(d.code) == d
    assert [e.id for e in repo.events(d.id)] == [result.event.id]
    payload = repo.events(d.id)[0].payload
    assert payload["code"] == d.code
    assert payload["procedure"]["code"] == "1.001193" and payload["procedure"]["version"] == 1
    assert payload["applicant"]["birth_date"] == "2003-07-14"
    assert payload["documents"][0] == {"name": make_draft().documents[0].name, "form": "original", "count": 1}
    assert payload["received_at"] == TUESDAY.isoformat()
    assert _counts(engine) == (1, 1, 0, 1)         # the print queue writes the job


def test_a_failure_inside_the_transaction_writes_nothing(receive, engine, monkeypatch):
    import db.dossiers

    def broken(conn, stamp):
        raise RuntimeError("disk full")

    with monkeypatch.context() as m:
        m.setattr(db.dossiers, "raise_hlc", broken)
        with pytest.raises(RuntimeError):
            receive()
    assert _counts(engine) == (0, 0, 0, 0)          # the sequence was not consumed either
    assert receive().dossier.code.endswith("-01001")


def test_codes_increase_per_day_and_desk_and_restart_next_day(receive):
    codes = [receive().dossier.code for _ in range(3)]
    assert [c[-5:] for c in codes] == ["01001", "01002", "01003"]
    tomorrow = TUESDAY + timedelta(days=1)
    assert receive(received_at=tomorrow).dossier.code == f"{AGENCY.code}-250312-01001"
    assert receive().dossier.code.endswith("250311-01004")


def test_two_desks_of_one_agency_never_collide(tmp_path, clock, hlc):
    # Two desks, two databases, both offline: same day, same agency, distinct codes.
    codes = []
    for desk in (DESK1, DESK2):
        engine = make_engine(f"sqlite:///{tmp_path / f'desk{desk.number}.sqlite'}")
        from db.migrate import upgrade
        upgrade(engine)
        repo = DossierRepo(engine, hlc, clock)
        for _ in range(3):
            codes.append(repo.receive(make_draft(), agency=AGENCY, desk=desk, clerk=CLERK,
                                      received_at=TUESDAY, due_at=TUESDAY).dossier.code)
        engine.dispose()
    assert len(set(codes)) == 6
    assert codes[3].endswith("-02001")


def test_a_locked_database_gives_database_busy_and_writes_nothing(receive, engine, db_url):
    receive()
    before = _counts(engine)
    path = db_url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseBusy) as caught:
            receive()
        assert "đang bị khóa" in caught.value.message_vi
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _counts(engine) == before
    assert receive().dossier.code.endswith("-01002")       # and no sequence number lost


def test_print_jobs_lifecycle(receive, engine, clock):
    jobs = PrintJobRepo(engine, clock)
    d = receive().dossier
    job_id = jobs.enqueue(d.id, _slip(d.code), 2, "file:///tmp/x")
    queued = jobs.get(job_id)
    assert queued.status is JobStatus.QUEUED and queued.copies == 2 and queued.slip == _slip(d.code)
    jobs.mark_printing(job_id)
    jobs.mark_failed(job_id, "Không kết nối được máy in")
    failed = jobs.get(job_id)
    assert failed.status is JobStatus.FAILED and failed.attempts == 1 and "máy in" in failed.reason
    assert [j.id for j in jobs.pending()] == [job_id]
    again = jobs.enqueue(d.id, _slip(d.code), 1, "dummy:")
    jobs.mark_printing(again)
    jobs.mark_done(again)
    assert jobs.get(again).status is JobStatus.DONE
    assert {j.id for j in jobs.pending()} == {job_id}
    with pytest.raises(KeyError):
        jobs.get("missing")
