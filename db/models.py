"""Every table, in one place. Rows stay inside db/: repositories hand out core objects.

Sync-minded choices: primary keys are made on the desk (UUIDv7 strings, or natural keys
such as (code, version)); events are append-only and carry everything needed to rebuild a
dossier; `event.synced_at` marks what reached the central store. The dossier table is a
projection of the events and has no foreign keys, so it can be rebuilt or re-folded at any
time; nothing references it with a constraint either.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, DateTime, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# Domain datetimes are naive local office time (core.clock); every datetime column says
# DateTime explicitly, because newer SQLModel maps `datetime` to a UTC-aware type.
# Deterministic constraint names: SQLite batch migrations and PostgreSQL both need them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AgencyRow(SQLModel, table=True):
    __tablename__ = "agency"
    code: str = Field(primary_key=True)           # opaque dotted code, e.g. 000.21.53.H48
    name: str
    created_at: datetime = Field(sa_type=DateTime)


class DeskRow(SQLModel, table=True):
    __tablename__ = "desk"
    agency_code: str = Field(primary_key=True, foreign_key="agency.code")
    number: int = Field(primary_key=True)
    name: str = ""
    created_at: datetime = Field(sa_type=DateTime)


class AccountRow(SQLModel, table=True):
    __tablename__ = "account"
    # Unique per agency, so a central store can hold every commune's "admin".
    __table_args__ = (UniqueConstraint("agency_code", "username", name="uq_account_agency_username"),)
    id: str = Field(primary_key=True)             # UUIDv7
    agency_code: str = Field(foreign_key="agency.code")
    username: str
    password_hash: str
    full_name: str
    role: str                                     # core.people.Role value
    active: bool = True
    created_at: datetime = Field(sa_type=DateTime)


class ProcedureVersionRow(SQLModel, table=True):
    __tablename__ = "procedure_version"
    code: str = Field(primary_key=True)
    version: int = Field(primary_key=True)
    content: str = Field(sa_type=Text)            # JSON of core.catalogue_io.procedure_to_dict
    demo: bool = False
    created_at: datetime = Field(sa_type=DateTime)


class HolidayOverrideRow(SQLModel, table=True):
    __tablename__ = "holiday_override"
    day: date = Field(primary_key=True)
    kind: str                                     # core.calendar.OverrideKind value
    name: str = ""
    created_by: str = ""
    created_at: datetime = Field(sa_type=DateTime)


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        # Serves "events of a dossier in fold order" and any lookup by dossier_id.
        Index("ix_event_dossier_hlc", "dossier_id", "hlc", "id"),
        # Partial on SQLite (migration 0012): a desk numbers no event, so its copy stays
        # empty instead of changing with every push mark and pulled event; a SQLite
        # centre numbers every row and keeps it whole, as PostgreSQL does.
        Index("ix_event_synced_at", "synced_at", sqlite_where=text("seq IS NOT NULL")),
    )
    id: str = Field(primary_key=True)             # UUIDv7
    dossier_id: str
    agency_code: str
    desk_number: int
    clerk_id: str
    hlc: str
    wall_time: datetime = Field(sa_type=DateTime)
    kind: str                                     # core.lifecycle.EventKind value
    payload: str = Field(sa_type=Text)            # JSON
    synced_at: datetime | None = Field(default=None, sa_type=DateTime)   # reached the centre
    # Central store only: the server's sequence number, in commit order per agency
    # (db/sync/engine.py). NULL on desks.
    seq: int | None = Field(default=None, sa_type=BigInteger)
    # Central store only: the dossier code of a `received` event, unique per agency
    # (migration 0003). NULL on desks and for other kinds.
    dossier_code: str | None = None


class DossierRow(SQLModel, table=True):
    __tablename__ = "dossier"
    __table_args__ = (
        # Search reads the FTS5 index of db/search_index.py, not these columns' B-trees
        # (migration 0015 dropped the name, phone and ID-number indexes; status alone is
        # a prefix of ix_dossier_status_due).
        Index("ix_dossier_received_at", "received_at"),
        # The morning work list: one range per list on (status, date column).
        Index("ix_dossier_status_due", "status", "due_at"),
        Index("ix_dossier_status_supplement_due", "status", "supplement_due_at"),
    )
    id: str = Field(primary_key=True)
    code: str = Field(sa_column_kwargs={"unique": True})
    agency_code: str
    desk_number: int
    procedure_code: str
    procedure_name: str
    procedure_version: int
    applicant_name: str
    name_fold: str                                # core.text.fold(applicant_name)
    # db.search_index.search_keys(code, phone, ID number); indexed by dossier_fts (SQLite)
    search_keys: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    applicant_id_number: str = ""
    applicant_phone: str = ""
    channel: int
    status: int                                   # national status code
    received_at: datetime = Field(sa_type=DateTime)
    due_at: datetime = Field(sa_type=DateTime)
    original_due_at: datetime = Field(sa_type=DateTime)
    received_by: str
    resolved_at: datetime | None = Field(default=None, sa_type=DateTime)
    returned_at: datetime | None = Field(default=None, sa_type=DateTime)
    closed_at: datetime | None = Field(default=None, sa_type=DateTime)
    supplement_count: int = 0
    apology_count: int = 0
    rating: str | None = None
    conflicts: str = Field(default="[]", sa_type=Text)   # JSON list
    last_hlc: str = ""
    event_count: int = 0
    # Issue 8 (migration 0005): what the lifecycle needs to apply the next event.
    prior_status: int | None = None               # status a supplement request interrupted
    supplement_requested_at: datetime | None = Field(default=None, sa_type=DateTime)
    supplement_due_at: datetime | None = Field(default=None, sa_type=DateTime)   # citizen's deadline
    supplement_overrides: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    holder: str = Field(default="", sa_column_kwargs={"server_default": ""})      # body after a hand-off
    step_due_at: datetime | None = Field(default=None, sa_type=DateTime)
    procedure_field: str = Field(default="", sa_column_kwargs={"server_default": ""})  # lĩnh vực
    # Issue 10 (migration 0013): core.stats.stored_facts, written with every projection
    # (db/rows.py): receipt and end dates as yyyymmdd, the period-independent classes.
    received_day: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    ended_day: int | None = None
    stat_class: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class DailySequenceRow(SQLModel, table=True):
    __tablename__ = "daily_sequence"
    agency_code: str = Field(primary_key=True)
    desk_number: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    last_seq: int = 0


class PrintJobRow(SQLModel, table=True):
    __tablename__ = "print_job"
    __table_args__ = (
        Index("ix_print_job_dossier_id", "dossier_id"),
        Index("ix_print_job_status", "status"),
    )
    id: str = Field(primary_key=True)
    dossier_id: str
    slip: str = Field(sa_type=Text)               # JSON of core.slips.slip_to_dict
    copies: int = 1
    printer_uri: str = ""
    status: str = "queued"                        # queued | printing | done | failed
    reason: str = ""
    # printers.errors.PrintError.reason of the last failure; bytes a partial job got through
    reason_code: str = Field(default="", sa_column_kwargs={"server_default": ""})
    sent_bytes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    attempts: int = 0
    created_at: datetime = Field(sa_type=DateTime)
    updated_at: datetime = Field(sa_type=DateTime)
    # A reprint: the reason the clerk gave ("" for a first print). Issue 8, migration 0010.
    reprint_reason: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    # "host:pid" of the process printing it (issue 12, migration 0008): start-up recovers a
    # "printing" job only when that process is gone.
    owner: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class MetaRow(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str = Field(sa_type=Text)


agency = AgencyRow.__table__
desk = DeskRow.__table__
account = AccountRow.__table__
procedure_version = ProcedureVersionRow.__table__
holiday_override = HolidayOverrideRow.__table__
event = EventRow.__table__
dossier = DossierRow.__table__
daily_sequence = DailySequenceRow.__table__
print_job = PrintJobRow.__table__
meta = MetaRow.__table__

__all__ = [
    "AgencyRow", "DeskRow", "AccountRow", "ProcedureVersionRow", "HolidayOverrideRow",
    "EventRow", "DossierRow", "DailySequenceRow", "PrintJobRow", "MetaRow",
]


# -- sync (issue 3, db/sync/engine.py) ----------------------------------------------------------

# Pull reads an agency's events by server sequence; unique, so a sequence number can
# never mean two events. Partial on SQLite (migration 0014): a desk numbers no event.
_NUMBERED = text("seq IS NOT NULL")
Index("ix_event_agency_seq", event.c.agency_code, event.c.seq, unique=True, sqlite_where=_NUMBERED)
# Push reads unsent events in fold order straight off this index, batch after batch,
# without sorting the whole backlog. Partial: an event leaves it when marked sent, and on
# the central store (every row has synced_at) it stays empty and costs nothing.
Index("ix_event_unsent", event.c.hlc, event.c.id,
      sqlite_where=event.c.synced_at.is_(None), postgresql_where=event.c.synced_at.is_(None))


class SyncRejectionRow(SQLModel, table=True):
    """Desk: an unsent event the centre refused; skipped by push until retried."""
    __tablename__ = "sync_rejection"
    event_id: str = Field(primary_key=True)
    reason: str = Field(sa_type=Text)             # Vietnamese, shown to a supervisor
    rejected_at: datetime = Field(sa_type=DateTime)


class DeskRoleRow(SQLModel, table=True):
    """Central PostgreSQL: which agency a desk's login role belongs to (read by RLS)."""
    __tablename__ = "desk_role"
    role_name: str = Field(primary_key=True)
    agency_code: str
    created_at: datetime = Field(sa_type=DateTime)


