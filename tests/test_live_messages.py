"""Live messages (a poll's tally) are edited when they change, and only then: not at start-up,
whatever the database holds, and not for a change undone before it was shown; a change a stop
left unshown is shown at the next start."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.polls import Draft
from storage import events, ideas, live, polls, schedules
from storage.db import Database
from tests.process import YishiProcess

RESIDENTS = ("Li", "Zhao")
STORED_POLLS = 300


def edits(tg, since: int) -> list:
    return [c for c in tg.calls[since:] if c.method.startswith("editMessage")]


async def test_a_restart_with_many_open_polls_edits_none_of_them(bot, tg, english_group):
    admin, (li, zhao), group = await english_group(*RESIDENTS)
    await admin.send(group, "/poll Where should the bike shelter go?\nEast gate\nWest gate\n截止 3天后")
    shelter = await group.expect_message()
    await admin.send(group, "/propose Paint the benches green\n截止 5天后")
    benches = await group.expect_message()
    await li.press(shelter, "East gate · 0")
    await zhao.press(benches, "Agree · 0")
    await tg.wait_idle(quiet=0.5)
    assert "East gate · 1" in shelter.button_texts and "Agree · 1" in benches.button_texts
    await bot.stop()

    db = await Database.open(bot.db_path)  # a community with a long history of open votes
    try:
        now = bot.clock.now()
        for n in range(STORED_POLLS):
            poll = await polls.create(db, chat_id=group.id, draft=Draft("single", f"Question {n}?"),
                                      options=("Yes", "No"), deadline=now + timedelta(days=7, minutes=n),
                                      scope=(), electorate=[], created_by=admin.id, now=now)
            await polls.set_message(db, poll.id, 90_000 + n)
            await schedules.add(db, chat_id=group.id, kind="poll", ref=str(poll.id),
                                first_at=poll.deadline, rrule=None, tz="Asia/Shanghai",
                                offsets=(0, 86400), payload={}, now=now)
    finally:
        await db.close()

    since, refused = len(tg.calls), tg.not_modified
    await bot.start()
    await li.send(group, "/help")
    assert "🗳 Votes" in (await group.expect_message()).button_texts
    await tg.wait_idle(quiet=1.0)
    assert edits(tg, since) == []
    assert tg.not_modified == refused == 0

    await zhao.press(shelter, "West gate · 0")  # a change is still shown at once
    await tg.until(lambda: "West gate · 1" in shelter.button_texts, what="the new vote is shown")
    await tg.wait_idle(quiet=0.5)
    assert tg.not_modified == 0


async def test_a_vote_changed_and_changed_back_before_it_is_shown_sends_no_edit(bot, tg, english_group):
    bot.edit_interval = 60  # the second and third press fall within one interval
    admin, (li, _), group = await english_group(*RESIDENTS)
    await admin.send(group, "/poll Colour of the new benches?\nGreen\nBrown")
    poll = await group.expect_message()
    await li.press(poll, "Green · 0")
    await group.expect_edit(poll)  # the first change is shown at once
    assert poll.button_texts == ["Green · 1", "Brown · 0"]
    await li.press(poll, data=poll.buttons[1][0].callback_data)
    await li.press(poll, data=poll.buttons[0][0].callback_data)
    await tg.wait_idle(quiet=0.5)
    shown = poll.edit_count
    await bot.stop()  # a stop shows what is waiting: here, nothing new
    assert poll.edit_count == shown
    assert poll.button_texts == ["Green · 1", "Brown · 0"]
    assert tg.not_modified == 0


async def test_a_vote_not_shown_when_the_bot_was_killed_is_shown_after_the_restart(tg, tmp_path):
    admin = tg.user("Wang Fang", language_code="en")
    li, zhao = tg.user("Li", language_code="en"), tg.user("Zhao", language_code="en")
    group = tg.group("Cuiyuan owners", admins=[admin], members=[li, zhao])
    env = {"YISHI_EDIT_SECONDS": "60", "YISHI_LOCALE": "en"}
    bot = YishiProcess(tg, tmp_path, env=env)
    await bot.start()
    try:
        await group.add_bot(by=admin)
        await group.expect_message()  # greeting
        await admin.send(group, "/poll Where should the bike shelter go?\nEast gate\nWest gate")
        shelter = await group.expect_message()
        await admin.send(group, "/poll Colour of the new benches?\nGreen\nBrown")
        benches = await group.expect_message()
        await li.press(shelter, "East gate · 0")
        await li.press(benches, "Green · 0")
        await tg.until(lambda: shelter.edit_count == 1 and benches.edit_count == 1,
                       what="the first votes are shown at once")
        await zhao.press(shelter, "East gate · 1")  # recorded; shown when the interval has passed
        await tg.wait_idle(quiet=0.5)
        assert shelter.button_texts == ["East gate · 1", "West gate · 0"]
    finally:
        await bot.kill()

    bot = YishiProcess(tg, tmp_path, env=env)
    await bot.start()
    try:
        await tg.until(lambda: "East gate · 2" in shelter.button_texts,
                       what="the vote left unshown is shown after the restart")
        await tg.wait_idle(quiet=1.0)
        assert benches.edit_count == 1  # unchanged: not edited again
        assert shelter.edit_count == 2
        assert tg.not_modified == 0
    finally:
        assert await bot.stop() == 0


async def test_changes_left_unshown_on_cards_are_shown_at_start_up_and_only_they(bot, tg, english_group):
    admin, (li, zhao), group = await english_group(*RESIDENTS)
    await admin.send(group, "/idea Plant osmanthus trees along the east path")
    card = await group.expect_message()
    await admin.send(group, "/event Evening talk\n时间 每周四 19:30\n地点 East pavilion")
    preview = await group.expect_message()
    await admin.press(preview, "Save")
    talk = await group.expect_message()
    await admin.send(group, "/poll Colour of the new benches?\nGreen\nBrown")
    benches = await group.expect_message()
    await li.press(benches, "Green · 0")
    await tg.until(lambda: "Green · 1" in benches.button_texts, what="the vote is shown")
    await tg.wait_idle(quiet=0.5)
    await bot.stop()

    db = await Database.open(bot.db_path)  # what a bot killed after these changes leaves behind
    try:
        now = bot.clock.now()
        (idea,) = await ideas.of_chat(db, group.id)
        await ideas.endorse(db, idea.id, li.id, now)
        (event,) = await events.of_chat(db, group.id)
        await events.answer(db, event.id, event.start, zhao.id, "Zhao", "going", now)
        for key in (f"idea:{idea.id}", f"event:{event.id}", "poll:1"):  # the poll shows its vote already
            await live.mark_pending(db, key, now)
    finally:
        await db.close()

    since = len(tg.calls)
    await bot.start()
    await tg.until(lambda: "1 endorsement" in card.text, what="the endorsement is shown")
    await tg.until(lambda: any("· 1" in text for text in talk.button_texts), what="the answer is shown")
    await tg.wait_idle(quiet=0.5)
    edited = sorted(int(c.params["message_id"]) for c in edits(tg, since))
    assert edited == sorted([card.message_id, talk.message_id])  # not the poll
    assert tg.not_modified == 0
    await bot.restart()  # shown: nothing is left to show again
    await tg.wait_idle(quiet=0.5)
    assert len(edits(tg, since)) == 2
