"""Evening talks and reception days, played by a convener and residents in a group."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.domain.event_time import parse_event_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
TALK = "/event 小区夜话\n时间 每周四 19:30\n地点 东门凉亭\n主持 张书记\n提醒 30分钟"


def thursdays(bot, count=3):
    first = parse_event_time("每周四 19:30", bot.clock.now().astimezone(SHANGHAI)).start
    return [first + timedelta(weeks=k) for k in range(count)]


def shown(bot, day) -> str:
    """How an English chat shows the moment: Thu 3 Dec 19:30, with the year when it is another."""
    local = day.astimezone(SHANGHAI)
    year = "" if local.year == bot.clock.now().astimezone(SHANGHAI).year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year} {local:%H:%M}"



def md(day) -> str:
    return f"{day.month}月{day.day}日"


async def save(admin, group, text):
    await admin.send(group, text)
    preview = await group.expect_message()
    await admin.press(preview, "Save")
    card = await group.expect_message()
    return preview, card


async def test_a_weekly_talk_is_previewed_saved_reminded_moved_and_cancelled(bot, tg, english_group):
    admin, (li, zhao), group = await english_group("Li", "Zhao")
    await li.send(group, TALK)
    assert "only the conveners" in (await group.expect_message()).text
    await admin.send(group, TALK)
    preview = await group.expect_message()
    first, second, third = thursdays(bot)
    assert "Next three occurrences:" in preview.text and "Every Thursday" in preview.text
    for day in (first, second, third):
        assert shown(bot, day) in preview.text, day
    assert preview.button_texts == ["Save", "Cancel"]
    await admin.send(group, "/events")
    assert "Nothing scheduled" in (await group.expect_message()).text  # nothing stored before Save
    await admin.press(preview, "Save")
    card = await group.expect_message()
    await tg.wait_idle()
    assert "Saved as #1." in preview.text and preview.buttons == []
    assert "Evening talk #1: 小区夜话" in card.text and "东门凉亭" in card.text and "张书记" in card.text
    assert card.button_texts[:3] == ["Going · 0", "Maybe · 0", "Not going · 0"]

    await li.press(card, "Going · 0")
    await zhao.press(card, "Maybe · 0")
    await tg.wait_idle(quiet=0.5)
    assert card.button_texts[:2] == ["Going · 1", "Maybe · 1"]

    bot.clock.advance(first - timedelta(minutes=29) - bot.clock.now())
    reminder = await group.expect_message()
    assert "Reminder: Evening talk “小区夜话”" in reminder.text and "19:30" in reminder.text
    await group.expect_no_message(within=0.5)

    await admin.send(group, f"/event_move 1 {md(first)}\n时间 {md(first + timedelta(days=1))} 19:00")
    assert "Give the reason" in (await group.expect_message()).text
    await admin.send(group, f"/event_move 1 {md(first)}\n时间 {md(first + timedelta(days=1))} 19:00\n"
                            "原因 场地冲突")
    moved = await group.expect_message()
    assert "moves to" in moved.text and "场地冲突" in moved.text
    assert "Answers given for it still count." in moved.text
    await tg.wait_idle(quiet=0.5)
    assert "Moved from" in card.text and card.button_texts[:2] == ["Going · 1", "Maybe · 1"]
    await admin.send(group, "/rsvps 1")
    who = await group.expect_message()
    assert "Going (1): Li" in who.text and "Maybe (1): Zhao" in who.text

    await admin.send(group, f"/event_cancel 1 {md(second)} 下雨暂停")
    cancelled = await group.expect_message()
    assert "is cancelled" in cancelled.text and "下雨暂停" in cancelled.text
    late = await li.press(card, data=f"ev:r:1:{int(second.timestamp()) // 60}:g")
    assert late.show_alert and late.text == "This occurrence is cancelled."
    await admin.send(group, "/events")
    listing = await group.expect_message()
    assert "cancelled: 下雨暂停" in listing.text and "(moved)" in listing.text

    await admin.send(group, "/calendar")
    sent = await group.expect_message()
    calendar = Calendar.from_ical(sent.document.data)
    main, override = [c for c in calendar.walk("VEVENT")]
    assert main["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TH"
    assert main["EXDATE"].dts[0].dt == second
    assert override["RECURRENCE-ID"].dt == first and override["DTSTART"].dt.hour == 19
    assert calendar.walk("VTIMEZONE")
    assert main["DTSTAMP"].dt == bot.clock.now().replace(microsecond=0)  # when the file was made
    assert main["UID"] == override["UID"] and re.fullmatch(r"[0-9a-f]{32}@yishi", str(main["UID"]))


async def test_a_restart_between_scheduling_and_reminding_loses_and_repeats_nothing(bot, tg, english_group):
    admin, _, group = await english_group("Li")
    await save(admin, group, TALK)
    first = thursdays(bot, 1)[0]
    bot.clock.advance(first - timedelta(minutes=40) - bot.clock.now())
    await group.expect_no_message(within=0.5)
    await bot.stop()
    bot.clock.advance(timedelta(minutes=20))  # the reminder fell due while the bot was down
    await bot.start()
    reminder = await group.expect_message()
    assert "Reminder" in reminder.text
    await bot.restart()
    await group.expect_no_message(within=1)


async def test_a_reception_day_queue_is_answered_or_carried_and_summarised(bot, tg, english_group):
    admin, (li, zhao), group = await english_group("Li", "Zhao")
    _, card = await save(admin, group, "/reception 接待日\n时间 每月25日 9:00-11:00\n地点 小区门口\n"
                                             "主持 社区书记、物业经理")
    assert "Monthly on day 25" in card.text
    assert "Reception day #1: 接待日" in card.text
    await li.send(group, "/ask 3栋电梯什么时候修好？")
    assert "number 1 in the queue" in (await group.expect_message()).text
    await zhao.send(group, "/events")  # the bot knows who is in the group from what it sees
    await group.expect_message()
    await zhao.send(zhao.private, "/start")
    await zhao.private.expect_message()
    await zhao.send(zhao.private, "/ask 东门的路灯坏了")
    assert "number 2 in the queue" in (await zhao.private.expect_message()).text

    day = parse_event_time("每月25日 9:00", bot.clock.now().astimezone(SHANGHAI)).start
    bot.clock.advance(day + timedelta(minutes=30) - bot.clock.now())
    await tg.wait_idle(quiet=0.5)
    group.skip_messages()
    await li.send(group, "/questions")
    assert "only the conveners" in (await group.expect_message()).text
    await admin.send(group, "/questions")
    queue = await group.expect_message()
    assert "1. Li: 3栋电梯什么时候修好？" in queue.text and "2. Zhao: 东门的路灯坏了" in queue.text
    await admin.send(group, "/answer 1 下周一前修好")
    assert "Question 1 is answered." in (await group.expect_message()).text
    await admin.send(group, "/answer 2 下次")
    assert "carried to" in (await group.expect_message()).text
    summary = await group.expect_message()
    assert "summary" in summary.text and "下周一前修好" in summary.text
    assert "1 answered, 1 carried over." in summary.text
    told = await zhao.private.expect_message()
    assert "东门的路灯坏了" in told.text


async def test_bad_input_is_refused_with_the_reason(bot, tg, english_group):
    admin, _, group = await english_group("Li")
    await admin.send(group, "/event 夜话\n时间 找个时间")
    refused = await group.expect_message()
    answer = refused.text
    assert "I cannot read the time" in answer and "每周四19:30" in answer
    assert refused.button_texts == ["Step by step"]  # or be asked, with buttons
    assert refused.buttons[0][0].url.endswith(f"?start=gevent_{group.id}")
    await admin.send(group, "/event 夜话\n时间 2020-07-14 19:30")
    assert "has already passed" in (await group.expect_message()).text
    await admin.send(group, "/event 夜话\n时间 每周四 21:00-19:00")
    assert "before its start" in (await group.expect_message()).text
    await admin.send(group, "/event 夜话")
    assert "Give the time" in (await group.expect_message()).text
    await admin.send(group, "/events")
    assert "Nothing scheduled" in (await group.expect_message()).text


async def test_the_whole_series_moves_with_its_answers_and_is_then_cancelled(bot, tg, english_group):
    admin, (li,), group = await english_group("Li")
    _, card = await save(admin, group, TALK)
    await li.press(card, "Going · 0")
    await admin.send(group, "/event_move 1 全部\n时间 每周五 19:00\n原因 周四改为业委会例会")
    moved = await group.expect_message()
    assert "周四改为业委会例会" in moved.text
    await tg.until(lambda: "Every Friday" in card.text, what="the card showing the new rhythm")
    assert card.button_texts[0] == "Going · 1"  # the next occurrence's answer moved with it
    await admin.send(admin.private, "/start")
    await admin.private.expect_message()
    await admin.press(card, data=card.buttons[-1][0].callback_data)  # the calendar button
    sent = await admin.private.expect_message()
    (event,) = Calendar.from_ical(sent.document.data).walk("VEVENT")
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=FR"
    await admin.send(group, "/event_cancel 1 全部\n原因 凉亭维修")
    assert "凉亭维修" in (await group.expect_message()).text
    await admin.send(group, "/events")
    assert "Nothing scheduled" in (await group.expect_message()).text
    friday = parse_event_time("每周五 19:00", bot.clock.now().astimezone(SHANGHAI)).start
    bot.clock.advance(friday - bot.clock.now())  # no reminder for a cancelled series
    await group.expect_no_message(within=0.5)


async def test_the_same_answer_pressed_again_on_a_reminder_edits_nothing(bot, tg, english_group):
    admin, (li, zhao), group = await english_group("Li", "Zhao")
    _, card = await save(admin, group, TALK)
    await zhao.press(card, "Maybe · 0")
    await tg.wait_idle(quiet=0.5)
    first = thursdays(bot, 1)[0]
    bot.clock.advance(first - timedelta(minutes=29) - bot.clock.now())
    reminder = await group.expect_message()
    assert reminder.button_texts[:3] == ["Going · 0", "Maybe · 1", "Not going · 0"]
    await li.press(reminder, "Going · 0")
    await tg.wait_idle(quiet=0.5)
    assert reminder.button_texts[:3] == ["Going · 1", "Maybe · 1", "Not going · 0"]
    again = await li.press(reminder, "Going · 1")
    assert again.text == "Your answer: Going."
    await zhao.press(reminder, "Maybe · 1")  # answered on the card already: the reminder shows it
    await tg.wait_idle(quiet=0.5)
    assert reminder.button_texts[:3] == ["Going · 1", "Maybe · 1", "Not going · 0"]
    assert card.button_texts[:3] == ["Going · 1", "Maybe · 1", "Not going · 0"]
    assert tg.not_modified == 0


async def test_reminders_as_written_and_a_day_that_does_not_exist(bot, tg, english_group):
    admin, _, group = await english_group()
    await admin.send(group, "/event 小区夜话\n时间 每周四 19:30\n提醒 7小时30分钟")
    preview = await group.expect_message()
    assert "Reminders: 7 hours 30 minutes before" in preview.text  # one reminder, not two
    await admin.send(group, "/event 小区夜话\n时间 每周四 19:30\n提醒 当天12:00、前一天20:00")
    preview = await group.expect_message()
    assert "Reminders: 23 hours 30 minutes and 7 hours 30 minutes before" in preview.text
    await admin.press(preview, "Save")
    await group.expect_message()

    await admin.send(group, "/event_cancel 1 13月40日 下雨")
    refused = await group.expect_message()
    assert "There is no day 13月40日 in the calendar: nothing was changed." in refused.text
    await admin.send(group, "/event_cancel 1 下雨")  # the next occurrence was not cancelled before
    assert "is cancelled" in (await group.expect_message()).text


async def test_the_examples_of_times_come_in_the_chats_script(bot, tg):
    for locale, own, other in (("zh_Hant", "每週四19:30", "每周四"), ("zh_Hans", "每周四19:30", "每週四")):
        bot.locale = locale
        await bot.restart()
        admin = tg.user("王芳", language_code="zh")
        group = tg.group(f"翠苑 {locale}", admins=[admin])
        await group.add_bot(by=admin)
        await group.expect_message()
        await admin.send(group, "/event 小区夜话\n时间 随便哪天")
        reply = (await group.expect_message()).text
        assert own in reply and other not in reply, reply


async def test_the_agenda_during_the_talk_is_this_talks(bot, tg, english_group):
    admin, _, group = await english_group()
    await save(admin, group, TALK + "\n时长 2小时")
    first, second, _ = thursdays(bot)
    await admin.send(group, "/agenda 1 Lift repairs")
    assert "Lift repairs" in (await group.expect_message()).text
    bot.clock.advance(first - timedelta(minutes=29) - bot.clock.now())
    assert "Reminder" in (await group.expect_message()).text
    bot.clock.advance(timedelta(minutes=59))  # the talk is under way
    await admin.send(group, "/agenda")
    agenda = (await group.expect_message()).text
    assert shown(bot, first) in agenda and "Lift repairs" in agenda
    bot.clock.advance(timedelta(hours=2))  # over: the next one's agenda
    await admin.send(group, "/agenda")
    agenda = (await group.expect_message()).text
    assert shown(bot, second) in agenda and "Lift repairs" not in agenda


async def test_an_occurrence_on_a_public_holiday_is_marked_and_cancelled_with_one_press(tg, tmp_path):
    from datetime import UTC, datetime

    from bot.clock import Clock
    from bot.local.sandbox import LocalBot

    sunday = datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI)  # the State Council's 2026 calendar is out
    bot = LocalBot(tg, tmp_path / "yishi.sqlite3", Clock(sunday - datetime.now(UTC)))
    bot.locale = "en"
    await bot.start()
    try:
        admin, li = tg.user("Wang Fang", language_code="en"), tg.user("Li", language_code="en")
        group = tg.group("Cuiyuan owners", admins=[admin], members=[li])
        await group.add_bot(by=admin)
        await group.expect_message()
        await admin.send(group, TALK)
        preview = await group.expect_message()
        lines = [line for line in preview.text.splitlines() if line.startswith("•")]
        assert "Thu 24 Sep 19:30" in lines[0] and "public holiday" not in lines[0]
        assert "Thu 1 Oct 19:30 · 🏮public holiday: National Day" in lines[1]
        await admin.press(preview, "Save")
        card = await group.expect_message()
        assert "🏮" not in card.text and len(card.buttons) == 2
        await tg.wait_idle(quiet=0.3)  # saved and armed
        bot.clock.advance(datetime(2026, 9, 24, 19, 31, tzinfo=SHANGHAI) - bot.clock.now())  # the 24th began
        await tg.until(lambda: "Thu 1 Oct" in card.text, what="the card rolling on to 1 October")
        assert "🏮public holiday: National Day" in card.text
        assert card.buttons[-1][0].text == "🏮 Cancel this one: National Day"
        await tg.wait_idle(quiet=0.3)
        group.skip_messages()  # the reminder of the 24th, if it went out
        refused = await li.press(card, "🏮 Cancel this one: National Day")
        assert refused.show_alert and "only the conveners" in refused.text
        await admin.press(card, "🏮 Cancel this one: National Day")
        told = await group.expect_message()
        assert "is cancelled" in told.text and "National Day" in told.text
        await tg.until(lambda: "Thu 8 Oct" in card.text, what="the card showing the next one")
    finally:
        await bot.stop()
