"""A community forum: each feature answers, reminds and reports in the topic it was started in."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.event_time import parse_event_time
from bot.domain.ideas import next_weekly

SHANGHAI = ZoneInfo("Asia/Shanghai")
TALK = "/event 小区夜话\n时间 每周四 19:30\n地点 东门凉亭\n提醒 30分钟"


@pytest.fixture
def forum(tg, bot):
    """``admin, li, forum = await forum()``: an English-speaking forum with the bot in it."""

    async def make():
        bot.locale = "en"
        await bot.restart()
        admin, li = tg.user("Wang Fang", language_code="en"), tg.user("Li", language_code="en")
        chat = tg.forum("Cuiyuan owners", admins=[admin], members=[li])
        await chat.add_bot(by=admin)
        await chat.expect_message()  # the greeting, in General
        return admin, li, chat

    return make


async def test_a_vote_started_in_a_topic_reminds_and_reports_there(bot, tg, forum):
    admin, li, chat = await forum()
    lifts = await chat.create_topic("Lifts", by=admin)
    await admin.send(lifts, "/poll Which lift is replaced first?\nBuilding 3\nBuilding 6\n截止 2天后")
    poll = await lifts.expect_message()
    assert "Which lift is replaced first?" in poll.text
    await li.press(poll, "Building 3 · 0")
    await tg.wait_idle()
    bot.clock.advance(timedelta(days=1, minutes=1))  # a day before the deadline
    assert "Not voted yet:" in (await lifts.expect_message()).text
    bot.clock.advance(timedelta(days=1))
    result = await lifts.expect_message()
    assert "Building 3" in result.text and result.reply_to is poll
    await admin.send(lifts, "/polls")  # a plain command in a topic is answered there too
    assert "Which lift" in (await lifts.expect_message()).text
    assert chat.general == [chat.bot_messages[0]]  # only the greeting is in General


async def test_a_talk_saved_in_a_topic_is_reminded_and_changed_there_and_survives_its_topic(bot, tg, forum):
    admin, li, chat = await forum()
    talks = await chat.create_topic("Evening talks", by=admin)
    await admin.send(talks, TALK)
    preview = await talks.expect_message()
    await admin.press(preview, "Save")  # a button press: the card follows the preview's topic
    card = await talks.expect_message()
    assert "Evening talk #1: 小区夜话" in card.text
    await li.press(card, "Going · 0")
    first = parse_event_time("每周四 19:30", bot.clock.now().astimezone(SHANGHAI)).start
    await tg.wait_idle()
    bot.clock.advance(first - timedelta(minutes=29) - bot.clock.now())
    assert "Reminder: Evening talk" in (await talks.expect_message()).text
    second = first + timedelta(weeks=1)
    await admin.send(chat, f"/event_cancel 1 {second.month}月{second.day}日 下雨")  # asked in General
    assert "is cancelled" in (await talks.expect_message()).text  # told where the talk lives
    await tg.wait_idle()

    await talks.delete()  # the topic is gone: the next reminder is not lost, it goes to General
    chat.skip_messages()
    third = second + timedelta(weeks=1)
    bot.clock.advance(third - timedelta(minutes=29) - bot.clock.now())
    reminder = await chat.expect_message()
    assert "Reminder: Evening talk" in reminder.text and reminder.topic is None


async def test_minutes_taken_in_a_topic_are_posted_there_and_read_no_false_replies(bot, tg, forum):
    admin, li, chat = await forum()
    pavilion = await chat.create_topic("Pavilion", by=li)  # Li opened the topic
    await admin.send(pavilion, "/meeting talk 凉亭怎么办")
    await pavilion.expect_message()
    await admin.send(pavilion, "/note 大家希望尽快修")  # not a reply to Li, though Telegram says so
    await pavilion.expect_message()
    said = await li.send(pavilion, "顶棚漏雨")
    await admin.send(pavilion, "/note", reply_to=said)  # a real reply: Li said it
    await pavilion.expect_message()
    await admin.send(pavilion, "/action 物业 修好凉亭顶棚")
    assert "Action item #1 for 物业" in (await pavilion.expect_message()).text
    await admin.send(pavilion, "/endmeeting")
    minutes = await pavilion.expect_message()
    assert "Li: 顶棚漏雨" in minutes.text and "Li: 大家希望尽快修" not in minutes.text
    files = [(await pavilion.expect_message()).document.file_name for _ in range(3)]
    assert files == ["minutes-1.docx", "minutes-1.html", "minutes-1.md"]
    assert len(chat.general) == 1


async def test_ideas_sent_privately_go_to_the_groups_ideas_topic_with_their_digest(bot, tg, forum):
    admin, li, chat = await forum()
    ideas = await chat.create_topic("Golden ideas", by=admin)
    await li.send(ideas, "/idea 东门树下放几张长椅")
    first = await ideas.expect_message()
    assert "Golden idea #1" in first.text
    await li.send(li.private, "/idea 儿童乐园重新刷漆")
    choose = await li.private.expect_message()
    await li.press(choose, "Cuiyuan owners · with my name")
    second = await ideas.expect_message()
    assert "Golden idea #2" in second.text and second.topic is ideas
    await admin.send(ideas, "/digest 周日 20:00")
    await ideas.expect_message()
    await tg.wait_idle()
    now = bot.clock.now().astimezone(SHANGHAI)
    bot.clock.advance(next_weekly(now, 6, time(20)) - now + timedelta(minutes=1))
    digest = await ideas.expect_message()
    assert "儿童乐园重新刷漆" in digest.text
    assert len(chat.general) == 1


async def test_a_request_reported_from_a_topic_is_announced_there(bot, tg, forum):
    admin, li, chat = await forum()
    repairs = await chat.create_topic("Repairs", by=admin)
    await li.send(repairs, "/report 维修 The lift in building 3 stops between floors")
    moved = await repairs.expect_message()
    assert moved.button_texts == ["Continue privately"]
    await li.send(li.private, f"/start q{chat.id}")
    draft = await li.private.expect_message()
    await li.press(draft, "Submit, and tell the group (without my name)")
    assert "Request #1 received" in (await li.private.expect_message()).text
    told = await repairs.expect_message()
    assert "stops between floors" in told.text and "Li" not in told.text
    assert len(chat.general) == 1


async def test_a_consultation_asked_in_a_topic_ends_there(bot, tg, forum):
    admin, _, chat = await forum()
    parking = await chat.create_topic("Parking", by=admin)
    await admin.send(parking, "/consult 停车位和绿地怎么平衡？\n截止 3天后\n不应占用绿地建车位")
    card = await parking.expect_message()
    assert "Consultation #1" in card.text
    await tg.wait_idle()
    bot.clock.advance(timedelta(days=3, minutes=1))  # it ends by itself
    result = await parking.expect_message()
    assert "Consultation #1: the result" in result.text and result.reply_to is card
    await admin.send(parking, "/consult 1")  # asked again in the topic: answered there
    assert "Consultation #1: the result" in (await parking.expect_message()).text
    assert chat.general == [chat.bot_messages[0]]
