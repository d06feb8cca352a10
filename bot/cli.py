"""`yishi run` (the bot, by long polling or behind a webhook), `yishi console` and `yishi demo`
(the same bot against a Telegram stand-in on this machine)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.error import BadRequest, InvalidToken, NetworkError

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import LOCALES
from bot.local import console, demo
from bot.verify import Unreadable, describe, verify
from storage import people
from storage.db import Database, StorageError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yishi", description="Yishi (议事): community deliberation bot")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling, or a webhook with --webhook-url)")
    run.add_argument("--token", help="bot token (default: $TELEGRAM_BOT_TOKEN)")
    run.add_argument("--api-url", help="Bot API root (default: $TELEGRAM_API_URL or api.telegram.org)")
    run.add_argument("--db", help="SQLite file (default: $YISHI_DB or ./yishi.sqlite3)")
    run.add_argument("--locale", help="default language: zh_Hans, zh_Hant or en ($YISHI_LOCALE)")
    run.add_argument("--tz", help="default time zone ($YISHI_TZ, default Asia/Shanghai)")
    run.add_argument("--log-level", help="DEBUG, INFO, WARNING, ERROR ($YISHI_LOG_LEVEL)")
    run.add_argument("--templates", help="directory of template overrides ($YISHI_TEMPLATES)")
    run.add_argument("--webhook-url", help="public HTTPS URL Telegram posts updates to")
    run.add_argument("--listen", help="address the webhook server binds (default 0.0.0.0)")
    run.add_argument("--port", type=int, help="port the webhook server binds (default 8443)")
    run.add_argument("--secret-token", help="secret Telegram sends with each webhook request")
    run.add_argument("--board-url", help="serve the public board (公示栏): the address residents open, "
                                         "e.g. https://board.example.org ($YISHI_BOARD_URL; default off)")
    run.add_argument("--board-port", type=int,
                     help="port the board's web server binds on --listen ($YISHI_BOARD_PORT, default 8080)")

    con = sub.add_parser("console", help="chat with the bot in this terminal: no token, no network")
    con.add_argument("--lang", default="zh_Hans", choices=LOCALES, help="language (default zh_Hans)")
    con.add_argument("--db", type=Path, help="keep the bot's data in this SQLite file (default: temporary)")
    con.add_argument("--files", type=Path, default=Path("yishi-files"),
                     help="folder for the files the bot sends (default ./yishi-files)")
    con.add_argument("--group", help="the group's title")
    con.add_argument("--admin", help="the convener's name (the group's administrator)")
    con.add_argument("--residents", help="the other residents' names, separated by commas")
    con.add_argument("--tz", default="Asia/Shanghai", help="time zone (default Asia/Shanghai)")
    con.add_argument("--templates", type=Path, help="directory of template overrides")

    person = sub.add_parser("person", help="one person's data, for a personal-information request")
    person.add_argument("action", choices=("export", "delete"),
                        help="export: everything about them as JSON on stdout; delete: remove their names, "
                             "units and bindings")
    person.add_argument("user_id", type=int, help="their Telegram user id")
    person.add_argument("--db", help="SQLite file (default: $YISHI_DB or ./yishi.sqlite3)")

    demo = sub.add_parser("demo", help="play the building 6 story end to end and check every step")
    demo.add_argument("--lang", default="zh_Hans", choices=LOCALES, help="language (default zh_Hans)")
    demo.add_argument("--out", type=Path, default=Path("yishi-demo"),
                      help="folder for the minutes and the vote's result files (default ./yishi-demo)")

    check = sub.add_parser("verify", help="recount an owner vote's result bulletin (docs/bulletin.md)")
    check.add_argument("bulletin", type=Path, help="the bulletin, vote-<number>-bulletin.json")
    check.add_argument("--db", type=Path, help="also check the vote's ballot log in this SQLite file")
    return p


def local(main: Coroutine[None, None, int]) -> int:
    """Run the console or the demo: quiet logs, and the bot stops cleanly on Ctrl+C."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(main)
    except KeyboardInterrupt:
        return 130


def fail(message: str) -> int:
    print(f"yishi: {message}", file=sys.stderr)
    return 2


async def preflight(settings: Settings) -> None:
    """Open (and migrate) the database, ask the Bot API who we are and set the webhook, before
    starting: a bad database, a rejected token or a refused webhook stops the bot with one line."""
    db = await Database.open(settings.db_path)
    await db.close()
    async with Bot(settings.token, base_url=settings.base_url,
                   base_file_url=settings.base_file_url) as bot:
        await bot.get_me()
        if settings.webhook_url:  # one Telegram refuses stops the bot here, not in PTB's start-up
            await bot.set_webhook(settings.webhook_url, secret_token=settings.secret_token,
                                  allowed_updates=Update.ALL_TYPES)


async def _person(action: str, user_id: int, path: Path) -> int:
    """``yishi person export|delete USER_ID``: what a person asks of their data, answered."""
    try:
        db = await Database.open(path)
    except StorageError as exc:
        return fail(str(exc))
    try:
        if action == "export":
            print(json.dumps(await people.export(db, user_id), ensure_ascii=False, indent=2))
        else:
            changed = await people.remove(db, user_id)
            print(", ".join(f"{what}: {count}" for what, count in changed.items()))
    finally:
        await db.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "console":
        return local(console.console(console.Options(
            locale=args.lang, tz=args.tz, db_path=args.db, files=args.files, title=args.group,
            admin=args.admin, templates=args.templates,
            residents=tuple(n.strip() for n in args.residents.split(",") if n.strip())
            if args.residents else None)))
    if args.command == "demo":
        return local(demo.demo(args.lang, args.out))
    if args.command == "verify":
        try:
            report = verify(args.bulletin, args.db)
        except Unreadable as exc:
            return fail(str(exc))
        print(describe(report))
        return 0 if report.ok else 1
    if args.command == "person":
        path = Path(args.db or os.environ.get("YISHI_DB") or "yishi.sqlite3")
        if not path.is_file():
            return fail(f"database {str(path)!r} does not exist")
        return asyncio.run(_person(args.action, args.user_id, path))
    try:
        settings = load_settings(vars(args))
    except ConfigError as exc:
        return fail(str(exc))
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("httpx", "apscheduler"):  # a line per request, three per job run: not news
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    from bot.app import build_application  # the composition root, imported once settings are good

    try:
        asyncio.run(preflight(settings))
    except StorageError as exc:
        return fail(str(exc))
    except InvalidToken:
        return fail("the Bot API rejected TELEGRAM_BOT_TOKEN: check the token from @BotFather")
    except BadRequest as exc:  # before NetworkError, which it is a kind of: Telegram answered, and said no
        return fail(f"Telegram refused the webhook {settings.webhook_url}: {exc.message}")
    except NetworkError as exc:
        print(f"yishi: cannot reach the Bot API at {settings.api_url}: {exc}", file=sys.stderr)
        return 1
    app = build_application(settings)
    try:
        if settings.webhook_url:
            app.run_webhook(
                listen=settings.listen,
                port=settings.port,
                url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                webhook_url=settings.webhook_url,
                secret_token=settings.secret_token,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        return fail("the Bot API rejected TELEGRAM_BOT_TOKEN: check the token from @BotFather")
    except NetworkError as exc:
        print(f"yishi: cannot reach the Bot API at {settings.api_url}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
