"""Offline-first sync of a desk's SQLite file with the central store (issue 3).

One `SyncEngine.run_once()` is a push then a pull over one connection to the centre:

Push. Unsent local events go up in (HLC, id) order, `batch_size` at a time, read one batch
at a time off an index (memory stays flat whatever the backlog). Each batch is ONE
central transaction ending in `INSERT ... ON CONFLICT (id) DO NOTHING` (on PostgreSQL fed
by one binary array per column), so re-sending is harmless; the batch is marked
sent locally only after the central commit (marks are written several batches per
local transaction, see MARK_EVERY_EVENTS). If the link dies before
the commit nothing is marked; if the desk dies after it, the next run sends the batch
again and the centre ignores it (or the pull finds it there and marks it).

Refused events. Before sending, each event is checked against the centre's rules (its
agency is this desk's, a known kind, readable JSON, a valid HLC stamp, a receipt that
folds); the centre adds its own (RLS by agency on PostgreSQL, constraints). A refused
event is written to the desk's `sync_rejection` table with the Vietnamese reason: push
skips it from then on, so it never blocks the events after it and is not re-sent on
every run, but it stays visible -- it still counts as waiting (its `synced_at` stays NULL;
the status line never says "synced" while it exists), `SyncStatus.rejected` and
`last_error` tell a supervisor, and `motcua sync retry` (db.sync.local.retry_refused) puts
it back in the queue (after the cause is fixed). A failure of the store itself (connection, permission, lock timeout)
never refuses anything: the run raises CentralUnavailable.

Pull. The centre numbers every event it accepts (`event.seq`). On PostgreSQL the number
comes from a sequence drawn by a BEFORE INSERT trigger that first locks its agency's row of
`event_numbering` (held to commit; no desk role can take it -- migration 0003), so within an agency numbers become visible in order: a
reader whose cursor is at N can never later meet a committed row below N (plain
sequences commit out of order under concurrency). On SQLite the single writer gives the
same. A desk pulls its agency's events with seq > cursor, a page (`pull_page_size`,
4,000 by default) at a time, one query per page; its own events come back without their
payload and are fetched only if missing.
Each page is applied whole, in a local transaction that also stores the new cursor
(db/sync/apply.py), re-folds every touched dossier in (HLC, id) order, raises the HLC
high-water mark; the desk's HybridClock then observes the newest stamp. Pages that come
within PULL_COMMIT_S of each other share one transaction (never a page split across two),
committed without fsync (synchronous=NORMAL): whatever a crash or power cut takes back
goes with its cursor and is pulled again. Down also come
catalogue versions, holiday overrides, the agency's accounts and desks made centrally.

Thread safety: `run_once` holds a lock (one sync at a time); `status()` and
`dossier_synced()` only read the desk database and a few fields under a small lock, so a
Textual thread worker can sync while the UI thread asks for the status.
"""
from __future__ import annotations

import gc
import logging
import queue
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterator

from sqlalchemy import Engine

from core.clock import Clock, HybridClock
from core.lifecycle import Event
from db.sync import apply, local
from db.sync.store import PUSH_FIELDS, CentralSession, CentralStore, CentralUnavailable, describe_url

__all__ = ["CentralUnavailable", "SyncEngine", "SyncReport", "SyncStatus"]

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    pushed: int                                   # local events confirmed at the centre
    pulled: int                                   # events new to this desk
    rejected: list[tuple[str, str]]               # (event id, Vietnamese reason), this run
    reference: dict[str, int]                     # catalogue/holidays/accounts/desks brought down
    started_at: datetime
    finished_at: datetime


@dataclass
class SyncStatus:
    waiting: int                                  # local events not yet at the centre
    last_success: datetime | None
    last_error: str | None
    online: bool | None                           # None: never tried since start
    rejected: int = field(default=0)              # of `waiting`, refused by the centre


