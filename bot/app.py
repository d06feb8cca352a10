"""The composition root: one Application with every feature, the scheduler and the storage."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.clock import Clock
from bot.config import Settings
from bot.ratelimit import TelegramLimiter
from bot.refresh import Refresher
from bot.render import Renderer
from bot.runtime import AdminCache, Runtime
from bot.scheduler import Scheduler
from bot.updates import Inbox, InboxBot, Lanes, close_inbox, open_inbox
from handlers import (
    communities,
    consultations,
    core,
    errors,
    events,
    households,
    ideas,
    lifecycle,
    minutes,
    monthly,
    notices,
    polls,
    ratings,
    requests,
    review,
    roles,
    sharing,
)
from handlers.board import feature as board
from handlers.board import web as board_web
from handlers.guide import feature as guide
from storage import drafts, flood
from storage.db import Database

log = logging.getLogger(__name__)

FEATURES = (lifecycle, core, roles, communities, polls, households, review, ideas, requests, ratings, events,
    consultations, sharing, minutes, monthly, notices, board, guide, errors)


# At DEBUG these log every update, message and query with its values: who voted how in a secret
# vote, whom a receipt was given to. They never log below INFO, whatever level the bot runs at.
DISCREET = ("aiosqlite", "telegram.ext.ExtBot", "telegram.Bot", "telegram.ext.Application")


def build_application(settings: Settings, clock: Clock | None = None) -> Application:
    clock = clock or Clock()
    for name in DISCREET:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger(name).getEffectiveLevel()))
    inbox = Inbox()
    bot = InboxBot(
        settings.token, base_url=settings.base_url, base_file_url=settings.base_file_url, inbox=inbox,
        request=HTTPXRequest(connection_pool_size=256), get_updates_request=HTTPXRequest(),
        rate_limiter=TelegramLimiter(group_per_minute=settings.group_rate,
                                     group_window=settings.group_window),
    )
    app = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(inbox)
        .concurrent_updates(Lanes())
        .post_init(_start)
        .post_stop(_drain)
        .post_shutdown(_stop)
        .build()
    )
    runtime = Runtime(
        settings=settings,
        clock=clock,
        renderer=Renderer(settings.templates_dir),
        scheduler=Scheduler(app, clock, settings.grace),
        admins=AdminCache(clock),
        refresher=Refresher(settings.edit_interval),
    )
    runtime.scheduler.on_forbidden = runtime.deactivate_chat
    runtime.scheduler.on_migrated = runtime.migrate_chat
    app.bot_data["runtime"] = runtime
    commands = []
    for feature in FEATURES:
        commands.extend(feature.register(app))
    core.register_last(app)
    app.bot_data["commands"] = commands
    return app


async def _start(app: Application) -> None:
    runtime: Runtime = app.bot_data["runtime"]
    runtime.db = await Database.open(runtime.settings.db_path)
    await drafts.import_pickle(runtime.db, drafts.old_file(runtime.settings.db_path), runtime.clock.now())
    app.bot.rate_limiter.carry(await flood.take(runtime.db))
    await open_inbox(app, runtime.db, runtime.clock)
    await runtime.scheduler.start(runtime.db)
    runtime.refresher.start(runtime.db, runtime.clock)
    await core.set_default_menus(app)
    await board_web.start(app)  # the public board's web server, when --board-url enables it
    log.info("Yishi is running as @%s", app.bot.username)


async def _drain(app: Application) -> None:
    """Before the connection to Telegram closes: show every pending change."""
    await app.bot_data["runtime"].refresher.drain()


async def _stop(app: Application) -> None:
    runtime: Runtime = app.bot_data["runtime"]
    close_inbox(app)
    await board_web.stop(app)  # before the database closes: the board reads it
    await runtime.scheduler.stop()
    if runtime.db is not None:
        await flood.keep(runtime.db, app.bot.rate_limiter.recent())
        await runtime.db.close()
        runtime.db = None


@asynccontextmanager
async def running(app: Application, poll_timeout: int = 10) -> AsyncIterator[Application]:
    """Run ``app`` by long polling inside an event loop that is already running.

    ``run_polling`` owns its loop; this is the same sequence for code that owns
    one already (the test harness, the local console).
    """
    await app.initialize()
    await app.post_init(app)
    try:
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout,
                                        allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
                await app.post_stop(app)
    finally:
        await app.shutdown()
        await app.post_shutdown(app)
