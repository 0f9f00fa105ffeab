"""Services' fields carry real types (resolved here the way a type checker does)."""
from __future__ import annotations

import typing

from sqlalchemy import Engine

import tui.services
from db.accounts import AccountRepo
from db.calendar import CalendarRepo
from db.catalogue import CatalogueRepo
from db.dossiers import DossierRepo
from db.print_jobs import PrintJobRepo
from db.sync import SyncEngine
from printers.service import PrintService


def test_every_service_field_has_its_real_type():
    names = {"Engine": Engine, "AccountRepo": AccountRepo, "CalendarRepo": CalendarRepo,
             "CatalogueRepo": CatalogueRepo, "DossierRepo": DossierRepo, "PrintJobRepo": PrintJobRepo,
             "SyncEngine": SyncEngine, "PrintService": PrintService}
    hints = typing.get_type_hints(tui.services.Services, globalns={**vars(tui.services), **names})
    assert object not in hints.values()
    assert hints["dossiers"] is DossierRepo and hints["print_jobs"] is PrintJobRepo
    assert hints["engine"] is Engine and hints["sync"] == SyncEngine | None


def test_the_service_types_cost_nothing_at_run_time():
    # Under TYPE_CHECKING only: importing the composition root does not load the printers.
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", "import sys, tui.services; "
                           "print('printers.service' in sys.modules, 'db.sync.engine' in sys.modules)"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "False"], done.stderr