sync_rejection = SyncRejectionRow.__table__
desk_role = DeskRoleRow.__table__
__all__ += ["SyncRejectionRow", "DeskRoleRow"]


# -- central identity (issue 7, migration 0003) --------------------------------------------------

# Two desks can never give one code to two dossiers of an agency (at the centre, which
# numbers every event it takes: partial on SQLite, migration 0014).
Index("ix_event_agency_dossier_code", event.c.agency_code, event.c.dossier_code, unique=True,
      sqlite_where=_NUMBERED)


class EventNumberingRow(SQLModel, table=True):
    """Central PostgreSQL: one row per agency, locked by the numbering trigger to commit.
    No desk role has any right on it (migration 0003)."""
    __tablename__ = "event_numbering"
    agency_code: str = Field(primary_key=True)


class DeskRegistrationRow(SQLModel, table=True):
    """Centre: which desk (its UUID, made at setup) holds a desk number of an agency."""
    __tablename__ = "desk_registration"
    agency_code: str = Field(primary_key=True)
    desk_number: int = Field(primary_key=True)
    desk_uuid: str
    registered_at: datetime = Field(sa_type=DateTime)


event_numbering = EventNumberingRow.__table__
desk_registration = DeskRegistrationRow.__table__
__all__ += ["EventNumberingRow", "DeskRegistrationRow"]
# -- statistics (issue 10, db/stats.py) -----------------------------------------------------------

