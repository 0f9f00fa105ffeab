"""Desk files full of unsent events, for the sync benchmarks.

`make_desk_file(path, agency, desk, dossiers)` writes a migrated desk SQLite file set up
for (agency, desk) with `dossiers` dossiers received on one day, each with a realistic
story (received -> transferred -> result ready -> returned, some rated or noted): about
four events per dossier, receipts carrying the full procedure snapshot (~1.5 kB), all
waiting to be pushed. Rows are built from core objects (the real payloads, HLC stamps and
folds) and written with executemany, so a 100,000-event desk takes seconds, not the hours
100,000 separate clerk transactions would.
"""
from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.clock import FixedClock, HybridClock  # noqa: E402
from core.codes import format_dossier_code  # noqa: E402
from core.demo_catalogue import DEMO_PROCEDURES  # noqa: E402
from core.ids import new_id  # noqa: E402
from core.lifecycle import Event, EventKind, fold  # noqa: E402
from core.people import Agency, Applicant, Clerk, Desk, Role  # noqa: E402
from core.receive import ReceiveDraft  # noqa: E402
from core.receive import receipt_payload  # noqa: E402
from db.engine import make_engine, write_tx  # noqa: E402
from db.meta import KEY_AGENCY, KEY_DESK, raise_hlc, set_meta  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import account, agency as agency_t, daily_sequence, desk as desk_t, dossier, event  # noqa: E402
from db.rows import event_to_row, state_to_row  # noqa: E402

NAMES = ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Minh Đức",
         "Võ Thị Hồng", "Đặng Quốc Huy", "Bùi Thị Lan")
DAY = datetime(2025, 9, 22, 7, 30)


def make_events(agency_code: str, desk_number: int, dossiers: int, *, seed: int = 1,
                day: datetime = DAY) -> tuple[list[Event], list]:
    """(events in creation order, final dossier states) for one desk's busy day(s)."""
    rng = random.Random(seed)
    clock = FixedClock(day)
    hlc = HybridClock(clock, f"{agency_code}/{desk_number}")
    ag = Agency(agency_code, f"UBND xã {agency_code}")
    dk = Desk(agency_code, desk_number, f"Quầy {desk_number}")
    clerk = Clerk(id=f"clerk-{agency_code}-{desk_number}", username=f"canbo{desk_number}",
                  full_name="Cán bộ một cửa", role=Role.CLERK, agency_code=agency_code)
    events: list[Event] = []
    states = []
    step = timedelta(seconds=max(1, int(9 * 3600 / max(1, dossiers))))
    for i in range(dossiers):
        proc = DEMO_PROCEDURES[rng.randrange(len(DEMO_PROCEDURES))]
        applicant = Applicant(full_name=rng.choice(NAMES), id_number=f"051{rng.randrange(10**9):09d}",
                              address="Thôn Mỹ Lai, xã Tịnh Khê, tỉnh Quảng Ngãi",
                              phone=f"09{rng.randrange(10**8):08d}")
        draft = ReceiveDraft(applicant=applicant, procedure=proc, documents=proc.documents)
        now = clock.now()
        code = format_dossier_code(agency_code, now.date(), desk_number, i + 1)
        payload = receipt_payload(draft, code=code, agency_name=ag.name, desk_number=dk.number,
                                  clerk_name=clerk.full_name, received_at=now, due_at=now + timedelta(days=3))
        did = new_id()
        mine = [Event(new_id(), did, agency_code, desk_number, clerk.id, hlc.stamp(), now,
                      EventKind.RECEIVED, payload)]
        story = [EventKind.TRANSFERRED, EventKind.RESULT_READY, EventKind.RETURNED]
        story = story[:rng.choice((1, 2, 3, 3, 3))]
        if rng.random() < 0.3:
            story.append(EventKind.RATED)
        if rng.random() < 0.2:
            story.append(EventKind.NOTE)
        for kind in story:
            clock.advance(seconds=1)
            p = {"level": "hai_long"} if kind is EventKind.RATED else {"text": "Đã gọi điện báo công dân"} \
                if kind is EventKind.NOTE else {}
            mine.append(Event(new_id(), did, agency_code, desk_number, clerk.id, hlc.stamp(), clock.now(), kind, p))
        events.extend(mine)
        states.append(fold(mine))
        clock.at = now + step
    return events, states


def make_desk_file(path: Path, agency_code: str, desk_number: int, dossiers: int, *, seed: int = 1,
                   day: datetime = DAY) -> int:
    """A fresh desk SQLite at `path` with `dossiers` dossiers of unsent events; returns the event count."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    events, states = make_events(agency_code, desk_number, dossiers, seed=seed, day=day)
    with write_tx(engine) as conn:
        conn.execute(agency_t.insert().values(code=agency_code, name=f"UBND xã {agency_code}", created_at=day))
        conn.execute(desk_t.insert().values(agency_code=agency_code, number=desk_number, name="", created_at=day))
        conn.execute(account.insert().values(id=f"clerk-{agency_code}-{desk_number}", agency_code=agency_code,
                                             username=f"canbo{desk_number}", password_hash="x",
                                             full_name="Cán bộ một cửa", role="clerk", active=True, created_at=day))
        set_meta(conn, KEY_AGENCY, agency_code)
        set_meta(conn, KEY_DESK, str(desk_number))
        conn.execute(daily_sequence.insert().values(agency_code=agency_code, desk_number=desk_number,
                                                    day=day.date(), last_seq=dossiers))
    for i in range(0, len(events), 20000):
        with write_tx(engine) as conn:
            conn.execute(event.insert(), [event_to_row(e) for e in events[i:i + 20000]])
    for i in range(0, len(states), 20000):
        with write_tx(engine) as conn:
            conn.execute(dossier.insert(), [state_to_row(s) for s in states[i:i + 20000]])
    if events:
        with write_tx(engine) as conn:
            raise_hlc(conn, max(e.hlc for e in events))
    engine.dispose()
    return len(events)


if __name__ == "__main__":
    n = make_desk_file(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    print(n)
