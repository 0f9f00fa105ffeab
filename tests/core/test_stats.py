"""core.stats: hand-made histories with known answers; the identity on random histories."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from core.stats import (COUNTS, GROUPINGS, Figures, Period, Ratings, day_number, fold_figures, percent_vi,
                        rate, stat_class, stored_facts, to_json, total, JSON_KEYS)
from core.stats_report import marks, month_period, named_period, quarter_period, score_766, year_period
from tests.core.stats_cases import (CASES, EXPECTED, EXPECTED_WORKING_DAYS, MARCH, random_facts,
                                    random_period, weekdays_between)


def test_hand_made_histories_give_known_answers():
    fig = fold_figures(CASES, MARCH, working_days=weekdays_between)[None]
    assert {k: fig.counts[k] for k in EXPECTED} == EXPECTED
    assert set(EXPECTED) == set(COUNTS)
    assert all(v > 0 for v in EXPECTED.values())
    assert fig.on_time_rate == 3 / 4
    assert fig.online_share == 1 / 6
    assert fig.processing_working_days == EXPECTED_WORKING_DAYS
    assert fig.avg_processing_working_days == 2.0
    assert fig.identity_holds()


def test_grouping_by_field_splits_and_sums_back():
    groups = fold_figures(CASES, MARCH, by="field")
    assert set(groups) == {"Hộ tịch", "Chứng thực"}
    assert groups["Chứng thực"].counts["carried_over"] == 1           # B
    assert groups["Chứng thực"].counts["received_postal"] == 1        # D
    assert groups["Hộ tịch"].counts["withdrawn_stopped"] == 2         # F, L
    summed = total(groups.values(), MARCH)
    assert summed.counts == fold_figures(CASES, MARCH)[None].counts


def test_by_day_each_day_is_its_own_period():
    days = fold_figures(CASES, Period(date(2025, 3, 5), date(2025, 3, 6)), by="day")
    assert list(days) == ["2025-03-05", "2025-03-06"]
    d5, d6 = days["2025-03-05"], days["2025-03-06"]
    assert (d5.received, d5.resolved, d5.same_day) == (2, 1, 1)       # C, D received; D resolved
    assert d6.carried_over == d5.in_progress                           # yesterday's open carry on
    assert d6.resolved == 1 and d6.received == 0                       # C


def test_empty_denominators_are_dashes_not_zero_or_hundred():
    empty = fold_figures([], MARCH)[None]
    assert empty.on_time_rate is None and empty.online_share is None
    assert empty.avg_processing_working_days is None
    assert percent_vi(empty.on_time_rate) == "—"
    assert rate(0, 5) == 0.0 and percent_vi(0.953) == "95,3 %"
    assert [m.met for m in marks(empty)] == [None, None, None]


def test_json_has_exactly_the_issue_keys():
    fig = fold_figures(CASES, MARCH)[None]
    data = to_json(fig)
    assert tuple(data) == JSON_KEYS
    assert data["from"] == "2025-03-01" and data["to"] == "2025-03-31"
    assert data["on_time_rate"] == 0.75 and data["ratings"] == 0 and data["satisfaction_rate"] is None
    grouped = to_json(Figures(MARCH, fig.counts, key="Hộ tịch", label="Hộ tịch"))
    assert list(grouped)[:2] == ["key", "label"]


def test_766_estimates_what_the_desk_knows_and_nothing_else():
    fig = fold_figures(CASES, MARCH)[None]
    scores = {s.group: s for s in score_766(fig)}
    progress = scores["Tiến độ, kết quả giải quyết"]
    assert progress.value == pytest.approx(20 * (3 + 2) / (4 + 3)) and "ước tính" in progress.text_vi()
    assert scores["Công khai, minh bạch"].text_vi().endswith("ngoài phạm vi")
    assert scores["Số hóa hồ sơ"].value is None and not scores["Số hóa hồ sơ"].in_scope
    assert scores["Mức độ hài lòng"].value is None                      # no ratings yet: not zero
    rated = Figures(MARCH, fig.counts, ratings=Ratings(ratings=10, satisfaction_rate=0.9))
    assert {s.group: s for s in score_766(rated)}["Mức độ hài lòng"].value == pytest.approx(16.2)
    assert scores["Cung cấp dịch vụ trực tuyến"].value == pytest.approx(12 * (1 / 6) / 0.5)


def test_named_periods():
    today = date(2025, 8, 14)        # a Thursday
    assert named_period("week", today).start == date(2025, 8, 11)
    assert named_period("quarter", today).start == date(2025, 7, 1)
    assert named_period("half", today).start == date(2025, 7, 1)
    assert named_period("year", today) == Period(date(2025, 1, 1), today)
    assert quarter_period("2025-Q4") == Period(date(2025, 10, 1), date(2025, 12, 31))
    assert month_period("2024-02").end == date(2024, 2, 29)
    assert year_period("2025").end == date(2025, 12, 31)
    for bad, parse in (("2025-Q5", quarter_period), ("03/2025", month_period), ("x", year_period)):
        with pytest.raises(ValueError, match="không đúng dạng"):
            parse(bad)
    with pytest.raises(ValueError, match="trước ngày đầu"):
        Period(date(2025, 2, 1), date(2025, 1, 1))


@settings(max_examples=150, deadline=None)
@given(st.lists(random_facts(), max_size=40), random_period(),
       st.sampled_from([None, *GROUPINGS]))
def test_identity_holds_for_every_period_and_grouping(dossiers, period, by):
    groups = fold_figures(dossiers, period, by=by)
    for fig in groups.values():
        assert fig.identity_holds(), fig.counts
        c = fig.counts
        assert c["resolved"] == c["resolved_early"] + c["resolved_on_time"] + c["resolved_late"]
        assert c["in_progress"] == c["in_progress_on_time"] + c["in_progress_late"]
        assert c["received"] == c["received_online"] + c["received_direct_postal"]
        assert c["waiting_supplement"] <= c["in_progress_on_time"]
        assert c["late_with_apology"] + c["late_without_apology"] == c["resolved_late"] + c["in_progress_late"]
    if by in ("day", "month"):
        keys = list(groups)
        for a, b in zip(keys, keys[1:]):
            assert groups[b].carried_over == groups[a].in_progress


@settings(max_examples=300, deadline=None)
@given(random_facts())
def test_stored_facts_are_the_definitions(f):
    """The quick stored_fact_values (every projection written) against the definitions."""
    ended = f.ended_on
    assert stored_facts(f) == {"received_day": day_number(f.received_at.date()),
                               "ended_day": None if ended is None else day_number(ended),
                               "stat_class": stat_class(f)}
