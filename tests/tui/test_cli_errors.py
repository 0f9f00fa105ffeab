"""No traceback and no English from any command: bad options, missing files, no terminal."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from tui.cli import main


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "none.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL"):
        monkeypatch.delenv(var, raising=False)


ENGLISH = ("usage:", "error:", "options:", "required", "invalid", "unrecognized", "Traceback",
           "No such file")


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:       # argparse exits on a bad option
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_bad_options_are_explained_in_vietnamese(capsys):
    code, _, err = run(capsys, "--khong-co")
    assert code == 2 and "cách dùng: motcua" in err and "không hiểu tham số: --khong-co" in err
    code, _, err = run(capsys, "account", "add", "nv1", "--role", "boss")
    assert code == 2 and "không có lựa chọn 'boss'" in err and "thiếu" not in err
    code, _, err = run(capsys, "account", "add")
    assert code == 2 and "thiếu tham số bắt buộc" in err
    for text in ENGLISH:
        assert text not in err


def test_help_is_vietnamese(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "tùy chọn:" in out and "hiện hướng dẫn này rồi thoát" in out
    assert "show this help" not in out and "options:" not in out


def test_account_list_on_a_missing_database_says_so_and_creates_nothing(capsys, tmp_path):
    db = tmp_path / "khong-co.sqlite"
    code, _, err = run(capsys, "account", "list", "--db", str(db))
    assert code == 2 and "Không có cơ sở dữ liệu" in err
    assert not db.exists()


def test_account_add_without_a_terminal_reads_stdin_or_says_what_to_do(capsys, tmp_path, monkeypatch):
    db = str(tmp_path / "d.sqlite")
    assert run(capsys, "demo", "seed", "--dossiers", "1", "--db", db)[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(capsys, "account", "add", "nv1", "--name", "Lê Thị Hoa", "--db", db)
    assert code == 2 and "Chưa có mật khẩu" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-dai-123\n"))
    code, out, _ = run(capsys, "account", "add", "nv1", "--name", "Lê Thị Hoa", "--db", db)
    assert code == 0 and "Đã tạo tài khoản nv1" in out


def test_missing_catalogue_file_is_reported_in_vietnamese(capsys, tmp_path):
    code, _, err = run(capsys, "catalogue", "import", str(tmp_path / "thieu.csv"),
                       "--db", str(tmp_path / "d.sqlite"))
    assert code == 1 and "không có tệp hoặc thư mục này" in err and "No such file" not in err


def test_sync_accepts_a_plain_path_for_the_central_store(capsys, tmp_path):
    db, central = str(tmp_path / "d.sqlite"), tmp_path / "central.sqlite"
    assert run(capsys, "demo", "seed", "--dossiers", "2", "--db", db)[0] == 0
    assert run(capsys, "central", "init", "--db", str(central))[0] == 0
    code, out, err = run(capsys, "sync", "--db", db, "--central", str(central))
    assert code == 0, err
    assert "Đã gửi lên:" in out


def test_the_console_command_prints_no_traceback_for_a_bad_setting(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tui", "account", "list", "--db", str(tmp_path / "d.sqlite")],
                          env={"MOTCUA_CONFIG": str(tmp_path / "none.toml"), "MOTCUA_COPIES": "3",
                               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "số liên in là 1 hoặc 2" in done.stderr