# A period's dossiers are those received in it and those received before it that ended in it
# or are still open (carried over). ix_dossier_stats holds every column a report reads,
# so the receipts of a period are read from the index alone, never from the wide rows; each
# end column's index carries received_at (the later ones only for rows without an earlier
# end), so "received before, ended after" is decided
# inside the index; the partial ix_dossier_open holds the open dossiers.
STATS_COLUMNS = ("received_at", "status", "channel", "original_due_at", "resolved_at", "returned_at",
                 "closed_at", "supplement_count", "apology_count", "procedure_field", "received_by",
                 "agency_code", "desk_number", "procedure_code")
Index("ix_dossier_stats", *(dossier.c[name] for name in STATS_COLUMNS))
Index("ix_dossier_resolved_at", dossier.c.resolved_at, dossier.c.received_at)
# Partial: a hand-back without a recorded result, an end without either (few rows).
_NO_RESULT = dossier.c.resolved_at.is_(None)
_NO_RETURN = dossier.c.resolved_at.is_(None) & dossier.c.returned_at.is_(None)
Index("ix_dossier_returned_at", dossier.c.returned_at, dossier.c.received_at,
      sqlite_where=_NO_RESULT, postgresql_where=_NO_RESULT)
Index("ix_dossier_closed_at", dossier.c.closed_at, dossier.c.received_at,
      sqlite_where=_NO_RETURN, postgresql_where=_NO_RETURN)
Index("ix_dossier_open", dossier.c.received_at,
      sqlite_where=(dossier.c.resolved_at.is_(None) & dossier.c.returned_at.is_(None)
                    & dossier.c.closed_at.is_(None)),
      postgresql_where=(dossier.c.resolved_at.is_(None) & dossier.c.returned_at.is_(None)
                        & dossier.c.closed_at.is_(None)))
