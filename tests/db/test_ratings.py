"""Ratings on a real migrated SQLite file: prompts opened by the clerk side's transactions,
answers, misuse, timeouts, restarts, paper surveys and the figures of a period."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.clock import FixedClock, HybridClock
from core.lifecycle import EventKind
from core.people import Channel, Clerk, Role
from core.ratings import Outcome, RatingConfig, Step, rating_config
from db.dossiers import DossierRepo
from db.ratings import RatingError, RatingsRepo
from tests.db.conftest import AGENCY, CLERK, TUESDAY, make_draft

SUPERVISOR = Clerk(id="0190a000-0000-7000-8000-000000000009", username="lanhdao", full_name="Phạm Minh Đức",
                   role=Role.SUPERVISOR, agency_code=AGENCY.code)


@pytest.fixture
def ratings(engine, repo, clock, hlc):
    r = RatingsRepo(engine, clock, hlc, RatingConfig())
    repo.hooks.append(r.on_event)
    return r


@pytest.fixture
def kiosk(engine):
    """The kiosk: another program on the same file, with its own clock and HLC."""
    kclock = FixedClock(TUESDAY)
    return RatingsRepo(engine, kclock, HybridClock(kclock, f"{AGENCY.code}/1"), RatingConfig())


def current(kiosk):
    return kiosk.current(AGENCY.code, 1, kiosk.clock.now())


def rated(repo, dossier_id):
    return [e.payload for e in repo.events(dossier_id) if e.kind is EventKind.RATED]


def test_receiving_opens_a_prompt_in_the_same_transaction(ratings, kiosk, receive):
    result = receive()
    prompt = current(kiosk)
    assert prompt is not None and prompt.dossier_id == result.dossier.id
    assert prompt.step is Step.RECEIPT and prompt.dossier_code == result.dossier.code
    assert prompt.clerk_name == CLERK.full_name and prompt.agency_name == AGENCY.name
    assert ratings.status(AGENCY.code, 1, TUESDAY).state == "waiting"
    kiosk.mark_shown(prompt.id, TUESDAY)
    assert ratings.status(AGENCY.code, 1, TUESDAY).state == "showing"


def test_online_dossiers_and_switched_off_steps_open_no_prompt(engine, repo, clock, hlc, receive, kiosk):
    off = RatingsRepo(engine, clock, hlc, rating_config({"prompt_on_receipt": False}))
    repo.hooks.append(off.on_event)
    receive()
    assert current(kiosk) is None
    repo.hooks[:] = [RatingsRepo(engine, clock, hlc, RatingConfig()).on_event]
    receive(make_draft(channel=Channel.ONLINE))
    assert current(kiosk) is None


def test_answer_then_second_press_is_misuse(ratings, kiosk, repo, receive):
    d = receive().dossier
    p = current(kiosk)
    kiosk.mark_shown(p.id, TUESDAY)
    assert kiosk.answer(p.id, 1, "1", TUESDAY) is Outcome.RATING
    assert kiosk.answer(p.id, 2, "2", TUESDAY) is Outcome.MISUSE
    [payload] = rated(repo, d.id)
    assert payload["level"] == 1 and payload["label"] == "Rất hài lòng" and payload["step"] == "receipt"
    assert payload["clerk_id"] == CLERK.id and payload["source"] == "kiosk" and payload["desk_number"] == 1
    assert repo.get(d.id).rating == "1"
    assert [p.outcome for p in kiosk.presses()] == ["rating", "misuse"]
    listed = ratings.for_dossier(d.id)
    assert [(x["level"], x["misuse"]) for x in listed] == [(1, False), (None, True)]
    assert set(listed[0]) == {"step", "level", "label", "reasons", "at", "misuse"}
    assert ratings.status(AGENCY.code, 1, TUESDAY).state == "rated"


def test_dissatisfied_waits_for_reasons(ratings, kiosk, repo, receive):
    d = receive().dossier
    p = current(kiosk)
    kiosk.mark_shown(p.id, TUESDAY)
    assert kiosk.answer(p.id, 3, "3", TUESDAY) is Outcome.RATING
    assert rated(repo, d.id) == []
    resumed = current(kiosk)                       # a restart now resumes the reasons
    assert resumed.id == p.id and resumed.level == 3
    assert kiosk.finish(p.id, ("Thái độ của cán bộ", "Khác", "không có trong danh sách"), TUESDAY, "enter")
    [payload] = rated(repo, d.id)
    assert payload["level"] == 3 and payload["reasons"] == ["Thái độ của cán bộ", "Khác"]
    assert payload["satisfied"] is False


def test_timeout_records_not_rated_and_a_never_shown_prompt_just_expires(ratings, kiosk, repo, receive, clock):
    d1 = receive().dossier
    p = current(kiosk)
    kiosk.mark_shown(p.id, TUESDAY)
    assert kiosk.time_out(p.id, TUESDAY + timedelta(seconds=30))
    [payload] = rated(repo, d1.id)
    assert payload["level"] is None and payload["label"] == "Không đánh giá"
    assert ratings.status(AGENCY.code, 1, TUESDAY).state == "not_rated"
    assert ratings.for_dossier(d1.id)[0]["label"] == "Không đánh giá"
    clock.advance(minutes=5)
    d2 = receive().dossier                         # no kiosk showed this one
    clock.advance(minutes=1)
    assert ratings.status(AGENCY.code, 1, clock.now()).state == "expired"
    kiosk.clock.advance(minutes=6)
    assert current(kiosk) is None
    assert kiosk.sweep(AGENCY.code, 1, kiosk.clock.now()) == 1
    assert rated(repo, d2.id) == []


def test_a_new_step_replaces_the_pending_prompt(ratings, kiosk, repo, receive):
    d1 = receive().dossier
    p1 = current(kiosk)
    kiosk.mark_shown(p1.id, TUESDAY)
    d2 = receive().dossier
    assert rated(repo, d1.id)[0]["level"] is None          # shown, unanswered: not rated
    p2 = current(kiosk)
    assert p2.dossier_id == d2.id
    assert kiosk.answer(p1.id, 1, "1", TUESDAY) is Outcome.MISUSE   # a late press on the old one
    assert len(rated(repo, d1.id)) == 1


def test_kiosk_restart_shows_a_prompt_still_in_time(ratings, kiosk, receive):
    receive()
    p = current(kiosk)
    kiosk.mark_shown(p.id, TUESDAY)
    kiosk.clock.advance(seconds=20)
    again = current(kiosk)
    assert again.id == p.id and again.shown_at == TUESDAY
    kiosk.clock.advance(seconds=15)
    assert current(kiosk) is None
    assert kiosk.sweep(AGENCY.code, 1, kiosk.clock.now()) == 1


def test_return_step_prompts_too(ratings, kiosk, repo, receive):
    d = receive().dossier
    kiosk.time_out(current(kiosk).id, TUESDAY)              # never shown: expires, no event
    repo.record(d.id, EventKind.RESULT_READY, {"at": TUESDAY.isoformat()}, CLERK)
    repo.record(d.id, EventKind.RETURNED, {"at": TUESDAY.isoformat(), "method": "desk"}, CLERK)
    p = current(kiosk)
    assert p.step is Step.RETURN and p.dossier_id == d.id
    kiosk.mark_shown(p.id, TUESDAY)
    kiosk.answer(p.id, 2, "2", TUESDAY)
    assert [x["step"] for x in rated(repo, d.id)] == ["return"]


def test_paper_surveys_are_counted_separately_and_in_the_total(ratings, kiosk, repo, receive):
    d = receive().dossier
    p = current(kiosk)
    kiosk.mark_shown(p.id, TUESDAY)
    kiosk.answer(p.id, 1, "1", TUESDAY)
    with pytest.raises(RatingError, match="lãnh đạo"):
        ratings.enter_paper(d.code, 2, by=CLERK)
    with pytest.raises(RatingError, match="Không tìm thấy"):
        ratings.enter_paper("000.21.53.H48-000000-01999", 2, by=SUPERVISOR)
    with pytest.raises(RatingError, match="từ 1 đến 3"):
        ratings.enter_paper(d.code, 4, by=SUPERVISOR)
    ev = ratings.enter_paper(d.code, 3, by=SUPERVISOR, reasons=["Phải đi lại nhiều lần"], text="Chờ lâu")
    assert ev.payload["source"] == "paper" and ev.payload["clerk_id"] == CLERK.id and ev.clerk_id == SUPERVISOR.id
    with pytest.raises(RatingError, match="đã được đánh giá"):
        ratings.enter_paper(d.code, 1, by=SUPERVISOR)
    s = ratings.summary(TUESDAY.date(), TUESDAY.date())
    assert s.as_dict() == {"ratings": 2, "by_level": {"1": 1, "2": 0, "3": 1}, "not_rated": 0,
                           "misuse": 0, "satisfaction_rate": 0.5}
    assert s.by_source == {"kiosk": 1, "paper": 1}
    assert ratings.summary(TUESDAY.date(), TUESDAY.date(), source="paper").ratings == 1


def test_summary_of_a_period(ratings, kiosk, repo, receive, clock):
    levels = [1, 1, 2, 3, None]
    for level in levels:
        receive()
        p = current(kiosk)
        kiosk.mark_shown(p.id, kiosk.clock.now())
        if level is None:
            kiosk.time_out(p.id, kiosk.clock.now())
        else:
            kiosk.answer(p.id, level, str(level), kiosk.clock.now())
            if level == 3:
                kiosk.finish(p.id, (), kiosk.clock.now(), "enter")
    kiosk.press(AGENCY.code, 1, "5", Outcome.MISUSE, kiosk.clock.now())
    s = ratings.summary(TUESDAY.date(), TUESDAY.date())
    assert (s.ratings, s.not_rated, s.misuse, s.by_level) == (4, 1, 1, {1: 2, 2: 1, 3: 1})
    assert s.satisfaction_rate == 0.75
    empty = ratings.summary(date(2020, 1, 1), date(2020, 1, 31))
    assert empty.ratings == 0 and empty.satisfaction_rate is None
    assert ratings.summary(TUESDAY.date(), TUESDAY.date(), clerk_id="someone-else").ratings == 0
    with pytest.raises(TypeError):
        ratings.summary(TUESDAY.date(), TUESDAY.date(), colour="red")
    # The stats engineer's entry point: an engine alone.
    assert RatingsRepo(ratings.engine).summary(TUESDAY.date(), TUESDAY.date()).ratings == 4


def test_rated_events_sort_after_the_step_even_from_a_kiosk_clock_behind(engine, repo, ratings, receive):
    behind = FixedClock(TUESDAY - timedelta(hours=1))
    kiosk = RatingsRepo(engine, behind, HybridClock(behind, f"{AGENCY.code}/1"), RatingConfig())
    d = receive().dossier
    p = kiosk.current(AGENCY.code, 1, TUESDAY - timedelta(seconds=1))
    kiosk.mark_shown(p.id, behind.now())
    kiosk.answer(p.id, 1, "1", behind.now())
    evs = repo.events(d.id)
    assert [e.kind for e in evs] == [EventKind.RECEIVED, EventKind.RATED]
    assert DossierRepo(engine, repo.hlc, repo.clock).get(d.id).rating == "1"
