"""The engine under every feature: updates kept until handled, handled side by side, in order
for one person, and nothing lost or counted twice when the process is killed."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import timedelta

from bot.local.sandbox import LocalBot, api_spec
from bot.local.standin import FakeTelegram
from tests.process import YishiProcess


async def handled_all(db_path, seconds: float = 30) -> None:
    """Wait until the bot has handled every update it kept (a replay sends nothing to wait on)."""
    for _ in range(int(seconds / 0.05)):
        with sqlite3.connect(db_path) as db:
            if not db.execute("SELECT count(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0]:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("updates left unhandled")


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


async def test_updates_handled_again_after_a_crash_act_once(bot, tg, english_group):
    """Killed after an update's work but before it was marked handled, the bot handles it again
    at start-up: what it created is found, not made twice, and a toggle is not switched back."""
    admin, (li, zhao), group = await english_group("Li", "Zhao")
    await admin.send(group, "/poll Lunch?\nNoodles\nDumplings\ndeadline in 3 days")
    poll = await group.expect_message()
    await li.send(group, "/idea Wooden seats in the pavilion")
    card = await group.expect_message()
    assert (await zhao.press(card, data="id:e:1")).text == "You endorse #1."
    await tg.until(lambda: "1 endorsement" in card.text, what="the endorsement on the card")
    await admin.send(group, "/meeting talk The pavilion")
    await group.expect_message()
    await admin.send(group, "/action 物业 Fix the roof\n截止 两周后")
    await group.expect_message()
    await bot.stop()

    with sqlite3.connect(bot.db_path) as db:
        schedules = db.execute("SELECT count(*) FROM schedules WHERE active = 1").fetchone()[0]
        db.execute("""UPDATE inbox SET handled_at = NULL WHERE body LIKE '%/poll Lunch%'
                      OR body LIKE '%id:e:1%' OR body LIKE '%/meeting talk%' OR body LIKE '%/action %'""")
        assert db.execute("SELECT count(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0] == 4
    posted = len(group.messages)
    bot.clock.advance(timedelta(minutes=1))  # handled again later: times computed from now differ
    await bot.start()
    await handled_all(bot.db_path)

    assert "Poll #" not in "".join(m.text or "" for m in group.messages[posted:])  # not posted again
    await li.send(group, "/polls")
    assert "#2" not in (await group.expect_message()).text
    assert "1 endorsement" in card.text and "Endorse · 1" in card.button_texts[0]
    await li.send(group, "/actions")
    listed = (await group.expect_message()).text
    assert "#1" in listed and "#2" not in listed
    with sqlite3.connect(bot.db_path) as db:
        assert db.execute("SELECT count(*) FROM schedules WHERE active = 1").fetchone()[0] == schedules
        assert db.execute("SELECT count(*) FROM meetings").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0] == 0
    assert poll.text.startswith("Poll #1")


async def test_a_group_waiting_on_its_flood_limit_holds_up_no_other_chat_and_no_button(tmp_path):
    """Group A has used its sends for the window; its next replies wait. Meanwhile a press in A is
    answered and a command in group B is answered at once, before A's waiting replies go out."""
    async with FakeTelegram(spec_path=api_spec(), group_rate=(3, 10.0)) as tg:
        bot = LocalBot(tg, tmp_path / "yishi.sqlite3")
        bot.locale = "en"
        await bot.start()
        try:
            admin = tg.user("Wang Fang", language_code="en")
            li = tg.user("Li", language_code="en")
            a = tg.group("Building 6", admins=[admin], members=[li])
            b = tg.group("Building 7", admins=[admin], members=[li])
            for group in (a, b):
                await group.add_bot(by=admin)
                await group.expect_message()  # greeting: A's first send in the window
            await admin.send(a, "/poll Lunch?\nNoodles\nDumplings")
            poll = await a.expect_message()  # A's second
            await admin.send(a, "/roles")
            await admin.send(a, "/roles")
            await a.expect_message()  # A's third: the window is full, the next /roles waits
            assert (await li.press(poll, data="pv:1:0")).text.startswith("You voted Noodles")
            await li.send(b, "/roles")
            assert "No roles granted yet" in (await b.expect_message()).text
            assert len(a.bot_messages) == 3  # A's second /roles is still waiting for its window
            await a.expect_message(timeout=30)  # and goes out when the window moves on
            await tg.until(lambda: "1 people voted" in poll.text or "1 person voted" in poll.text,
                           timeout=30, what="the tally, edited once the window allowed")
        finally:
            await bot.stop()
        assert tg.violations == [] and tg.rate_limited == 0


async def test_a_429_pauses_only_its_chat_and_the_message_still_arrives(tmp_path):
    """Telegram is stricter with group A than the bot expects: the 429 pauses A alone, B goes on,
    and A's message is sent after retry_after, not lost."""
    async with FakeTelegram(spec_path=api_spec(), group_rate=(2, 5.0)) as tg:
        bot = LocalBot(tg, tmp_path / "yishi.sqlite3")
        bot.locale, bot.group_rate, bot.group_window = "en", 20, 60.0  # Telegram's usual limits
        await bot.start()
        try:
            admin = tg.user("Wang Fang", language_code="en")
            a = tg.group("Building 6", admins=[admin])
            b = tg.group("Building 7", admins=[admin])
            for group in (a, b):
                await group.add_bot(by=admin)
                await group.expect_message()
            await admin.send(a, "/roles")
            await a.expect_message()  # A's second send: the stand-in allows no third for 5 s
            await admin.send(a, "/roles")
            await tg.until(lambda: tg.rate_limited == 1, what="Telegram refusing A's third send")
            await admin.send(b, "/roles")
            assert "No roles granted yet" in (await b.expect_message()).text
            assert len(a.bot_messages) == 2
            assert "No roles granted yet" in (await a.expect_message(timeout=30)).text
        finally:
            await bot.stop()
        assert tg.rate_limited == 1  # the limiter waited as told instead of trying again at once
        tg.violations.clear()  # the one 429 was provoked on purpose


async def test_an_update_that_is_not_telegram_s_runs_in_a_lane_of_its_own():
    from bot.updates import Lanes

    ran = []

    async def work(n: int) -> None:
        ran.append(n)

    lanes = Lanes()
    await asyncio.gather(*(lanes.do_process_update(object(), work(n)) for n in range(3)))
    assert ran == [0, 1, 2] and not lanes.busy