# Events per pulled page. The desk's memory during a pull grows with the page (a page's
# rows, decoded events and folded projections live together): 100,000 events pulled in
# pages of 6,000 grew the desk by 99 MB, of 4,000 by 80 MB, with the same CPU within the
# noise in alternating runs (bench/bench_sync_pull.py --page N; target +100 MB at most).
PULL_PAGE_SIZE = 4000


class SyncEngine:
    def __init__(self, local_engine: Engine, central_url: str, *, agency_code: str, desk_number: int,
                 hlc: HybridClock, clock: Clock, batch_size: int = 1000, pull_page_size: int | None = None,
                 connect_timeout: float = 5.0, net_timeout: float | None = None):
        # Pull pages are larger than push batches by default: a page costs a round trip
        # and a GIL hand-off or two, and 6,000 events pulled about 20 % faster than 1,000
        # while a page held the desk's write lock for only ~0.1 s; 4,000 cost the same CPU
        # as 6,000 and less memory (PULL_PAGE_SIZE).
        pull_page_size = pull_page_size or PULL_PAGE_SIZE
        if batch_size < 1 or pull_page_size < 1:
            raise ValueError("batch_size and pull_page_size must be positive")
        self.local = local_engine
        self.store = CentralStore(central_url, agency_code=agency_code, desk_number=desk_number,
                                  connect_timeout=connect_timeout,
                                  **({"net_timeout": net_timeout} if net_timeout else {}))
        self.agency_code = agency_code
        self.desk_number = desk_number
        self.hlc = hlc
        self.clock = clock
        self.batch_size = batch_size
        self.pull_page_size = pull_page_size
        self._run_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._online: bool | None = None
        self._last_error: str | None = None
        self._last_success: datetime | None = local.last_success(local_engine)
        # Fault-injection points for tests (never set in production): called with the batch's
        # event ids inside the central transaction just before COMMIT, right after the
        # central COMMIT (before the local mark), and with a pulled page before it is applied.
        self.before_central_commit: Callable[[list[str]], None] | None = None
        self.after_central_commit: Callable[[list[str]], None] | None = None
        self.before_local_apply: Callable[[list[Event]], None] | None = None

    # -- the one operation ------------------------------------------------------------
    def run_once(self) -> SyncReport:
        """Push then pull. Raises CentralUnavailable if the store cannot be reached or the
        link drops; local data then holds exactly what was already confirmed."""
        with self._run_lock:
            started = self.clock.now()
            report = SyncReport(0, 0, [], {}, started, started)
            try:
                with self.store.session(local.desk_uuid(self.local)) as session:
                    self._push(session, report)
                    self._pull(session, report)
                    self._pull_reference(session, report)
            except CentralUnavailable as exc:
                log.warning("sync failed after %d up, %d down: %s", report.pushed, report.pulled, exc)
                self._set_state(online=False, error=exc.message_vi)
                raise
            except Exception as exc:
                self._set_state(online=None, error=f"Lỗi đồng bộ ({type(exc).__name__}); sẽ thử lại sau.")
                raise
            report.finished_at = self.clock.now()
            local.save_last_success(self.local, report.finished_at)
            self._set_state(online=True, error=None, success=report.finished_at)
            log.info("sync: %d up, %d down, %d refused, reference %s", report.pushed, report.pulled,
                     len(report.rejected), report.reference)
            return report

    def _push(self, session: CentralSession, report: SyncReport) -> None:
        # Three stages overlap: a reader thread reads and checks the next batch, this
        # thread sends the current one, a marker thread writes the previous one's marks
        # (the desk's fsync). Queues of two batches keep memory flat. A mark is queued only
        # after its batch's central COMMIT, and every queued mark is written before this
        # returns or raises, so "marked" always implies "at the centre".
        reader = _Reader(self.local, self.batch_size, self.agency_code)
        marker = _Marker(self.local)
        failed = True
        try:
            for rows, good, refused in reader:
                if good:
                    refused = refused + session.push(good, self.clock.now(), self.before_central_commit)
                    if self.after_central_commit is not None:
                        self.after_central_commit([r.id for r in good])
                refused_ids = {i for i, _ in refused}
                sent = [r.id for r in good if r.id not in refused_ids]
                marker.put(sent, refused, self.clock.now())
                report.pushed += len(sent)
                report.rejected += refused
            failed = False
        finally:
            reader.stop()
            marker.close(raise_error=not failed)

    def _pull(self, session: CentralSession, report: SyncReport) -> None:
        # A fetcher thread downloads the next page while this thread applies the current
        # one (the centre's round trips overlap the desk's fold and fsync). Pages are
        # applied strictly in order, each with its cursor, in one local transaction.
        key = session.store_id or describe_url(self.store.url)
        with _interpreter_tuned_for_pull():
            self._pull_pages(session, key, report)

    def _pull_pages(self, session: CentralSession, key: str, report: SyncReport) -> None:
        # Pages that are ready one after another share a local transaction (see
        # PULL_COMMIT_S): fewer commits, and far fewer FTS segments and checkpoints.
        fetcher = _Fetcher(session, self.local, self.agency_code, self.desk_number,
                           local.get_cursor(self.local, key), self.pull_page_size)
        tx, opened = None, 0.0
        try:
            with apply.puller_connection(self.local) as conn:
                try:
                    for page, (last_seq, pulled, confirmed, prepared) in enumerate(fetcher, 1):
                        if self.before_local_apply is not None:
                            self.before_local_apply([p.event for p in pulled])
                        if tx is None:
                            tx, opened = conn.begin(), time.monotonic()
                        try:
                            fresh, top = apply.apply_pulled(self.local, pulled, confirmed, store_key=key,
                                                            cursor=last_seq, now=self.clock.now(),
                                                            prepared=prepared, conn=conn)
                        except BaseException:
                            tx, failed = None, tx          # a page half applied: the open pages go
                            failed.rollback()
                            raise
                        if top is not None:
                            self.hlc.observe(top)
                        report.pulled += fresh
                        if not fetcher.ready(opened + PULL_COMMIT_S - time.monotonic()):
                            tx, done = None, tx
                            done.commit()
                        if page % PULL_GC_EVERY_PAGES == 0:
                            gc.collect(1)        # the automatic GC is paused for the pull
                finally:
                    # The pull is over, or the centre, the link or a hook failed between two
                    # pages: every page applied is whole (each with its cursor), so it stays.
                    if tx is not None:
                        tx.commit()
        finally:
            fetcher.stop()

    def _pull_reference(self, session: CentralSession, report: SyncReport) -> None:
        missing = sorted(session.procedure_keys() - local.procedure_keys(self.local))
        report.reference = local.apply_reference(
            self.local, procedures=session.procedures(missing) if missing else [],
            overrides=session.holiday_overrides(), accounts=session.accounts(),
            desks=session.desks(), agency_code=self.agency_code)

    # -- cheap local questions (any thread) -------------------------------------------
    def status(self) -> SyncStatus:
        """Local reads only (two counts and a meta row): fast, from any thread. The last
        success comes from the desk file, so a `motcua sync` run elsewhere shows too."""
        waiting, refused = local.waiting_count(self.local)
        stored = local.last_success(self.local)
        with self._state_lock:
            error = self._last_error
            if error is None and refused:
                error = f"{refused} sự kiện bị máy chủ trung tâm từ chối; cần lãnh đạo xem."
            last = max(filter(None, (stored, self._last_success)), default=None)
            return SyncStatus(waiting=waiting, last_success=last, last_error=error,
                              online=self._online, rejected=refused)

    def dossier_synced(self, dossier_id: str) -> bool:
        """True when every local event of the dossier has reached the centre."""
        return local.dossier_synced(self.local, dossier_id)

    def close(self) -> None:
        self.store.dispose()

    def _set_state(self, *, online: bool | None, error: str | None, success: datetime | None = None) -> None:
        with self._state_lock:
            if online is not None:
                self._online = online
            self._last_error = error
            if success is not None:
                self._last_success = success


