"""Demo set-up and demo dossiers (`motcua --demo`, `motcua demo seed`, the benchmarks).

DEMO DATA throughout: a commune, three accounts with published passwords (they exist only
in a database set up in demo mode), and realistic dossiers in every lifecycle state.

`seed_dossiers` is built for volume (a million dossiers in a few minutes): the days are cut
into chunks of a few thousand dossiers, made as plain tuples (db/demo/maker.py) by worker
processes when there are many, and written by this process alone with executemany, one
transaction per chunk, while the workers make the next ones. Sequence numbers are
reserved per day before anything is written, so later receipts never reuse a code; the
HLC high-water mark is raised at the end.
"""
from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import random
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Engine

from core.calendar import OfficeHours, WorkingCalendar
from core.clock import Clock, HybridClock
from core.codes import format_dossier_code
from core.demo_catalogue import DEMO_PROCEDURES
from core.people import Agency, Desk, Role
from db.accounts import AccountRepo
from db.calendar import CalendarRepo
from db.catalogue import CatalogueRepo
from db.dossiers import next_sequence
from db import rated_facts, search_index
from db.engine import read_conn, write_conn, write_tx
from db.meta import KEY_DEMO, get_meta, raise_hlc, set_meta
from db.models import dossier, event
from db.demo.maker import (
    DOSSIER_COLS, EVENT_COLS, SCENARIO_NAMES, DossierMaker, SeedPlan, SeedTask,
)

DEMO_AGENCY = Agency(code="000.21.53.H48", name="UBND xã Tịnh Khê, tỉnh Quảng Ngãi")
DEMO_DESK = Desk(agency_code=DEMO_AGENCY.code, number=1, name="Quầy 1")


class DemoAccount(NamedTuple):
    username: str
    password: str
    role: Role


DemoAccounts = list[DemoAccount]

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "admin123", Role.ADMIN),
    DemoAccount("canbo", "canbo123", Role.CLERK),
    DemoAccount("lanhdao", "lanhdao123", Role.SUPERVISOR),
)
_DEMO_FULL_NAMES = {"admin": "Nguyễn Văn Quản", "canbo": "Trần Thị Mai", "lanhdao": "Phạm Minh Đức"}


def ensure_demo_setup(engine: Engine, clock: Clock, *, agency_code: str | None = None,
                      desk_number: int = 1) -> DemoAccounts:
    """Set up the demo commune on an empty database; return the demo logins to show.
    `agency_code`/`desk_number`: another demo commune or desk (two demo desks syncing with
    one centre need different numbers).

    Returns an empty list for a database that was not set up in demo mode, so real
    accounts are never listed on a login screen.
    """
    accounts = AccountRepo(engine, clock)
    if accounts.needs_setup():
        agency = DEMO_AGENCY if agency_code in (None, DEMO_AGENCY.code) else Agency(
            code=agency_code, name=f"Cơ quan mẫu {agency_code}")
        desk = Desk(agency_code=agency.code, number=desk_number, name=f"Quầy {desk_number}")
        accounts.setup(agency, desk, "admin", "admin123", _DEMO_FULL_NAMES["admin"], demo=True)
        with write_tx(engine) as conn:
            set_meta(conn, KEY_DEMO, "1")
    catalogue = CatalogueRepo(engine, clock)
    if catalogue.count() == 0:
        catalogue.import_procedures(DEMO_PROCEDURES)
    with read_conn(engine) as conn:
        demo = get_meta(conn, KEY_DEMO) == "1"
    if not demo:
        return []
    existing = {c.username for c in accounts.list()}
    for a in DEMO_ACCOUNTS:
        if a.username not in existing:
            accounts.create(a.username, a.password, _DEMO_FULL_NAMES[a.username], a.role, demo=True)
    return list(DEMO_ACCOUNTS)


