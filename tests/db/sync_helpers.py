"""Desks, central stores and the convergence check shared by the sync tests.

A desk is a real SQLite file upgraded by the migrations, set up like `AccountRepo.setup`
does (without the slow argon2 hash), with a movable FixedClock and its own HybridClock.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, select, text

from core.clock import FixedClock, HybridClock
from core.demo_catalogue import DEMO_PROCEDURES
from core.ids import new_id
from core.lifecycle import DossierState, EventKind, fold, transition_error
from core.people import Agency, Applicant, Clerk, Desk, Role
from core.receive import ReceiveDraft
from db.sync.central import init_central
from db.dossiers import DossierRepo, TransitionError
from db.engine import make_engine, read_conn, write_tx
from db.meta import KEY_AGENCY, KEY_DESK, last_local_hlc, set_meta
from db.migrate import upgrade
from db.models import account, agency as agency_t, desk as desk_t, dossier, event
from db.rows import row_to_event, row_to_state
from db.sync import SyncEngine

AGENCY_A = "000.21.53.H48"
AGENCY_B = "000.22.53.H48"
START = datetime(2025, 9, 22, 8, 0)

NAMES = ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Minh Đức")


def pg_sa(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def pg_connect(url: str, **kw):
    import psycopg
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True, **kw)


def with_user(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    hostpart = rest.split("@", 1)[-1]
    return f"{scheme}://{user}:{password}@{hostpart}"


def with_port(url: str, port: int) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).set(port=port, host="127.0.0.1").render_as_string(hide_password=False)


@dataclass
class DeskBox:
    path: Path
    engine: Engine
    clock: FixedClock
    hlc: HybridClock
    repo: DossierRepo
    agency: Agency
    desk: Desk
    clerk: Clerk
    syncs: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.agency.code}/{self.desk.number}"

    def sync_engine(self, central_url: str, **kw) -> SyncEngine:
        kw.setdefault("connect_timeout", 2.0)
        if "batch_size" in kw:           # small pages both ways: the tests exercise paging
            kw.setdefault("pull_page_size", kw["batch_size"])
        s = SyncEngine(self.engine, central_url, agency_code=self.agency.code,
                       desk_number=self.desk.number, hlc=self.hlc, clock=self.clock, **kw)
        self.syncs.append(s)
        return s

    def sync(self, central_url: str, **kw):
        s = self.sync_engine(central_url, **kw)
        try:
            return s.run_once()
        finally:
            s.close()

    def restart(self) -> None:
        """A new process on the same file: the HLC comes back from the high-water mark."""
        self.engine.dispose()
        self.engine = make_engine(f"sqlite:///{self.path}")
        self.hlc = HybridClock(self.clock, self.name, last_local_hlc(self.engine))
        self.repo = DossierRepo(self.engine, self.hlc, self.clock)

    def close(self) -> None:
        for s in self.syncs:
            s.close()
        self.engine.dispose()


def make_desk(tmp_path: Path, agency_code: str, number: int, at: datetime = START,
              name: str | None = None) -> DeskBox:
    path = tmp_path / (name or f"desk-{agency_code}-{number}.sqlite")
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    clock = FixedClock(at)
    ag = Agency(code=agency_code, name=f"UBND xã thử {agency_code}")
    dk = Desk(agency_code=agency_code, number=number, name=f"Quầy {number}")
    clerk = Clerk(id=new_id(), username=f"canbo{number}", full_name=f"Cán bộ quầy {number}",
                  role=Role.CLERK, agency_code=agency_code)
    with write_tx(engine) as conn:
        conn.execute(agency_t.insert().values(code=ag.code, name=ag.name, created_at=at))
        conn.execute(desk_t.insert().values(agency_code=ag.code, number=number, name=dk.name, created_at=at))
        conn.execute(account.insert().values(id=clerk.id, agency_code=ag.code, username=clerk.username,
                                             password_hash="not-a-real-hash", full_name=clerk.full_name,
                                             role=clerk.role.value, active=True, created_at=at))
        set_meta(conn, KEY_AGENCY, ag.code)
        set_meta(conn, KEY_DESK, str(number))
    hlc = HybridClock(clock, f"{agency_code}/{number}", last_local_hlc(engine))
    return DeskBox(path, engine, clock, hlc, DossierRepo(engine, hlc, clock), ag, dk, clerk)


def central_sqlite(tmp_path: Path, name: str = "central.sqlite") -> str:
    url = f"sqlite:///{tmp_path / name}"
    init_central(url)
    return url


def receive(box: DeskBox, rng: random.Random | None = None) -> DossierState:
    rng = rng or random.Random()
    proc = DEMO_PROCEDURES[rng.randrange(len(DEMO_PROCEDURES))]
    applicant = Applicant(full_name=rng.choice(NAMES), id_number=f"0513030{rng.randrange(10**5):05d}",
                          phone=f"09{rng.randrange(10**8):08d}")
    draft = ReceiveDraft(applicant=applicant, procedure=proc, documents=proc.documents)
    now = box.clock.now()
    result = box.repo.receive(draft, agency=box.agency, desk=box.desk, clerk=box.clerk,
                              received_at=now, due_at=now + timedelta(days=3))
    box.clock.advance(seconds=rng.randrange(1, 300))
    return result.dossier


ACTIONS = (EventKind.TRANSFERRED, EventKind.RESULT_READY, EventKind.RETURNED, EventKind.NOTE,
           EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED, EventKind.RATED)


def act(box: DeskBox, dossier_id: str, kind: EventKind) -> DossierState | None:
    """Record `kind` if it fits the dossier here; None if it does not."""
    payload = {"level": "hai_long"} if kind is EventKind.RATED else {"text": "ghi chú"} if kind is EventKind.NOTE else {}
    try:
        state = box.repo.record(dossier_id, kind, payload, box.clerk)
    except TransitionError:
        return None
    box.clock.advance(seconds=30)
    return state


def advance(box: DeskBox, dossier_id: str, rng: random.Random) -> DossierState | None:
    """Move a dossier one step along a plausible path."""
    state = box.repo.get(dossier_id)
    if state is None:
        return None
    options = [k for k in ACTIONS if k in (EventKind.NOTE, EventKind.RATED) or transition_error(state, k) is None]
    return act(box, dossier_id, rng.choice(options)) if options else None


# -- the check ---------------------------------------------------------------------------

def central_events(central_url: str):
    engine = make_engine(central_url) if central_url.startswith("sqlite") else create_engine(pg_sa(central_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(event).order_by(event.c.agency_code, event.c.seq)).all()
            dup_ids = conn.execute(text("SELECT count(*) - count(DISTINCT id) FROM event")).scalar_one()
    finally:
        engine.dispose()
    return rows, dup_ids


def desk_events(box: DeskBox):
    with read_conn(box.engine) as conn:
        return conn.execute(select(event)).all()


def desk_projection(box: DeskBox) -> dict[str, DossierState]:
    with read_conn(box.engine) as conn:
        return {r.id: row_to_state(r) for r in conn.execute(select(dossier))}


def fold_all(rows) -> dict[str, DossierState]:
    grouped: dict[str, list] = {}
    for r in rows:
        grouped.setdefault(r.dossier_id, []).append(row_to_event(r))
    out = {}
    for did, evs in grouped.items():
        try:
            out[did] = fold(evs)
        except ValueError:
            pass
    return out


def assert_converged(central_url: str, desks: list[DeskBox], *, complete: bool = True) -> dict[str, DossierState]:
    """The invariants of issue 3. `complete`: every desk has synced since the last write,
    so each desk holds exactly its agency's central events."""
    rows, dup_ids = central_events(central_url)
    assert dup_ids == 0, "an event twice at the centre"
    seqs = Counter((r.agency_code, r.seq) for r in rows)
    assert all(n == 1 for n in seqs.values()), "a sequence number twice"
    assert all(r.seq is not None for r in rows), "an unnumbered central event"
    central_ids = {r.id for r in rows}
    union: set[str] = set()
    for box in desks:
        evs = desk_events(box)
        ids = [e.id for e in evs]
        assert len(ids) == len(set(ids)), f"{box.name}: an event twice"
        union.update(ids)
        unsent = [e.id for e in evs if e.synced_at is None]
        if complete:
            assert not unsent, f"{box.name}: {len(unsent)} events still waiting"
            mine = {r.id for r in rows if r.agency_code == box.agency.code}
            assert set(ids) == mine, f"{box.name}: desk log != its agency's central events"
        assert all(e.agency_code == box.agency.code for e in evs), f"{box.name}: sees another agency"
    if complete:
        assert central_ids == union, "central event set != union of desk logs"
    else:
        assert central_ids <= union, "the centre has events no desk wrote"
    central = fold_all(rows)
    codes = Counter(s.code for s in central.values())
    assert all(n == 1 for n in codes.values()), f"a dossier code twice: {[c for c, n in codes.items() if n > 1]}"
    for box in desks:
        local = desk_projection(box)
        assert fold_all(desk_events(box)) == local, f"{box.name}: projection != fold of its own log"
        for did, state in local.items():
            if complete or did in central and _same_events(box, rows, did):
                assert central.get(did) == state, f"{box.name}: dossier {did} differs from the centre"
        if complete:
            seen = {did for did, s in central.items() if s.agency_code == box.agency.code}
            assert set(local) == seen, f"{box.name}: does not see all its agency's dossiers"
    return central


def _same_events(box: DeskBox, central_rows, dossier_id: str) -> bool:
    here = {e.id for e in desk_events(box) if e.dossier_id == dossier_id}
    there = {r.id for r in central_rows if r.dossier_id == dossier_id}
    return here == there


def dump(obj) -> str:
    return json.dumps(obj, default=str, ensure_ascii=False)
