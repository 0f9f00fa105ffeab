"""`motcua db rebuild`: throw the dossier projection away and fold every dossier again
from the event log, in one transaction (all or nothing), in flat memory.

Events are read in keyset pages in fold order (dossier, HLC, id), each page folded with
core.lifecycle's `fold_fields` and written through db/rows.py, then dropped: memory holds
one page, whatever the size of the log. The search index's triggers are lifted for the
reload and the index is filled in one pass at the end (db/search_index.py): a trigger per
deleted and inserted row would double the time. `progress(events_done, events_total)` is
called after every page.
"""
from __future__ import annotations

import gc
from typing import Any, Callable

from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.exc import IntegrityError

from core.lifecycle import Event, fold_fields
from db import search_index
from db.engine import write_tx
from db.models import dossier, event
from db.rows import fields_to_row, guard_duplicate_code, row_to_event

Progress = Callable[[int, int], None]


def rebuild_projection(engine: Engine, *, page: int = 20_000, progress: Progress | None = None) -> int:
    """Rebuild every dossier row from the events; returns how many dossiers there are."""
    count = done = 0
    with write_tx(engine) as conn:
        total = conn.execute(select(func.count()).select_from(event)).scalar_one()
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            search_index.drop_triggers(conn)
        conn.execute(delete(dossier))
        after = ""
        while True:
            rows = _next_page(conn, after, page)
            if not rows:
                break
            grouped: dict[str, list[Event]] = {}
            for r in rows:
                grouped.setdefault(r.dossier_id, []).append(row_to_event(r))
            batch = []
            for evs in grouped.values():
                try:
                    batch.append(fields_to_row(fold_fields(evs)))
                except ValueError:
                    pass            # no receipt yet: no projection
            _insert(conn, batch)
            count += len(batch)
            done += len(rows)
            after = rows[-1].dossier_id
            del rows, grouped, batch
            gc.collect(0)
            if progress is not None:
                progress(done, total)
        if sqlite:
            search_index.install(conn)          # triggers back, index filled from the new rows
    return count


def _next_page(conn: Connection, after: str, page: int) -> list[Any]:
    """The events of the next whole dossiers after `after`, about `page` of them. Each page
    is read completely before writing, so no cursor stays open across the inserts."""
    rows = conn.execute(select(event).where(event.c.dossier_id > after)
                        .order_by(event.c.dossier_id, event.c.hlc, event.c.id).limit(page)).all()
    if len(rows) == page and rows[0].dossier_id != rows[-1].dossier_id:
        last = rows[-1].dossier_id          # may be cut short: it starts the next page
        rows = [r for r in rows if r.dossier_id != last]
    elif len(rows) == page:                 # one huge dossier: read it whole
        rows = conn.execute(select(event).where(event.c.dossier_id == rows[0].dossier_id)
                            .order_by(event.c.hlc, event.c.id)).all()
    return rows


def _insert(conn: Connection, rows: list[dict]) -> None:
    if not rows:
        return
    try:
        with conn.begin_nested():
            conn.execute(dossier.insert(), rows)
    except IntegrityError:      # a duplicate code (see guard_duplicate_code): row by row
        for row in rows:
            conn.execute(dossier.insert().values(**guard_duplicate_code(conn, row)))
