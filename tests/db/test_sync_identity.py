"""Issue 7 on the sync path: one desk number per desk (registered at the centre), dossier
codes unique per agency, schema versions checked both ways, and a deadline on every wait of
a stalled link."""
from __future__ import annotations

import json
import random
import time

import pytest
from sqlalchemy import text

from db.engine import make_engine, write_tx
from db.meta import KEY_DESK_UUID, get_meta
from db.sync import CentralUnavailable
from db.sync.errors import DeskNumberTaken
from tests.db.sync_fixtures import central  # noqa: F401  (fixture)
from tests.db.sync_helpers import (
    AGENCY_A, central_events, make_desk, receive, with_port,
)
from tests.db.tcp_proxy import DropProxy


def test_a_second_desk_claiming_a_taken_number_is_refused_before_pushing(central, tmp_path):
    rng = random.Random(3)
    first = make_desk(tmp_path, AGENCY_A, 1, name="first.sqlite")
    twin = make_desk(tmp_path, AGENCY_A, 1, name="twin.sqlite")      # the same number, by mistake
    receive(first, rng)
    for _ in range(3):
        receive(twin, rng)
    assert first.sync(central).pushed == 1
    with pytest.raises(DeskNumberTaken) as info:
        twin.sync(central)
    msg = info.value.message_vi
    assert "Số quầy 1" in msg and AGENCY_A in msg and "motcua setup --desk" in msg
    rows, _ = central_events(central)
    assert len(rows) == 1                                  # nothing of the twin went up
    assert twin.sync_engine(central).status().waiting == 3
    # The registered desk keeps syncing; its UUID is stable across runs.
    with first.engine.connect() as conn:
        uuid_before = get_meta(conn, KEY_DESK_UUID)
    first.sync(central)
    with first.engine.connect() as conn:
        assert get_meta(conn, KEY_DESK_UUID) == uuid_before


def test_dossier_codes_are_unique_per_agency_at_the_centre(central, tmp_path):
    rng = random.Random(4)
    a, b = make_desk(tmp_path, AGENCY_A, 1, name="a.sqlite"), make_desk(tmp_path, AGENCY_A, 2, name="b.sqlite")
    d = receive(a, rng)
    receive(b, rng)
    a.sync(central)
    # Desk 2 forges desk 1's code in its own receipt: the centre's constraint refuses it.
    with write_tx(b.engine) as conn:
        row = conn.execute(text("SELECT id, payload FROM event WHERE kind = 'received'")).one()
        payload = json.loads(row.payload)
        payload["code"] = d.code
        conn.execute(text("UPDATE event SET payload = :p WHERE id = :i"), {"p": json.dumps(payload), "i": row.id})
    report = b.sync(central)
    assert len(report.rejected) == 1
    reason = report.rejected[0][1]
    assert "mã hồ sơ" in reason and d.code not in reason


def test_centre_newer_or_older_than_the_desk_is_refused(central, tmp_path):
    box = make_desk(tmp_path, AGENCY_A, 1)
    receive(box, random.Random(5))
    engine = make_engine(central)
    try:
        for rev, words in (("9999", "mới hơn"), ("0002", "cũ hơn")):
            with write_tx(engine) as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": rev})
            with pytest.raises(CentralUnavailable) as info:
                box.sync(central)
            assert words in info.value.message_vi and rev in info.value.message_vi
            assert box.sync_engine(central).status().waiting == 1
    finally:
        engine.dispose()


def test_a_stalled_link_ends_the_pull_as_failed_and_the_next_sync_works(pg_url, tmp_path):
    from db.sync.central import init_central
    init_central(pg_url)
    rng = random.Random(6)
    writer, reader = make_desk(tmp_path, AGENCY_A, 1), make_desk(tmp_path, AGENCY_A, 2)
    for _ in range(300):
        receive(writer, rng)
    writer.sync(pg_url)
    proxy = DropProxy(("127.0.0.1", 5432)).start()
    try:
        proxy.stall_down_after = 60_000          # in the middle of the first pull page
        sync = reader.sync_engine(with_port(pg_url, proxy.port), net_timeout=6, pull_page_size=200)
        started = time.monotonic()
        with pytest.raises(CentralUnavailable) as info:
            sync.run_once()
        assert time.monotonic() - started < 60
        assert "không phản hồi" in info.value.message_vi
        assert sync.status().last_error == info.value.message_vi     # what the status line shows
        proxy.stall_down_after = None
        report = sync.run_once()                 # the next one starts normally and finishes
        assert report.pulled + len(reader.repo.received_between(
            writer.clock.now().replace(year=2000), writer.clock.now().replace(year=2100))) >= 300
        assert sync.status().last_error is None
        sync.close()
    finally:
        proxy.stop()
