"""Statistics over the dossier projection: the figures of core/stats.py as SQL aggregates,
on the desk's SQLite and the centre's PostgreSQL alike (the SQL is in db/stats_sql.py).

A report is one aggregate query (every figure, per period bucket and group) plus a small
query of resolved dossiers per (receipt day, result day) for the working-day average,
which needs the desk's calendar. On the desk's SQLite the period's receipts are counted
from the facts stored on each row at fold time (core.stats.stored_facts: receipt day, end
day, class) by a GROUP BY in index order; the working days are still counted here with
the calendar of the moment (they are not stored), so a calendar change needs no rebuild.
Ratings come from db.ratings when that module exists.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Callable

from sqlalchemy import DateTime, Engine, bindparam, func, select, text

from core.stats import (COUNTS, NO_FIELD_VI, SC_NOT_ACCEPTED, SC_RESULT, Figures, Period, Ratings, Report, buckets,
                        from_day_number, total)
from db import rated_facts
from db.models import account, agency as agency_t, dossier
from db.rows import row_to_state
from db.stats_sql import (LATE_UNIT, aggregate_sql, behind_sql, classified_sql, decode_counts,
                          processing_sql, receipt_codes, receipts_params, receipts_sql, results_sql)

WorkingDays = Callable[[date, date], int]


# Groupings the stored facts serve (db/stats_sql.py, receipts_sql).
_STORED_GROUPS = (None, "field", "clerk")


def _as_day(value: Any) -> date:
    """A day as a report row gives it: a date, 'YYYY-MM-DD' text, or the stored yyyymmdd."""
    if isinstance(value, int):
        return from_day_number(value)
    return value if isinstance(value, date) else date.fromisoformat(value)


class StatsRepo:
    def __init__(self, engine: Engine, *, agency_code: str | None = None,
                 working_days: WorkingDays | None = None, ratings: Any = None):
        """`agency_code`: only that agency's dossiers (a desk, or a centre report for one
        commune); None reads whatever the connection may see (RLS limits a supervisor).
        `working_days(a, b)`: working days after a up to b. `ratings`: a RatingsRepo."""
        self.engine = engine
        self.agency_code = agency_code
        self.working_days = working_days
        self.ratings_repo = ratings

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _params(self) -> dict[str, Any]:
        return {"agency": self.agency_code} if self.agency_code else {}

    def figures(self, period: Period, by: str | None = None, *,
                with_days: bool = True) -> dict[str | None, Figures]:
        """Every figure per group key (None when ungrouped; the day or month for time groups).
        `with_days=False` skips the working-day sums (the dashboard's per-clerk table)."""
        if by in ("day", "month"):
            return self._bucketed(period, by)
        return self.figures_pair(period, by, None, with_days=with_days)[0]

    def figures_pair(self, period: Period, by: str | None, also_by: str | None, *,
                     with_days: bool = True) -> tuple[dict[str | None, Figures], dict[str | None, Figures]]:
        """The figures by `by` (with working days) and by `also_by` (without), from one pass
        over the dossiers: the dashboard's lĩnh vực and clerk tables at once.

        On SQLite (the desk) grouped by field, clerk or nothing, the period's receipts are
        counted from their stored facts (db/stats_sql.py, receipts_sql) and only the carried-over
        dossiers are classified; elsewhere (PostgreSQL at the centre, other groupings) every
        dossier is classified (classified_sql). The property tests hold both to the fold."""
        days_on = with_days and self.working_days is not None
        mine = self.agency_code is not None
        stored = (self.dialect == "sqlite" and by in _STORED_GROUPS and also_by in _STORED_GROUPS)
        sql, params = classified_sql(self.dialect, by, period, agency=mine, with_days=days_on, also_by=also_by,
                                     receipts=not stored)
        with self.engine.connect() as conn:
            pg_report_settings(conn)
            rows = conn.execute(text(sql), {**params, **self._params()}).all()
            if stored:
                # Straight to the driver (SQLite's named parameters): no result processing.
                raw = conn.connection.driver_connection
                rparams = {**receipts_params(period), **self._params()}
                receipts = raw.execute(receipts_sql(by, also_by, agency=mine), rparams).fetchall()
                results = raw.execute(results_sql(by, agency=mine), rparams).fetchall() if days_on else []
        # Sum per (group, class) and per (group, day) first, then decode each class once and
        # count working days once per day: wd(r, e) = run[e] - run[r] (see _build).
        per_code: dict[tuple[Any, int], int] = {}
        per_code2: dict[tuple[Any, int], int] = {}
        terms: dict[tuple[Any, Any], int] = {}          # (group, day) -> weight of run[day]
        resolved: dict[tuple[Any, Any], int] = {}       # (group, result day) -> results
        per_receipt: dict[tuple[Any, int, Any], int] = {}
        for g, g2, code, rday, eday, n in rows:
            per_code[g, code] = per_code.get((g, code), 0) + n
            if also_by:
                per_code2[g2, code] = per_code2.get((g2, code), 0) + n
            if eday is not None:
                terms[g, eday] = terms.get((g, eday), 0) + n
                terms[g, rday] = terms.get((g, rday), 0) - n
                resolved[g, eday] = resolved.get((g, eday), 0) + n
            if rday is not None:
                per_receipt[g, code, rday] = per_receipt.get((g, code, rday), 0) + n
        decoded: dict[int, dict[str, int] | None] = {}
        received: dict[tuple[Any, Any], int] = {}
        for (g, code, rday), n in per_receipt.items():
            hits = decoded.get(code, ...)
            if hits is ...:
                hits = decoded[code] = decode_counts(code)
            if hits is not None and "received" in hits:
                received[g, rday] = received.get((g, rday), 0) + n
        if stored:
            self._add_receipts(receipts, results, by, also_by, days_on, per_code, per_code2, terms, resolved,
                               received)
        first = self._build(period, by, per_code, decoded, terms, resolved, received)
        second = self._build(period, also_by, per_code2, decoded) if also_by else {}
        return first, second

    @staticmethod
    def _add_receipts(receipts, results, by, also_by, days_on, per_code, per_code2, terms, resolved,
                      received) -> None:
        """Adds the counted receipts (rows of receipts_sql) and their results (results_sql)
        to the per-class and per-day sums of figures_pair."""
        mask = LATE_UNIT - 1
        for part, g, x, cls, n, packed in receipts:
            if part == 0:                       # (group, group 2, stored class)
                ended_code, open_code, late_code = receipt_codes(cls)
                if open_code is None:           # not accepted: one class
                    parts = ((ended_code, n),)
                else:
                    late, still_open = packed // LATE_UNIT, packed & mask
                    parts = ((ended_code, n - still_open), (open_code, still_open - late), (late_code, late))
                for code, m in parts:
                    if m:
                        per_code[g, code] = per_code.get((g, code), 0) + m
                        if also_by:
                            per_code2[x, code] = per_code2.get((x, code), 0) + m
            elif days_on and not cls & SC_NOT_ACCEPTED:     # (group, receipt day, kind)
                received[g, x] = received.get((g, x), 0) + n
                if cls & SC_RESULT:             # results in the period: wd = run[end] - run[receipt]
                    terms[g, x] = terms.get((g, x), 0) - (n - (packed & mask))
        for eday, gv, n in results:
            g = gv if by else ""
            terms[g, eday] = terms.get((g, eday), 0) + n
            resolved[g, eday] = resolved.get((g, eday), 0) + n

    def _build(self, period: Period, by: str | None, per_code, decoded, terms=None, resolved=None,
               received=None) -> dict[str | None, Figures]:
        counts: dict[str | None, dict[str, int]] = {}
        for (g, code), n in per_code.items():
            hits = decoded.get(code, ...)
            if hits is ...:
                hits = decoded[code] = decode_counts(code)
            if hits is None:
                continue
            key = g if by else None
            c = counts.get(key)
            if c is None:
                c = counts[key] = dict.fromkeys(COUNTS, 0)
            for name in hits:
                c[name] += n
        as_day: dict[Any, date] = {}

        def day_of(v: Any) -> date:
            d = as_day.get(v)
            if d is None:
                d = as_day[v] = _as_day(v)
            return d
        # Working days after a up to b are additive (a <= b <= c: wd(a, c) = wd(a, b) + wd(b, c)),
        # so each day named gets its running count once: wd(r, e) = run[e] - run[r].
        days: dict[str | None, int] = {}
        if terms:
            run: dict[date, int] = {}
            acc, prev = 0, None
            for d in sorted({day_of(v) for _, v in terms}):
                if prev is not None:
                    acc += self.working_days(prev, d)
                run[d], prev = acc, d
            for (g, v), n in terms.items():
                if n:
                    key = g if by else None
                    days[key] = days.get(key, 0) + n * run[day_of(v)]
        by_day: dict[str | None, dict[date, int]] = {}
        for (g, v), n in (resolved or {}).items():
            per_day = by_day.setdefault(g if by else None, {})
            d = day_of(v)
            per_day[d] = per_day.get(d, 0) + n
        receipts: dict[str | None, dict[date, int]] = {}
        for (g, v), n in (received or {}).items():
            per_day = receipts.setdefault(g if by else None, {})
            d = day_of(v)
            per_day[d] = per_day.get(d, 0) + n
        if by is None:
            counts.setdefault(None, dict.fromkeys(COUNTS, 0))
        return {k: Figures(period, c, days.get(k, 0), key=k if by else None, resolved_by_day=by_day.get(k, {}),
                           received_by_day=receipts.get(k, {}))
                for k, c in counts.items()}

    def _bucketed(self, period: Period, by: str) -> dict[str | None, Figures]:
        """Each day or month its own period: one query over every bucket (the predicates)."""
        bks = buckets(period, by)
        mine = self.agency_code is not None
        sql, params = aggregate_sql(self.dialect, by, bks, agency=mine)
        psql, pparams = processing_sql(self.dialect, by, bks, agency=mine)
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), {**params, **self._params()}).all()
            pairs = conn.execute(text(psql), {**pparams, **self._params()}).all() if self.working_days else []
        days: dict[str, int] = {}
        for r in pairs:
            days[r.k] = days.get(r.k, 0) + r.n * self.working_days(_as_day(r.rday), _as_day(r.eday))
        found = {r.k: {name: int(getattr(r, name) or 0) for name in COUNTS} for r in rows}
        return {k: Figures(p, found.get(k, dict.fromkeys(COUNTS, 0)), days.get(k, 0), key=k)
                for k, p in bks}

    def report_pair(self, period: Period, by: str, also_by: str) -> tuple[Report, Report]:
        """Two dossier groupings of one period from one query (the first with working days).
        The period's ratings are read once for both (the whole is the same)."""
        first, second = self.figures_pair(period, by, also_by)
        shared: dict[Any, Any] = {}
        return (self._labelled(period, by, first, shared=shared),
                self._labelled(period, also_by, second, shared=shared))

    def _labelled(self, period: Period, by: str, raw: dict[str | None, Figures], *,
                  shared: dict[Any, Any] | None = None) -> Report:
        labels = self.labels(by, [k for k in raw if k is not None])
        ratings = self._ratings_batch(period, by, [k for k in raw if k is not None], shared)
        groups = []
        for key in sorted(raw, key=lambda k: (labels.get(k, k or "") == NO_FIELD_VI, labels.get(k, k or ""))):
            f = raw[key]
            f = replace(f, key=key, label=labels.get(key, key))
            if ratings is None or by in ("field", "procedure"):
                groups.append(self.with_ratings(f, f.period, by=by, key=key))
            else:
                groups.append(replace(f, ratings=ratings[key]))
        whole = total(raw.values(), period)
        whole = self.with_ratings(whole, period) if ratings is None else replace(whole, ratings=ratings[None])
        return Report(period, by, whole, groups)

    def _ratings_batch(self, period: Period, by: str, keys: list[str],
                       shared: dict[Any, Any] | None) -> dict[str | None, Ratings] | None:
        """The ratings of the whole period and of each group from one read of the period's
        ratings (the same figures as RatingsRepo.summary with the group's filter, which
        reads them once per group); None when the groups need the per-group path."""
        repo = self.ratings_repo
        if by not in (None, "field", "procedure", "clerk") or repo is None:
            return None
        from core.ratings import summarize
        if shared is None:
            shared = {}
        out: dict[str | None, Ratings] = {}
        if self.dialect == "sqlite":
            # Counted inside SQLite from the few payload fields a summary reads (decoding
            # every payload in Python cost five times as much).
            counts = shared.get("counts")
            if counts is None:
                counts = shared["counts"] = self._rated_counts(period)
            if None not in shared:
                misuse = repo.misuse_count(period.start, period.end, agency_code=self.agency_code or None)
                shared[None] = _ratings(_summary(counts, None, misuse, repo.config))
            out[None] = shared[None]
            if by == "clerk":
                out.update({k: _ratings(_summary(counts, k, 0, repo.config)) for k in keys})
            return out
        if "payloads" in shared:
            payloads = shared["payloads"]
        else:
            payloads = shared["payloads"] = repo.rated_events(period.start, period.end,
                                                              agency_code=self.agency_code or None)
        if None not in shared:
            misuse = repo.misuse_count(period.start, period.end, agency_code=self.agency_code or None)
            shared[None] = _ratings(summarize(payloads, misuse, repo.config))
        out[None] = shared[None]
        if by == "clerk":
            # A clerk's ratings: the payloads naming that clerk, never the misuse presses.
            mine: dict[Any, list] = {k: [] for k in keys}
            for p in payloads:
                cid = p.get("clerk_id")
                got = mine.get(cid) if isinstance(cid, str) else None
                if got is not None:
                    got.append(p)
            out.update({k: _ratings(summarize(ps, 0, repo.config)) for k, ps in mine.items()})
        return out

    def _rated_counts(self, period: Period) -> list[tuple[Any, Any, Any, Any, int]]:
        """SQLite: the period's ratings counted per (clerk, level's JSON type, level,
        satisfied's JSON type), each (dossier, step, source) once: its first `rated` event
        in (HLC, id) order, as RatingsRepo.rated_events chooses; read from the rated events'
        facts (db/rated_facts.py), never from their JSON payloads."""
        start, end = datetime.combine(period.start, datetime.min.time()), \
            datetime.combine(period.end + timedelta(days=1), datetime.min.time())
        own = " AND agency_code = :agency" if self.agency_code else ""
        sql = text(rated_facts.COUNTS_SQL.replace("{own}", own)).bindparams(
            bindparam("start", type_=DateTime), bindparam("end", type_=DateTime))
        summed: dict[tuple[Any, Any, Any, Any], int] = {}
        with self.engine.connect() as conn:
            for clerk, level_type, level, satisfied_type, n in conn.execute(
                    sql, {"start": start, "end": end, **self._params()}):
                key = (clerk, level_type, level, satisfied_type)
                summed[key] = summed.get(key, 0) + n
        return [(*key, n) for key, n in summed.items() if n]

    def report(self, period: Period, by: str | None = None, *, with_days: bool = True) -> Report:
        """The whole period and its groups, labelled, with ratings where they can be split.
        For a dossier grouping the whole is the sum of its groups (one query)."""
        if by in (None, "day", "month"):
            whole = self.figures(period, with_days=with_days)[None]
            batch = self._ratings_batch(period, None, [], None)
            whole = self.with_ratings(whole, period) if batch is None else replace(whole, ratings=batch[None])
            if by is None:
                return Report(period, None, whole, [])
            days = self.figures(period, by)
            groups = [self.with_ratings(replace(f, key=k, label=self.labels(by, [k])[k]), f.period)
                      for k, f in days.items()]
            return Report(period, by, whole, groups)
        return self._labelled(period, by, self.figures(period, by, with_days=with_days))

    # -- labels ---------------------------------------------------------------------------
    def labels(self, by: str, keys: list[str]) -> dict[str, str]:
        if by == "field":
            return {k: k or NO_FIELD_VI for k in keys}
        if by == "day":
            return {k: f"{date.fromisoformat(k):%d/%m/%Y}" for k in keys}
        if by == "month":
            return {k: f"{k[5:]}/{k[:4]}" for k in keys}
        if by == "desk":
            return {k: f"Quầy {k.rsplit('/', 1)[1]} · {k.rsplit('/', 1)[0]}" for k in keys}
        with self.engine.connect() as conn:
            if by == "procedure":       # one row each (the first one found holds the name)
                return {k: conn.execute(select(dossier.c.procedure_name).where(dossier.c.procedure_code == k)
                                        .limit(1)).scalar_one_or_none() or k for k in keys}
            if by == "clerk":
                names = dict(conn.execute(select(account.c.id, account.c.full_name)
                                          .where(account.c.id.in_(keys))).all()) if keys else {}
                return {k: names.get(k, f"Cán bộ {k[-6:]}") for k in keys}
            if by == "agency":
                names = dict(conn.execute(select(agency_t.c.code, agency_t.c.name)
                                          .where(agency_t.c.code.in_(keys))).all()) if keys else {}
                return {k: names.get(k, k) for k in keys}
        return {}

    # -- ratings -----------------------------------------------------------------------------
    def with_ratings(self, f: Figures, period: Period, *, by: str | None = None, key: str | None = None) -> Figures:
        filters: dict[str, Any] = {}
        if self.agency_code:
            filters["agency_code"] = self.agency_code
        if by == "clerk":
            filters["clerk_id"] = key
        elif by == "agency":
            filters["agency_code"] = key
        elif by == "desk":
            agency_code, number = key.rsplit("/", 1)
            filters.update(agency_code=agency_code, desk_number=int(number))
        elif by in ("field", "procedure"):
            return f          # ratings are of a clerk's service, not of a procedure
        return replace(f, ratings=ratings_of(self.ratings_repo, period.start, period.end, **filters))

    # -- what lies behind a number --------------------------------------------------------
    def behind(self, figure: str, period: Period, *, by: str | None = None, key: str | None = None,
               limit: int = 500) -> list:
        """The dossiers (core states) a figure counts, oldest receipt first."""
        if by in ("day", "month") and key is not None:
            period = dict(buckets(period, by))[key]
        sql, params = behind_sql(self.dialect, by, figure, period, agency=self.agency_code is not None, key=key)
        with self.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text(sql + f" LIMIT {int(limit)}"), {**params, **self._params()})]
            if not ids:
                return []
            rows = conn.execute(select(dossier).where(dossier.c.id.in_(ids))).all()
        order = {i: n for n, i in enumerate(ids)}
        return sorted((row_to_state(r) for r in rows), key=lambda s: order[s.id])

    def late_list(self, period: Period, limit: int = 500) -> list:
        """Late dossiers of the period (resolved late, or still open past the appointment),
        each with its apology status (`apology_count`)."""
        return (self.behind("late_with_apology", period, limit=limit)
                + self.behind("late_without_apology", period, limit=limit))[:limit]

    # -- today at a glance ------------------------------------------------------------------
    TODAY_VI = {"received_today": "Nhận hôm nay", "due_today": "Đến hạn hôm nay", "overdue": "Quá hạn",
                "waiting_supplement": "Chờ bổ sung", "not_returned": "Có kết quả, chưa trả"}

    def _today_conditions(self, now: datetime) -> dict[str, Any]:
        day = now.date()
        start = datetime.combine(day, datetime.min.time())
        end = start + timedelta(days=1)
        c = dossier.c
        open_ = (c.resolved_at.is_(None) & c.returned_at.is_(None) & c.closed_at.is_(None) & (c.status != 3))
        conds = {
            "received_today": (c.received_at >= start) & (c.received_at < end) & (c.status != 3),
            "due_today": open_ & (c.due_at >= start) & (c.due_at < end),
            # As in_progress_late: the legal appointment's date is before today, no supplement wait.
            "overdue": open_ & (c.original_due_at < start) & (c.status != 5),
            "waiting_supplement": open_ & (c.status == 5),
            "not_returned": (c.status == 9) & c.returned_at.is_(None),
        }
        if self.agency_code:
            conds = {k: v & (c.agency_code == self.agency_code) for k, v in conds.items()}
        return conds

    def today(self, now: datetime) -> dict[str, int]:
        """Received today, due today, overdue, waiting for a supplement, results not returned."""
        conds = self._today_conditions(now)
        # Every count but the receipts is of dossiers not handed back (open, or waiting to be
        # handed back): counted from the partial ix_dossier_not_returned alone. The receipts
        # are a range of ix_dossier_stats.
        later = {name: cond for name, cond in conds.items() if name != "received_today"}
        q = (select(*(func.count().filter(cond).label(name) for name, cond in later.items()))
             .select_from(dossier).where(dossier.c.returned_at.is_(None)))
        with self.engine.connect() as conn:
            row = conn.execute(q).one()
            received = conn.execute(select(func.count()).select_from(dossier)
                                    .where(conds["received_today"])).scalar_one()
        found = {name: int(getattr(row, name) or 0) for name in later}
        return {name: received if name == "received_today" else found[name] for name in conds}

    def behind_today(self, name: str, now: datetime, limit: int = 500) -> list:
        cond = self._today_conditions(now)[name]
        with self.engine.connect() as conn:
            rows = conn.execute(select(dossier).where(cond).order_by(dossier.c.received_at, dossier.c.code)
                                .limit(limit)).all()
        return [row_to_state(r) for r in rows]


