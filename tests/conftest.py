"""Shared fixtures: the Telegram stand-in and the real bot talking to it over HTTP."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.app import build_application, running
from bot.clock import Clock
from bot.config import Settings
from bot.runtime import Runtime
from bot.standin import FakeTelegram

REPO = Path(__file__).resolve().parents[1]

# The machine is shared: examples are judged by what they find, never by how long they take.
hypothesis_settings.register_profile("yishi", deadline=None)
hypothesis_settings.load_profile("yishi")


def api_spec() -> Path | None:
    """The Bot API description beside the project (never copied into it)."""
    configured = os.environ.get("YISHI_BOT_API_SPEC")
    path = Path(configured) if configured else REPO.parent / "shared/telegram-bot-api/api.json"
    return path if path.is_file() else None


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(spec_path=api_spec()) as server:
        yield server
        assert server.violations == [], "the bot broke the Bot API protocol"


class BotRunner:
    """Starts and stops the real Application against the stand-in, keeping its database."""

    def __init__(self, tg: FakeTelegram, db_path: Path) -> None:
        self.tg = tg
        self.db_path = db_path
        self.clock = Clock()
        self.grace = timedelta(hours=1)
        self.edit_interval = 0.3
        self.locale = "zh_Hans"
        self.templates: Path | None = None
        self.prepare: list[Callable[[Runtime], None]] = []
        self.app = None
        self._stack: AsyncExitStack | None = None

    def settings(self) -> Settings:
        return Settings(token=self.tg.token, api_url=self.tg.url, db_path=self.db_path,
                        locale=self.locale, grace=self.grace, templates_dir=self.templates,
                        edit_interval=self.edit_interval)

    @property
    def runtime(self) -> Runtime:
        return self.app.bot_data["runtime"]

    async def start(self) -> None:
        assert self._stack is None, "already running"
        self.app = build_application(self.settings(), self.clock)
        for step in self.prepare:
            step(self.runtime)
        self._stack = AsyncExitStack()
        await self._stack.enter_async_context(running(self.app, poll_timeout=1))

    async def stop(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@pytest.fixture
async def bot(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotRunner]:
    runner = BotRunner(tg, tmp_path / "yishi.sqlite3")
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
def english_group(tg: FakeTelegram, bot: BotRunner):
    """Make an English-speaking group with the bot in it: ``admin, residents, group =
    await english_group("Li", "Zhao")``. Set the bot's options before calling it."""

    async def make(*names: str):
        bot.locale = "en"
        await bot.restart()
        admin = tg.user("Wang Fang", language_code="en")
        residents = [tg.user(name, language_code="en") for name in names]
        group = tg.group("Cuiyuan owners", admins=[admin], members=residents)
        await group.add_bot(by=admin)
        await group.expect_message()  # greeting
        return admin, residents, group

    return make
