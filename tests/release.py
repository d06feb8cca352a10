"""A database as a release of the bot leaves it, for tests that upgrade one.

``python -m tests.release tests/fixtures/release-0.1.0.sqlite3`` plays a short life of a compound
through the stand-in (a registry, an owner vote and a poll with ballots, a sign-up chain, an idea,
a request, a weekly talk with a change, a meeting with minutes and an action item) and keeps the
database. ``cast`` makes the same people and group again, with the same Telegram ids, so a test
can talk to the bot about what that database holds.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from bot.local.sandbox import LocalBot, api_spec
from bot.local.standin import FakeTelegram

REGISTRY = "楼栋,单元,房号,建筑面积,业主\n" + "\n".join(
    f"6栋,{e}单元,{f}0{d},{88 + f + d}.50,业主{e}{f}{d}" for e in (1, 2) for f in (1, 2) for d in (1, 2))


def cast(tg: FakeTelegram):
    """The convener, three residents and their group, the same ids every time."""
    admin = tg.user("Wang Fang", language_code="en")
    residents = [tg.user(name, language_code="en") for name in ("Li", "Zhao", "Sun")]
    group = tg.group("Cuiyuan owners", admins=[admin], members=residents)
    return admin, residents, group


async def _says(person, chat, text: str):
    await person.send(chat, text)
    return await chat.expect_message()


async def play(tg: FakeTelegram, bot: LocalBot) -> None:
    admin, (li, zhao, sun), group = cast(tg)
    await group.add_bot(by=admin)
    await group.expect_message()
    for person in (admin, li, zhao, sun):
        await _says(person, person.private, "/start")
        await _says(person, group, "/polls")
    await _says(admin, group, "/households import")
    await _says(admin, admin.private, f"/start i{group.id}")
    await admin.send_document(admin.private, "registry.csv", REGISTRY.encode("utf-8"))
    await admin.private.expect_message()

    await _says(admin, group, "/ownervote Replace the lifts of building 6\n范围 6栋\n截止 30天后")
    await _says(admin, group, "/poll Where should the bike shelter go?\nEast gate\nWest gate\n截止 10天后")
    poll = group.bot_messages[-1]
    await li.press(poll, "East gate · 0")
    await _says(admin, group, "/chain Saturday clean-up\n名额 10")
    await zhao.press(group.bot_messages[-1], "Join")
    await _says(li, group, "/idea Benches under the plane trees")
    await sun.press(group.bot_messages[-1], data="id:e:1")
    await _says(zhao, zhao.private, "/report 维修 The lift of building 6 stops between floors")
    await zhao.press(zhao.private.bot_messages[-1], "Submit privately")
    await zhao.private.expect_message()
    preview = await _says(admin, group, "/event Evening talk\n时间 每周四 19:30\n地点 East gate pavilion")
    await admin.press(preview, "Save")
    await group.expect_message()
    await _says(admin, group, "/meeting council Pavilion roof\n地点 East gate pavilion")
    await _says(admin, group, "/note The roof leaks when it rains")
    await _says(admin, group, "/decision The property company repairs it")
    await _says(admin, group, "/action 物业 Repair the pavilion roof\n截止 14天后")
    await _says(admin, group, "/endmeeting")
    await tg.wait_idle(quiet=1)


async def build(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "yishi.sqlite3"
        async with FakeTelegram(spec_path=api_spec(), group_rate=(600, 60.0)) as tg:
            bot = LocalBot(tg, db)
            bot.locale = "en"
            await bot.start()
            try:
                await play(tg, bot)
            finally:
                await bot.stop()
            assert tg.violations == [], tg.violations
        shutil.copy(db, out)


if __name__ == "__main__":
    asyncio.run(build(Path(sys.argv[1])))