def _spread(n: int, days: list[date], now: datetime, hours: OfficeHours, rng) -> list[int]:
    """How many dossiers each day gets: uneven like real days, Mondays busier."""
    weights = []
    for d in days:
        w = rng.uniform(0.7, 1.3) * (1.2 if d.weekday() == 0 else 1.0)
        if d == now.date():
            opened = datetime.combine(d, hours.sessions[0][0])
            w *= min(1.0, max(0.05, (now - opened).total_seconds() / (10 * 3600)))
        weights.append(w)
    total = sum(weights)
    counts = [int(n * w / total) for w in weights]
    for i in rng.sample(range(len(days)), k=min(len(days), n - sum(counts))):
        counts[i] += 1
    while sum(counts) < n:               # more leftovers than days (tiny day lists)
        counts[rng.randrange(len(days))] += 1
    return counts


# Below this many dossiers one process makes them all (start-up of workers costs ~1 s).
PARALLEL_FROM = 20_000
_worker_maker: DossierMaker | None = None


def _init_worker(plan: SeedPlan) -> None:
    global _worker_maker
    _worker_maker = DossierMaker(plan)


def _make_in_worker(task: SeedTask) -> tuple[list[tuple], list[tuple], str]:
    assert _worker_maker is not None
    return _worker_maker.make(task)


def _plan(engine: Engine, clock: Clock, hlc: HybridClock, rng_seed: int,
          calendar: WorkingCalendar | None, n: int) -> SeedPlan:
    accounts = AccountRepo(engine, clock)
    agency, desk = accounts.agency(), accounts.desk()
    if agency is None or desk is None:
        raise ValueError("Chưa cài đặt cơ quan và quầy.")
    hours = calendar.hours if calendar is not None else OfficeHours()
    overrides = calendar.overrides if calendar is not None else tuple(CalendarRepo(engine).overrides())
    return SeedPlan(
        agency=agency, desk=desk,
        clerks=tuple((c.id, c.full_name, c.role.value) for c in accounts.list()),
        procedures=tuple(CatalogueRepo(engine, clock).current()), overrides=tuple(overrides),
        hours=hours, now=clock.now(), node=hlc.node, rng_seed=rng_seed,
        sqlite=engine.dialect.name == "sqlite",
    )


