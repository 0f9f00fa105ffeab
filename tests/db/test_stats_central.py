"""Statistics at the centre (PostgreSQL): supervisor roles are read-only and an agency
supervisor never sees another agency's figures; the central projection; freshness."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from core.lifecycle import Event, EventKind
from db.engine import make_engine
from db.models import agency, event
from db.rows import event_to_row
from db.stats import StatsRepo, open_stats
from db.stats_central import freshness, project_central, setup_supervisor
from db.sync.central import init_central
from tests.core.stats_cases import CASES, EXPECTED, MARCH
from tests.db.stats_helpers import write_facts
from tests.db.sync_helpers import pg_connect, with_user

A, B = "000.21.53.H48", "000.22.53.H48"
pytestmark = pytest.mark.postgres


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://")


@pytest.fixture
def supervisors(pg_url):
    made: list[str] = []

    def make(agency_code):
        role = f"t_sup_{uuid.uuid4().hex[:8]}"
        engine = make_engine(_psycopg(pg_url))
        try:
            lines = setup_supervisor(engine, role, "Sup-pass-1", agency_code)
        finally:
            engine.dispose()
        made.append(role)
        return role, lines
    yield make
    with pg_connect(pg_url) as conn:
        for role in made:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _events(agency_code: str, desk: int, synced: datetime) -> list[dict]:
    rows = []
    for n in range(2):
        e = Event(id=f"{agency_code}-{desk}-{n}", dossier_id=f"x{agency_code}{desk}{n}",
                  agency_code=agency_code, desk_number=desk, clerk_id="c1", hlc=f"{n:020d}",
                  wall_time=synced, kind=EventKind.NOTE, payload={"text": "ghi chú"})
        rows.append(event_to_row(e, synced_at=synced.replace(minute=n)))
    return rows


def test_agency_supervisor_sees_only_its_agency_and_cannot_write(pg_url, supervisors):
    init_central(pg_url)
    admin = make_engine(_psycopg(pg_url))
    write_facts(admin, CASES + [replace(f, id=f.id + "b", agency_code=B) for f in CASES])
    with admin.begin() as conn:
        conn.execute(insert(agency), [{"code": A, "name": "UBND xã Tịnh Khê", "created_at": datetime(2025, 1, 1)},
                                      {"code": B, "name": "UBND xã Tịnh Ấn", "created_at": datetime(2025, 1, 1)}])
        conn.execute(insert(event), _events(A, 1, datetime(2025, 3, 31, 16, 0))
                     + _events(B, 2, datetime(2025, 3, 30, 9, 0)))
    admin.dispose()
    role_a, lines = supervisors(A)
    assert any("chỉ đọc" in line and A in line for line in lines)
    role_all, _ = supervisors(None)
    sup_a = make_engine(_psycopg(with_user(pg_url, role_a, "Sup-pass-1")))
    sup_all = make_engine(_psycopg(with_user(pg_url, role_all, "Sup-pass-1")))
    try:
        mine = StatsRepo(sup_a).figures(MARCH, by="agency")
        assert set(mine) == {A}
        assert dict(mine[A].counts) == EXPECTED
        # Asking for the other agency by name gives nothing, not its figures.
        assert not any(StatsRepo(sup_a, agency_code=B).figures(MARCH)[None].counts.values())
        assert StatsRepo(sup_a).behind("received", MARCH, by="agency", key=B) == []
        everyone = StatsRepo(sup_all).figures(MARCH, by="agency")
        assert set(everyone) == {A, B} and dict(everyone[B].counts) == EXPECTED
        assert [(f.agency_code, f.desk_number, f.last_sync.minute) for f in freshness(sup_a)] == [(A, 1, 1)]
        assert [f.agency_code for f in freshness(sup_all)] == [A, B]
        labels = StatsRepo(sup_all).labels("agency", [A, B])
        assert labels[B] == "UBND xã Tịnh Ấn"
        # The kiosk's presses stay on the desks: the centre's misuse count is unknown, not 0.
        whole = open_stats(sup_all).report(MARCH, None).whole
        assert whole.ratings.misuse is None and dict(whole.counts) == {k: 2 * v for k, v in EXPECTED.items()}
        with sup_a.connect() as conn:
            for sql in ("DELETE FROM dossier", "UPDATE dossier SET status = 10",
                        "INSERT INTO agency VALUES ('x', 'y', now())", "SELECT password_hash FROM account",
                        "SELECT * FROM supervisor_role"):
                with pytest.raises(DBAPIError):
                    with conn.begin():
                        conn.execute(text(sql))
    finally:
        sup_a.dispose()
        sup_all.dispose()


def test_supervisor_role_input_is_checked(pg_url, supervisors):
    init_central(pg_url)
    engine = make_engine(_psycopg(pg_url))
    try:
        with pytest.raises(ValueError, match="chữ thường"):
            setup_supervisor(engine, "Bad-Name", "x", A)
        with pytest.raises(ValueError, match="quản trị"):
            setup_supervisor(engine, "postgres", "x", A)
        with pytest.raises(ValueError, match="mật khẩu"):
            setup_supervisor(engine, f"t_nopass_{uuid.uuid4().hex[:6]}", None, A)
    finally:
        engine.dispose()


def _receipt(dossier_id: str, hlc: str, field: str) -> Event:
    return Event(id=f"e-{dossier_id}", dossier_id=dossier_id, agency_code=A, desk_number=1, clerk_id="c1",
                 hlc=hlc, wall_time=datetime(2025, 3, 5, 9, 0), kind=EventKind.RECEIVED, payload={
                     "code": f"{A}-250305-{dossier_id}", "channel": 2,
                     "procedure": {"code": "2.000815", "name": "Chứng thực bản sao", "version": 1, "field": field},
                     "applicant": {"full_name": "Lê Văn Tám"},
                     "received_at": "2025-03-05T09:00:00", "due_at": "2025-03-05T17:00:00"})


def test_central_projection_folds_new_events_once(pg_url):
    init_central(pg_url)
    admin = make_engine(_psycopg(pg_url))
    try:
        with admin.begin() as conn:
            conn.execute(insert(event), [event_to_row(_receipt("0001", "0001", "Chứng thực"))])
        assert project_central(admin) == 1
        assert project_central(admin) == 0            # nothing new: the cursor moved on
        ready = Event(id="e-ready", dossier_id="0001", agency_code=A, desk_number=1, clerk_id="c1",
                      hlc="0002", wall_time=datetime(2025, 3, 5, 15, 0), kind=EventKind.RESULT_READY,
                      payload={"at": "2025-03-05T15:00:00"})
        with admin.begin() as conn:
            conn.execute(insert(event), [event_to_row(ready)])
        assert project_central(admin) == 1
        fig = StatsRepo(admin).figures(MARCH, by="field")
        assert (fig["Chứng thực"].received_online, fig["Chứng thực"].same_day) == (1, 1)
    finally:
        admin.dispose()
