"""Settings, read once from command-line flags and the environment."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import LOCALES

TOKEN_RE = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,64}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a webhook's secret token
TELEGRAM_API = "https://api.telegram.org"
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram posts webhooks to
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting that prevents the bot from starting; its message is one line for the operator."""


@dataclass(frozen=True)
class Settings:
    token: str
    api_url: str = "https://api.telegram.org"
    db_path: Path = Path("yishi.sqlite3")
    locale: str = "zh_Hans"
    tz: str = "Asia/Shanghai"
    log_level: str = "INFO"
    templates_dir: Path | None = None
    grace: timedelta = timedelta(hours=1)
    edit_interval: float = 5.0  # seconds between edits of one live message (a poll's tally)
    group_rate: int = 20  # messages and edits a minute into one group: Telegram's limit, or the stand-in's
    group_window: float = 60.0  # the seconds group_rate counts over (shorter only against a stand-in)
    webhook_url: str | None = None
    listen: str = "0.0.0.0"
    port: int = 8443
    secret_token: str | None = None
    # The public board (公示栏, handlers/board): served on board_port of ``listen`` when board_url, the
    # address residents open, is set; off by default.
    board_url: str | None = None
    board_port: int = 8080

    @property
    def base_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/file/bot"


def _pick(flag: object, env: str, default: object = None) -> object:
    if flag is not None:
        return flag
    value = os.environ.get(env)
    return value if value not in (None, "") else default


def load_settings(flags: dict[str, object] | None = None) -> Settings:
    """Build Settings from flags (which win) and the environment; raise ConfigError on bad values."""
    flags = flags or {}
    token = _pick(flags.get("token"), "TELEGRAM_BOT_TOKEN")
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it")
    token = str(token).strip()
    if not TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: a token from @BotFather is the bot's number, a "
                          "colon and about 35 letters, digits, - or _ (123456789:AAH-paste_your_token_...)")

    locale = str(_pick(flags.get("locale"), "YISHI_LOCALE", "zh_Hans"))
    if locale not in LOCALES:
        raise ConfigError(f"YISHI_LOCALE {locale!r} is unknown: use one of {', '.join(LOCALES)}")

    tz = str(_pick(flags.get("tz"), "YISHI_TZ", "Asia/Shanghai"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"YISHI_TZ {tz!r} is not a known time zone (e.g. Asia/Shanghai)") from None

    log_level = str(_pick(flags.get("log_level"), "YISHI_LOG_LEVEL", "INFO")).upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"YISHI_LOG_LEVEL {log_level!r} is unknown: use one of {', '.join(LOG_LEVELS)}")

    db_path = Path(str(_pick(flags.get("db"), "YISHI_DB", "yishi.sqlite3"))).expanduser()
    _check_writable(db_path)

    templates = _pick(flags.get("templates"), "YISHI_TEMPLATES")
    templates_dir = Path(str(templates)).expanduser() if templates else None
    if templates_dir is not None and not templates_dir.is_dir():
        raise ConfigError(f"YISHI_TEMPLATES {str(templates_dir)!r} is not a directory")

    grace_raw = _pick(flags.get("grace"), "YISHI_GRACE_SECONDS", 3600)
    try:
        grace = timedelta(seconds=int(str(grace_raw)))
    except ValueError:
        raise ConfigError(f"YISHI_GRACE_SECONDS {grace_raw!r} is not a whole number") from None

    interval_raw = _pick(flags.get("edit_interval"), "YISHI_EDIT_SECONDS", 5)
    try:
        edit_interval = float(str(interval_raw))
    except ValueError:
        edit_interval = -1.0
    if not 0 <= edit_interval <= 600:
        raise ConfigError(f"YISHI_EDIT_SECONDS {interval_raw!r} is not a number of seconds (0-600)")

    api_url = str(_pick(flags.get("api_url"), "TELEGRAM_API_URL", "https://api.telegram.org"))
    if not re.match(r"^https?://", api_url):
        raise ConfigError(f"TELEGRAM_API_URL {api_url!r} must start with http:// or https://")

    port_raw = _pick(flags.get("port"), "YISHI_PORT", 8443)
    try:
        port = int(str(port_raw))
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ConfigError(f"port {port_raw!r} is not a port number (1 to 65535)")
    webhook_url = _pick(flags.get("webhook_url"), "YISHI_WEBHOOK_URL")
    if webhook_url is not None:
        _check_webhook(str(webhook_url), official=api_url.rstrip("/") == TELEGRAM_API)
    secret = _pick(flags.get("secret_token"), "YISHI_SECRET_TOKEN")
    if secret is not None and not SECRET_RE.match(str(secret)):
        raise ConfigError("the webhook's secret token must be 1 to 256 letters, digits, _ or - "
                          "(e.g. $(openssl rand -hex 16))")

    board_url = _pick(flags.get("board_url"), "YISHI_BOARD_URL")
    board_port_raw = _pick(flags.get("board_port"), "YISHI_BOARD_PORT", 8080)
    try:
        board_port = int(str(board_port_raw))
    except ValueError:
        board_port = 0
    if not 1 <= board_port <= 65535:
        raise ConfigError(f"YISHI_BOARD_PORT {board_port_raw!r} is not a port number (1 to 65535)")
    if board_url is not None:
        board_url = _check_board(str(board_url))
        if webhook_url is not None and board_port == port:
            raise ConfigError(f"the board and the webhook cannot share port {port}: set YISHI_BOARD_PORT")

    return Settings(
        token=token,
        api_url=api_url,
        db_path=db_path,
        locale=locale,
        tz=tz,
        log_level=log_level,
        templates_dir=templates_dir,
        grace=grace,
        edit_interval=edit_interval,
        webhook_url=webhook_url,  # type: ignore[arg-type]
        listen=str(_pick(flags.get("listen"), "YISHI_LISTEN", "0.0.0.0")),
        port=port,
        secret_token=secret,  # type: ignore[arg-type]
        board_url=board_url,
        board_port=board_port,
    )


def _check_board(url: str) -> str:
    """The board's public address, as residents open it (the links /board sends start with it)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"board URL {url!r} is not a web address (e.g. https://board.example.org)")
    return url.rstrip("/")


def _check_webhook(url: str, official: bool) -> None:
    """Telegram posts only to an HTTPS URL on port 443, 80, 88 or 8443; a Bot API server of one's
    own (TELEGRAM_API_URL set) also posts to HTTP and to any port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigError(f"webhook URL {url!r} has a port that is not a number (1 to 65535)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"webhook URL {url!r} is not a URL (e.g. https://bot.example.org/yishi)")
    if official and parts.scheme != "https":
        raise ConfigError(f"webhook URL {url!r} must start with https://: Telegram posts only to HTTPS")
    if official and port is not None and port not in WEBHOOK_PORTS:
        raise ConfigError(f"webhook URL {url!r}: Telegram posts only to ports 443, 80, 88 or 8443")


def _check_writable(path: Path) -> None:
    if path.exists():
        if path.is_dir() or not os.access(path, os.W_OK):
            raise ConfigError(f"database {str(path)!r} is not a writable file")
        return
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"database {str(path)!r} cannot be created: {str(parent)!r} is not writable")