def _tasks(plan: SeedPlan, day_list: list[date], counts: list[int], first_seq: dict[date, int],
           chunk: int) -> list[SeedTask]:
    # Make sure a demo shows every state: force one dossier per scenario on the older
    # days, whose stories have had time to finish.
    settled = sum(counts[:-10]) if len(day_list) > 12 else 0
    forced: dict[int, str] = {}
    if settled >= len(SCENARIO_NAMES):
        step = settled // len(SCENARIO_NAMES)
        forced = {i * step + step // 2: name for i, name in enumerate(SCENARIO_NAMES)}
    tasks: list[SeedTask] = []
    days: list[tuple[date, int, int]] = []
    first = index = 0
    for d, k in zip(day_list, counts):
        if not k:
            continue
        days.append((d, first_seq[d], k))
        index += k
        if index - first >= chunk:
            tasks.append(SeedTask(len(tasks), tuple(days), first,
                                  {i: s for i, s in forced.items() if first <= i < index}))
            days, first = [], index
    if days:
        tasks.append(SeedTask(len(tasks), tuple(days), first,
                              {i: s for i, s in forced.items() if first <= i < index}))
    return tasks


def seed_dossiers(engine: Engine, *, n: int, days: int, clock: Clock, hlc: HybridClock,
                  rng_seed: int = 1, calendar: WorkingCalendar | None = None, chunk: int = 5000,
                  workers: int | None = None) -> int:
    """Add `n` demo dossiers received over the last `days` working days; returns how many.

    `workers`: processes making the rows while this one writes (None: one per CPU, up to
    four, for big runs; 0: everything in this thread).
    The data depend on `rng_seed` only, not on the number of workers.
    """
    if n <= 0:
        return 0
    ensure_demo_setup(engine, clock)
    plan = _plan(engine, clock, hlc, rng_seed, calendar, n)
    planner = DossierMaker(plan, calendar)
    day_list = planner.working_days(max(1, days))
    counts = _spread(n, day_list, plan.now, planner.hours, random.Random(f"{rng_seed}:spread"))
    desk = plan.desk
    with write_tx(engine) as conn:       # reserve the codes first
        first_seq: dict[date, int] = {}
        for d, k in zip(day_list, counts):
            if k:
                first_seq[d] = next_sequence(conn, desk.agency_code, desk.number, d, k) - k + 1
    for d, seq in itertools.islice(first_seq.items(), 1):   # the maker builds codes itself
        if format_dossier_code(desk.agency_code, d, desk.number, seq) != \
                f"{desk.agency_code}-{d:%y%m%d}-{desk.number:02d}{seq:03d}":
            raise AssertionError("dossier code format changed; update db/demo/maker.py")
    tasks = _tasks(plan, day_list, counts, first_seq, chunk)
    in_memory = plan.sqlite and (engine.url.database or ":memory:") == ":memory:"
    if workers is None:
        workers = min(4, os.cpu_count() or 1) if n >= PARALLEL_FROM else 0
    # One pass of the search index and of the rated events' facts over the new rows at the
    # end, not a trigger per row.
    with search_index.paused(engine), rated_facts.paused(engine):
        top, made = "", 0
        if workers <= 0 or in_memory:
            writer = _ChunkWriter(engine)
            try:
                for task in tasks:
                    ev_rows, dossier_rows, stamp = planner.make(task)
                    writer.write(ev_rows, dossier_rows)
                    top, made = max(top, stamp), made + len(dossier_rows)
            finally:
                writer.close()
        else:
            # Workers make the rows; this process alone writes, so one connection keeps its
            # page cache warm (SQLite drops a connection's cache when another one commits).
            ctx = multiprocessing.get_context("spawn")      # never fork a threaded process
            writer = _ChunkWriter(engine)
            try:
                with ctx.Pool(workers, initializer=_init_worker, initargs=(plan,)) as pool:
                    pending: collections.deque = collections.deque()
                    todo = iter(tasks)
                    for task in itertools.islice(todo, workers + 1):   # bounded: memory stays flat
                        pending.append(pool.apply_async(_make_in_worker, (task,)))
                    while pending:
                        ev_rows, dossier_rows, stamp = pending.popleft().get()
                        following = next(todo, None)
                        if following is not None:
                            pending.append(pool.apply_async(_make_in_worker, (following,)))
                        writer.write(ev_rows, dossier_rows)
                        top, made = max(top, stamp), made + len(dossier_rows)
            finally:
                writer.close()
    if top:
        with write_tx(engine) as conn:
            raise_hlc(conn, top)
        hlc.observe(top)
    return made


class _ChunkWriter:
    """One connection, one transaction per chunk, rows as tuples via executemany."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self._cm = None
        self._conn = None

    def _connection(self):
        if self._conn is None:
            self._cm = write_conn(self.engine)
            self._conn = self._cm.__enter__()
            if self.sqlite:
                # For this bulk load of demo data only: a big page cache, and WAL commits
                # without fsync (still atomic and consistent; a power cut may lose the last
                # chunks, never corrupt the file). Restored in close().
                _pragmas(self._conn, "cache_size = -524288", "synchronous = NORMAL")
        return self._conn

    def write(self, ev_rows: list[tuple], dossier_rows: list[tuple]) -> None:
        if not dossier_rows:
            return
        conn = self._connection()
        with conn.begin():
            if self.sqlite:
                conn.exec_driver_sql(_insert_sql("event", EVENT_COLS), ev_rows)
                conn.exec_driver_sql(_insert_sql("dossier", DOSSIER_COLS), dossier_rows)
            else:
                conn.execute(event.insert(), [dict(zip(EVENT_COLS, r)) for r in ev_rows])
                conn.execute(dossier.insert(), [dict(zip(DOSSIER_COLS, r)) for r in dossier_rows])

    def close(self) -> None:
        if self._conn is not None:
            if self.sqlite:
                _pragmas(self._conn, "cache_size = -2000", "synchronous = FULL")
            self._cm.__exit__(None, None, None)
            self._conn = self._cm = None


def _pragmas(conn, *settings: str) -> None:
    # Straight to the driver, outside any transaction (SQLite refuses some inside one).
    if conn.in_transaction():
        conn.rollback()
    raw = conn.connection.driver_connection
    for setting in settings:
        raw.execute(f"PRAGMA {setting}")


def _insert_sql(table: str, cols: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
