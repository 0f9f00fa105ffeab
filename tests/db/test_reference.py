"""Reference data: the versioned catalogue and the calendar's override table."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.calendar import Override, OverrideKind
from core.demo_catalogue import DEMO_PROCEDURES
from db.calendar import CalendarRepo
from db.catalogue import CatalogueRepo


def test_catalogue_versions(engine, clock):
    cat = CatalogueRepo(engine, clock)
    first = cat.import_procedures(DEMO_PROCEDURES)
    assert (first.added, first.new_versions, first.unchanged) == (21, 0, 0)
    assert cat.count() == 21
    again = cat.import_procedures(DEMO_PROCEDURES)
    assert (again.added, again.new_versions, again.unchanged) == (0, 0, 21)
    birth = cat.get("1.001193")
    changed = replace(birth, fee=8000, fee_note="")
    report = cat.import_procedures([changed])
    assert (report.added, report.new_versions, report.unchanged) == (0, 1, 0)
    assert cat.get("1.001193").version == 2 and cat.get("1.001193").fee == 8000
    assert cat.get("1.001193", version=1) == birth and birth.version == 1
    assert cat.versions("1.001193") == [1, 2]
    current = cat.current()
    assert [p.code for p in current] == sorted(p.code for p in DEMO_PROCEDURES)
    assert next(p for p in current if p.code == "1.001193").version == 2
    assert cat.get("9.999999") is None
    # Re-importing version 1's content is a change too: it becomes version 3.
    assert cat.import_procedures([birth]).new_versions == 1 and cat.get("1.001193").version == 3


def test_calendar_overrides(engine, clock):
    cal = CalendarRepo(engine)
    assert cal.overrides() == []
    cal.put(Override(date(2026, 8, 22), OverrideKind.WORKED_DAY, "Làm bù"), by="admin")
    cal.put(Override(date(2026, 1, 2), OverrideKind.DAY_OFF, "Nghỉ thêm"), by="admin")
    cal.put(Override(date(2026, 1, 2), OverrideKind.CANCEL_DAY_OFF, "Đi làm"), by="admin")
    assert cal.overrides() == [Override(date(2026, 1, 2), OverrideKind.CANCEL_DAY_OFF, "Đi làm"),
                               Override(date(2026, 8, 22), OverrideKind.WORKED_DAY, "Làm bù")]
    cal.remove(date(2026, 1, 2))
    assert [o.day for o in cal.overrides()] == [date(2026, 8, 22)]


def test_a_job_cut_off_while_printing_comes_back_as_failed(tmp_path, monkeypatch):
    from datetime import datetime
    from core.clock import FixedClock
    from core.slips import Slip
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.print_jobs import PrintJobRepo
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    upgrade(engine)
    jobs = PrintJobRepo(engine, FixedClock(datetime(2026, 11, 23, 9, 0)))
    job = jobs.enqueue("d1", Slip(kind="receipt", header=("A",), title="T"), 1, "dummy:")
    jobs.mark_printing(job)
    assert jobs.pending() == []
    assert jobs.recover_interrupted() == 0          # its process (this one) still runs
    monkeypatch.setattr("db.print_jobs.pid_alive", lambda pid: False)   # ... and now it is gone
    assert jobs.recover_interrupted() == 1
    [again] = jobs.pending()
    assert again.id == job and again.status == "failed" and "gián đoạn" in again.reason
