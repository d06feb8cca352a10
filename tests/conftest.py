"""Shared fixtures: the Telegram stand-in and the real bot talking to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.local.sandbox import LocalBot, api_spec
from bot.local.standin import FakeTelegram

# The machine is shared: examples are judged by what they find, never by how long they take.
hypothesis_settings.register_profile("yishi", deadline=None)
hypothesis_settings.load_profile("yishi")


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    # Telegram's flood windows, with a group's minute shortened to 5 s: tests keep every limit
    # without waiting a minute whenever a story sends more than 20 messages into one group.
    async with FakeTelegram(spec_path=api_spec(), group_rate=(20, 5.0)) as server:
        yield server
        assert server.violations == [], "the bot broke the Bot API protocol"


@pytest.fixture
async def bot(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[LocalBot]:
    runner = LocalBot(tg, tmp_path / "yishi.sqlite3")
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
def english_group(tg: FakeTelegram, bot: LocalBot):
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


@pytest.fixture
async def compound(tg: FakeTelegram, bot):
    """A compound's main group with building groups 6 and 7 and its committee
    group (not linked yet), and another compound."""
    bot.locale = "en"
    await bot.restart()
    people = {name: tg.user(name, language_code="en") for name in
              ("Wang", "Zhang", "Zhao", "Li", "Chen", "Sun")}
    groups = {
        "main": tg.group("Cuiyuan owners", admins=[people["Wang"]], members=[people["Li"], people["Chen"]]),
        "b6": tg.group("Building 6", admins=[people["Zhang"]], members=[people["Chen"]]),
        "b7": tg.group("Building 7", admins=[people["Zhao"]], members=[people["Li"]]),
        "other": tg.group("Maple Court owners", admins=[people["Sun"]]),
        "committee": tg.group("Cuiyuan committee", admins=[people["Wang"]], members=[people["Zhang"]]),
    }
    return people, groups
