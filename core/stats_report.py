"""Reporting around the figures: named periods, the QĐ 766 estimate, the marks.

QĐ 766/QĐ-TTg scores five groups out of 100. A desk knows only part of what the national
portal scores: each part it can compute is labelled "ước tính" with its maximum; the
others are "ngoài phạm vi", never zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.stats import (TARGET_ON_TIME, TARGET_ONLINE, TARGET_SATISFACTION, Figures, Period,
                        number_vi, percent_vi)

PERIOD_KINDS = ("today", "week", "month", "quarter", "half", "year")
PERIOD_VI = {"today": "Hôm nay", "week": "Tuần này", "month": "Tháng này", "quarter": "Quý này",
             "half": "6 tháng", "year": "Năm nay", "custom": "Tùy chọn"}


def named_period(kind: str, today: date) -> Period:
    """The current day, week (from Monday), month, quarter, half-year or year, up to today."""
    if kind == "today":
        return Period(today, today)
    if kind == "week":
        return Period(today - timedelta(days=today.weekday()), today)
    if kind == "month":
        return Period(today.replace(day=1), today)
    if kind == "quarter":
        return Period(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today)
    if kind == "half":
        return Period(date(today.year, 1 if today.month <= 6 else 7, 1), today)
    if kind == "year":
        return Period(date(today.year, 1, 1), today)
    raise ValueError(kind)


def month_period(text: str) -> Period:
    """'2025-03' -> the whole month."""
    try:
        y, m = (int(x) for x in text.split("-"))
        start = date(y, m, 1)
    except ValueError:
        raise ValueError(f"Tháng «{text}» không đúng dạng YYYY-MM (ví dụ 2025-03).") from None
    nxt = date(y + m // 12, m % 12 + 1, 1)
    return Period(start, nxt - timedelta(days=1))


def quarter_period(text: str) -> Period:
    """'2025-Q1' -> the whole quarter."""
    try:
        y_text, q_text = text.upper().split("-Q")
        y, q = int(y_text), int(q_text)
        if not 1 <= q <= 4:
            raise ValueError
    except ValueError:
        raise ValueError(f"Quý «{text}» không đúng dạng YYYY-Qn (ví dụ 2025-Q1).") from None
    start = date(y, 3 * q - 2, 1)
    end = date(y, 12, 31) if q == 4 else date(y, 3 * q + 1, 1) - timedelta(days=1)
    return Period(start, end)


def year_period(text: str) -> Period:
    try:
        y = int(text)
        return Period(date(y, 1, 1), date(y, 12, 31))
    except ValueError:
        raise ValueError(f"Năm «{text}» không đúng dạng YYYY (ví dụ 2025).") from None


@dataclass(frozen=True, slots=True)
class Mark:
    """A rate against the province's mark."""
    label: str
    value: float | None
    target: float

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.value >= self.target

    def text_vi(self) -> str:
        verdict = {None: "chưa có số liệu", True: "đạt", False: "chưa đạt"}[self.met]
        return f"{self.label}: {percent_vi(self.value)} (mục tiêu {percent_vi(self.target, 0)}, {verdict})"


def marks(f: Figures) -> list[Mark]:
    return [Mark("Đúng hạn", f.on_time_rate, TARGET_ON_TIME),
            Mark("Trực tuyến", f.online_share, TARGET_ONLINE),
            Mark("Hài lòng", f.ratings.satisfaction_rate, TARGET_SATISFACTION)]


@dataclass(frozen=True, slots=True)
class Score766:
    group: str
    maximum: int
    value: float | None        # None: the desk cannot know it (or nothing to score yet)
    in_scope: bool
    note: str

    def text_vi(self) -> str:
        if not self.in_scope:
            return f"{self.group} (tối đa {self.maximum}): ngoài phạm vi"
        return f"{self.group}: {number_vi(self.value)} / {self.maximum} (ước tính)"


def score_766(f: Figures) -> list[Score766]:
    """The QĐ 766 groups a desk can estimate from its own data, and the ones it cannot."""
    c = f.counts
    handled = c["resolved"] + c["in_progress"]
    good = c["resolved_early"] + c["resolved_on_time"] + c["in_progress_on_time"]
    progress = None if not handled else 20 * good / handled
    online = f.online_share
    online_score = None if online is None else 12 * min(1.0, online / TARGET_ONLINE)
    sat = f.ratings.satisfaction_rate
    return [
        Score766("Công khai, minh bạch", 18, None, False, "công khai trên Cổng DVC quốc gia"),
        Score766("Tiến độ, kết quả giải quyết", 20, progress, True,
                 "(đang giải quyết trong hạn + giải quyết trước hạn, đúng hạn) / (đã + đang giải quyết)"),
        Score766("Số hóa hồ sơ", 22, None, False, "số hóa, tái sử dụng dữ liệu"),
        Score766("Cung cấp dịch vụ trực tuyến", 12, online_score, True,
                 "tỷ lệ hồ sơ trực tuyến theo kênh nộp; đủ điểm từ 50 %"),
        Score766("Thanh toán trực tuyến", 10, None, False, "thanh toán trực tuyến"),
        Score766("Mức độ hài lòng", 18, None if sat is None else 18 * sat, True,
                 "tỷ lệ rất hài lòng + hài lòng trên máy đánh giá tại quầy"),
    ]
