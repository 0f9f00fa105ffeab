"""`motcua printer detect|test|set` and the printer options of `motcua setup`, in-process."""
from __future__ import annotations

import json
import tomllib

import pytest

from tests.printers.conftest import LoopbackPrinter
from tui.cli import main
from tui.printer_setup import save_printer_config, suggest_mode


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_CONFIG", str(tmp_path / "config.toml"))
    for var in ("MOTCUA_DB", "MOTCUA_PRINTER", "MOTCUA_CENTRAL", "MOTCUA_PRINT_MODE", "MOTCUA_CODEPAGE"):
        monkeypatch.delenv(var, raising=False)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _config(tmp_path) -> dict:
    return tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8"))


def test_set_prints_a_test_page_then_saves_and_test_reports_the_printer_s_answer(capsys, tmp_path):
    printer = LoopbackPrinter()
    try:
        db = str(tmp_path / "d.sqlite")
        code, out, err = run(capsys, "printer", "set", printer.uri, "--paper", "58", "--db", db)
        assert code == 0, err
        assert "Trang thử: Đã in xong." in out
        assert _config(tmp_path)["printer"] == {"uri": printer.uri, "paper_mm": 58,
                                                "mode": "raster", "codepage": ""}
        code, out, err = run(capsys, "printer", "test", "--db", db)
        assert (code, out.strip()) == (0, "Đã in xong.")
        assert len(printer.wait_jobs(2)) == 2
    finally:
        printer.close()


def test_a_file_printer_is_only_ever_sent_to(capsys, tmp_path):
    code, out, _ = run(capsys, "printer", "test", "--printer", f"file://{tmp_path}/lp0",
                       "--db", str(tmp_path / "d.sqlite"))
    assert code == 0 and out.startswith("Đã gửi tới máy in.") and "Đã in xong" not in out


def test_slow_serial_printer_is_set_to_text_mode(capsys, tmp_path):
    code, out, _ = run(capsys, "printer", "set", "serial:///dev/ttyS0?baud=9600", "--no-test",
                       "--db", str(tmp_path / "d.sqlite"))
    assert code == 0 and "9.600 baud" in out
    assert _config(tmp_path)["printer"]["mode"] == "text"
    assert _config(tmp_path)["printer"]["codepage"] == "CP1258"
    assert suggest_mode("serial://COM3?baud=115200") == "raster"
    assert suggest_mode("tcp://10.0.0.5:9100") == "raster"


def test_a_failed_test_page_saves_nothing(capsys, tmp_path):
    code, _, err = run(capsys, "printer", "set", f"file://{tmp_path}/no/such/dir/lp0",
                       "--db", str(tmp_path / "d.sqlite"))
    assert code == 1 and "Chưa lưu máy in" in err
    assert not (tmp_path / "config.toml").exists()


def test_bad_uri_is_refused_in_vietnamese(capsys, tmp_path):
    code, _, err = run(capsys, "printer", "set", "http://10.0.0.5", "--db", str(tmp_path / "d.sqlite"))
    assert code == 2 and err.startswith("Địa chỉ máy in không hợp lệ")


def test_test_without_a_printer_says_none_is_configured(capsys, tmp_path):
    code, _, err = run(capsys, "printer", "test", "--db", str(tmp_path / "d.sqlite"))
    assert code == 2 and "chưa cấu hình máy in" in err


def test_detect_answers_in_json(capsys):
    code, out, _ = run(capsys, "printer", "detect", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"printers", "notes"}
    assert all(p["uri"].split(":")[0] in ("usb", "serial", "win32") for p in data["printers"])


def test_saving_keeps_the_rest_of_the_config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('# desk 2\n[database]\nurl = "d.sqlite"\n\n[printer]\nuri = "dummy:"\n'
                    'qr_template = "https://x/?ma={code}"\n\n[central]\nurl = "c.sqlite"\n',
                    encoding="utf-8")
    save_printer_config(path, {"uri": "win32://XP 80C", "paper_mm": 80, "mode": "raster", "codepage": ""})
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert doc["database"] == {"url": "d.sqlite"} and doc["central"] == {"url": "c.sqlite"}
    assert doc["printer"] == {"uri": "win32://XP 80C", "qr_template": "https://x/?ma={code}",
                              "paper_mm": 80, "mode": "raster", "codepage": ""}
    assert path.read_text(encoding="utf-8").startswith("# desk 2\n")


def test_setup_with_a_printer_tests_and_saves_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_ADMIN_PASSWORD", "mat-khau-dai-1")
    code, out, err = run(capsys, "setup", "--db", str(tmp_path / "d.sqlite"), "--agency-code",
                         "000.21.53.H48", "--agency-name", "UBND xã Tịnh Khê", "--desk", "2",
                         "--admin", "quantri", "--admin-name", "Nguyễn Văn A",
                         "--printer", f"file://{tmp_path}/lp0", "--paper", "58")
    assert code == 0, err
    assert "Trang thử: Đã gửi tới máy in." in out
    assert _config(tmp_path)["printer"]["uri"] == f"file://{tmp_path}/lp0"
    assert (tmp_path / "lp0").stat().st_size > 0


def test_setup_without_a_printer_says_receipts_will_wait(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_ADMIN_PASSWORD", "mat-khau-dai-1")
    code, out, _ = run(capsys, "setup", "--db", str(tmp_path / "d.sqlite"), "--agency-code",
                       "000.21.53.H48", "--agency-name", "UBND xã Tịnh Khê", "--desk", "2",
                       "--admin", "quantri", "--admin-name", "Nguyễn Văn A")
    assert code == 0 and "chưa cấu hình máy in" in out


def test_receive_print_tells_what_the_printer_answered(capsys, tmp_path, monkeypatch):
    printer = LoopbackPrinter()
    try:
        monkeypatch.setenv("MOTCUA_PRINTER", printer.uri)
        code, out, err = run(capsys, "dossier", "receive", "--demo", "--db", str(tmp_path / "d.sqlite"),
                             "--procedure", "1.004873", "--name", "Lê Thị Hoa", "--docs", "all",
                             "--clerk", "canbo", "--print")
        assert code == 0, err
        assert "Đã in xong." in err
        printer.status.update({1: 0x1A, 2: 0x16, 4: 0x12})          # cover open
        code, out, err = run(capsys, "dossier", "receive", "--demo", "--db", str(tmp_path / "d.sqlite"),
                             "--procedure", "1.004873", "--name", "Lê Thị Hoa", "--docs", "all",
                             "--clerk", "canbo", "--print")
        assert code == 1 and "MỞ NẮP" in err and "Đã in xong" not in err
    finally:
        printer.close()
