"""The composition root: the one place that creates concrete objects.

`build_services` reads settings and builds the engine (migrated), repositories, calendar,
printer service and clocks. The CLI, the app and the tests all go through it.
"""
from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.clock import Clock, HybridClock, SystemClock
from core.people import Agency, Desk
from tui.config import Settings, data_dir
from tui.drafts import DraftStore

if TYPE_CHECKING:      # real types for readers and checkers; imported lazily at run time
    from sqlalchemy import Engine

    from db.accounts import AccountRepo
    from db.calendar import CalendarRepo
    from db.catalogue import CatalogueRepo
    from db.dossiers import DossierRepo
    from db.print_jobs import PrintJobRepo
    from db.ratings import RatingsRepo
    from db.sync import SyncEngine
    from printers.service import PrintService

log = logging.getLogger("motcua")


@dataclass
class Services:
    settings: Settings
    clock: Clock
    engine: Engine
    hlc: HybridClock
    dossiers: DossierRepo
    accounts: AccountRepo
    catalogue: CatalogueRepo
    calendar_repo: CalendarRepo
    print_jobs: PrintJobRepo
    demo_accounts: list = field(default_factory=list)
    sync: SyncEngine | None = None     # when a central store is configured
    ratings: RatingsRepo | None = None  # its hook opens the kiosk's prompts (db/ratings.py)
    drafts: DraftStore | None = None   # forms being typed (tui/drafts.py)
    _printer: PrintService | None = None
    _calendar: tuple = (None, None)    # (overrides it was built from, WorkingCalendar)

    @property
    def agency(self) -> Agency | None:
        return self.accounts.agency()

    @property
    def desk(self) -> Desk | None:
        return self.accounts.desk()

    def calendar(self):
        """The working-day calendar, rebuilt only when the local overrides change (a sync or
        `motcua calendar set` may change them): building it recomputes the holiday years,
        which the receipt path would otherwise pay on every confirm."""
        from core.calendar import WorkingCalendar   # holidays is slow to import: not at start-up
        overrides = tuple(self.calendar_repo.overrides())
        built_from, calendar = self._calendar
        if calendar is None or built_from != overrides:
            calendar = WorkingCalendar(overrides, self.settings.office_hours())
            self._calendar = (overrides, calendar)
        return calendar

    def use_printer(self, **values) -> None:
        """Switch to a printer just chosen (first-run setup) without a restart: `values`
        are Settings fields (printer_uri, paper_mm, print_mode, codepage)."""
        from dataclasses import replace
        self.settings = replace(self.settings, **values)
        self._printer = None

    @property
    def printer(self):
        # Imported lazily: Pillow, qrcode and python-escpos are not needed to reach the
        # login screen, and keeping them off the start-up path keeps start-up quick.
        if self._printer is None:
            from printers.profile import PrinterProfile
            from printers.service import PrintService
            s = self.settings
            profile = PrinterProfile(paper_mm=s.paper_mm, mode=s.print_mode,
                                     codepage=s.codepage or None, native_qr=s.native_qr,
                                     copies=s.copies)
            self._printer = PrintService(s.resolved_printer_uri(), profile, timeout=s.print_timeout)
        return self._printer


def build_services(settings: Settings, clock: Clock | None = None, *, seed_demo: int = 300) -> Services:
    from db.accounts import AccountRepo
    from db.calendar import CalendarRepo
    from db.catalogue import CatalogueRepo
    from db.dossiers import DossierRepo
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.print_jobs import PrintJobRepo

    clock = clock or SystemClock()
    url = settings.resolved_db_url()
    engine = make_engine(url, busy_timeout_ms=settings.db_busy_timeout_ms)
    upgrade(engine)
    accounts = AccountRepo(engine, clock)
    demo_accounts: list = []
    if settings.demo:
        from db.demo.seed import ensure_demo_setup
        demo_accounts = list(ensure_demo_setup(engine, clock))
    desk = accounts.desk()
    node = f"{desk.agency_code}/{desk.number}" if desk else "setup"
    from db.meta import last_local_hlc
    hlc = HybridClock(clock, node, last_local_hlc(engine))
    services = Services(
        settings=settings, clock=clock, engine=engine, hlc=hlc,
        dossiers=DossierRepo(engine, hlc, clock), accounts=accounts,
        catalogue=CatalogueRepo(engine, clock), calendar_repo=CalendarRepo(engine),
        print_jobs=PrintJobRepo(engine, clock), demo_accounts=demo_accounts,
        drafts=DraftStore(drafts_dir(url)),
    )
    services.print_jobs.recover_interrupted()
    from db.ratings import RatingsRepo
    services.ratings = RatingsRepo(engine, clock, hlc, settings.rating_config())
    services.dossiers.hooks.append(services.ratings.on_event)
    if settings.central_url and desk is not None:
        services.sync = make_sync(services)
    if settings.demo and seed_demo and services.dossiers.count() == 0:
        from db.demo.seed import seed_dossiers
        seed_dossiers(engine, n=seed_demo, days=30, clock=clock, hlc=hlc)
    return services


def drafts_dir(db_url: str) -> Path:
    """Beside the desk's SQLite file (one desk file, one set of drafts); else the data dir."""
    if db_url.startswith("sqlite:///") and len(db_url) > len("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        return path.parent / f"{path.stem}-drafts"
    return data_dir() / "drafts"


def make_sync(services: Services):
    from db.sync import SyncEngine
    desk = services.desk
    return SyncEngine(services.engine, services.settings.resolved_central_url(), agency_code=desk.agency_code,
                      desk_number=desk.number, hlc=services.hlc, clock=services.clock)


LOG_BYTES = 2_000_000
LOG_BACKUPS = 5


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose every new file is owner-only, like the first."""

    def _open(self):
        stream = super()._open()
        try:
            os.chmod(self.baseFilename, 0o600)
        except OSError:
            pass
        return stream


def setup_logging() -> Path:
    """Log to a file in the data directory; never personal data, only ids and reasons. The
    file rotates (5 old files of 2 MB), so a year of logs on a desk PC stays bounded; every
    file of it is private (0600, in a 0700 directory)."""
    from db.files import private_file
    path = private_file(data_dir() / "motcua.log")        # 0600 in a 0700 directory when new
    root = logging.getLogger()
    if not any(isinstance(h, PrivateRotatingFileHandler) for h in root.handlers):
        handler = PrivateRotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS,
                                             encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path
