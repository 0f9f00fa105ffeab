"""The settings model: file < environment < flags, every problem listed with its source."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tui.cli import main
from tui.config import ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(exc: ConfigError) -> dict[str, str]:
    return {p.source: p.message for p in exc.problems}


def test_precedence_file_then_environment_then_flags(tmp_path):
    path = write(tmp_path, '[printer]\nuri = "tcp://10.0.0.5:9100"\ncopies = 1\n'
                           '[central]\nsync_interval = 30\n')
    s = load_settings(path, env={"MOTCUA_COPIES": "2"}, printer_uri="dummy:")
    assert (s.printer_uri, s.copies, s.sync_interval) == ("dummy:", 2, 30)


def test_every_bad_value_and_unknown_key_is_listed_with_its_source(tmp_path):
    path = write(tmp_path, '[printer]\nmode = "txt"\nnative_qr = "maybe"\npaper = 80\n'
                           '[centre]\nurl = "x"\n[calendar]\ncutoff = "25:00"\n')
    env = {"MOTCUA_PRINT_MODE": "txt", "MOTCUA_NATIVE_QR": "nope", "MOTCUA_PRINTR": "dummy:",
           "MOTCUA_CENTRAL": "mysql://db/x"}
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=env, printer_uri="usb://zz")
    found = problems(caught.value)
    file = f"tệp {path}"
    assert "raster, text" in found[f"{file}, [printer] mode"]
    assert "true hoặc false" in found[f"{file}, [printer] native_qr"]
    assert "khóa không có" in found[f"{file}, [printer] paper"]
    assert "mục không có" in found[f"{file}, [centre]"]
    assert "giờ có thật" in found[f"{file}, [calendar] cutoff"]
    assert "raster, text" in found["biến môi trường MOTCUA_PRINT_MODE"]
    assert "true hoặc false" in found["biến môi trường MOTCUA_NATIVE_QR"]
    assert "không phải biến của motcua" in found["biến môi trường MOTCUA_PRINTR"]
    assert "URL cơ sở dữ liệu" in found["biến môi trường MOTCUA_CENTRAL"]
    assert "VID:PID" in found["tùy chọn --printer"]
    assert str(caught.value).startswith("Cấu hình không hợp lệ (10 lỗi)")


def test_codepage_case_does_not_matter_and_unknown_codepages_are_refused():
    assert load_settings(env={"MOTCUA_CODEPAGE": "cp1258"}).codepage == "CP1258"
    assert load_settings(env={"MOTCUA_CODEPAGE": "tcvn-3-1"}).codepage == "TCVN-3-1"
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"MOTCUA_CODEPAGE": "utf8"})
    assert "CP1258" in problems(caught.value)["biến môi trường MOTCUA_CODEPAGE"]


def test_explicit_config_file_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "thieu.toml", env={})
    assert "không có tệp cấu hình" in problems(caught.value)["tùy chọn --config"]


def test_a_plain_path_is_accepted_wherever_a_database_url_is(tmp_path):
    s = load_settings(env={"MOTCUA_CENTRAL": str(tmp_path / "central.sqlite")}, db_url="desk.sqlite")
    assert s.resolved_central_url() == f"sqlite:///{tmp_path / 'central.sqlite'}"
    assert s.resolved_db_url().startswith("sqlite:////") and s.resolved_db_url().endswith("/desk.sqlite")


@example("CO")
@example("không")
@given(st.text(alphabet=string.ascii_letters + string.digits + " óô", max_size=8))
def test_a_boolean_is_true_false_or_an_error(text):
    accepted = {"1": True, "true": True, "yes": True, "on": True, "có": True, "co": True,
                "0": False, "false": False, "no": False, "off": False, "không": False,
                "khong": False}
    try:
        value = load_settings(env={"MOTCUA_NATIVE_QR": text}).native_qr
    except ConfigError:
        assert text.strip().lower() not in accepted and text != ""
    else:
        assert text == "" or value is accepted[text.strip().lower()]


@given(st.integers(-5, 30), st.integers(-5, 70))
def test_clock_times_must_exist(hour, minute):
    text = f"{hour:02d}:{minute:02d}" if hour >= 0 and minute >= 0 else f"{hour}:{minute}"
    valid = 0 <= hour <= 23 and 0 <= minute <= 59
    try:
        load_settings(env={"MOTCUA_CUTOFF": text})
    except ConfigError:
        assert not valid
    else:
        assert valid


def test_the_app_does_not_start_with_a_bad_setting(monkeypatch, capsys, tmp_path):
    """MOTCUA_PRINT_MODE=txt used to pass and kill the app right after login."""
    monkeypatch.setenv("MOTCUA_CONFIG", str(write(tmp_path, "")))
    monkeypatch.setenv("MOTCUA_PRINT_MODE", "txt")
    started = []
    monkeypatch.setattr("tui.app.MotcuaApp.run", lambda self: started.append(self))
    assert main(["--db", str(tmp_path / "d.sqlite")]) == 2
    assert not started and not (tmp_path / "d.sqlite").exists()
    assert "MOTCUA_PRINT_MODE" in capsys.readouterr().err


def test_defaults_need_no_file(tmp_path):
    assert load_settings(env={"MOTCUA_CONFIG": str(tmp_path / "not-yet.toml")}) == Settings()


@given(st.integers(5, 86_400), st.integers(0, 200))
def test_sync_retries_back_off_and_stay_bounded(interval, failures):
    from tui.app import SYNC_RETRY_CAP_SECONDS, retry_delay
    delay = retry_delay(interval, failures)
    assert interval <= delay <= max(interval, SYNC_RETRY_CAP_SECONDS)
    assert retry_delay(interval, failures + 1) >= delay
    if failures == 0:
        assert delay == interval
    if failures >= 1 and interval * 2 <= SYNC_RETRY_CAP_SECONDS:
        assert delay >= interval * 2


def test_every_switch_the_tests_ci_and_benches_read_is_accepted_by_the_app():
    """CI exports its switches (MOTCUA_REQUIRE_PG, MOTCUA_REQUIRE_OCR, ...) around every
    `motcua` a test runs: a variable the settings refuse as unknown fails every CLI test."""
    root = Path(__file__).resolve().parents[2]
    names = set()
    for folder in ("tests", "bench", ".ci"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and path.suffix in ("", ".py", ".sh"):
                names |= set(re.findall(r"\bMOTCUA_[A-Z0-9_]+\b", path.read_text(errors="ignore")))
    names -= {"MOTCUA_PRINTR"}                   # the misspelling a test makes on purpose
    assert {"MOTCUA_REQUIRE_PG", "MOTCUA_REQUIRE_OCR"} <= names
    for name in sorted(names):
        try:
            load_settings(env={name: "1"})
        except ConfigError as err:              # "1" may be a bad value; never an unknown name
            assert "không phải biến của motcua" not in str(err), name
