"""Issue 7: the desk's files are private, and a bad --db is refused untouched."""
from __future__ import annotations

import hashlib
import os
import stat
import sqlite3

import pytest

from db.engine import make_engine
from db.files import DatabaseFileError
from db.migrate import DatabaseTooNew, known_revisions, upgrade
from tui.cli import main


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_new_desk_database_wal_and_directory_are_private(tmp_path):
    target = tmp_path / "data" / "motcua" / "d.sqlite"
    engine = make_engine(f"sqlite:///{target}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM event").scalar()
        assert (target.parent / "d.sqlite-wal").exists()
        assert _mode(target.parent / "d.sqlite-wal") == 0o600
    engine.dispose()
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700 and _mode(target.parent.parent) == 0o700


def test_log_file_is_private(tmp_path, monkeypatch):
    import tui.services as services
    monkeypatch.setattr(services, "data_dir", lambda: tmp_path / "logs")
    path = services.setup_logging()
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700


def _digest(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL"):
        monkeypatch.delenv(var, raising=False)


def test_bad_db_paths_get_a_vietnamese_message_and_stay_untouched(tmp_path, capsys, isolated, monkeypatch):
    text = tmp_path / "ghi-chu.txt"
    text.write_text("Danh sách việc cần làm\n" * 20, encoding="utf-8")
    folder = tmp_path / "thu-muc"
    folder.mkdir()
    readonly = tmp_path / "ro.sqlite"
    engine = make_engine(f"sqlite:///{readonly}")
    upgrade(engine)
    engine.dispose()
    os.chmod(readonly, 0o400)
    newer = tmp_path / "newer.sqlite"
    engine = make_engine(f"sqlite:///{newer}")
    upgrade(engine)
    engine.dispose()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    cases = [(text, "không phải tệp CSDL"), (folder, "thư mục"), (newer, "mới hơn"), (readonly, "chỉ cho phép đọc")]
    real_access = os.access
    # Root may write a 0400 file; the check asks the OS the same question a clerk's account would.
    monkeypatch.setattr("db.files.os.access", lambda p, m: False if str(p) == str(readonly) else real_access(p, m))
    for path, words in cases:
        before = _digest(path) if path.is_file() else sorted(os.listdir(path))
        code = main(["account", "list", "--db", str(path)])
        err = capsys.readouterr().err
        assert code != 0, path
        assert words in err, (path, err)
        assert "Traceback" not in err
        after = _digest(path) if path.is_file() else sorted(os.listdir(path))
        assert before == after
        assert not (tmp_path / (path.name + "-wal")).exists() or path == newer


def test_upgrade_refuses_a_newer_database(tmp_path):
    target = tmp_path / "n.sqlite"
    engine = make_engine(f"sqlite:///{target}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseTooNew) as info:
        upgrade(engine)
    assert "mới hơn" in info.value.message_vi
    engine.dispose()


def test_known_revisions_are_alembics():
    from alembic.script import ScriptDirectory
    from db.migrate import alembic_config
    script = ScriptDirectory.from_config(alembic_config())
    assert known_revisions() == {r.revision for r in script.walk_revisions()}


def test_bad_config_files_are_refused_in_vietnamese(tmp_path, capsys, isolated):
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[database]\nurl = 5\n", encoding="utf-8")
    utf16 = tmp_path / "u16.toml"
    utf16.write_text('[printer]\nuri = "dummy:"\n', encoding="utf-16")
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    db = tmp_path / "d.sqlite"
    for path, words in ((wrong, "[database] url: phải là một chuỗi"), (utf16, "UTF-16"), (folder, "thư mục")):
        before = path.read_bytes() if path.is_file() else None
        code = main(["account", "list", "--config", str(path), "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 2 and words in err, err
        assert (path.read_bytes() if path.is_file() else None) == before
    assert not db.exists()
