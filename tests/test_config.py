"""Settings and `yishi run` failing early with one clear line."""

import os
import subprocess
import sys

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("YISHI_", "TELEGRAM_")):
            monkeypatch.delenv(name)


def test_defaults_and_flags_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("YISHI_LOCALE", "zh_Hant")
    monkeypatch.chdir(tmp_path)
    s = load_settings({"tz": "Asia/Hong_Kong"})
    assert (s.locale, s.tz, s.api_url) == ("zh_Hant", "Asia/Hong_Kong", "https://api.telegram.org")
    assert s.base_url == "https://api.telegram.org/bot"
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    assert load_settings().base_file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(("env", "message"), [
    ({}, "TELEGRAM_BOT_TOKEN is not set"),
    ({"TELEGRAM_BOT_TOKEN": "12345"}, "malformed"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_LOCALE": "fr"}, "YISHI_LOCALE 'fr' is unknown"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_TZ": "Mars/Olympus"}, "not a known time zone"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_DB": "/proc/no/such/dir/y.db"}, "cannot be created"),
])
def test_bad_settings_are_refused(monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


@pytest.mark.parametrize("env", [
    {},
    {"TELEGRAM_BOT_TOKEN": "not-a-token"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_DB": "/proc/no/such/dir/y.db"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_LOCALE": "klingon"},
])
def test_yishi_run_prints_one_line_and_exits_2(env, tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("YISHI_", "TELEGRAM_"))}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env={**clean, **env},
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("yishi: "), result.stderr
    assert "Traceback" not in result.stderr


def test_a_newer_database_stops_the_bot_with_one_line(tmp_path):
    import sqlite3

    from storage.db import migrations

    db = tmp_path / "future.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("YISHI_", "TELEGRAM_"))}
    env = {**clean, "TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_DB": str(db),
           "TELEGRAM_API_URL": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"yishi: database schema version 999 is newer than this Yishi knows ({len(migrations())}): "
        "upgrade Yishi or use another database"]
