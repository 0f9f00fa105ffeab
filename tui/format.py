"""Small display helpers shared by the screens (dates, masking)."""
from __future__ import annotations

from datetime import datetime


def dt_short(value: datetime | None) -> str:
    return f"{value:%H:%M %d/%m/%Y}" if value else "—"


def mask_id(number: str) -> str:
    """Show an ID number only as much as a clerk needs to recognise it."""
    if len(number) < 6:
        return "•" * len(number)
    return number[:3] + "•" * (len(number) - 6) + number[-3:]

