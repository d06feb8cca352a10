"""Settings and `yishi run` failing early with one clear line."""

import os
import re
import subprocess
import sys
from pathlib import Path

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
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_PORT": "99999"}, "'99999' is not a port number"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_PORT": "eighty"}, "'eighty' is not a port number"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_WEBHOOK_URL": "http://bot.example.org/yishi"},
     "must start with https://"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_WEBHOOK_URL": "https://bot.example.org:8080/yishi"},
     "only to ports 443, 80, 88 or 8443"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_WEBHOOK_URL": "https://bot.example.org:99999/yishi"},
     "port that is not a number"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_WEBHOOK_URL": "bot.example.org/yishi"}, "is not a URL"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_SECRET_TOKEN": "my secret!"}, "secret token must be"),
])
def test_bad_settings_are_refused(monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_the_readme_token_is_well_formed_and_a_self_hosted_api_may_post_to_http(monkeypatch, tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"TELEGRAM_BOT_TOKEN=(\d\S+)", readme)
    assert examples
    monkeypatch.chdir(tmp_path)
    for token in examples:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
        assert load_settings().token == token
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081")  # a Bot API server of one's own
    settings = load_settings({"webhook_url": "http://127.0.0.1:9000/yishi", "secret_token": "s3cret-Token_1"})
    assert (settings.webhook_url, settings.secret_token) == ("http://127.0.0.1:9000/yishi", "s3cret-Token_1")


@pytest.mark.parametrize("env", [
    {},
    {"TELEGRAM_BOT_TOKEN": "not-a-token"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_DB": "/proc/no/such/dir/y.db"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_LOCALE": "klingon"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_PORT": "99999", "YISHI_WEBHOOK_URL": "https://bot.example.org/y"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_WEBHOOK_URL": "http://bot.example.org/y"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "YISHI_WEBHOOK_URL": "https://bot.example.org/y",
     "YISHI_SECRET_TOKEN": "a b"},
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
