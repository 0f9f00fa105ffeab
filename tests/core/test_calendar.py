"""The working-day calendar and the appointment rule (core.calendar)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import (DayInfo, OfficeHours, Override, OverrideKind, WorkingCalendar,
                           add_months)
from core.catalogue import Term, TermUnit

CAL = WorkingCalendar()
SD = Term(0, TermUnit.SAME_DAY)


def wd(n: int) -> Term:
    return Term(n, TermUnit.WORKING_DAYS)


def hrs(n: int) -> Term:
    return Term(n, TermUnit.WORKING_HOURS)


def at(text: str) -> datetime:
    return datetime.strptime(text, "%H:%M %d/%m/%Y")


def due(received: str, term: Term, cutoff: bool = True, cal: WorkingCalendar = CAL) -> str:
    return f"{cal.due(at(received), term, cutoff):%H:%M %d/%m/%Y}"


# -- Tết ---------------------------------------------------------------------------------

@pytest.mark.parametrize("day", [date(2025, 1, 27) + timedelta(days=i) for i in range(7)])
def test_tet_2025_is_off(day):
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("received, term, expected", [
    ("14:00 24/01/2025", SD, "17:00 24/01/2025"),        # last day before Tết
    ("15:01 24/01/2025", SD, "17:00 03/02/2025"),        # after cut-off: first day after Tết
    ("10:00 24/01/2025", wd(3), "17:00 05/02/2025"),
    ("09:00 29/01/2025", SD, "17:00 03/02/2025"),        # received during Tết
    ("09:00 29/01/2025", wd(1), "17:00 04/02/2025"),
])
def test_tet_2025(received, term, expected):
    assert due(received, term) == expected


def test_tet_2026_days_off_including_the_weekends_around_it():
    assert CAL.is_working_day(date(2026, 2, 13))
    for d in range(14, 23):
        assert not CAL.is_working_day(date(2026, 2, d)), d
    assert CAL.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize("received, term, expected", [
    ("15:00 13/02/2026", SD, "17:00 13/02/2026"),        # exactly at the cut-off: same day
    ("15:01 13/02/2026", SD, "17:00 23/02/2026"),
    ("10:00 13/02/2026", wd(3), "17:00 25/02/2026"),
    ("16:00 13/02/2026", wd(3), "17:00 26/02/2026"),      # cut-off moves D0 to 23/02
    ("09:00 14/02/2026", SD, "17:00 23/02/2026"),        # Saturday before Tết
    ("10:00 13/02/2026", Term(5, TermUnit.CALENDAR_DAYS), "17:00 23/02/2026"),  # 18/02 is off
])
def test_tet_2026(received, term, expected):
    assert due(received, term) == expected


# -- the swaps -----------------------------------------------------------------------------

def test_2024_swap_monday_off_saturday_worked():
    assert not CAL.is_working_day(date(2024, 4, 29))
    assert CAL.is_working_day(date(2024, 5, 4))            # a Saturday
    assert due("10:00 26/04/2024", wd(1)) == "17:00 02/05/2024"
    assert due("10:00 26/04/2024", wd(3)) == "17:00 04/05/2024"
    assert due("10:00 04/05/2024", SD) == "17:00 04/05/2024"
    assert due("15:30 04/05/2024", SD) == "17:00 06/05/2024"


def test_2025_swap_friday_off_saturday_worked():
    assert not CAL.is_working_day(date(2025, 5, 2))
    assert CAL.is_working_day(date(2025, 4, 26))
    assert due("16:00 25/04/2025", SD) == "17:00 26/04/2025"
    assert due("10:00 26/04/2025", wd(1)) == "17:00 28/04/2025"
    assert due("10:00 29/04/2025", wd(1)) == "17:00 05/05/2025"


def test_2026_worked_saturday_22_08_and_monday_31_08_off():
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not CAL.is_working_day(date(2026, 8, 31))
    assert due("15:30 21/08/2026", SD) == "17:00 22/08/2026"
    assert due("10:00 22/08/2026", wd(1)) == "17:00 24/08/2026"
    assert due("10:00 28/08/2026", wd(1)) == "17:00 03/09/2026"   # 31/8, 1/9, 2/9 off


# -- the cut-off ---------------------------------------------------------------------------

@pytest.mark.parametrize("hhmm, with_cutoff, without_cutoff", [
    ("14:59", "12/03/2025", "12/03/2025"),
    ("15:00", "12/03/2025", "12/03/2025"),
    ("15:01", "13/03/2025", "12/03/2025"),
    ("17:00", "13/03/2025", "12/03/2025"),
    ("17:01", "13/03/2025", "13/03/2025"),
])
def test_cutoff_both_sides(hhmm, with_cutoff, without_cutoff):
    received = f"{hhmm} 12/03/2025"
    assert due(received, SD, cutoff=True) == f"17:00 {with_cutoff}"
    assert due(received, SD, cutoff=False) == f"17:00 {without_cutoff}"


def test_cutoff_shifts_working_day_counting():
    assert due("14:59 12/03/2025", wd(2)) == "17:00 14/03/2025"
    assert due("15:01 12/03/2025", wd(2)) == "17:00 17/03/2025"
    assert due("15:01 12/03/2025", wd(2), cutoff=False) == "17:00 14/03/2025"


def test_cutoff_seconds_after_15_00_count_as_after():
    assert CAL.d0(datetime(2025, 3, 12, 15, 0, 0), True) == date(2025, 3, 12)
    assert CAL.d0(datetime(2025, 3, 12, 15, 0, 1), True) == date(2025, 3, 13)


def test_configured_hours_change_cutoff_and_closing():
    cal = WorkingCalendar(hours=OfficeHours(
        sessions=((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30))),
        cutoff=time(14, 0), closing=time(16, 30)))
    assert due("14:30 12/03/2025", SD, cal=cal) == "16:30 13/03/2025"
    assert due("14:30 12/03/2025", SD, cutoff=False, cal=cal) == "16:30 12/03/2025"


# -- weekends ------------------------------------------------------------------------------

@pytest.mark.parametrize("cutoff", [True, False])
def test_receipt_on_a_weekend_starts_monday(cutoff):
    assert due("09:00 08/03/2025", SD, cutoff) == "17:00 10/03/2025"   # Saturday
    assert due("09:00 09/03/2025", SD, cutoff) == "17:00 10/03/2025"   # Sunday
    assert due("09:00 09/03/2025", wd(2), cutoff) == "17:00 12/03/2025"


# -- working hours -------------------------------------------------------------------------

@pytest.mark.parametrize("received, n, expected", [
    ("10:45 12/03/2025", 1, "13:45 12/03/2025"),   # across lunch
    ("10:30 12/03/2025", 1, "11:30 12/03/2025"),   # ends exactly at the session end
    ("12:00 12/03/2025", 1, "14:30 12/03/2025"),   # received at lunch: from 13:30
    ("06:00 12/03/2025", 1, "08:00 12/03/2025"),   # before opening
    ("16:30 12/03/2025", 2, "08:30 13/03/2025"),   # overnight
    ("18:00 12/03/2025", 1, "08:00 13/03/2025"),   # after closing
    ("16:00 14/03/2025", 2, "08:00 17/03/2025"),   # over a weekend
    ("16:00 24/01/2025", 8, "16:00 03/02/2025"),   # over Tết: 1 h + 4.5 h + 2.5 h
    ("10:00 12/03/2025", 0, "10:00 12/03/2025"),
])
def test_working_hours(received, n, expected):
    assert due(received, hrs(n), cutoff=False) == expected


def test_working_hours_with_cutoff_start_on_d0():
    # After 15:00 with the cut-off, D0 is the next working day, so counting starts there.
    assert due("16:00 12/03/2025", hrs(1), cutoff=True) == "08:00 13/03/2025"
    assert due("16:00 12/03/2025", hrs(1), cutoff=False) == "17:00 12/03/2025"


# -- calendar days and months ---------------------------------------------------------------

def test_months_clamp_to_month_end():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 31), 13) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert due("10:00 31/01/2024", Term(1, TermUnit.MONTHS)) == "17:00 29/02/2024"
    # 30/01 + 1 month = 28/02/2026, a Saturday -> Monday 02/03
    assert due("10:00 30/01/2026", Term(1, TermUnit.MONTHS)) == "17:00 02/03/2026"
    # 31/03 + 1 month = 30/04/2026, a holiday, then 1/5, then a weekend
    assert due("10:00 31/03/2026", Term(1, TermUnit.MONTHS)) == "17:00 04/05/2026"


def test_calendar_days_count_weekends_but_land_on_a_working_day():
    assert due("10:00 12/03/2025", Term(2, TermUnit.CALENDAR_DAYS)) == "17:00 14/03/2025"
    assert due("10:00 12/03/2025", Term(3, TermUnit.CALENDAR_DAYS)) == "17:00 17/03/2025"
    assert due("10:00 12/03/2025", Term(5, TermUnit.CALENDAR_DAYS)) == "17:00 17/03/2025"


def test_negative_term_is_rejected():
    with pytest.raises(ValueError):
        CAL.due(at("10:00 12/03/2025"), wd(-1), True)


# -- local overrides -----------------------------------------------------------------------

def test_local_day_off_moves_the_appointment():
    cal = WorkingCalendar([Override(date(2025, 3, 13), OverrideKind.DAY_OFF, "Nghỉ bầu cử")])
    assert due("15:01 12/03/2025", SD) == "17:00 13/03/2025"
    assert due("15:01 12/03/2025", SD, cal=cal) == "17:00 14/03/2025"


def test_local_cancel_of_a_package_day_off():
    assert not CAL.is_working_day(date(2026, 11, 24))   # "Ngày Văn hóa Việt Nam" (UNCONFIRMED)
    cal = WorkingCalendar([Override(date(2026, 11, 24), OverrideKind.CANCEL_DAY_OFF, "Chưa có văn bản")])
    assert cal.is_working_day(date(2026, 11, 24))
    assert due("16:00 23/11/2026", SD) == "17:00 25/11/2026"
    assert due("16:00 23/11/2026", SD, cal=cal) == "17:00 24/11/2026"


def test_cancelling_a_holiday_on_a_sunday_leaves_a_sunday():
    cal = WorkingCalendar([Override(date(2026, 4, 26), OverrideKind.CANCEL_DAY_OFF, "x")])
    assert not cal.is_working_day(date(2026, 4, 26))


def test_local_worked_saturday():
    cal = WorkingCalendar([Override(date(2026, 3, 14), OverrideKind.WORKED_DAY, "Làm bù")])
    assert due("15:30 13/03/2026", SD) == "17:00 16/03/2026"
    assert due("15:30 13/03/2026", SD, cal=cal) == "17:00 14/03/2026"


def test_local_day_off_beats_a_package_worked_saturday():
    cal = WorkingCalendar([Override(date(2026, 8, 22), "day_off", "Không làm bù")])
    assert not cal.is_working_day(date(2026, 8, 22))
    assert due("15:30 21/08/2026", SD, cal=cal) == "17:00 24/08/2026"


def test_last_override_for_a_day_wins():
    d = date(2025, 3, 13)
    cal = WorkingCalendar([Override(d, OverrideKind.DAY_OFF, "a"), Override(d, OverrideKind.CANCEL_DAY_OFF, "b")])
    assert cal.is_working_day(d)
    assert cal.overrides == (Override(d, OverrideKind.CANCEL_DAY_OFF, "b"),)


# -- special_days ----------------------------------------------------------------------------

def test_special_days_2026_from_the_package():
    days = CAL.special_days(2026)
    by_day = {i.day: i for i in days}
    assert [i.day for i in days] == sorted(by_day) and all(i.day.year == 2026 for i in days)
    assert by_day[date(2026, 2, 17)] == DayInfo(date(2026, 2, 17), "Tết Nguyên Đán", "day_off", "holidays")
    assert by_day[date(2026, 8, 22)].kind == "worked_day"
    assert "31/08/2026" in by_day[date(2026, 8, 22)].name
    assert by_day[date(2026, 8, 31)].kind == "day_off"
    assert "22/08/2026" in by_day[date(2026, 8, 31)].name
    assert {date(2026, 9, 1), date(2026, 9, 2), date(2026, 1, 1)} <= set(by_day)
    assert all(i.source == "holidays" for i in days)
    # Ordinary weekends are not "special".
    assert date(2026, 3, 14) not in by_day


def test_special_days_2024_swap():
    by_day = {i.day: i for i in CAL.special_days(2024)}
    assert by_day[date(2024, 4, 29)].kind == "day_off"
    assert by_day[date(2024, 5, 4)].kind == "worked_day"


def test_special_days_with_local_overrides():
    cal = WorkingCalendar([
        Override(date(2026, 3, 13), OverrideKind.DAY_OFF, "Nghỉ bầu cử"),
        Override(date(2026, 11, 24), OverrideKind.CANCEL_DAY_OFF, "Chưa có văn bản"),
        Override(date(2026, 3, 14), OverrideKind.WORKED_DAY, "Làm bù"),
        Override(date(2026, 9, 2), OverrideKind.DAY_OFF, "Quốc khánh (địa phương)"),
        Override(date(2027, 1, 4), OverrideKind.DAY_OFF, "Năm sau"),
    ])
    by_day = {i.day: i for i in cal.special_days(2026)}
    assert by_day[date(2026, 3, 13)] == DayInfo(date(2026, 3, 13), "Nghỉ bầu cử", "day_off", "local")
    assert by_day[date(2026, 3, 14)] == DayInfo(date(2026, 3, 14), "Làm bù", "worked_day", "local")
    assert by_day[date(2026, 9, 2)].source == "local"
    assert date(2026, 11, 24) not in by_day          # cancelled: an ordinary working day
    assert date(2027, 1, 4) not in by_day
    assert by_day[date(2026, 9, 1)].source == "holidays"


def test_office_hours_are_validated():
    with pytest.raises(ValueError):
        OfficeHours(sessions=((time(11, 0), time(10, 0)),))
    with pytest.raises(ValueError):
        OfficeHours(sessions=((time(7, 0), time(12, 0)), (time(11, 0), time(17, 0))))
    with pytest.raises(ValueError):
        OfficeHours(cutoff=time(17, 30))


# -- properties ------------------------------------------------------------------------------

received_st = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 20)).map(
    lambda d: d.replace(second=0, microsecond=0))
DAY_UNITS = (TermUnit.SAME_DAY, TermUnit.WORKING_DAYS, TermUnit.CALENDAR_DAYS, TermUnit.MONTHS)
term_st = st.one_of(
    st.builds(Term, st.integers(0, 30), st.sampled_from(DAY_UNITS)),
    st.builds(Term, st.integers(0, 6), st.just(TermUnit.MONTHS)),
    st.builds(Term, st.integers(0, 60), st.just(TermUnit.WORKING_HOURS)),
)
overrides_st = st.lists(st.builds(
    Override, st.dates(date(2024, 1, 1), date(2027, 6, 30)), st.sampled_from(list(OverrideKind)), st.just("x")),
    max_size=6)


@settings(max_examples=200, deadline=None)
@given(received_st, term_st, st.booleans(), overrides_st)
def test_due_is_a_working_day_never_before_d0_or_receipt(received, term, cutoff, overrides):
    cal = WorkingCalendar(overrides)
    result = cal.due(received, term, cutoff)
    d0 = cal.d0(received, cutoff)
    assert cal.is_working_day(d0)
    assert cal.is_working_day(result.date())
    assert result.date() >= d0
    assert result >= received
    if term.unit is not TermUnit.WORKING_HOURS:
        assert result.time() == cal.hours.closing
    else:
        sessions = cal.hours.sessions
        assert any(s <= result.time() <= e for s, e in sessions)


@settings(max_examples=100, deadline=None)
@given(received_st, st.sampled_from([TermUnit.WORKING_DAYS, TermUnit.CALENDAR_DAYS,
                                     TermUnit.WORKING_HOURS, TermUnit.MONTHS]),
       st.integers(0, 25), st.booleans())
def test_due_is_monotonic_in_n(received, unit, n, cutoff):
    a = CAL.due(received, Term(n, unit), cutoff)
    b = CAL.due(received, Term(n + 1, unit), cutoff)
    assert a <= b
    if unit in (TermUnit.WORKING_DAYS, TermUnit.WORKING_HOURS):
        assert a < b


@settings(max_examples=100, deadline=None)
@given(received_st, st.integers(1, 20), st.booleans())
def test_n_working_days_is_n_working_days_after_d0(received, n, cutoff):
    d0 = CAL.d0(received, cutoff)
    result = CAL.due(received, wd(n), cutoff).date()
    between = [d0 + timedelta(days=i) for i in range(1, (result - d0).days + 1)]
    assert sum(CAL.is_working_day(d) for d in between) == n


@settings(max_examples=60, deadline=None)
@given(received_st, st.integers(0, 40))
def test_working_hours_consume_exactly_n_office_hours(received, n):
    start = received
    result = CAL.due(received, hrs(n), False)
    used = timedelta()
    day = start.date()
    while day <= result.date():
        if CAL.is_working_day(day):
            for s, e in CAL.hours.sessions:
                lo = max(datetime.combine(day, s), start)
                hi = min(datetime.combine(day, e), result)
                if hi > lo:
                    used += hi - lo
        day += timedelta(days=1)
    assert used == timedelta(hours=n)
