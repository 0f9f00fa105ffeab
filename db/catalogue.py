"""The procedure catalogue, versioned: an edit never rewrites the past.

Each (code, version) row holds the procedure's JSON (core.catalogue_io). Importing a
changed procedure adds version + 1; importing identical content adds nothing. "Current"
is the highest version of each code. Dossiers keep a snapshot of the version they were
received under in their RECEIVED event.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Engine, func, select

from core.catalogue import Procedure
from core.catalogue_io import procedure_from_dict, procedure_to_dict
from core.clock import Clock
from db.engine import read_conn, write_tx
from db.models import procedure_version as pv
from db.sql import dumps, loads


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int             # codes new to this catalogue
    new_versions: int      # known codes whose content changed
    unchanged: int


def _comparable(d: dict) -> dict:
    return {k: v for k, v in d.items() if k != "version"}


def _latest():
    inner = select(pv.c.code, func.max(pv.c.version).label("version")).group_by(pv.c.code).subquery()
    return select(pv).join(inner, (pv.c.code == inner.c.code) & (pv.c.version == inner.c.version))


class CatalogueRepo:
    def __init__(self, engine: Engine, clock: Clock):
        self.engine = engine
        self.clock = clock

    def import_procedures(self, procs: Iterable[Procedure]) -> ImportReport:
        added = new_versions = unchanged = 0
        now = self.clock.now()
        with write_tx(self.engine) as conn:
            current = {r.code: (r.version, _comparable(loads(r.content))) for r in conn.execute(_latest())}
            for p in procs:
                d = loads(dumps(procedure_to_dict(p)))      # compare as stored
                known = current.get(p.code)
                if known is None:
                    version = max(1, int(p.version))
                    added += 1
                elif known[1] == _comparable(d):
                    unchanged += 1
                    continue
                else:
                    version = known[0] + 1
                    new_versions += 1
                d["version"] = version
                conn.execute(pv.insert().values(code=p.code, version=version, content=dumps(d),
                                                demo=bool(p.demo), created_at=now))
                current[p.code] = (version, _comparable(d))
        return ImportReport(added=added, new_versions=new_versions, unchanged=unchanged)

    def current(self) -> builtins.list[Procedure]:
        with read_conn(self.engine) as conn:
            rows = conn.execute(_latest().order_by(pv.c.code)).all()
        return [procedure_from_dict(loads(r.content)) for r in rows]

    def get(self, code: str, version: int | None = None) -> Procedure | None:
        q = select(pv.c.content).where(pv.c.code == code)
        q = q.where(pv.c.version == version) if version is not None else q.order_by(pv.c.version.desc()).limit(1)
        with read_conn(self.engine) as conn:
            content = conn.execute(q).scalar_one_or_none()
        return procedure_from_dict(loads(content)) if content else None

    def versions(self, code: str) -> builtins.list[int]:
        with read_conn(self.engine) as conn:
            return list(conn.execute(select(pv.c.version).where(pv.c.code == code).order_by(pv.c.version)).scalars())

    def count(self) -> int:
        with read_conn(self.engine) as conn:
            return conn.execute(select(func.count(func.distinct(pv.c.code)))).scalar_one()
