"""Ratings on the desk database: prompts the clerk side opens, the kiosk's presses and
answers, `rated` events, paper surveys, and the figures of a period.

The clerk app and the kiosk are two programs on one SQLite file (WAL). The clerk side
writes a `rating_prompt` row in the same transaction as the step it completes (a dossier
received or returned: `on_event`, registered on DossierRepo); the kiosk polls for it,
shows it, and answers through the methods below. Each of them is one write transaction
that re-reads the prompt, so whatever the two programs do at the same moment there is at
most one rating per dossier, step and source, and every press is kept once, as a rating,
a selection, a reason or misuse.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from core.clock import Clock, HybridClock, SystemClock
from core.ids import new_id
from core.lifecycle import Event, EventKind, apply, fold
from core.people import Clerk, Role
from core.ratings import (
    NOT_RATED_LABEL, Outcome, Prompt, RatingConfig, Source, Step, Summary, rated_payload, summarize,
)
from db.engine import read_conn, write_tx
from db.meta import KEY_HLC, get_meta, raise_hlc
from db.models import account, agency as agency_t, dossier, event, rating_press, rating_prompt
from db.rows import event_to_row, events_of, row_to_state, upsert_projection
from db.sql import loads

OPEN, ANSWERED = "open", "answered"
RATED, NOT_RATED, EXPIRED, REPLACED = "rated", "not_rated", "expired", "replaced"
PENDING = (OPEN, ANSWERED)

_STEP_OF = {EventKind.RECEIVED: Step.RECEIPT, EventKind.RETURNED: Step.RETURN}


class RatingError(ValueError):
    """A paper survey that cannot be recorded; `message_vi` says why."""

    def __init__(self, message_vi: str):
        super().__init__(message_vi)
        self.message_vi = message_vi


@dataclass(frozen=True)
class PromptStatus:
    """What the clerk's status line says about the desk's latest prompt (never the choice)."""
    dossier_code: str
    step: Step
    state: str                  # waiting | showing | rated | not_rated | expired | replaced

    def text_vi(self) -> str:
        what = {"waiting": "chờ kiosk hiển thị", "showing": "công dân đang đánh giá",
                "rated": "đã đánh giá", "not_rated": "không đánh giá",
                "expired": "hết hạn (kiosk không chạy)", "replaced": "bỏ qua (có bước mới)"}[self.state]
        return f"Đánh giá {self.dossier_code[-5:]}: {what}"


def _day_range(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    return datetime.combine(date_from, time()), datetime.combine(date_to + timedelta(days=1), time())


class RatingsRepo:
    def __init__(self, engine: Engine, clock: Clock | None = None, hlc: HybridClock | None = None,
                 config: RatingConfig | None = None, *, presses_here: bool = True):
        """`presses_here`: this store keeps the kiosk's key presses (a desk). A central
        store does not: presses stay on the desk where they happened (only ratings are
        events and sync), so a centre's misuse count is unknown (None), never 0."""
        self.engine = engine
        self.clock = clock or SystemClock()
        self.hlc = hlc
        self.config = config or RatingConfig()
        self.presses_here = presses_here

    # -- the clerk side: a step completed ---------------------------------------------------
    def on_event(self, conn: Connection, ev: Event, state: Any) -> None:
        """Called inside the transaction that records `ev` (DossierRepo hook): a receipt or
        a return at the desk opens a prompt and closes the desk's pending one."""
        step = _STEP_OF.get(EventKind(ev.kind))
        if step is None or not self.config.prompts_for(step):
            return
        p = ev.payload or {}
        if step is Step.RECEIPT and int(p.get("channel", 1)) != 1:
            return                                   # online or postal: nobody at the desk
        if step is Step.RETURN and p.get("method", "desk") != "desk":
            return
        if self._rated_steps(conn, ev.dossier_id, Source.KIOSK).get(step.value):
            return
        now = ev.wall_time
        self._close_pending(conn, ev.agency_code, ev.desk_number, now)
        clerk_name = p.get("clerk_name") or conn.execute(
            select(account.c.full_name).where(account.c.id == ev.clerk_id)).scalar_one_or_none() or ""
        agency_name = p.get("agency_name") or conn.execute(
            select(agency_t.c.name).where(agency_t.c.code == ev.agency_code)).scalar_one_or_none() or ""
        conn.execute(rating_prompt.insert().values(
            id=new_id(), dossier_id=ev.dossier_id, step=step.value, agency_code=ev.agency_code,
            desk_number=ev.desk_number, clerk_id=ev.clerk_id, clerk_name=clerk_name,
            agency_name=agency_name, dossier_code=state.code, procedure_name=state.procedure_name,
            opened_at=now, expires_at=now + timedelta(seconds=self.config.timeout_s), status=OPEN))

    def _close_pending(self, conn: Connection, agency_code: str, desk_number: int, now: datetime) -> None:
        rows = conn.execute(select(rating_prompt).where(
            rating_prompt.c.agency_code == agency_code, rating_prompt.c.desk_number == desk_number,
            rating_prompt.c.status.in_(PENDING))).all()
        for r in rows:
            if r.status == ANSWERED:                  # reasons not sent: the answer stands
                self._rate(conn, r, r.level, (), now)
            elif r.shown_at is not None:              # the citizen saw it and did not answer
                self._rate(conn, r, None, (), now)
            else:
                self._set(conn, r.id, REPLACED if now < r.expires_at else EXPIRED, now)

    # -- the kiosk side -------------------------------------------------------------------
    def current(self, agency_code: str, desk_number: int, now: datetime) -> Prompt | None:
        """The desk's prompt to show now, if any (also the one shown before a restart)."""
        with read_conn(self.engine) as conn:
            r = conn.execute(select(rating_prompt).where(
                rating_prompt.c.agency_code == agency_code, rating_prompt.c.desk_number == desk_number)
                .order_by(rating_prompt.c.opened_at.desc(), rating_prompt.c.id.desc()).limit(1)).first()
        if r is None or r.status not in PENDING or not self._in_time(r, now):
            return None
        return _prompt(r)

    def _in_time(self, r: Any, now: datetime) -> bool:
        if r.shown_at is None:
            return now < r.expires_at
        return now < r.shown_at + timedelta(seconds=self.config.timeout_s)

    def mark_shown(self, prompt_id: str, now: datetime) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(update(rating_prompt).where(rating_prompt.c.id == prompt_id,
                                                     rating_prompt.c.shown_at.is_(None)).values(shown_at=now))

    def press(self, agency_code: str, desk_number: int, key: str, outcome: Outcome, now: datetime,
              prompt_id: str | None = None) -> None:
        """Keep a press that answers nothing by itself (a move, a reason, misuse)."""
        with write_tx(self.engine) as conn:
            dossier_id = None
            if prompt_id is not None:
                dossier_id = conn.execute(select(rating_prompt.c.dossier_id)
                                          .where(rating_prompt.c.id == prompt_id)).scalar_one_or_none()
            self._keep(conn, agency_code, desk_number, key, outcome, now, prompt_id, dossier_id)

    def answer(self, prompt_id: str, level: int, key: str, now: datetime) -> Outcome:
        """A level chosen on the prompt. A rating if the prompt is still open, else misuse
        (answered already, replaced or expired). A dissatisfied level waits for reasons."""
        with write_tx(self.engine) as conn:
            r = conn.execute(select(rating_prompt).where(rating_prompt.c.id == prompt_id)).one()
            ok = r.status == OPEN and 1 <= level <= self.config.levels and self._in_time(r, now)
            outcome = Outcome.RATING if ok else Outcome.MISUSE
            self._keep(conn, r.agency_code, r.desk_number, key, outcome, now, prompt_id, r.dossier_id)
            if ok:
                if level in self.config.ask_reasons:
                    conn.execute(update(rating_prompt).where(rating_prompt.c.id == prompt_id)
                                 .values(status=ANSWERED, level=level, answer_at=now))
                else:
                    self._rate(conn, r, level, (), now, answer_at=now)
        return outcome

    def finish(self, prompt_id: str, reasons: tuple[str, ...], now: datetime, key: str | None = None) -> bool:
        """Reasons sent (or the reasons screen timed out): the dissatisfied rating is written."""
        with write_tx(self.engine) as conn:
            r = conn.execute(select(rating_prompt).where(rating_prompt.c.id == prompt_id)).one()
            if key is not None:
                self._keep(conn, r.agency_code, r.desk_number, key, Outcome.REASON, now, prompt_id, r.dossier_id)
            if r.status != ANSWERED:
                return False
            allowed = [x for x in reasons if x in self.config.reasons]
            self._rate(conn, r, r.level, allowed, now, answer_at=r.answer_at)
            return True

    def time_out(self, prompt_id: str, now: datetime) -> bool:
        """Nobody answered in time: "không đánh giá" (kept, excluded from the rate)."""
        with write_tx(self.engine) as conn:
            r = conn.execute(select(rating_prompt).where(rating_prompt.c.id == prompt_id)).first()
            if r is None or r.status not in PENDING:
                return False
            if r.status == ANSWERED:
                self._rate(conn, r, r.level, (), now, answer_at=r.answer_at)
            elif r.shown_at is None:
                self._set(conn, r.id, EXPIRED, now)
            else:
                self._rate(conn, r, None, (), now)
            return True

    def sweep(self, agency_code: str, desk_number: int, now: datetime) -> int:
        """Close the desk's prompts whose time ran out while the kiosk was not running."""
        closed = 0
        with write_tx(self.engine) as conn:
            rows = conn.execute(select(rating_prompt).where(
                rating_prompt.c.agency_code == agency_code, rating_prompt.c.desk_number == desk_number,
                rating_prompt.c.status.in_(PENDING))).all()
            for r in rows:
                if self._in_time(r, now):
                    continue
                closed += 1
                if r.status == ANSWERED:
                    self._rate(conn, r, r.level, (), now, answer_at=r.answer_at)
                elif r.shown_at is not None:
                    self._rate(conn, r, None, (), now)
                else:
                    self._set(conn, r.id, EXPIRED, now)
        return closed

    # -- writing --------------------------------------------------------------------------
    @staticmethod
    def _keep(conn: Connection, agency_code: str, desk_number: int, key: str, outcome: Outcome,
              now: datetime, prompt_id: str | None, dossier_id: str | None) -> None:
        conn.execute(rating_press.insert().values(
            id=new_id(), agency_code=agency_code, desk_number=desk_number, prompt_id=prompt_id,
            dossier_id=dossier_id, key=key[:40], at=now, outcome=Outcome(outcome).value))

    @staticmethod
    def _set(conn: Connection, prompt_id: str, status: str, now: datetime) -> None:
        conn.execute(update(rating_prompt).where(rating_prompt.c.id == prompt_id)
                     .values(status=status, closed_at=now))

    def _rate(self, conn: Connection, r: Any, level: int | None, reasons, now: datetime,
              answer_at: datetime | None = None) -> None:
        payload = rated_payload(step=Step(r.step), level=level, config=self.config, reasons=reasons,
                                clerk_id=r.clerk_id, desk_number=r.desk_number,
                                prompt_at=r.shown_at or r.opened_at,
                                answer_at=answer_at if level is not None else None)
        if not self._rated_steps(conn, r.dossier_id, Source.KIOSK).get(r.step):
            self._append(conn, r.dossier_id, r.agency_code, r.desk_number, r.clerk_id, now, payload)
        self._set(conn, r.id, RATED if level is not None else NOT_RATED, now)

    def _append(self, conn: Connection, dossier_id: str, agency_code: str, desk_number: int,
                clerk_id: str, now: datetime, payload: dict) -> Event:
        """Append a `rated` event and refresh the dossier's projection, in `conn`'s transaction."""
        hlc = self.hlc or HybridClock(self.clock, f"{agency_code}/{desk_number}")
        high = get_meta(conn, KEY_HLC)
        if high:
            hlc.observe(high)                        # the other program may have stamped later
        ev = Event(id=new_id(), dossier_id=dossier_id, agency_code=agency_code, desk_number=desk_number,
                   clerk_id=clerk_id, hlc=hlc.stamp(), wall_time=now, kind=EventKind.RATED,
                   payload=payload)
        conn.execute(event.insert().values(**event_to_row(ev)))
        row = conn.execute(select(dossier).where(dossier.c.id == dossier_id)).first()
        if row is not None:
            state = row_to_state(row)
            if ev.hlc > state.last_hlc:
                upsert_projection(conn, apply(state, ev))
            else:
                upsert_projection(conn, fold(events_of(conn, [dossier_id])[dossier_id]))
        raise_hlc(conn, ev.hlc)
        return ev

    @staticmethod
    def _rated_steps(conn: Connection, dossier_id: str, source: Source) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for text in conn.execute(select(event.c.payload).where(
                event.c.dossier_id == dossier_id, event.c.kind == EventKind.RATED.value)).scalars():
            p = loads(text) or {}
            if (p.get("source") or Source.KIOSK.value) == source.value and p.get("step"):
                out[p["step"]] = True
        return out

    # -- paper surveys --------------------------------------------------------------------
    def enter_paper(self, code: str, level: int, *, by: Clerk, reasons: builtins.list[str] = (),
                    text: str = "", step: Step | None = None) -> Event:
        """A paper survey form (phiếu khảo sát) entered by a supervisor against a dossier code."""
        if by.role not in (Role.SUPERVISOR, Role.ADMIN):
            raise RatingError("Chỉ lãnh đạo hoặc quản trị được nhập phiếu khảo sát giấy.")
        if not 1 <= level <= self.config.levels:
            raise RatingError(f"Mức đánh giá phải từ 1 đến {self.config.levels} "
                              f"({', '.join(f'{i + 1} = {x}' for i, x in enumerate(self.config.labels))}).")
        unknown = [x for x in reasons if x not in self.config.reasons]
        if unknown:
            raise RatingError(f"Lý do «{unknown[0]}» không có trong danh sách: {'; '.join(self.config.reasons)}.")
        now = self.clock.now()
        with write_tx(self.engine) as conn:
            row = conn.execute(select(dossier).where(dossier.c.code == (code or "").strip())).first()
            if row is None:
                raise RatingError(f"Không tìm thấy hồ sơ mã «{code}».")
            if step is None:
                step = Step.RETURN if row.returned_at is not None else Step.RECEIPT
            if self._rated_steps(conn, row.id, Source.PAPER).get(Step(step).value):
                raise RatingError("Hồ sơ đã được đánh giá! (đã có phiếu giấy cho bước này)")
            rated_clerk = row.received_by
            if step is Step.RETURN:
                rated_clerk = conn.execute(select(event.c.clerk_id).where(
                    event.c.dossier_id == row.id, event.c.kind == EventKind.RETURNED.value)
                    .order_by(event.c.hlc).limit(1)).scalar_one_or_none() or rated_clerk
            payload = rated_payload(step=Step(step), level=level, config=self.config, reasons=reasons,
                                    clerk_id=rated_clerk, desk_number=row.desk_number, prompt_at=None,
                                    answer_at=now, source=Source.PAPER, text=(text or "").strip())
            return self._append(conn, row.id, row.agency_code, row.desk_number, by.id, now, payload)

    # -- reading --------------------------------------------------------------------------
    def status(self, agency_code: str, desk_number: int, now: datetime) -> PromptStatus | None:
        """The desk's latest prompt for the clerk's status line: open, then how it ended."""
        with read_conn(self.engine) as conn:
            r = conn.execute(select(rating_prompt).where(
                rating_prompt.c.agency_code == agency_code, rating_prompt.c.desk_number == desk_number)
                .order_by(rating_prompt.c.opened_at.desc(), rating_prompt.c.id.desc()).limit(1)).first()
        if r is None:
            return None
        state = r.status
        if state in PENDING:
            if r.shown_at is not None:
                state = "showing"
            else:
                state = "waiting" if now < r.expires_at else EXPIRED
        return PromptStatus(r.dossier_code, Step(r.step), state)

    def for_dossier(self, dossier_id: str) -> builtins.list[dict[str, Any]]:
        """The dossier's ratings and misuse presses, oldest first, as `motcua dossier show
        --json` lists them: {"step", "level", "label", "reasons", "at" (datetime), "misuse"}."""
        out = []
        with read_conn(self.engine) as conn:
            for ev_row in conn.execute(select(event.c.payload, event.c.wall_time).where(
                    event.c.dossier_id == dossier_id, event.c.kind == EventKind.RATED.value)
                    .order_by(event.c.hlc, event.c.id)):
                p = loads(ev_row.payload) or {}
                at = p.get("answer_at") or p.get("prompt_at")
                out.append({"step": p.get("step"), "level": p.get("level"),
                            "label": p.get("label") or (NOT_RATED_LABEL if p.get("level") is None else ""),
                            "reasons": list(p.get("reasons") or []),
                            "at": datetime.fromisoformat(at) if at else ev_row.wall_time, "misuse": False})
            for m in conn.execute(select(rating_press.c.at, rating_prompt.c.step)
                                  .join(rating_prompt, rating_prompt.c.id == rating_press.c.prompt_id)
                                  .where(rating_press.c.dossier_id == dossier_id,
                                         rating_press.c.outcome == Outcome.MISUSE.value)):
                out.append({"step": m.step, "level": None, "label": "", "reasons": [],
                            "at": m.at, "misuse": True})
        return sorted(out, key=lambda x: x["at"])

    def rated_events(self, date_from: date, date_to: date, *, agency_code: str | None = None,
                     desk_number: int | None = None, clerk_id: str | None = None,
                     source: str | None = None, step: str | None = None) -> builtins.list[dict[str, Any]]:
        """The period's `rated` payloads, one per dossier, step and source (the first in
        (HLC, id) order: the same choice on every desk and on the centre)."""
        start, end = _day_range(date_from, date_to)
        q = (select(event.c.dossier_id, event.c.desk_number, event.c.payload)
             .where(event.c.kind == EventKind.RATED.value, event.c.wall_time >= start, event.c.wall_time < end)
             .order_by(event.c.hlc, event.c.id))
        if agency_code is not None:
            q = q.where(event.c.agency_code == agency_code)
        seen: set[tuple] = set()
        out = []
        with read_conn(self.engine) as conn:
            for r in conn.execute(q):
                p = loads(r.payload) or {}
                src = p.get("source") or Source.KIOSK.value
                key = (r.dossier_id, p.get("step"), src)
                if key in seen:
                    continue
                seen.add(key)
                if ((desk_number is not None and p.get("desk_number", r.desk_number) != desk_number)
                        or (clerk_id is not None and p.get("clerk_id") != clerk_id)
                        or (source is not None and src != source)
                        or (step is not None and p.get("step") != step)):
                    continue
                out.append(p)
        return out

    def misuse_count(self, date_from: date, date_to: date, *, agency_code: str | None = None,
                     desk_number: int | None = None) -> int | None:
        if not self.presses_here:
            return None
        start, end = _day_range(date_from, date_to)
        q = select(func.count()).select_from(rating_press).where(
            rating_press.c.outcome == Outcome.MISUSE.value, rating_press.c.at >= start, rating_press.c.at < end)
        if agency_code is not None:
            q = q.where(rating_press.c.agency_code == agency_code)
        if desk_number is not None:
            q = q.where(rating_press.c.desk_number == desk_number)
        with read_conn(self.engine) as conn:
            return conn.execute(q).scalar_one()

    def summary(self, date_from: date, date_to: date, **filters: Any) -> Summary:
        """Ratings of [date_from, date_to] (whole days): ratings, by_level, not_rated,
        misuse, satisfaction_rate. Filters: agency_code, desk_number, clerk_id, source, step."""
        allowed = {"agency_code", "desk_number", "clerk_id", "source", "step"}
        unknown = set(filters) - allowed
        if unknown:
            raise TypeError(f"unknown ratings filter(s): {', '.join(sorted(unknown))}")
        payloads = self.rated_events(date_from, date_to, **filters)
        misuse = 0
        if filters.get("clerk_id") is None and filters.get("source") in (None, Source.KIOSK.value):
            misuse = self.misuse_count(date_from, date_to, agency_code=filters.get("agency_code"),
                                       desk_number=filters.get("desk_number"))
        return summarize(payloads, misuse, self.config)

    def recent(self, date_from: date, date_to: date, limit: int = 500) -> builtins.list[dict[str, Any]]:
        """The period's `rated` events with their dossier code, newest first (ratings screen)."""
        start, end = _day_range(date_from, date_to)
        q = (select(event.c.wall_time, event.c.payload, dossier.c.code)
             .join(dossier, dossier.c.id == event.c.dossier_id)
             .where(event.c.kind == EventKind.RATED.value, event.c.wall_time >= start, event.c.wall_time < end)
             .order_by(event.c.wall_time.desc(), event.c.id.desc()).limit(limit))
        with read_conn(self.engine) as conn:
            return [{"at": r.wall_time, "code": r.code, "payload": loads(r.payload) or {}} for r in conn.execute(q)]

    def presses(self, prompt_id: str | None = None) -> builtins.list[Any]:
        """Every kept press (of one prompt), oldest first: for supervisors and tests."""
        q = select(rating_press).order_by(rating_press.c.at, rating_press.c.id)
        if prompt_id is not None:
            q = q.where(rating_press.c.prompt_id == prompt_id)
        with read_conn(self.engine) as conn:
            return conn.execute(q).all()

    def prompts(self, dossier_id: str | None = None) -> builtins.list[Any]:
        q = select(rating_prompt).order_by(rating_prompt.c.opened_at, rating_prompt.c.id)
        if dossier_id is not None:
            q = q.where(rating_prompt.c.dossier_id == dossier_id)
        with read_conn(self.engine) as conn:
            return conn.execute(q).all()


def _prompt(r: Any) -> Prompt:
    return Prompt(id=r.id, dossier_id=r.dossier_id, step=Step(r.step), dossier_code=r.dossier_code,
                  procedure_name=r.procedure_name, clerk_id=r.clerk_id, clerk_name=r.clerk_name,
                  agency_name=r.agency_name, desk_number=r.desk_number, opened_at=r.opened_at,
                  shown_at=r.shown_at, level=r.level if r.status == ANSWERED else None)
