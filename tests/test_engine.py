"""The engine under every feature: updates kept until handled, handled side by side, in order
for one person, and nothing lost or counted twice when the process is killed."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter

from bot.local.standin import FakeTelegram
from tests.process import YishiProcess


def answered(tg: FakeTelegram) -> int:
    return sum(1 for c in tg.calls if c.method == "answerCallbackQuery" and c.status == 200)


async def test_presses_in_flight_when_the_bot_is_killed_are_answered_and_counted_once(tg, tmp_path):
    admin = tg.user("Wang Fang", language_code="en")
    residents = [tg.user(f"Neighbour {i}", language_code="en") for i in range(120)]
    group = tg.group("Cuiyuan owners", admins=[admin], members=residents)
    bot = YishiProcess(tg, tmp_path, env={"YISHI_LOCALE": "en"})
    await bot.start()
    await group.add_bot(by=admin)
    await group.expect_message()
    await admin.send(group, "/poll Lunch on Saturday?\nNoodles\nDumplings")
    poll = await group.expect_message()

    tg.latency["answerCallbackQuery"] = 0.3  # a slow network: presses pile up inside the bot
    choice = {person.id: i % 2 for i, person in enumerate(residents)}
    presses = [asyncio.create_task(person.press(poll, data=f"pv:1:{choice[person.id]}", timeout=120))
               for person in residents]
    await bot.until(lambda: answered(tg) >= 10)
    await bot.kill()
    before = answered(tg)
    assert before < len(residents)

    tg.latency.clear()
    bot = YishiProcess(tg, tmp_path, env={"YISHI_LOCALE": "en"})
    await bot.start()
    answers = await asyncio.gather(*presses)
    assert all(a.text.startswith("You voted") for a in answers)
    assert "not handled before the last stop are handled first" in bot.log.read_text()
    await admin.send(group, "/close 1")
    result = await group.expect_message()
    assert "Noodles: 60 (50%)" in result.text and "Dumplings: 60 (50%)" in result.text
    assert "120 people voted." in result.text
    assert await bot.stop() == 0

    with sqlite3.connect(tmp_path / "yishi.sqlite3") as db:
        sources = Counter(s for (s,) in db.execute("SELECT source FROM ballot_log WHERE poll_id = 1"))
        ballots = dict(db.execute("SELECT user_id, choices FROM ballots WHERE poll_id = 1"))
        left = db.execute("SELECT count(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0]
    assert len(sources) == len(residents) and set(sources.values()) == {1}  # none counted twice
    assert ballots == {person.id: f"[{choice[person.id]}]" for person in residents}
    assert left == 0


async def test_one_person_s_presses_are_handled_in_the_order_they_came(english_group, tg):
    admin, (resident,), group = await english_group("Li")
    await admin.send(group, "/poll Lunch?\nNoodles\nDumplings\nRice")
    poll = await group.expect_message()
    sequence = [0, 1, 2, 1, 0, 2, 2, 1]
    slower = iter(range(len(sequence), 0, -1))  # each press answered faster than the one before
    tg.latency["answerCallbackQuery"] = lambda: 0.05 * next(slower, 1)
    presses = [asyncio.create_task(resident.press(poll, data=f"pv:1:{p}")) for p in sequence]
    answers = [(await p).text for p in presses]
    labels = ("Noodles", "Dumplings", "Rice")
    assert answers == [f"You voted {labels[p]}. You can change it until voting closes." for p in sequence]
    in_order = [c.params["text"] for c in tg.calls if c.method == "answerCallbackQuery"]
    assert in_order == answers  # answered one after another, as pressed
    await admin.send(group, "/close 1")
    assert "Dumplings: 1 (100%)" in (await group.expect_message()).text