# Push marks are written a few batches at a time: one local transaction (and fsync) per
# MARK_EVERY_EVENTS events, or per MARK_AFTER_S seconds, whichever comes first, and
# always all of them before the push returns or raises. Delaying a mark is always safe
# (marked still implies at the centre; a desk killed before the write re-sends those
# batches and the centre ignores them, or the pull finds them there and marks them);
# one transaction per batch of 1,000 was a quarter of the push's CPU.
MARK_EVERY_EVENTS = 10_000
MARK_AFTER_S = 1.0


class _Marker:
    """Writes push marks on its own thread, in order; close() waits for all of them."""

    _FLUSH = object()

    def __init__(self, engine: Engine):
        self.engine = engine
        self.queue: queue.Queue = queue.Queue(maxsize=4)      # bounded: memory stays flat
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="motcua-sync-mark", daemon=True)
        self.thread.start()

    def put(self, sent: list[str], refused: list[tuple[str, str]], now: datetime) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((sent, refused, now))

    def _run(self) -> None:
        pending: list = []
        count, since = 0, 0.0
        while True:
            if pending:
                try:
                    item = self.queue.get(timeout=max(0.0, since + MARK_AFTER_S - time.monotonic()))
                except queue.Empty:
                    item = self._FLUSH
            else:
                item = self.queue.get()
            if item is not None and item is not self._FLUSH:
                if not pending:
                    since = time.monotonic()
                pending.append(item)
                count += len(item[0]) + len(item[1])
            if pending and (item is None or item is self._FLUSH or count >= MARK_EVERY_EVENTS
                            or time.monotonic() - since >= MARK_AFTER_S):
                self._write(pending)
                pending, count = [], 0
            if item is None:
                return

    def _write(self, batches: list) -> None:
        if self.error is None:
            try:
                local.mark_pushed_many(self.engine, batches)
            except BaseException as exc:      # surfaced by put()/close()
                self.error = exc

    def close(self, raise_error: bool = True) -> None:
        self.queue.put(None)
        self.thread.join()
        if raise_error and self.error is not None:
            raise self.error