# The desk's report (db/stats.py, SQLite): the receipts of a period counted per day, field,
# clerk and stored class straight off this index, in its order (no sort), and the results
# per end day off the second one (the working days and the daily chart).
RECEIPT_COLUMNS = ("received_day", "procedure_field", "received_by", "stat_class", "ended_day", "original_due_at",
                   "agency_code")
RESULT_COLUMNS = ("ended_day", "procedure_field", "received_by", "received_day", "stat_class", "agency_code")
Index("ix_dossier_receipts", *(dossier.c[name] for name in RECEIPT_COLUMNS))
Index("ix_dossier_results", *(dossier.c[name] for name in RESULT_COLUMNS))
# Today at a glance (StatsRepo.today): every count but the receipts is of dossiers not handed
# back; this partial index holds those rows with every column the counts read.
TODAY_COLUMNS = ("status", "due_at", "original_due_at", "resolved_at", "returned_at", "closed_at", "received_at",
                 "agency_code")
Index("ix_dossier_not_returned", *(dossier.c[name] for name in TODAY_COLUMNS),
      sqlite_where=dossier.c.returned_at.is_(None), postgresql_where=dossier.c.returned_at.is_(None))
# Each desk's last sync at the centre (how fresh an agency's figures are); a centre's
# index only (partial on SQLite, migration 0014: a push mark on a desk moved its entry).
Index("ix_event_desk_synced", event.c.agency_code, event.c.desk_number, event.c.synced_at,
      sqlite_where=_NUMBERED)


class SupervisorRoleRow(SQLModel, table=True):
    """Central PostgreSQL: a supervisor's login role and the agency it may read (NULL: the
    whole province). Read by the row-level security of db/stats_central.py."""
    __tablename__ = "supervisor_role"
    role_name: str = Field(primary_key=True)
    agency_code: str | None = None
    created_at: datetime = Field(sa_type=DateTime)


supervisor_role = SupervisorRoleRow.__table__
__all__ += ["SupervisorRoleRow"]




# -- ratings (issue 9, db/ratings.py) -----------------------------------------------------------

class RatingPromptRow(SQLModel, table=True):
    """Desk: a rating prompt the clerk side opened for the kiosk (the link between the two
    programs). Status: open -> answered (reasons pending) -> rated | not_rated; expired
    (no kiosk showed it in time) and replaced (a newer step came first) write no event."""
    __tablename__ = "rating_prompt"
    __table_args__ = (
        Index("ix_rating_prompt_desk", "agency_code", "desk_number", "opened_at"),
        Index("ix_rating_prompt_dossier_id", "dossier_id"),
    )
    id: str = Field(primary_key=True)             # UUIDv7
    dossier_id: str
    step: str                                     # core.ratings.Step value
    agency_code: str
    desk_number: int
    clerk_id: str
    clerk_name: str
    agency_name: str
    dossier_code: str
    procedure_name: str
    opened_at: datetime = Field(sa_type=DateTime)  # the clerk side's clock
    expires_at: datetime = Field(sa_type=DateTime)
    shown_at: datetime | None = Field(default=None, sa_type=DateTime)   # the kiosk's clock
    level: int | None = None
    answer_at: datetime | None = Field(default=None, sa_type=DateTime)
    status: str = "open"
    closed_at: datetime | None = Field(default=None, sa_type=DateTime)


class RatingPressRow(SQLModel, table=True):
    """Desk: every key press or click at the kiosk, with what it was (core.ratings.Outcome)."""
    __tablename__ = "rating_press"
    __table_args__ = (
        Index("ix_rating_press_at", "at"),
        Index("ix_rating_press_dossier_id", "dossier_id"),
    )
    id: str = Field(primary_key=True)             # UUIDv7
    agency_code: str
    desk_number: int
    prompt_id: str | None = None
    dossier_id: str | None = None
    key: str
    at: datetime = Field(sa_type=DateTime)
    outcome: str


rating_prompt = RatingPromptRow.__table__
rating_press = RatingPressRow.__table__
# Ratings of a period are read by kind and time, never by scanning every event.
Index("ix_event_kind_wall_time", event.c.kind, event.c.wall_time)
__all__ += ["RatingPromptRow", "RatingPressRow"]
