"""The statistics definitions of core/stats.py written as SQL, for SQLite and PostgreSQL.

One predicate per figure, over one derived row per dossier (`d`) and one period row (`p`:
key, first day, last day). The aggregate sums the predicates; the drill-down ("the
dossiers behind a number") selects the rows one predicate holds for. Day values are
'YYYY-MM-DD' text on SQLite (a prefix of the stored datetime text) and DATE on PostgreSQL.

Which dossiers can matter for a period: those received in it, and those received before
it that ended in it or have not ended (carried over). Each of those five sets is an index
range (ix_dossier_received_at or ix_dossier_stats, ix_dossier_resolved_at,
ix_dossier_returned_at, ix_dossier_closed_at, the partial ix_dossier_open), so a quarter
out of years of dossiers reads only its own rows.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.stats import (COUNTS, SC_APOLOGY, SC_NOT_ACCEPTED, SC_ONLINE, SC_POSTAL, SC_RESULT, SC_SAME_DAY,
                        SC_SUPPLEMENT_OVER_ONCE, SC_TIMELINESS_SHIFT, SC_WAITING, SC_WITHDRAWN, Period,
                        day_number)

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


def dossier_rows(dialect: str, by: str | None, *, agency: bool, ids: bool = False) -> str:
    """The derived rows `d` of every dossier that can count in [:lo, :hi). Only the columns
    of ix_dossier_stats, so the receipts are read from the index alone; `ids` adds the
    dossier's id and code (for listing the dossiers behind a number)."""
    g = GROUP_SQL[by]
    end = "COALESCE(resolved_at, returned_at, closed_at)"
    rday, eday = _day("received_at", dialect), _day(end, dialect)
    cols = (f"{g} AS g, {'id, code, ' if ids else ''}status, channel, {rday} AS rday, "
            f"CASE WHEN {end} IS NULL THEN NULL WHEN {eday} < {rday} THEN {rday} ELSE {eday} END AS eday, "
            f"{_day('original_due_at', dialect)} AS dday, "
            "CASE WHEN resolved_at IS NOT NULL OR returned_at IS NOT NULL THEN 1 ELSE 0 END AS res, "
            "CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END AS closed, "
            "supplement_count AS sc, apology_count AS ac")
    return _branches(dialect, cols, agency)


def _branches(dialect: str, cols: str, agency: bool) -> str:
    return " UNION ALL ".join(_branch_parts(dialect, cols, agency))


def _branch_parts(dialect: str, cols: str, agency: bool) -> list[str]:
    own = " AND agency_code = :agency" if agency else ""
    before = f"received_at < :lo{own}"
    # (index, condition) per set. SQLite is told which index: by its own estimate an
    # "IS NULL" on an end column looks selective, and it would walk every open dossier.
    parts = [
        ("ix_dossier_stats", f"received_at >= :lo AND received_at < :hi{own}"),
        ("ix_dossier_open", f"{before} AND resolved_at IS NULL AND returned_at IS NULL AND closed_at IS NULL"),
        ("ix_dossier_resolved_at", f"{before} AND resolved_at >= :lo"),
        ("ix_dossier_returned_at", f"{before} AND resolved_at IS NULL AND returned_at >= :lo"),
        ("ix_dossier_closed_at", f"{before} AND resolved_at IS NULL AND returned_at IS NULL AND closed_at >= :lo"),
    ]
    hint = (lambda ix: f" INDEXED BY {ix}") if dialect == "sqlite" else (lambda ix: "")
    return [f"SELECT {cols} FROM dossier{hint(ix)} WHERE {w}" for ix, w in parts]


def bounds(buckets: list[tuple[str | None, Period]], dialect: str) -> dict[str, Any]:
    lo = min(p.start for _, p in buckets)
    hi = max(p.end for _, p in buckets) + timedelta(days=1)
    return {"lo": day_param(lo, dialect), "hi": day_param(hi, dialect)}