# While a pull runs, two threads share the GIL: the fetcher decodes and folds in Python,
# the applier mostly waits in SQLite with the GIL released. Each time the applier came
# back from SQLite it waited up to a whole switch interval (5 ms) for the fetcher to let
# go -- some 300 times per 100,000 events -- and the cyclic GC re-scanned the whole heap
# every few pages for the new objects, none of which form cycles (plain rows, events and
# dicts, freed by reference counting). So while some pull runs the switch interval is
# short and the automatic GC paused. The applier collects the young generations every
# few pages instead, so what cyclic garbage the drivers leave never piles up (measured: a
# 300,000-event push-and-pull grew the desk by 61 MB without it, 31 MB with it, whether
# every page or every fourth; every page cost 6 % of the pull). Both settings are
# process-wide and put back after the last pull; together they took a 100,000-event pull
# from 2.3-2.5 s to 1.6-1.8 s.
PULL_SWITCH_INTERVAL_S = 0.0005
# Pages applied within this long of the transaction's start share it: the applier waits
# for the next page inside the transaction until then, and commits when it is up (or the
# pull ends). A large pull then commits every few pages instead of every page (each
# commit flushed the dossier search indexes into new FTS segments and merged them), while
# the desk's write lock is never held much longer than this (a clerk saving a dossier
# meanwhile waits at most about this much more) nor across a stalled link.
PULL_COMMIT_S = 0.5
PULL_GC_EVERY_PAGES = 4
_tuning_lock = threading.Lock()
_tuning_users = 0
_tuning_saved: tuple[bool, float] = (True, 0.005)


