"""`motcua setup`, `motcua demo seed --agency-code --desk`, `central init` passwords, and what
`motcua sync` prints when the centre fails (issue 7)."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from db.engine import make_engine
from db.sync.central import init_central
from tui.cli import main
from tui.cli.sync import desk_password


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL", "MOTCUA_ADMIN_PASSWORD", "MOTCUA_DESK_PASSWORD"):
        monkeypatch.delenv(var, raising=False)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _setup(capsys, db, desk, central):
    return run(capsys, "setup", "--db", str(db), "--central", central, "--agency-code", "000.21.53.H48",
               "--agency-name", "UBND xã Tịnh Khê", "--desk", str(desk), "--admin", "quantri",
               "--admin-name", "Nguyễn Văn Quản")


def test_setup_asks_the_centre_and_refuses_a_taken_desk_number(capsys, tmp_path, monkeypatch):
    central = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(central)
    monkeypatch.setenv("MOTCUA_ADMIN_PASSWORD", "Mat-khau-9")
    code, out, err = _setup(capsys, tmp_path / "a.sqlite", 3, central)
    assert code == 0, err
    assert "đã ghi nhận quầy 3" in out and "quầy 3" in out
    code, out, err = _setup(capsys, tmp_path / "b.sqlite", 3, central)
    assert code == 4
    assert "Số quầy 3" in err and "motcua setup --desk" in err
    from db.accounts import AccountRepo
    from core.clock import SystemClock
    engine = make_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert AccountRepo(engine, SystemClock()).needs_setup()          # nothing saved on b
    engine.dispose()
    code, out, err = _setup(capsys, tmp_path / "b.sqlite", 4, central)
    assert code == 0, err


def test_setup_without_a_reachable_centre_still_sets_up(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_ADMIN_PASSWORD", "Mat-khau-9")
    code, out, err = _setup(capsys, tmp_path / "a.sqlite", 2, f"sqlite:///{tmp_path / 'missing' / 'c.sqlite'}")
    assert code == 0, err
    assert "lần đồng bộ đầu tiên" in out


def test_demo_seed_chooses_agency_and_desk_and_bounds_days(capsys, tmp_path):
    db = str(tmp_path / "d.sqlite")
    code, out, err = run(capsys, "demo", "seed", "--db", db, "--dossiers", "4", "--days", "3",
                         "--agency-code", "000.22.53.H48", "--desk", "2")
    assert code == 0, err
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        codes = [r[0] for r in conn.exec_driver_sql("SELECT code FROM dossier")]
    engine.dispose()
    assert codes and all(c.startswith("000.22.53.H48-") and c.split("-")[-1][:2] == "02" for c in codes)
    code, _, err = run(capsys, "demo", "seed", "--db", db, "--dossiers", "1", "--days", "100000")
    assert code == 2 and "--days" in err and "3650" in err
    code, _, err = run(capsys, "demo", "seed", "--db", db, "--dossiers", "1", "--desk", "5")
    assert code == 2 and "quầy 2" in err


def test_central_init_desk_password_from_env_or_stdin(monkeypatch):
    monkeypatch.setenv("MOTCUA_DESK_PASSWORD", "tu-bien-moi-truong")
    assert desk_password("r") == "tu-bien-moi-truong"
    monkeypatch.delenv("MOTCUA_DESK_PASSWORD")
    monkeypatch.setattr(sys, "stdin", io.StringIO("tu-stdin\n"))
    assert desk_password("r") == "tu-stdin"


def test_central_init_supervisor_password_from_env_or_stdin(monkeypatch):
    from tui.cli.stats import supervisor_password
    monkeypatch.setenv("MOTCUA_DESK_PASSWORD", "not-this-one")
    monkeypatch.setenv("MOTCUA_SUPERVISOR_PASSWORD", "giam-sat-env")
    assert supervisor_password("s") == "giam-sat-env"
    monkeypatch.delenv("MOTCUA_SUPERVISOR_PASSWORD")
    monkeypatch.setattr(sys, "stdin", io.StringIO("giam-sat-stdin\n"))
    assert supervisor_password("s") == "giam-sat-stdin"


def test_sync_failure_prints_vietnamese_only(tmp_path):
    """A centre that refuses the connection: one Vietnamese message, exit 3, no driver English."""
    env = {**os.environ, "MOTCUA_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path / "data"), "MOTCUA_ADMIN_PASSWORD": "Mat-khau-9"}
    db = str(tmp_path / "d.sqlite")
    subprocess.run([sys.executable, "-m", "tui", "demo", "seed", "--db", db, "--dossiers", "2", "--days", "2"],
                   env=env, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "tui", "sync", "--db", db, "--central",
                           "postgresql://nobody:x@127.0.0.1:1/none"], env=env, capture_output=True, text=True)
    assert done.returncode == 3
    assert "Không kết nối được máy chủ trung tâm" in done.stderr
    for english in ("Traceback", "WARNING", "Error", "connection", "psycopg", "failed"):
        assert english not in done.stderr


def test_sync_cut_mid_transfer_prints_vietnamese_only(tmp_path, pg_url):
    """The link drops in the middle of the push: "mất kết nối giữa chừng", exit 3, no English."""
    from tests.db.sync_helpers import with_port
    from tests.db.tcp_proxy import DropProxy
    init_central(pg_url)
    env = {**os.environ, "MOTCUA_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    db = str(tmp_path / "d.sqlite")
    subprocess.run([sys.executable, "-m", "tui", "demo", "seed", "--db", db, "--dossiers", "400", "--days", "3"],
                   env=env, check=True, capture_output=True)
    proxy = DropProxy(("127.0.0.1", 5432)).start()
    try:
        proxy.drop_up_after = 60_000
        done = subprocess.run([sys.executable, "-m", "tui", "sync", "--db", db, "--central",
                               with_port(pg_url, proxy.port)], env=env, capture_output=True, text=True)
    finally:
        proxy.stop()
    assert done.returncode == 3, done.stderr
    assert "giữa chừng" in done.stderr
    for english in ("Traceback", "WARNING", "ERROR", "Exception", "connection", "psycopg", "failed"):
        assert english not in done.stderr, done.stderr
