"""Citizens rate the service: the scale, the reasons, the satisfaction rate, who may see a
rating, the `rated` payload, and the kiosk's key handling as a pure state machine.

A rating belongs to one step of one dossier (receipt or return). Level 1 is the best; a
prompt nobody answered is kept with level None ("Không đánh giá") and excluded from the
rate. Presses that answer nothing (no prompt open, a second answer) are misuse: kept,
excluded from every figure. The kiosk (tui/kiosk/) feeds key presses to `KioskMachine`;
the database (db/ratings.py) has the last word on whether an answer still counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Iterable, Mapping


class Step(StrEnum):
    RECEIPT = "receipt"
    RETURN = "return"


STEP_VI = {Step.RECEIPT: "Tiếp nhận hồ sơ", Step.RETURN: "Trả kết quả"}


class Source(StrEnum):
    KIOSK = "kiosk"
    PAPER = "paper"


SOURCE_VI = {Source.KIOSK: "Thiết bị đánh giá", Source.PAPER: "Phiếu giấy"}

NOT_RATED_LABEL = "Không đánh giá"

# The common three-button device; paper surveys use five levels (domain.md).
DEFAULT_LABELS: dict[int, tuple[str, ...]] = {
    3: ("Rất hài lòng", "Hài lòng", "Chưa hài lòng"),
    4: ("Rất hài lòng", "Hài lòng", "Bình thường", "Chưa hài lòng"),
    5: ("Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"),
}
# Levels that ask "why?": the dissatisfied ones (the worst, or the two worst of five).
DEFAULT_ASK_REASONS: dict[int, tuple[int, ...]] = {3: (3,), 4: (4,), 5: (4, 5)}
DEFAULT_REASONS = (
    "Thời gian giải quyết", "Phải đi lại nhiều lần", "Phải liên hệ nhiều nơi",
    "Thông tin thủ tục chưa rõ", "Thái độ của cán bộ", "Khác",
)
MAX_REASONS = 6


class RatingConfigError(ValueError):
    """A bad `[kiosk]` setting; the message is Vietnamese and names the setting."""


@dataclass(frozen=True)
class RatingConfig:
    labels: tuple[str, ...] = DEFAULT_LABELS[3]
    satisfied: frozenset[int] = frozenset({1, 2})
    ask_reasons: frozenset[int] = frozenset({3})
    reasons: tuple[str, ...] = DEFAULT_REASONS
    timeout_s: int = 30                 # no answer within this: "không đánh giá"
    thanks_s: int = 4                   # thank-you screen, then idle
    on_receipt: bool = True             # prompt after a dossier is received
    on_return: bool = True              # prompt after a result is returned
    hide_until_day_end: bool = True     # the rated clerk sees the choice only the next day

    @property
    def levels(self) -> int:
        return len(self.labels)

    def label(self, level: int | None) -> str:
        if level is None:
            return NOT_RATED_LABEL
        return self.labels[level - 1] if 1 <= level <= self.levels else f"Mức {level}"

    def prompts_for(self, step: Step) -> bool:
        return self.on_receipt if step is Step.RECEIPT else self.on_return


_KEYS = {"timeout", "levels", "labels", "satisfied", "ask_reasons", "reasons", "thanks",
         "prompt_on_receipt", "prompt_on_return", "hide_until_day_end"}


def rating_config(raw: Mapping[str, Any] | None) -> RatingConfig:
    """The `[kiosk]` table of the config file, checked; raises RatingConfigError."""
    raw = dict(raw or {})
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise RatingConfigError(f"[kiosk] không có mục «{unknown[0]}». Các mục: {', '.join(sorted(_KEYS))}.")
    timeout = _int(raw, "timeout", 30, 5, 600)
    thanks = _int(raw, "thanks", 4, 1, 60)
    if "labels" in raw:
        labels = raw["labels"]
        if (not isinstance(labels, (list, tuple)) or not all(isinstance(x, str) and x.strip() for x in labels)
                or len(labels) not in DEFAULT_LABELS):
            raise RatingConfigError("[kiosk] labels phải là danh sách 3, 4 hoặc 5 nhãn, mức tốt nhất trước.")
        labels = tuple(x.strip() for x in labels)
        if "levels" in raw and _int(raw, "levels", 3, 3, 5) != len(labels):
            raise RatingConfigError("[kiosk] levels phải bằng số nhãn trong labels.")
    else:
        labels = DEFAULT_LABELS[_int(raw, "levels", 3, 3, 5)]
    n = len(labels)
    satisfied = _levels(raw, "satisfied", (1, 2), n)
    ask = _levels(raw, "ask_reasons", DEFAULT_ASK_REASONS[n], n)
    if 1 in ask or not satisfied or 1 not in satisfied:
        raise RatingConfigError("[kiosk] mức 1 (tốt nhất) phải là «hài lòng» và không hỏi lý do.")
    reasons = raw.get("reasons", DEFAULT_REASONS)
    if (not isinstance(reasons, (list, tuple)) or not 1 <= len(reasons) <= MAX_REASONS
            or not all(isinstance(x, str) and x.strip() for x in reasons)):
        raise RatingConfigError(f"[kiosk] reasons phải là danh sách 1–{MAX_REASONS} lý do.")
    return RatingConfig(
        labels=labels, satisfied=frozenset(satisfied), ask_reasons=frozenset(ask),
        reasons=tuple(x.strip() for x in reasons), timeout_s=timeout, thanks_s=thanks,
        on_receipt=_bool(raw, "prompt_on_receipt", True), on_return=_bool(raw, "prompt_on_return", True),
        hide_until_day_end=_bool(raw, "hide_until_day_end", True))


def _int(raw: Mapping, key: str, default: int, lo: int, hi: int) -> int:
    value = raw.get(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not lo <= number <= hi:
        raise RatingConfigError(f"[kiosk] {key} phải là số nguyên từ {lo} đến {hi} (đang là {value!r}).")
    return number


def _bool(raw: Mapping, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "có", "on"):
        return True
    if text in ("0", "false", "no", "không", "off"):
        return False
    raise RatingConfigError(f"[kiosk] {key} phải là true hoặc false (đang là {value!r}).")


def _levels(raw: Mapping, key: str, default: Iterable[int], n: int) -> tuple[int, ...]:
    value = raw.get(key, tuple(default))
    try:
        levels = tuple(int(x) for x in value)
    except (TypeError, ValueError):
        levels = ()
    if not levels or not all(1 <= x <= n for x in levels):
        raise RatingConfigError(f"[kiosk] {key} phải là danh sách các mức từ 1 đến {n}.")
    return levels


# -- the record -----------------------------------------------------------------------

def rated_payload(*, step: Step, level: int | None, config: RatingConfig, reasons: Iterable[str] = (),
                  clerk_id: str, desk_number: int, prompt_at: datetime | None,
                  answer_at: datetime | None, source: Source = Source.KIOSK, text: str = "") -> dict[str, Any]:
    """The `rated` event payload (TEAM contract), plus `satisfied` and `levels` fixed at the
    time of rating so every store counts it the same whatever its own configuration."""
    payload: dict[str, Any] = {
        "step": Step(step).value, "level": level, "label": config.label(level),
        "reasons": list(reasons), "clerk_id": clerk_id, "desk_number": desk_number,
        "prompt_at": prompt_at.isoformat() if prompt_at else None,
        "answer_at": answer_at.isoformat() if answer_at else None,
        "source": Source(source).value,
        "satisfied": None if level is None else level in config.satisfied,
        "levels": config.levels,
    }
    if text:
        payload["text"] = text
    return payload


def is_satisfied(payload: Mapping[str, Any], config: RatingConfig) -> bool:
    """Whether a valid answer counts as satisfied: as recorded, else by the configuration."""
    recorded = payload.get("satisfied")
    if isinstance(recorded, bool):
        return recorded
    return payload.get("level") in config.satisfied


@dataclass
class Summary:
    """The ratings figures of a period: what `motcua ratings` prints and statistics use."""
    ratings: int = 0                                   # valid answers (kiosk + paper)
    by_level: dict[int, int] = field(default_factory=dict)
    not_rated: int = 0                                 # prompts that timed out / were replaced
    misuse: int | None = 0                             # presses that answered nothing
    #                                                    (None: not known here -- a centre)
    satisfied: int = 0
    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None

    def as_dict(self) -> dict[str, Any]:
        return {"ratings": self.ratings, "by_level": {str(k): v for k, v in sorted(self.by_level.items())},
                "not_rated": self.not_rated, "misuse": self.misuse,
                "satisfaction_rate": self.satisfaction_rate}


def summarize(payloads: Iterable[Mapping[str, Any]], misuse: int | None, config: RatingConfig) -> Summary:
    """Count `rated` payloads (already one per dossier, step and source)."""
    s = Summary(by_level={lvl: 0 for lvl in range(1, config.levels + 1)}, misuse=misuse,
                by_source={src.value: 0 for src in Source})
    for p in payloads:
        level = p.get("level")
        if level is None:
            s.not_rated += 1
            continue
        if not isinstance(level, int) or isinstance(level, bool):
            continue                                   # not a rating of this scale: ignored
        s.ratings += 1
        s.by_level[level] = s.by_level.get(level, 0) + 1
        src = p.get("source") or Source.KIOSK.value
        s.by_source[src] = s.by_source.get(src, 0) + 1
        if is_satisfied(p, config):
            s.satisfied += 1
    return s


def choice_visible(*, viewer_id: str, viewer_is_supervisor: bool, rated_clerk_id: str,
                   answered_on: datetime | None, now: datetime, config: RatingConfig) -> bool:
    """Whether the viewer may see what the citizen chose. Supervisors see everything; the
    clerk who was rated sees it only from the next day (so the citizen answers freely)."""
    if viewer_is_supervisor or viewer_id != rated_clerk_id or not config.hide_until_day_end:
        return True
    return answered_on is not None and answered_on.date() < now.date()


# -- the kiosk ------------------------------------------------------------------------

class Mode(StrEnum):
    IDLE = "idle"
    PROMPT = "prompt"
    REASONS = "reasons"
    THANKS = "thanks"


class Outcome(StrEnum):
    """What one key press was. Every press is kept with one of these."""
    RATING = "rating"        # answered an open prompt
    SELECT = "select"        # moved the highlight on an open prompt
    REASON = "reason"        # inside the reasons screen (toggle, move, confirm)
    MISUSE = "misuse"        # no prompt open, or a second answer


@dataclass(frozen=True)
class Prompt:
    """A prompt the clerk side opened, as the kiosk shows it (no personal data)."""
    id: str
    dossier_id: str
    step: Step
    dossier_code: str
    procedure_name: str
    clerk_id: str
    clerk_name: str
    agency_name: str
    desk_number: int
    opened_at: datetime
    shown_at: datetime | None = None
    level: int | None = None            # chosen, reasons still being picked


@dataclass(frozen=True)
class Write:
    """What the kiosk must record after a press or a tick (db/ratings.py does it)."""
    kind: str                           # "answer" | "finish" | "timeout"
    prompt_id: str
    level: int | None = None
    reasons: tuple[str, ...] = ()


DIGITS = tuple(str(d) for d in range(10))
MOVE_KEYS = ("up", "down", "left", "right", "tab", "shift+tab")
CONFIRM_KEYS = ("enter", "space")


@dataclass(frozen=True)
class KioskState:
    mode: Mode = Mode.IDLE
    prompt: Prompt | None = None
    highlight: int = 1                   # level on the prompt, 1-based reason on the reasons screen
    picked: frozenset[int] = frozenset()  # reasons picked (1-based)
    deadline: datetime | None = None     # prompt/reasons timeout, or end of the thank-you screen


class KioskMachine:
    """The kiosk's screens as a pure function of prompts, presses and the clock."""

    def __init__(self, config: RatingConfig, state: KioskState | None = None):
        self.config = config
        self.state = state or KioskState()
        # Prompts this kiosk already answered (and finished): a stale read of the database
        # must never offer them again.
        self._answered: dict[str, bool] = {}

    def offer(self, prompt: Prompt | None, now: datetime) -> bool:
        """A prompt read from the database (None: nothing open). True if the screen changes.

        A different prompt replaces whatever is on screen (the clerk side has already
        closed the one it replaced); the same prompt resumes where it was."""
        st = self.state
        if prompt is None:
            if st.mode in (Mode.PROMPT, Mode.REASONS):
                self.state = KioskState()          # closed elsewhere (replaced, expired)
                return True
            return False
        if st.prompt is not None and st.prompt.id == prompt.id:
            return False
        done = self._answered.get(prompt.id)
        if done is not None and (done or prompt.level is None):
            return False
        start = prompt.shown_at or now
        deadline = start + timedelta(seconds=self.config.timeout_s)
        if prompt.level is not None and prompt.level in self.config.ask_reasons:
            self.state = KioskState(Mode.REASONS, prompt, 1, frozenset(), deadline)
        else:
            self.state = KioskState(Mode.PROMPT, prompt, 1, frozenset(), deadline)
        return True

    def press(self, key: str, now: datetime) -> tuple[Outcome, Write | None]:
        st, cfg = self.state, self.config
        if st.mode is Mode.PROMPT and st.prompt is not None:
            if key in DIGITS and 1 <= int(key) <= cfg.levels:
                return Outcome.RATING, self._answer(int(key), now)
            if key in MOVE_KEYS:
                step = -1 if key in ("up", "left", "shift+tab") else 1
                self.state = replace(st, highlight=(st.highlight - 1 + step) % cfg.levels + 1)
                return Outcome.SELECT, None
            if key in CONFIRM_KEYS:
                return Outcome.RATING, self._answer(st.highlight, now)
            return Outcome.MISUSE, None
        if st.mode is Mode.REASONS and st.prompt is not None:
            n = len(cfg.reasons)
            if key in DIGITS and 1 <= int(key) <= n:
                self.state = replace(st, picked=st.picked ^ {int(key)}, highlight=int(key))
            elif key in MOVE_KEYS:
                step = -1 if key in ("up", "left", "shift+tab") else 1
                # n + 1 positions: the reasons, then "Gửi" (send).
                self.state = replace(st, highlight=(st.highlight - 1 + step) % (n + 1) + 1)
            elif key == "space" and st.highlight <= n:
                self.state = replace(st, picked=st.picked ^ {st.highlight})
            elif key in CONFIRM_KEYS:
                if st.highlight <= n and key == "enter" and not st.picked:
                    self.state = replace(st, picked=frozenset({st.highlight}))
                return Outcome.REASON, self._finish(now)
            else:
                return Outcome.MISUSE, None
            return Outcome.REASON, None
        return Outcome.MISUSE, None

    def click_level(self, level: int, now: datetime) -> tuple[Outcome, Write | None]:
        if self.state.mode is Mode.PROMPT and 1 <= level <= self.config.levels:
            return Outcome.RATING, self._answer(level, now)
        return Outcome.MISUSE, None

    def click_reason(self, index: int, now: datetime) -> tuple[Outcome, Write | None]:
        st = self.state
        if st.mode is not Mode.REASONS:
            return Outcome.MISUSE, None
        if index == 0:                                   # the send button
            return Outcome.REASON, self._finish(now)
        self.state = replace(st, picked=st.picked ^ {index}, highlight=index)
        return Outcome.REASON, None

    def tick(self, now: datetime) -> Write | None:
        st = self.state
        if st.deadline is None or now < st.deadline:
            return None
        if st.mode is Mode.PROMPT and st.prompt is not None:
            self.state = KioskState()
            return Write("timeout", st.prompt.id)
        if st.mode is Mode.REASONS:
            return self._finish(now)                     # what was picked so far
        if st.mode is Mode.THANKS:
            self.state = KioskState()
        return None

    def _answer(self, level: int, now: datetime) -> Write:
        st = self.state
        self._remember(st.prompt.id, finished=level not in self.config.ask_reasons)
        if level in self.config.ask_reasons:
            self.state = KioskState(Mode.REASONS, replace(st.prompt, level=level), 1, frozenset(),
                                    now + timedelta(seconds=self.config.timeout_s))
        else:
            self._thanks(now)
        return Write("answer", st.prompt.id, level)

    def _finish(self, now: datetime) -> Write:
        st = self.state
        self._remember(st.prompt.id, finished=True)
        reasons = tuple(self.config.reasons[i - 1] for i in sorted(st.picked))
        self._thanks(now)
        return Write("finish", st.prompt.id, st.prompt.level, reasons)

    def _remember(self, prompt_id: str, finished: bool) -> None:
        self._answered[prompt_id] = finished
        if len(self._answered) > 64:                 # only recent prompts can come back
            del self._answered[next(iter(self._answered))]

    def _thanks(self, now: datetime) -> None:
        self.state = KioskState(Mode.THANKS, self.state.prompt, 1, frozenset(),
                                now + timedelta(seconds=self.config.thanks_s))
