"""Sync between a desk's SQLite file and the central store (SQLite or PostgreSQL).

- `engine`: the push/pull engine a desk runs (`SyncEngine`, `SyncReport`, `SyncStatus`).
- `store`: the central side of a session: connections, the push insert, the pull reads.
- `local`: the desk's side: unsent events, marks, cursors, reference data.
- `apply`: applying pulled pages and re-folding the dossiers they touch.
- `central`: `motcua central init`: the central schema, roles and row-level security.

Imports are lazy so `import db.sync` costs nothing until a sync runs.
"""
from __future__ import annotations

from typing import Any

_EXPORTS = {
    "SyncEngine": "db.sync.engine", "SyncReport": "db.sync.engine", "SyncStatus": "db.sync.engine",
    "CentralUnavailable": "db.sync.store",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'db.sync' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(module), name)