@contextmanager
def _interpreter_tuned_for_pull() -> Iterator[None]:
    global _tuning_users, _tuning_saved
    with _tuning_lock:
        if _tuning_users == 0:
            _tuning_saved = (gc.isenabled(), sys.getswitchinterval())
            gc.disable()
            sys.setswitchinterval(min(PULL_SWITCH_INTERVAL_S, _tuning_saved[1]))
        _tuning_users += 1
    try:
        yield
    finally:
        with _tuning_lock:
            _tuning_users -= 1
            if _tuning_users == 0:
                if _tuning_saved[0]:
                    gc.enable()
                sys.setswitchinterval(_tuning_saved[1])


class _Reader:
    """Reads and checks unsent batches on its own thread, one or two ahead of the sender."""

    _END = object()

    def __init__(self, engine: Engine, batch_size: int, agency_code: str, depth: int = 2):
        # depth: items waiting in the queue. A pull page, decoded and folded, is tens of
        # MB; one waiting page (plus the one being made) keeps the applier fed and the
        # desk's memory within +100 MB.
        self.engine, self.batch_size, self.agency_code = engine, batch_size, agency_code
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="motcua-sync-read", daemon=True)
        self.thread.start()

    def _offer(self, item) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            after = None
            while not self.stopped.is_set():
                rows = local.unsent_batch(self.engine, self.batch_size, after)
                if not rows:
                    break
                after = (rows[-1].hlc, rows[-1].id)
                good, refused = local.check_batch(rows, self.agency_code)
                if not self._offer((rows, good, refused)) or len(rows) < self.batch_size:
                    break
            self._offer(self._END)
        except BaseException as exc:               # handed to the consumer
            self._offer(exc)

    def __iter__(self):
        while True:
            item = self.queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def ready(self, wait: float = 0.0) -> bool:
        """Whether the next item is waiting (the consumer will not block), after waiting
        up to `wait` seconds for it."""
        q = self.queue
        with q.not_empty:
            if not q.queue and wait > 0:
                q.not_empty.wait(wait)
            return bool(q.queue)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


_DESK = PUSH_FIELDS.index("desk_number")
_FIRST_PAGE = 1000


class _Fetcher(_Reader):
    """Downloads pull pages on its own thread, one or two ahead of the applier, decoded and
    folded as far as can be done without the desk's data. A page is one query; the desk's
    own events come back without payload (an id each) and are fetched only if missing."""

    def __init__(self, session: CentralSession, engine: Engine, agency_code: str, desk_number: int,
                 cursor: int, batch_size: int):
        self.session, self.cursor, self.desk_number = session, cursor, desk_number
        self.sqlite = engine.dialect.name == "sqlite"
        super().__init__(engine, batch_size, agency_code, depth=1)

    def _run(self) -> None:
        try:
            cursor = self.cursor
            size = min(self.batch_size, _FIRST_PAGE)     # so the applier starts sooner
            while not self.stopped.is_set():
                page = self.session.pull_page(cursor, size)
                if not page:
                    break
                mine = self.desk_number          # by position: Row attributes cost 10x more
                rows = [r for r in page if r[_DESK] != mine]
                own = [r[0] for r in page if r[_DESK] == mine]
                confirmed: list[str] = []
                if own:          # normally all here; a desk restored from a backup lacks some
                    here = local.local_status(self.engine, own)
                    confirmed = [i for i in own if here.get(i) is False]
                    lacking = [i for i in own if i not in here]
                    if lacking:
                        rows += self.session.fetch_events(lacking)
                pulled = apply.decode_pulled(rows, self.agency_code)
                cursor = page[-1][-1]            # seq, the last column of a page
                if not self._offer((cursor, pulled, confirmed, apply.prefold(pulled, self.sqlite))) or len(page) < size:
                    break
                size = self.batch_size
            self._offer(self._END)
        except BaseException as exc:               # handed to the consumer
            self._offer(exc)
