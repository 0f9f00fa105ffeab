"""The procedure catalogue, versioned: an edit never rewrites the past.

Each (code, version) row holds the procedure's JSON (core.catalogue_io). Importing a
changed procedure adds version + 1; importing identical content adds nothing. "Current"
is the highest version of each code. Dossiers keep a snapshot of the version they were
received under in their RECEIVED event.
"""
from __future__ import annotations

import builtins
import logging
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Engine, func, select

from core.catalogue import Procedure
from core.catalogue_io import CatalogueError, procedure_from_dict, procedure_to_dict
from core.clock import Clock
from db.engine import read_conn, write_tx
from db.models import procedure_version as pv
from db.sql import dumps, loads


log = logging.getLogger(__name__)


def _valid(code: str, version: int, content: str) -> Procedure | None:
    try:
        return procedure_from_dict(loads(content))
    except (CatalogueError, ValueError, TypeError) as exc:
        log.info("catalogue %s v%s left out: %s", code, version, exc)
        return None


def valid_procedure_content(content: str) -> bool:
    """A catalogue version brought down from the centre passes the same checks as an import."""
    try:
        procedure_from_dict(loads(content))
        return True
    except (CatalogueError, ValueError, TypeError):
        return False


def decode_catalogue_file(raw: bytes) -> str:
    """Text of a catalogue file: UTF-8 (with or without BOM), else what charset-normalizer
    finds among the encodings Excel uses on a Vietnamese Windows (CP1258, CP1252). CP1258
    writes tone marks as combining characters: the text is NFC-composed. Raises
    CatalogueError saying how to save the file when neither fits."""
    import unicodedata
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    best = from_bytes(raw, cp_isolation=["cp1258", "cp1252"]).best()
    if best is None:
        raise CatalogueError("Không nhận ra bảng mã của tệp (không phải UTF-8, CP1258 hay CP1252). Trong Excel "
                             "chọn Lưu thành… → «CSV UTF-8 (Comma delimited)» rồi nhập lại.")
    return unicodedata.normalize("NFC", str(best))


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
        """The current version of every procedure that passes validation: a bad value that
        came in some other way (an old import, a centre's catalogue) is left out and logged,
        never handed to the receive screen."""
        with read_conn(self.engine) as conn:
            rows = conn.execute(_latest().order_by(pv.c.code)).all()
        return [p for p in (_valid(r.code, r.version, r.content) for r in rows) if p is not None]

    def get(self, code: str, version: int | None = None) -> Procedure | None:
        q = select(pv.c.code, pv.c.version, pv.c.content).where(pv.c.code == code)
        q = q.where(pv.c.version == version) if version is not None else q.order_by(pv.c.version.desc()).limit(1)
        with read_conn(self.engine) as conn:
            row = conn.execute(q).first()
        return _valid(row.code, row.version, row.content) if row else None

    def versions(self, code: str) -> builtins.list[int]:
        with read_conn(self.engine) as conn:
            return list(conn.execute(select(pv.c.version).where(pv.c.code == code).order_by(pv.c.version)).scalars())

    def count(self) -> int:
        with read_conn(self.engine) as conn:
            return conn.execute(select(func.count(func.distinct(pv.c.code)))).scalar_one()