def ratings_of(repo: Any, date_from: date, date_to: date, **filters: Any) -> Ratings:
    """The ratings figures from db.ratings' RatingsRepo.summary; zero without a repo."""
    if repo is None:
        return Ratings()
    return _ratings(repo.summary(date_from, date_to, **filters))


def _ratings(s: Any) -> Ratings:
    """Ratings from a core.ratings.Summary."""
    return Ratings(ratings=s.ratings, by_level={str(k): v for k, v in sorted(s.by_level.items())},
                   not_rated=s.not_rated, misuse=s.misuse, satisfaction_rate=s.satisfaction_rate)


def _summary(counts, clerk: str | None, misuse: int | None, config) -> Any:
    """core.ratings.summarize over counted payloads (`clerk`: only that clerk's; None: all)."""
    from core.ratings import Source, Summary
    s = Summary(by_level={lvl: 0 for lvl in range(1, config.levels + 1)}, misuse=misuse,
                by_source={src.value: 0 for src in Source})
    for who, lt, lv, sat, n in counts:
        if clerk is not None and who != clerk:
            continue
        if lt is None or lt == "null":
            s.not_rated += n
        elif lt == "integer":
            s.ratings += n
            s.by_level[lv] = s.by_level.get(lv, 0) + n
            if sat == "true" or (sat != "false" and lv in config.satisfied):
                s.satisfied += n
    return s


