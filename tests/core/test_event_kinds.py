"""Every event kind is one something records: no kind the code never writes (issue 12)."""
from __future__ import annotations

from pathlib import Path

from core.lifecycle import EventKind

ROOT = Path(__file__).resolve().parents[2]


def test_no_event_kind_is_declared_but_never_written():
    # A kind is written where production code names it (the lifecycle's actions, the
    # receipt, ratings...); "printed" was declared, labelled and allowed, and never written.
    source = "\n".join(p.read_text(encoding="utf-8") for pkg in ("db", "tui", "core")
                       for p in (ROOT / pkg).rglob("*.py") if p.name != "lifecycle.py")
    unused = [k for k in EventKind if f"EventKind.{k.name}" not in source]
    assert unused == []
