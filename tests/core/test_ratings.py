"""core.ratings: the [kiosk] settings, the satisfaction rate, who sees a choice, and the
kiosk's key handling (with hypothesis over any sequence of prompts, presses and ticks)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from core.ratings import (
    DEFAULT_REASONS, KioskMachine, Mode, Outcome, Prompt, RatingConfig, RatingConfigError, Step,
    choice_visible, rated_payload, rating_config, summarize,
)

T0 = datetime(2026, 11, 23, 9, 30)


def prompt(n: int = 1, **kw) -> Prompt:
    return Prompt(id=f"p{n}", dossier_id=f"d{n}", step=Step.RECEIPT, dossier_code=f"C-{n}",
                  procedure_name="Đăng ký khai sinh", clerk_id="c1", clerk_name="Trần Thị Mai",
                  agency_name="UBND xã", desk_number=1, opened_at=T0, **kw)


def test_default_config_is_the_three_button_device():
    cfg = rating_config({})
    assert cfg.labels == ("Rất hài lòng", "Hài lòng", "Chưa hài lòng")
    assert cfg.satisfied == {1, 2} and cfg.ask_reasons == {3} and cfg.timeout_s == 30
    assert cfg.reasons == DEFAULT_REASONS and len(cfg.reasons) == 6
    assert cfg.label(None) == "Không đánh giá"


def test_five_levels_with_own_labels_and_satisfied_levels():
    cfg = rating_config({"levels": 5, "satisfied": [1, 2, 3], "timeout": "45"})
    assert cfg.levels == 5 and cfg.labels[2] == "Bình thường" and cfg.ask_reasons == {4, 5}
    assert cfg.timeout_s == 45 and cfg.satisfied == {1, 2, 3}
    own = rating_config({"labels": ["Tốt", "Khá", "Trung bình", "Kém"], "ask_reasons": [4]})
    assert own.levels == 4 and own.label(4) == "Kém"


@pytest.mark.parametrize("raw, words", [
    ({"timeout": 2}, "timeout phải là số nguyên từ 5 đến 600"),
    ({"timeout": "abc"}, "timeout"),
    ({"levels": 7}, "levels"),
    ({"labels": ["A", "B"]}, "3, 4 hoặc 5 nhãn"),
    ({"labels": ["A", "B", "C"], "levels": 4}, "bằng số nhãn"),
    ({"reasons": [f"lý do {i}" for i in range(7)]}, "1–6 lý do"),
    ({"satisfied": [4]}, "satisfied"),
    ({"ask_reasons": [1]}, "mức 1"),
    ({"prompt_on_return": "maybe"}, "true hoặc false"),
    ({"colour": "red"}, "không có mục «colour»"),
])
def test_bad_settings_say_what_is_wrong(raw, words):
    with pytest.raises(RatingConfigError, match=words):
        rating_config(raw)


def test_rate_counts_valid_answers_only():
    cfg = RatingConfig()
    p = lambda level, **kw: rated_payload(step=Step.RECEIPT, level=level, config=cfg, clerk_id="c",
                                          desk_number=1, prompt_at=T0, answer_at=T0, **kw)
    s = summarize([p(1), p(2), p(3), p(None), p(1)], misuse=4, config=cfg)
    assert (s.ratings, s.not_rated, s.misuse, s.satisfied) == (4, 1, 4, 3)
    assert s.satisfaction_rate == 0.75
    assert s.as_dict()["by_level"] == {"1": 2, "2": 1, "3": 1}
    assert summarize([p(None)], 0, cfg).satisfaction_rate is None
    # A rating recorded under another configuration keeps its own verdict.
    strict = rating_config({"satisfied": [1]})
    assert summarize([p(2)], 0, strict).satisfied == 1
    assert summarize([{"level": 2}], 0, strict).satisfied == 0


def test_rated_clerk_sees_the_choice_from_the_next_day():
    cfg = RatingConfig()
    kw = dict(rated_clerk_id="c1", answered_on=T0, config=cfg)
    assert not choice_visible(viewer_id="c1", viewer_is_supervisor=False, now=T0, **kw)
    assert choice_visible(viewer_id="c1", viewer_is_supervisor=False, now=T0 + timedelta(days=1), **kw)
    assert choice_visible(viewer_id="c1", viewer_is_supervisor=True, now=T0, **kw)
    assert choice_visible(viewer_id="c2", viewer_is_supervisor=False, now=T0, **kw)
    open_cfg = rating_config({"hide_until_day_end": False})
    assert choice_visible(viewer_id="c1", viewer_is_supervisor=False, now=T0, rated_clerk_id="c1",
                          answered_on=T0, config=open_cfg)


def test_machine_prompt_answer_thanks_idle():
    m = KioskMachine(RatingConfig())
    assert m.press("1", T0) == (Outcome.MISUSE, None)
    assert m.offer(prompt(), T0) and m.state.mode is Mode.PROMPT
    assert m.press("right", T0)[0] is Outcome.SELECT and m.state.highlight == 2
    outcome, write = m.press("enter", T0)
    assert outcome is Outcome.RATING and write.kind == "answer" and write.level == 2
    assert m.state.mode is Mode.THANKS
    assert m.press("1", T0) == (Outcome.MISUSE, None)
    assert m.tick(T0 + timedelta(seconds=10)) is None and m.state.mode is Mode.IDLE


def test_machine_reasons_then_timeout_keeps_what_was_picked():
    m = KioskMachine(RatingConfig())
    m.offer(prompt(), T0)
    assert m.press("3", T0)[1].kind == "answer" and m.state.mode is Mode.REASONS
    assert m.press("2", T0) == (Outcome.REASON, None)
    assert m.press("9", T0) == (Outcome.MISUSE, None)
    write = m.tick(T0 + timedelta(seconds=31))
    assert write.kind == "finish" and write.level == 3 and write.reasons == ("Phải đi lại nhiều lần",)


def test_machine_timeout_and_replacement():
    m = KioskMachine(RatingConfig())
    m.offer(prompt(1), T0)
    assert m.tick(T0 + timedelta(seconds=29)) is None
    assert m.offer(prompt(2), T0 + timedelta(seconds=29))       # a new step replaces it
    assert m.state.prompt.id == "p2"
    write = m.tick(T0 + timedelta(seconds=60))
    assert write.kind == "timeout" and write.prompt_id == "p2" and m.state.mode is Mode.IDLE
    # A prompt shown before a restart keeps its original deadline.
    m.offer(prompt(3, shown_at=T0), T0 + timedelta(seconds=20))
    assert m.state.deadline == T0 + timedelta(seconds=30)


KEYS = st.sampled_from(["1", "2", "3", "4", "7", "up", "down", "enter", "space", "x"])
ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("press"), KEYS),
    st.tuples(st.just("offer"), st.integers(1, 4)),
    st.tuples(st.just("gone"), st.none()),
    st.tuples(st.just("tick"), st.integers(0, 40)),
), max_size=60)


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_machine_answers_each_prompt_at_most_once(actions):
    """Whatever happens, a prompt gets at most one answer and one finish, a finish always
    follows its answer, and every press is a rating, a selection, a reason or misuse."""
    m = KioskMachine(RatingConfig())
    now = T0
    answers: dict[str, int] = {}
    finishes: dict[str, int] = {}
    for kind, arg in actions:
        if kind == "press":
            mode_before = m.state.mode
            outcome, write = m.press(arg, now)
            assert outcome in set(Outcome)
            if outcome is Outcome.RATING:
                assert mode_before is Mode.PROMPT
            if outcome is Outcome.REASON:
                assert mode_before is Mode.REASONS
            if mode_before in (Mode.IDLE, Mode.THANKS):
                assert outcome is Outcome.MISUSE and write is None
        elif kind == "offer":
            m.offer(prompt(arg), now)
            write = None
        elif kind == "gone":
            m.offer(None, now)
            write = None
        else:
            now += timedelta(seconds=arg)
            write = m.tick(now)
        if write is not None:
            if write.kind == "answer":
                answers[write.prompt_id] = answers.get(write.prompt_id, 0) + 1
            elif write.kind == "finish":
                assert answers.get(write.prompt_id) == 1
                finishes[write.prompt_id] = finishes.get(write.prompt_id, 0) + 1
    assert all(n == 1 for n in answers.values())
    assert all(n == 1 for n in finishes.values())
