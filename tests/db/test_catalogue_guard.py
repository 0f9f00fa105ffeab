"""Issue 7: a catalogue value can never break a desk -- import validates every field, a bad
row already stored (or brought down by sync) is left out, Excel's CP1258/CP1252 CSVs are
read, and out-of-range dates get a clear error."""
from __future__ import annotations

import json
import unicodedata
from datetime import datetime

import pytest
from hypothesis import given, strategies as st

from core.catalogue import TERM_MAX, Term, TermUnit, term_problem
from core.catalogue_io import CatalogueError, dumps_csv, loads_csv, procedure_to_dict
from core.clock import FixedClock
from core.demo_catalogue import DEMO_PROCEDURES
from db.catalogue import CatalogueRepo, decode_catalogue_file
from db.engine import write_tx
from db.models import procedure_version
from db.sync import local
from tui.cli import main

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _cp1258(text: str) -> bytes:
    """What Excel writes for "CSV (Comma delimited)" on a Vietnamese Windows: CP1258, whose tone
    marks are combining characters after the base letter."""
    out = b""
    for c in text:
        try:
            out += c.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", c)
        base = unicodedata.normalize("NFC", "".join(ch for ch in d if ch not in _TONES))
        out += base.encode("cp1258") + "".join(ch for ch in d if ch in _TONES).encode("cp1258")
    return out


@given(st.sampled_from(list(TermUnit)), st.integers(-10**12, 10**12))
def test_term_bounds_per_unit(unit, amount):
    ok = 0 <= amount <= TERM_MAX[unit]
    assert (term_problem(Term(amount, unit)) is None) == ok


def _csv_with(**change) -> str:
    d = procedure_to_dict(DEMO_PROCEDURES[0])
    text = dumps_csv([DEMO_PROCEDURES[0]])
    header, row = text.splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(",")))
    cells.update(change)
    assert d["code"]
    return ",".join(cells) + "\r\n" + ",".join(cells.values()) + "\r\n"


@pytest.mark.parametrize("change, words", [
    ({"term_amount": "1000000000", "term_unit": "months"}, "ngoài giới hạn"),
    ({"term_amount": "5", "term_unit": "same_day"}, "ngoài giới hạn"),
    ({"fee": "-5"}, "Lệ phí"),
    ({"code": "1.23"}, "không đúng dạng"),
])
def test_import_refuses_out_of_bounds_values(change, words):
    with pytest.raises(CatalogueError) as info:
        loads_csv(_csv_with(**change))
    assert words in str(info.value)


def test_bad_stored_or_synced_catalogue_values_never_reach_the_receive_screen(engine):
    clock = FixedClock(datetime(2026, 11, 23, 9, 0))
    repo = CatalogueRepo(engine, clock)
    repo.import_procedures(DEMO_PROCEDURES[:2])
    bad = procedure_to_dict(DEMO_PROCEDURES[2])
    bad["term"] = {"amount": 10**9, "unit": "months"}
    with write_tx(engine) as conn:        # as an old version or a careless tool might have stored it
        conn.execute(procedure_version.insert().values(code=bad["code"], version=1, content=json.dumps(bad),
                                                       demo=False, created_at=clock.now()))
    assert {p.code for p in repo.current()} == {p.code for p in DEMO_PROCEDURES[:2]}
    assert repo.get(bad["code"]) is None
    bad2 = procedure_to_dict(DEMO_PROCEDURES[3])
    bad2["fee"] = -1
    counts = local.apply_reference(engine, procedures=[{
        "code": bad2["code"], "version": 1, "content": json.dumps(bad2), "demo": False, "created_at": clock.now()}],
        overrides=[], accounts=[], desks=[], agency_code="000.21.53.H48")
    assert counts["catalogue"] == 0 and repo.get(bad2["code"]) is None


def test_excel_csv_in_cp1258_and_cp1252_is_read(tmp_path):
    text = dumps_csv(DEMO_PROCEDURES[:4])
    assert decode_catalogue_file(_cp1258(text)) == text
    latin = "code,name\r\n1.001193,Café déjà vu\r\n"
    assert decode_catalogue_file(latin.encode("cp1252")) == latin
    assert decode_catalogue_file(b"\xef\xbb\xbf" + text.encode()) == text


def test_cli_imports_a_cp1258_catalogue(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    f = tmp_path / "danh-muc.csv"
    f.write_bytes(_cp1258(dumps_csv(DEMO_PROCEDURES[:3])))
    db = str(tmp_path / "d.sqlite")
    assert main(["catalogue", "import", str(f), "--db", db]) == 0, capsys.readouterr().err
    assert "3 thủ tục mới" in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["calendar", "show", "0"], "Năm phải từ"),
    (["calendar", "show", "10000"], "Năm phải từ"),
    (["calendar", "due", "--received", "2026-01-05 08:00", "--days", "10000000"], "--days"),
    (["demo", "seed", "--dossiers", "1", "--days", "100000"], "--days"),
])
def test_dates_out_of_range_get_a_clear_error(argv, words, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    code = main([*argv, "--db", str(tmp_path / "d.sqlite")])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err
