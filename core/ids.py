"""Primary keys: UUIDv7, made on the desk, time-ordered, no network needed."""
from __future__ import annotations

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())
