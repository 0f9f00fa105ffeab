"""The role review of the central PostgreSQL (issue 7): a desk login of one commune tries 34
things against another commune and the centre, for real, and every one is refused -- an
error, or nothing of the other agency seen or touched; the 34th, holding every lock it can
take, does not stop the other commune's sync."""
from __future__ import annotations

import random
import time

import psycopg
import pytest

from core.ids import new_id
from tests.db.sync_fixtures import pg_roles  # noqa: F401  (fixture)
from tests.db.sync_helpers import (
    AGENCY_A, AGENCY_B, advance, make_desk, pg_connect, receive, with_user,
)

_EV = ("INSERT INTO event (id, dossier_id, agency_code, desk_number, clerk_id, hlc, wall_time, kind, payload{}) "
       "VALUES ('{}', 'd', '{}', 1, 'c', '000000000000001.00000.x', now(), 'note', '{{}}'{})")


def _ev(agency: str, extra_col: str = "", extra_val: str = "") -> str:
    return _EV.format(extra_col, new_id(), agency, extra_val)


# Statements that must fail (permission, RLS, or the numbering trigger).
REFUSED = {
    "read the role map": "SELECT * FROM desk_role",
    "read the numbering rows": "SELECT * FROM event_numbering",
    "read the desk registry": "SELECT * FROM desk_registration",
    "insert as another agency": _ev(AGENCY_B),
    "pick its own sequence number": _ev(AGENCY_A, ", seq", ", 1"),
    "write a dossier code": _ev(AGENCY_A, ", dossier_code", ", 'X'"),
    "copy into event": "COPY event (id) FROM STDIN",
    "update events": "UPDATE event SET kind = 'note'",
    "delete events": "DELETE FROM event",
    "truncate events": "TRUNCATE event",
    "update accounts": "UPDATE account SET active = false",
    "delete the catalogue": "DELETE FROM procedure_version",
    "add a catalogue version": "INSERT INTO procedure_version VALUES ('x', 1, '{}', false, now())",
    "add a holiday": "INSERT INTO holiday_override (day, kind, name, created_by, created_at) "
                     "VALUES ('2030-01-02', 'holiday', 'x', 'x', now())",
    "create a table": "CREATE TABLE motcua_evil (a int)",
    "create a function": "CREATE FUNCTION motcua_evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "disable RLS": "ALTER TABLE event DISABLE ROW LEVEL SECURITY",
    "drop the read policy": "DROP POLICY motcua_desk_read ON event",
    "remap itself (insert)": f"INSERT INTO desk_role VALUES (current_user, '{AGENCY_B}', now())",
    "remap itself (update)": f"UPDATE desk_role SET agency_code = '{AGENCY_B}'",
    "set role to the owner": "SET ROLE postgres",
    "set session authorization": "SET SESSION AUTHORIZATION postgres",
    "move the sequence": "SELECT setval('motcua_event_seq', 1)",
    "lock another agency's numbering row": f"SELECT * FROM event_numbering WHERE agency_code = '{AGENCY_B}' FOR UPDATE",
    "lock the numbering table": "LOCK TABLE event_numbering",
    "lock event against inserts": "LOCK TABLE event IN SHARE MODE",
    "register another agency's desk": f"SELECT motcua_register_desk('{AGENCY_B}', 7, 'x')",
    "grant itself BYPASSRLS": "ALTER ROLE CURRENT_USER BYPASSRLS",
}

# Reads that succeed but must return nothing of agency B.
EMPTY = {
    "read B's events": f"SELECT * FROM event WHERE agency_code = '{AGENCY_B}'",
    "read B's accounts": f"SELECT * FROM account WHERE agency_code = '{AGENCY_B}'",
    "read B's desks": f"SELECT * FROM desk WHERE agency_code = '{AGENCY_B}'",
    "copy B's events out": f"COPY (SELECT * FROM event WHERE agency_code = '{AGENCY_B}') TO STDOUT",
}


def test_role_review_34_attempts_all_refused(pg_url, pg_roles, tmp_path):
    from db.sync.central import init_central
    init_central(pg_url)
    role_a, pw_a = pg_roles.make(AGENCY_A)
    role_b, pw_b = pg_roles.make(AGENCY_B)
    rng = random.Random(7)
    b1 = make_desk(tmp_path, AGENCY_B, 1)
    for _ in range(3):
        advance(b1, receive(b1, rng).id, rng)
    b1.sync(with_user(pg_url, role_b, pw_b))
    url_a = with_user(pg_url, role_a, pw_a)
    refused: list[str] = []
    with pg_connect(url_a) as conn:
        for name, sql in REFUSED.items():
            try:
                if sql.startswith("COPY") and "FROM STDIN" in sql:
                    with conn.cursor().copy(sql) as copy:
                        copy.write_row((new_id(),))
                else:
                    conn.execute(sql)
            except psycopg.Error:
                refused.append(name)
        for name, sql in EMPTY.items():
            if sql.startswith("COPY"):
                with conn.cursor().copy(sql) as copy:
                    data = b"".join(bytes(chunk) for chunk in copy)
                rows = [line for line in data.splitlines() if line]
            else:
                rows = conn.execute(sql).fetchall()
            if not rows:
                refused.append(name)
        # Becoming the group role leaves it mapped to no agency at all: it sees nothing.
        conn.execute("SET ROLE motcua_desk")
        if conn.execute("SELECT count(*) FROM event").fetchone()[0] == 0:
            refused.append("set role to the desk group")
        conn.execute("RESET ROLE")
    assert sorted(refused) == sorted([*REFUSED, *EMPTY, "set role to the desk group"])
    assert len(refused) == 33          # the 34th: holding locks, below


def test_locks_a_desk_role_can_hold_never_stop_another_agency(pg_url, pg_roles, tmp_path):
    """Attempt 34: hold the numbering lock (the advisory lock of migration 0002, an aborted
    insert of B's event, every table lock it may take, its own numbering row) -- B's push
    and pull go through; the old trigger made them wait 60 s and fail."""
    from db.sync.central import init_central
    init_central(pg_url)
    role_a, pw_a = pg_roles.make(AGENCY_A)
    role_b, pw_b = pg_roles.make(AGENCY_B)
    url_a, url_b = with_user(pg_url, role_a, pw_a), with_user(pg_url, role_b, pw_b)
    rng = random.Random(8)
    b1, b2 = make_desk(tmp_path, AGENCY_B, 1), make_desk(tmp_path, AGENCY_B, 2)
    for _ in range(4):
        receive(b1, rng)
    holders = []
    try:
        plain = pg_connect(url_a)
        plain.autocommit = False
        holders.append(plain)
        plain.execute("SELECT pg_advisory_lock(731011, hashtext(%s))", (AGENCY_B,))
        plain.execute("SELECT pg_advisory_xact_lock(731011, hashtext(%s))", (AGENCY_B,))
        for table in ("account", "desk", "agency", "procedure_version", "holiday_override", "meta"):
            plain.execute(f"LOCK TABLE {table} IN ACCESS SHARE MODE")
        plain.execute(_ev(AGENCY_A))                 # its own agency's numbering row, held
        aborted = pg_connect(url_a)
        aborted.autocommit = False
        holders.append(aborted)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            aborted.execute(_ev(AGENCY_B))           # left open, aborted: holds nothing of B
        started = time.monotonic()
        report = b1.sync(url_b, net_timeout=20)
        assert report.pushed == 4
        assert b2.sync(url_b, net_timeout=20).pulled == 4
        assert time.monotonic() - started < 15
    finally:
        for conn in holders:
            conn.close()