def ratings_repo(engine: Engine, central: bool = False) -> Any:
    """The store's db.ratings.RatingsRepo (imported here: a report without ratings never
    loads it). `central`: the store is a centre, which has no kiosk presses (misuse unknown)."""
    from db.ratings import RatingsRepo
    return RatingsRepo(engine, presses_here=not central)




def pg_report_settings(conn) -> None:
    """PostgreSQL, for this transaction only: no JIT (compiling the report's expressions
    costs more than it saves), and index scans for every branch of the dossier selection.
    Each branch is an index range whose rows are few, but the planner multiplies two
    independent estimates ("resolved after the start", "received before it") and, off by
    a factor of a hundred, would scan the whole table for the carried-over rows."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL jit = off"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        # Room to count a quarter's classes in a hash table instead of sorting on disk.
        conn.execute(text("SET LOCAL work_mem = '32MB'"))


def calendar_working_days(engine: Engine) -> WorkingDays:
    """Working days by the working-day calendar with the store's overrides, built on first
    use (importing the holiday tables costs a moment a report without results never pays)."""
    built: list[WorkingDays] = []

    def count(a: date, b: date) -> int:
        if not built:
            from core.calendar import WorkingCalendar
            from core.stats import working_days_counter
            from db.calendar import CalendarRepo
            built.append(working_days_counter(WorkingCalendar(CalendarRepo(engine).overrides()).is_working_day))
        return built[0](a, b)
    return count


def open_stats(engine: Engine, agency_code: str | None = None, *, central: bool = False) -> StatsRepo:
    """A StatsRepo wired with the calendar and the ratings of the same store. `central`:
    a centre (PostgreSQL always is), whose reports say the misuse count is not known."""
    central = central or engine.dialect.name == "postgresql"
    return StatsRepo(engine, agency_code=agency_code, working_days=calendar_working_days(engine),
                     ratings=ratings_repo(engine, central))