def aggregate_sql(dialect: str, by: str | None, buckets, *, agency: bool) -> tuple[str, dict[str, Any]]:
    cte, params = periods_cte(buckets, dialect)
    sums = ", ".join(f"SUM(CASE WHEN {pred} THEN 1 ELSE 0 END) AS {name}"
                     for name, pred in PREDICATES_SQL.items())
    sql = (f"WITH {cte}, d AS MATERIALIZED ({dossier_rows(dialect, by, agency=agency)}) "
           f"SELECT p.k AS k, d.g AS g, {sums} "
           f"FROM d JOIN p ON d.rday <= p.d1 AND (d.eday IS NULL OR d.eday >= p.d0) "
           f"GROUP BY p.k, d.g")
    return sql, {**params, **bounds(buckets, dialect)}


def processing_sql(dialect: str, by: str | None, buckets, *, agency: bool) -> tuple[str, dict[str, Any]]:
    """Resolved dossiers counted per (receipt day, result day): the working-day calendar
    (Python, with the desk's overrides) turns each pair into days."""
    cte, params = periods_cte(buckets, dialect)
    sql = (f"WITH {cte}, d AS MATERIALIZED ({dossier_rows(dialect, by, agency=agency)}) "
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
    sql = (f"WITH {cte}, d AS MATERIALIZED ({dossier_rows(dialect, by, agency=agency, ids=True)}) "
           f"SELECT d.id FROM d JOIN p ON 1 = 1 WHERE {where} ORDER BY d.rday, d.code")
    return sql, {**params, **bounds([(None, period)], dialect)}


# -- one period, classified -------------------------------------------------------------------
# The fast path for one period (every grouping but day/month): each dossier is classified
# once into a few small codes, packed into one integer, and the rows are counted per
# (group, code). Python turns the codes into figures (`decode_counts`), so the database
# evaluates one CASE per dossier (the branch it comes from already says whether it was
# received in the period or before, and by which end column) instead of twenty predicates.
# The predicates above stay the definition: the property tests hold both paths to the
# plain fold.
# Mixed radix: (name, radix).
CODE_PARTS = (("st", 4), ("en", 4), ("tl", 3), ("ipl", 2), ("s5", 2), ("ch2", 2), ("ch3", 2),
              ("sd", 2), ("ap", 2), ("sm", 2))


def _code_weights() -> dict[str, int]:
    """The place value of each part of a class code (CODE_PARTS is a mixed radix)."""
    out, weight = {}, 1
    for name, radix in CODE_PARTS:
        out[name] = weight
        weight *= radix
    return out


_WEIGHTS = _code_weights()


def _branch_classes(dialect: str, d1: str, d1n: str) -> list[tuple[str, str | None, str | None]]:
    """Per branch of `_branch_parts` (same order): expressions (the class code of a row,
    its receipt day, its result day) for the one period [lo, hi) = [d0, d1n); the days are
    those of a result in the period (working days) and, for the receipts, the receipt day
    of every accepted one (the daily chart); None: no days. Each branch knows where its
    rows stand against the period, so a row evaluates only the classes its figures read (a class
    `decode_counts` does not read for that row is left 0: tl and sd only for a result, ipl
    and s5 only when in progress, the channels only for a receipt). A row's end never
    precedes its receipt: `e` is the later of the two."""
    sqlite = dialect == "sqlite"
    b = (lambda c: f"({c})") if sqlite else (lambda c: f"(CASE WHEN {c} THEN 1 ELSE 0 END)")
    day = lambda col: _day(col, dialect)     # noqa: E731
    w = _WEIGHTS
    common = f"{w['ap']} * {b('apology_count > 0')} + {w['sm']} * {b('supplement_count > 1')}"
    chan = f"{w['ch2']} * {b('channel = 2')} + {w['ch3']} * {b('channel = 3')}"
    ip = (f"{w['en'] * 3} + {w['ipl']} * {b(f'status <> 5 AND original_due_at < {d1}')} "
          f"+ {w['s5']} * {b('status = 5')}")

    def tl(e: str) -> str:
        return (f"(CASE WHEN {day(e)} < {day('original_due_at')} THEN 0 "
                f"WHEN {day(e)} = {day('original_due_at')} THEN {w['tl']} ELSE {w['tl'] * 2} END)")
    st_co, st_rec = w["st"] * 1, w["st"] * 2
    en_res, en_wd = w["en"] * 1, w["en"] * 2
    # 1. received in the period: end (raw) E, e = max(E, receipt) <= the period's end iff E is.
    end = "COALESCE(resolved_at, returned_at, closed_at)"
    e = f"max({end}, received_at)" if sqlite else f"GREATEST({end}, received_at)"
    res = "(resolved_at IS NOT NULL OR returned_at IS NOT NULL)"
    same_day = b(f"{day(end)} <= {day('received_at')}")       # the day of e is the receipt's
    received = (f"CASE WHEN status = 3 THEN {w['st'] * 3} "
                f"WHEN {end} IS NULL OR {end} >= {d1n} THEN {st_rec} + {ip} + {chan} + {common} "
                f"WHEN {res} THEN {st_rec} + {en_res} + {tl(e)} + {w['sd']} * {same_day} + {chan} + {common} "
                f"ELSE {st_rec} + {en_wd} + {chan} + {common} END")
    # 2. open, received before the period: carried over and still in progress.
    open_ = f"CASE WHEN status = 3 THEN 0 ELSE {st_co} + {ip} + {common} END"

    # 3-5. received before the period, ended (column E, never before receipt) in or after it.
    def ended(col: str, with_result: bool) -> str:
        done = f"{st_co} + {en_res} + {tl(col)}" if with_result else f"{st_co} + {en_wd}"
        return (f"CASE WHEN status = 3 THEN 0 WHEN {col} >= {d1n} THEN {st_co} + {ip} + {common} "
                f"ELSE {done} + {common} END")
    days = lambda cond, e: (f"CASE WHEN {cond} THEN {day('received_at')} END",        # noqa: E731
                            f"CASE WHEN {cond} THEN {day(e)} END")
    # The receipt day of every accepted receipt (the daily receipts), the result day of a result.
    out = [(received, f"CASE WHEN status <> 3 THEN {day('received_at')} END",
            days(f"status <> 3 AND {res} AND {end} < {d1n}", e)[1]), (open_, None, None)]
    for col, with_result in (("resolved_at", True), ("returned_at", True), ("closed_at", False)):
        out.append((ended(col, with_result), *(days(f"status <> 3 AND {col} < {d1n}", col) if with_result
                                                 else (None, None))))
    return out


def classified_sql(dialect: str, by: str | None, period: Period, *, agency: bool,
                   with_days: bool, also_by: str | None = None,
                   receipts: bool = True) -> tuple[str, dict[str, Any]]:
    """Rows (g, g2, code, rday, eday, n): dossiers per group and class; with_days keeps
    the receipt and result days of resolved dossiers (for the working-day average), and
    the receipt day of the period's receipts (eday NULL unless resolved in the period).
    `also_by`: a second grouping counted in the same pass (g2; '' without it).
    `receipts=False`: only the dossiers received before the period (carried over)."""
    if dialect == "sqlite":
        d1, d1n = ":d1", ":d1n"
    else:
        d1, d1n = "CAST(:d1 AS DATE)", "CAST(:d1n AS DATE)"
    g1 = GROUP_SQL[by] if by else "''"
    g2 = GROUP_SQL[also_by] if also_by else "''"
    # Only real groupings are grouped on (a constant column costs the sort a comparison).
    keys = ", ".join(str(i) for i, used in ((1, by), (2, also_by), (3, True), (4, with_days), (5, with_days))
                     if used)
    # Each branch is counted on its own and the partial counts are summed in Python: no
    # compound of every dossier row is ever built (on SQLite that cost more than the counting).
    parts = []
    branches = list(zip(_branch_classes(dialect, d1, d1n), _branch_parts(dialect, "{cols}", agency)))
    for (code, rday, eday), part in branches if receipts else branches[1:]:
        if not with_days or rday is None:
            rday = eday = "NULL" if dialect == "sqlite" else "CAST(NULL AS DATE)"
        cols = f"{g1} AS g, {g2} AS g2, {code} AS code, {rday} AS rday, {eday} AS eday, COUNT(*) AS n"
        parts.append(part.replace("{cols}", cols, 1) + f" GROUP BY {keys}")
    params = {"d1": day_param(period.end, dialect), "d1n": day_param(period.end + timedelta(days=1), dialect),
              **bounds([(None, period)], dialect)}
    return " UNION ALL ".join(parts), params


def decode_counts(code: int) -> dict[str, int] | None:
    """The figures one dossier of class `code` counts in (1 each), or None for none."""
    v = {}
    for name, radix in CODE_PARTS:
        v[name] = code % radix
        code //= radix
    st, en = v["st"], v["en"]
    if st == 0 and en == 0:
        return None
    hits = {}
    if st == 2:
        hits["received"] = 1
        hits["received_online" if v["ch2"] else "received_direct_postal"] = 1
        if v["ch3"]:
            hits["received_postal"] = 1
    elif st == 3:
        hits["not_accepted"] = 1
    elif st == 1:
        hits["carried_over"] = 1
    late = False
    if en == 1:
        hits["resolved"] = 1
        hits[("resolved_early", "resolved_on_time", "resolved_late")[v["tl"]]] = 1
        late = v["tl"] == 2
        if v["sd"]:
            hits["same_day"] = 1
    elif en == 2:
        hits["withdrawn_stopped"] = 1
    elif en == 3:
        hits["in_progress"] = 1
        hits["in_progress_late" if v["ipl"] else "in_progress_on_time"] = 1
        late = bool(v["ipl"])
        if v["s5"]:
            hits["waiting_supplement"] = 1
    if st in (1, 2):
        if v["ap"]:
            hits["apologies"] = 1
        if v["sm"]:
            hits["supplement_over_once"] = 1
    if late:
        hits["late_with_apology" if v["ap"] else "late_without_apology"] = 1
    return hits


# -- the stored facts (core.stats.stored_facts) as SQL ---------------------------------------------

def stored_facts_sql(dialect: str) -> str:
    """`UPDATE dossier SET ...` recomputing received_day, ended_day and stat_class of every
    row from its other columns, exactly as core.stats.stored_facts does (for rows written
    by plain SQL, such as the benchmark's synthetic ones; migration 0013 keeps a copy)."""
    if dialect == "sqlite":
        def dn(col: str) -> str:
            return f"CAST(substr({col}, 1, 4) || substr({col}, 6, 2) || substr({col}, 9, 2) AS INTEGER)"
        later = "max"
    else:
        def dn(col: str) -> str:
            return f"CAST(to_char({col}, 'YYYYMMDD') AS INTEGER)"
        later = "GREATEST"
    end = "COALESCE(resolved_at, returned_at, closed_at)"
    rday, due = dn("received_at"), dn("original_due_at")
    eday = f"(CASE WHEN {end} IS NULL THEN NULL ELSE {later}({dn(end)}, {rday}) END)"
    tl = SC_TIMELINESS_SHIFT
    cls = (f"(CASE WHEN status = 3 THEN {SC_NOT_ACCEPTED} ELSE 0 END)"
           f" + (CASE WHEN channel = 2 THEN {SC_ONLINE} WHEN channel = 3 THEN {SC_POSTAL} ELSE 0 END)"
           f" + (CASE WHEN resolved_at IS NOT NULL OR returned_at IS NOT NULL THEN {SC_RESULT}"
           f" + (CASE WHEN {eday} < {due} THEN 0 WHEN {eday} = {due} THEN {1 << tl} ELSE {2 << tl} END)"
           f" + (CASE WHEN {eday} = {rday} THEN {SC_SAME_DAY} ELSE 0 END)"
           f" WHEN closed_at IS NOT NULL THEN {SC_WITHDRAWN} ELSE 0 END)"
           f" + (CASE WHEN apology_count > 0 THEN {SC_APOLOGY} ELSE 0 END)"
           f" + (CASE WHEN supplement_count > 1 THEN {SC_SUPPLEMENT_OVER_ONCE} ELSE 0 END)"
           f" + (CASE WHEN status = 5 THEN {SC_WAITING} ELSE 0 END)")
    return f"UPDATE dossier SET received_day = {rday}, ended_day = {eday}, stat_class = {cls}"


# -- one period on the desk's SQLite: the stored facts --------------------------------------------
# The receipts of the period are counted per (receipt day, field, clerk, stored class) in
# the order of ix_dossier_receipts, so SQLite groups them as it walks the index, without a
# sort, and those groups (tens of thousands for a year) are summed again per group and per
# day inside SQLite. What depends on the period's end is one sum per group: a receipt still
# open at the end counts 1, and 1 + 2^32 when it is also late then (not waiting for a
# supplement and its legal appointment's date before the end), so the sum holds both
# counts. The results of the period's receipts are counted per end day off
# ix_dossier_results (working days, daily chart). Dossiers received before the period
# (carried over: few) take the classified pass.
LATE_UNIT = 1 << 32


def receipts_sql(by: str | None, also_by: str | None, *, agency: bool) -> str:
    """Rows (part, g, x, class, n, packed) of the period's receipts (`by` and `also_by`
    are None, 'field' or 'clerk'): part 0 per (group, group 2, stored class); part 1 per
    (group, receipt day, accepted/result bits of the class). The walk in index order
    groups every row once; the two outer sums read only its few thousand groups."""
    own = " AND agency_code = :agency" if agency else ""
    col = {None: "''", "field": "f", "clerk": "k"}
    g1, g2 = col[by], col[also_by]
    kind = SC_NOT_ACCEPTED | SC_RESULT
    walk = ("SELECT received_day AS d, procedure_field AS f, received_by AS k, stat_class AS c, COUNT(*) AS n, "
            "SUM(CASE WHEN ended_day <= :d1 THEN 0 "
            f"WHEN stat_class & {SC_WAITING} = 0 AND original_due_at < :d1t THEN {LATE_UNIT + 1} ELSE 1 END) AS o "
            "FROM dossier INDEXED BY ix_dossier_receipts "
            f"WHERE received_day >= :d0 AND received_day <= :d1{own} "
            "GROUP BY received_day, procedure_field, received_by, stat_class")
    return (f"WITH r AS MATERIALIZED ({walk}) "
            f"SELECT 0, {g1}, {g2}, c, SUM(n), SUM(o) FROM r GROUP BY 2, 3, 4 "
            f"UNION ALL SELECT 1, {g1}, d, c & {kind}, SUM(n), SUM(o) FROM r GROUP BY 2, 3, 4")


def results_sql(by: str | None, *, agency: bool) -> str:
    """The period's receipts with a result in the period, per end day (and group: `by` is
    None, 'field' or 'clerk')."""
    own = " AND agency_code = :agency" if agency else ""
    g = {None: "", "field": ", procedure_field", "clerk": ", received_by"}[by]
    return (f"SELECT ended_day{g or ', NULL'}, COUNT(*) FROM dossier INDEXED BY ix_dossier_results "
            f"WHERE ended_day >= :d0 AND ended_day <= :d1 AND received_day >= :d0 "
            f"AND stat_class & {SC_NOT_ACCEPTED | SC_RESULT} = {SC_RESULT}{own} GROUP BY ended_day{g}")


def receipts_params(period: Period) -> dict[str, Any]:
    return {"d0": day_number(period.start), "d1": day_number(period.end), "d1t": period.end.isoformat()}


def receipt_codes(cls: int) -> tuple[int, int | None, int | None]:
    """The class codes (see CODE_PARTS) of a receipt of the period with stored class `cls`:
    (ended in the period, open at its end and on time, open and late); None where the
    stored class rules a state out. A refused dossier counts only as not accepted."""
    w = _WEIGHTS
    if cls & SC_NOT_ACCEPTED:
        return 3 * w["st"], None, None
    base = (2 * w["st"] + w["ch2"] * bool(cls & SC_ONLINE) + w["ch3"] * bool(cls & SC_POSTAL)
            + w["ap"] * bool(cls & SC_APOLOGY) + w["sm"] * bool(cls & SC_SUPPLEMENT_OVER_ONCE))
    if cls & SC_RESULT:
        ended = (base + w["en"] + w["tl"] * (cls >> SC_TIMELINESS_SHIFT & 3)
                 + w["sd"] * bool(cls & SC_SAME_DAY))
    elif cls & SC_WITHDRAWN:
        ended = base + 2 * w["en"]
    else:
        ended = None                        # never ended: open at any period's end
    open_ = base + 3 * w["en"] + w["s5"] * bool(cls & SC_WAITING)
    return ended, open_, open_ + w["ipl"]
