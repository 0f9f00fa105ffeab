"""The statistics definitions of core/stats.py written as SQL, for SQLite and PostgreSQL.

One predicate per figure, over one derived row per dossier (`d`) and one period row (`p`:
key, first day, last day). The aggregate sums the predicates; the drill-down ("the
dossiers behind a number") selects the rows one predicate holds for. Day values are
'YYYY-MM-DD' text on SQLite (a prefix of the stored datetime text) and DATE on PostgreSQL.

Which dossiers can matter for a period: those received in it, and those received before
it that ended in it or have not ended (carried over). Each of those five sets is an index
range (ix_dossier_received_at or ix_dossier_agency_received, ix_dossier_resolved_at,
ix_dossier_returned_at, ix_dossier_closed_at, the partial ix_dossier_open), so a quarter
out of years of dossiers reads only its own rows.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.stats import COUNTS, Period

# Predicates over d (derived dossier row) and p (period row). `acc`: accepted at receipt.
_ACC = "d.status <> 3"
_RECEIVED = f"{_ACC} AND d.rday >= p.d0 AND d.rday <= p.d1"
_RESOLVED = f"{_ACC} AND d.res = 1 AND d.eday >= p.d0 AND d.eday <= p.d1"
_IN_PROGRESS = f"{_ACC} AND d.rday <= p.d1 AND (d.eday IS NULL OR d.eday > p.d1)"
_IP_LATE_TAIL = "d.status <> 5 AND d.dday < p.d1"
_OF_PERIOD = f"{_ACC} AND d.rday <= p.d1 AND (d.eday IS NULL OR d.eday >= p.d0)"
_LATE = f"(({_RESOLVED} AND d.eday > d.dday) OR ({_IN_PROGRESS} AND {_IP_LATE_TAIL}))"

PREDICATES_SQL: dict[str, str] = {
    "received": _RECEIVED,
    "received_online": f"{_RECEIVED} AND d.channel = 2",
    "received_direct_postal": f"{_RECEIVED} AND d.channel <> 2",
    "received_postal": f"{_RECEIVED} AND d.channel = 3",
    "not_accepted": "d.status = 3 AND d.rday >= p.d0 AND d.rday <= p.d1",
    "carried_over": f"{_ACC} AND d.rday < p.d0 AND (d.eday IS NULL OR d.eday >= p.d0)",
    "resolved": _RESOLVED,
    "resolved_early": f"{_RESOLVED} AND d.eday < d.dday",
    "resolved_on_time": f"{_RESOLVED} AND d.eday = d.dday",
    "resolved_late": f"{_RESOLVED} AND d.eday > d.dday",
    "withdrawn_stopped": f"{_ACC} AND d.res = 0 AND d.closed = 1 AND d.eday >= p.d0 AND d.eday <= p.d1",
    "in_progress": _IN_PROGRESS,
    "in_progress_on_time": f"{_IN_PROGRESS} AND NOT ({_IP_LATE_TAIL})",
    "in_progress_late": f"{_IN_PROGRESS} AND {_IP_LATE_TAIL}",
    "waiting_supplement": f"{_IN_PROGRESS} AND d.status = 5",
    "same_day": f"{_RESOLVED} AND d.eday = d.rday",
    "apologies": f"{_OF_PERIOD} AND d.ac > 0",
    "late_with_apology": f"{_LATE} AND d.ac > 0",
    "late_without_apology": f"{_LATE} AND d.ac = 0",
    "supplement_over_once": f"{_OF_PERIOD} AND d.sc > 1",
}
assert tuple(PREDICATES_SQL) == COUNTS

# Group expressions over the dossier table (the `dossier` columns).
GROUP_SQL = {
    None: "''", "day": "''", "month": "''",
    "field": "procedure_field", "procedure": "procedure_code", "clerk": "received_by",
    "desk": "agency_code || '/' || CAST(desk_number AS VARCHAR(12))", "agency": "agency_code",
}
LABEL_SQL = {"procedure": "MAX(d.pname)"}


def _day(col: str, dialect: str) -> str:
    return f"substr({col}, 1, 10)" if dialect == "sqlite" else f"CAST({col} AS DATE)"


def day_param(d: date, dialect: str) -> Any:
    return d.isoformat() if dialect == "sqlite" else d


def periods_cte(buckets: list[tuple[str | None, Period]], dialect: str) -> tuple[str, dict[str, Any]]:
    cast = (lambda n: f":{n}") if dialect == "sqlite" else (lambda n: f"CAST(:{n} AS DATE)")
    rows, params = [], {}
    for i, (key, p) in enumerate(buckets):
        rows.append(f"(:k{i}, {cast(f'a{i}')}, {cast(f'b{i}')})")
        params.update({f"k{i}": key or "", f"a{i}": day_param(p.start, dialect),
                       f"b{i}": day_param(p.end, dialect)})
    return "p(k, d0, d1) AS (VALUES " + ", ".join(rows) + ")", params


def dossier_rows(dialect: str, by: str | None, *, agency: bool) -> str:
    """The derived rows `d` of every dossier that can count in [:lo, :hi)."""
    g = GROUP_SQL[by]
    end = "COALESCE(resolved_at, returned_at, closed_at)"
    rday, eday = _day("received_at", dialect), _day(end, dialect)
    cols = (f"{g} AS g, procedure_name AS pname, id, code, status, channel, {rday} AS rday, "
            f"CASE WHEN {end} IS NULL THEN NULL WHEN {eday} < {rday} THEN {rday} ELSE {eday} END AS eday, "
            f"{_day('original_due_at', dialect)} AS dday, "
            "CASE WHEN resolved_at IS NOT NULL OR returned_at IS NOT NULL THEN 1 ELSE 0 END AS res, "
            "CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END AS closed, "
            "supplement_count AS sc, apology_count AS ac")
    own = " AND agency_code = :agency" if agency else ""
    before = f"received_at < :lo{own}"
    parts = [
        f"received_at >= :lo AND received_at < :hi{own}",
        f"{before} AND resolved_at IS NULL AND returned_at IS NULL AND closed_at IS NULL",
        f"{before} AND resolved_at >= :lo",
        f"{before} AND resolved_at IS NULL AND returned_at >= :lo",
        f"{before} AND resolved_at IS NULL AND returned_at IS NULL AND closed_at >= :lo",
    ]
    return " UNION ALL ".join(f"SELECT {cols} FROM dossier WHERE {w}" for w in parts)


def bounds(buckets: list[tuple[str | None, Period]], dialect: str) -> dict[str, Any]:
    lo = min(p.start for _, p in buckets)
    hi = max(p.end for _, p in buckets) + timedelta(days=1)
    return {"lo": day_param(lo, dialect), "hi": day_param(hi, dialect)}


def aggregate_sql(dialect: str, by: str | None, buckets, *, agency: bool) -> tuple[str, dict[str, Any]]:
    cte, params = periods_cte(buckets, dialect)
    sums = ", ".join(f"SUM(CASE WHEN {pred} THEN 1 ELSE 0 END) AS {name}"
                     for name, pred in PREDICATES_SQL.items())
    label = LABEL_SQL.get(by or "", "MAX(d.g)")
    sql = (f"WITH {cte}, d AS ({dossier_rows(dialect, by, agency=agency)}) "
           f"SELECT p.k AS k, d.g AS g, {label} AS label, {sums} "
           f"FROM d JOIN p ON d.rday <= p.d1 AND (d.eday IS NULL OR d.eday >= p.d0) "
           f"GROUP BY p.k, d.g")
    return sql, {**params, **bounds(buckets, dialect)}


def processing_sql(dialect: str, by: str | None, buckets, *, agency: bool) -> tuple[str, dict[str, Any]]:
    """Resolved dossiers counted per (receipt day, result day): the working-day calendar
    (Python, with the desk's overrides) turns each pair into days."""
    cte, params = periods_cte(buckets, dialect)
    sql = (f"WITH {cte}, d AS ({dossier_rows(dialect, by, agency=agency)}) "
           f"SELECT p.k AS k, d.g AS g, d.rday AS rday, d.eday AS eday, COUNT(*) AS n "
           f"FROM d JOIN p ON d.rday <= p.d1 AND d.eday >= p.d0 "
           f"WHERE {_RESOLVED} GROUP BY p.k, d.g, d.rday, d.eday")
    return sql, {**params, **bounds(buckets, dialect)}


def behind_sql(dialect: str, by: str | None, figure: str, period: Period, *, agency: bool,
               key: str | None) -> tuple[str, dict[str, Any]]:
    """The ids of the dossiers one figure counts (the number a supervisor pressed Enter on)."""
    if figure not in PREDICATES_SQL:
        raise ValueError(f"unknown figure {figure}")
    cte, params = periods_cte([(None, period)], dialect)
    where = PREDICATES_SQL[figure]
    if key is not None and by not in (None, "day", "month"):
        where += " AND d.g = :gkey"
        params["gkey"] = key
    sql = (f"WITH {cte}, d AS ({dossier_rows(dialect, by, agency=agency)}) "
           f"SELECT d.id FROM d JOIN p ON 1 = 1 WHERE {where} ORDER BY d.rday, d.code")
    return sql, {**params, **bounds([(None, period)], dialect)}


def daily_sql(dialect: str, period: Period, *, agency: bool) -> tuple[str, dict[str, Any]]:
    """('r', day, received) and ('s', day, resolved) rows: the chart's two series, from the
    same predicates as the figures (each day as its own period)."""
    cte, params = periods_cte([(None, period)], dialect)
    rec = _RECEIVED.replace("p.d0", "d.rday").replace("p.d1", "d.rday")
    res = _RESOLVED.replace("p.d0", "d.eday").replace("p.d1", "d.eday")
    sql = (f"WITH {cte}, d AS ({dossier_rows(dialect, None, agency=agency)}) "
           f"SELECT 'r', d.rday, COUNT(*) FROM d JOIN p ON d.rday >= p.d0 AND d.rday <= p.d1 "
           f"WHERE {rec} GROUP BY d.rday "
           f"UNION ALL SELECT 's', d.eday, COUNT(*) FROM d JOIN p ON d.eday >= p.d0 AND d.eday <= p.d1 "
           f"WHERE {res} GROUP BY d.eday")
    return sql, {**params, **bounds([(None, period)], dialect)}
