"""Persistence: SQLModel tables, the engine, Alembic migrations, and repositories that turn
rows into core objects (dossier event log + projection, print jobs, accounts, catalogue,
calendar overrides). Imports are lazy so `import db` stays cheap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "make_engine": "db.engine", "DatabaseBusy": "db.engine",
    "upgrade": "db.migrate",
    "DossierRepo": "db.dossiers", "ReceiveResult": "db.dossiers", "TransitionError": "db.dossiers",
    "DossierNotFound": "db.dossiers",
    "PrintJobRepo": "db.print_jobs", "PrintJob": "db.print_jobs",
    "AccountRepo": "db.accounts",
    "CatalogueRepo": "db.catalogue", "ImportReport": "db.catalogue",
    "CalendarRepo": "db.calendar",
    "ensure_demo_setup": "db.demo.seed", "seed_dossiers": "db.demo.seed",
    "last_local_hlc": "db.meta",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from db.accounts import AccountRepo
    from db.calendar import CalendarRepo
    from db.catalogue import CatalogueRepo, ImportReport
    from db.dossiers import DossierNotFound, DossierRepo, ReceiveResult, TransitionError
    from db.engine import DatabaseBusy, make_engine
    from db.meta import last_local_hlc
    from db.migrate import upgrade
    from db.print_jobs import PrintJob, PrintJobRepo
    from db.demo.seed import ensure_demo_setup, seed_dossiers


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'db' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(module), name)
