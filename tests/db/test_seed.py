"""Demo set-up and demo dossiers: every state, consistent projections and sequences."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.clock import HybridClock
from core.lifecycle import Status
from db.accounts import AccountRepo
from db.catalogue import CatalogueRepo
from db.models import daily_sequence, dossier
from db.demo.seed import DEMO_AGENCY, ensure_demo_setup, seed_dossiers

from .conftest import make_draft


def test_demo_setup_is_idempotent(engine, clock):
    logins = ensure_demo_setup(engine, clock)
    assert [(u, p, r.value) for u, p, r in logins] == [
        ("admin", "admin123", "admin"), ("canbo", "canbo123", "clerk"), ("lanhdao", "lanhdao123", "supervisor")]
    assert ensure_demo_setup(engine, clock) == logins
    accounts = AccountRepo(engine, clock)
    assert accounts.agency() == DEMO_AGENCY and accounts.desk().number == 1
    assert accounts.authenticate("canbo", "canbo123").full_name
    assert CatalogueRepo(engine, clock).count() == 21


def test_seed_makes_every_state_and_matches_a_rebuild(engine, clock, repo):
    hlc = HybridClock(clock, f"{DEMO_AGENCY.code}/1")
    assert seed_dossiers(engine, n=600, days=25, clock=clock, hlc=hlc, rng_seed=3) == 600
    everything = repo.received_between(clock.now().replace(year=2000), clock.now().replace(year=2100), limit=10_000)
    assert len(everything) == 600
    statuses = Counter(d.status for d in everything)
    assert set(statuses) >= {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.NOT_ACCEPTED,
                             Status.WITHDRAWN, Status.RESOLVED, Status.RETURNED}
    resolved = [d for d in everything if d.resolved_at]
    assert any(d.resolved_at > d.due_at for d in resolved) and any(d.resolved_at <= d.due_at for d in resolved)
    assert any(d.apology_count for d in everything) and any(d.rating for d in everything)
    assert any(d.supplement_count and d.status is not Status.SUPPLEMENT for d in everything)
    assert {d.channel for d in everything} == {1, 2, 3}
    assert len({d.procedure_code for d in everything}) >= 15
    assert all(d.received_at <= clock.now() and d.last_hlc <= hlc.stamp() for d in everything)
    for d in everything[:50]:
        assert d.applicant_id_number.startswith("051") and len(d.applicant_id_number) == 12
    before = {d.id: d for d in everything}
    assert repo.rebuild() == 600
    assert {i: repo.get(i) for i in before} == before


def test_later_receipts_never_reuse_a_seeded_code(engine, clock, hlc, repo):
    seed_dossiers(engine, n=200, days=3, clock=clock, hlc=hlc)
    seed_dossiers(engine, n=200, days=3, clock=clock, hlc=hlc)      # again, same seed
    with engine.connect() as conn:
        codes = conn.execute(select(dossier.c.code)).scalars().all()
        today = conn.execute(select(daily_sequence.c.last_seq).where(
            daily_sequence.c.day == clock.now().date())).scalar_one()
    assert len(codes) == len(set(codes)) == 400
    agency, desk = AccountRepo(engine, clock).agency(), AccountRepo(engine, clock).desk()
    fresh = repo.receive(make_draft(), agency=agency, desk=desk,
                         clerk=AccountRepo(engine, clock).list()[0], received_at=clock.now(),
                         due_at=clock.now())
    assert fresh.dossier.code.endswith(f"-01{today + 1:03d}")
    assert fresh.dossier.code not in codes


def test_worker_processes_make_the_same_data(tmp_path, clock):
    from db.engine import make_engine
    from db.migrate import upgrade

    def seeded(name: str, workers: int):
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        upgrade(engine)
        hlc = HybridClock(clock, "desk")
        assert seed_dossiers(engine, n=300, days=12, clock=clock, hlc=hlc, chunk=40, workers=workers) == 300
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT code, applicant_name, status, received_at, due_at, event_count FROM dossier "
                "ORDER BY code").all()
        engine.dispose()
        return rows

    assert seeded("inline.sqlite", 0) == seeded("workers.sqlite", 2)


def test_seeded_dossiers_are_found_by_a_given_name_and_the_last_digits(engine, clock, repo):
    hlc = HybridClock(clock, f"{DEMO_AGENCY.code}/1")
    seed_dossiers(engine, n=200, days=10, clock=clock, hlc=hlc, rng_seed=5)
    everything = repo.received_between(clock.now().replace(year=2000), clock.now().replace(year=2100), limit=500)
    for d in everything[::37]:
        given = d.applicant_name.split()[-1]
        assert d in repo.search(given + " ", limit=500)
        assert d in repo.search(d.applicant_id_number[-6:], limit=500)
        assert d in repo.search(d.code[-5:], limit=500)
    # the triggers are back after the bulk load: a dossier received now is found too
    from .conftest import AGENCY, CLERK, DESK1
    fresh = repo.receive(make_draft("Lò Thị Sương", "051999000111", "0912345678"), agency=AGENCY,
                         desk=DESK1, clerk=CLERK, received_at=clock.now(), due_at=clock.now()).dossier
    assert repo.search("suong") == [fresh]
