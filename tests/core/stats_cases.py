"""Hand-made dossier histories with known answers, shared by core and db statistics tests.

Period: March 2025. Every figure of the issue is non-zero at least once."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from core.stats import Facts, Period

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def case(id, received, due, *, status=4, channel=1, resolved=None, returned=None, closed=None,
         supplements=0, apologies=0, field="Hộ tịch", procedure="1.001193", clerk="c1", desk=1,
         agency="000.21.53.H48") -> Facts:
    return Facts(id=id, status=status, channel=channel, received_at=_dt(received),
                 original_due_at=_dt(due), resolved_at=resolved and _dt(resolved),
                 returned_at=returned and _dt(returned), closed_at=closed and _dt(closed),
                 supplement_count=supplements, apology_count=apologies, procedure_code=procedure,
                 procedure_name=f"Thủ tục {procedure}", procedure_field=field, received_by=clerk,
                 agency_code=agency, desk_number=desk)


CASES = [
    case("A", "2025-02-20 09:00", "2025-02-25 17:00", status=9, resolved="2025-03-03 10:00"),
    case("B", "2025-02-25 08:00", "2025-03-10 17:00", apologies=1, field="Chứng thực",
         procedure="2.000815", clerk="c2"),
    case("C", "2025-03-05 08:00", "2025-03-07 17:00", channel=2, status=9, resolved="2025-03-06 15:00"),
    case("D", "2025-03-05 08:30", "2025-03-05 17:00", channel=3, status=10,
         resolved="2025-03-05 16:00", returned="2025-03-06 08:00", field="Chứng thực",
         procedure="2.000815", desk=2),
    case("E", "2025-03-10 09:00", "2025-03-10 17:00", status=3, closed="2025-03-10 09:05"),
    case("F", "2025-03-12 10:00", "2025-03-14 17:00", status=7, closed="2025-03-13 11:00", clerk="c2"),
    case("G", "2025-03-20 10:00", "2025-03-25 17:00", status=5, supplements=2),
    case("H", "2025-03-28 14:00", "2025-04-02 17:00", status=10, returned="2025-03-30 09:00", desk=2),
    case("I", "2025-01-10 09:00", "2025-01-14 17:00", status=9, resolved="2025-01-15 09:00"),
    case("J", "2025-04-02 09:00", "2025-04-03 17:00"),
    case("K", "2025-03-30 09:00", "2025-04-05 17:00", field="Chứng thực", procedure="2.000815"),
    case("L", "2025-02-10 09:00", "2025-02-12 17:00", status=8, closed="2025-03-15 09:00", clerk="c2"),
]

EXPECTED = {
    "received": 6, "received_online": 1, "received_direct_postal": 5, "received_postal": 1,
    "not_accepted": 1, "carried_over": 3, "resolved": 4, "resolved_early": 2, "resolved_on_time": 1,
    "resolved_late": 1, "withdrawn_stopped": 2, "in_progress": 3, "in_progress_on_time": 2,
    "in_progress_late": 1, "waiting_supplement": 1, "same_day": 1, "apologies": 1,
    "late_with_apology": 1, "late_without_apology": 1, "supplement_over_once": 1,
}
EXPECTED_WORKING_DAYS = 8      # A: 7, C: 1, D: 0, H: 0 (weekdays only)


def weekdays_between(a: date, b: date) -> int:
    """Working days after a up to b, counting Monday-Friday only (a stand-in calendar)."""
    return sum(1 for n in range(1, (b - a).days + 1) if (a + timedelta(n)).weekday() < 5)


# -- random histories (hypothesis) ------------------------------------------------------

from hypothesis import strategies as st  # noqa: E402

BASE = datetime(2025, 1, 1, 8, 0)
FIELDS = ("Hộ tịch", "Chứng thực", "")


@st.composite
def random_facts(draw, n: int = 0) -> Facts:
    received = BASE + timedelta(days=draw(st.integers(0, 90)), minutes=draw(st.integers(0, 600)))
    due = received + timedelta(days=draw(st.integers(-1, 10)), hours=draw(st.integers(0, 9)))
    outcome = draw(st.sampled_from(["open", "supplement", "result", "returned", "returned_only",
                                    "withdrawn", "stopped", "refused"]))
    # End may even precede the receipt (a desk clock set wrong): the identity must survive it.
    end = received + timedelta(days=draw(st.integers(-2, 40)), minutes=draw(st.integers(0, 900)))
    later = end + timedelta(days=draw(st.integers(0, 5)))
    kw: dict = {"status": 4}
    if outcome == "supplement":
        kw = {"status": 5}
    elif outcome == "result":
        kw = {"status": 9, "resolved_at": end}
    elif outcome == "returned":
        kw = {"status": 10, "resolved_at": end, "returned_at": later}
    elif outcome == "returned_only":
        kw = {"status": 10, "returned_at": end}
    elif outcome in ("withdrawn", "stopped", "refused"):
        kw = {"status": {"withdrawn": 7, "stopped": 8, "refused": 3}[outcome], "closed_at": end}
    return Facts(id=f"d{draw(st.integers(0, 10**9))}", channel=draw(st.sampled_from([1, 2, 3])),
                 received_at=received, original_due_at=due,
                 supplement_count=draw(st.integers(0, 3)), apology_count=draw(st.integers(0, 1)),
                 procedure_code=draw(st.sampled_from(["1.001193", "2.000815"])),
                 procedure_name="Thủ tục", procedure_field=draw(st.sampled_from(FIELDS)),
                 received_by=draw(st.sampled_from(["c1", "c2"])), agency_code="000.21.53.H48",
                 desk_number=draw(st.sampled_from([1, 2])), **kw)


@st.composite
def random_period(draw) -> Period:
    start = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 100)))
    return Period(start, start + timedelta(days=draw(st.integers(0, 45))))
