"""Fixtures for db tests: a SQLite file in tmp_path, migrated by the real Alembic scripts."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from core.catalogue import Delivery
from core.clock import FixedClock, HybridClock
from core.demo_catalogue import DEMO_PROCEDURES
from core.people import Agency, Applicant, Channel, Clerk, Desk, Role
from core.receive import ReceiveDraft
from db.dossiers import DossierRepo
from db.engine import make_engine
from db.migrate import upgrade

AGENCY = Agency(code="000.21.53.H48", name="UBND xã Tịnh Khê, tỉnh Quảng Ngãi")
DESK1 = Desk(agency_code=AGENCY.code, number=1, name="Quầy 1")
DESK2 = Desk(agency_code=AGENCY.code, number=2, name="Quầy 2")
CLERK = Clerk(id="0190a000-0000-7000-8000-000000000001", username="canbo", full_name="Trần Thị Mai",
              role=Role.CLERK, agency_code=AGENCY.code)
TUESDAY = datetime(2025, 3, 11, 9, 30)          # an ordinary working day


def procedure(code: str = "1.001193"):
    return next(p for p in DEMO_PROCEDURES if p.code == code)


def make_draft(name: str = "Trần Thị Bích Ngọc", id_number: str = "051303004512",
               phone: str = "0905123456", code: str = "1.001193",
               channel: Channel = Channel.IN_PERSON) -> ReceiveDraft:
    p = procedure(code)
    return ReceiveDraft(
        applicant=Applicant(full_name=name, id_number=id_number, birth_date=date(2003, 7, 14),
                            sex="Nữ", address="Thôn Mỹ Lai, xã Tịnh Khê, tỉnh Quảng Ngãi",
                            phone=phone),
        procedure=p, documents=p.documents[:2], sets=1, channel=channel,
        delivery=Delivery.DESK, notes="",
    )


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'data' / 'motcua.sqlite'}"


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url, busy_timeout_ms=300)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return FixedClock(TUESDAY)


@pytest.fixture
def hlc(clock):
    return HybridClock(clock, f"{AGENCY.code}/1")


@pytest.fixture
def repo(engine, hlc, clock):
    return DossierRepo(engine, hlc, clock)


@pytest.fixture
def receive(repo, clock):
    """Receive a dossier at desk 1 now (the fixed clock), due in three days."""
    def _receive(draft: ReceiveDraft | None = None, *, desk: Desk = DESK1, **kw):
        at = kw.pop("received_at", clock.now())
        return repo.receive(draft or make_draft(), agency=AGENCY, desk=desk, clerk=CLERK,
                            received_at=at, due_at=kw.pop("due_at", at.replace(hour=17, minute=0)), **kw)
    return _receive
