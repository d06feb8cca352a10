"""Evening talks and reception days scheduled step by step, and the same typed."""

from __future__ import annotations

import dataclasses

from storage import events, minutes
from tests.guide import switch_on

IGNORED = {"id", "chat_id", "number", "message_id", "uid", "created_at", "created_by"}


async def started(english_group):
    admin, (li,), group = await english_group("Li")
    await admin.send(admin.private, "/start")
    await admin.private.expect_message()
    return admin, li, group


def typed(person) -> list[str]:
    return [m.text for m in person.private.messages if m.sender is person and not m.text.startswith("/")]


async def test_a_weekly_talk_with_a_noon_reminder_takes_two_typed_messages(bot, tg, english_group):
    admin, _li, group = await started(english_group)
    await admin.send(group, "/event")
    assert "I wrote to you privately" in (await group.expect_message()).text
    kind = await admin.private.expect_message()
    await admin.press(kind, "Evening talk")
    await admin.private.expect_message()
    await admin.send(admin.private, "小区夜话")
    repeat = await admin.private.expect_message()
    assert repeat.button_texts[:4] == ["Every week", "Every month, on a date", "Every month, on its last day",
                                       "Once"]
    await admin.press(repeat, "Every week")
    days = await admin.private.expect_message()
    await admin.press(days, "Done")  # none pressed: asked again
    assert "Press at least one." in (await admin.private.expect_message()).text
    clock = await switch_on(tg, admin, days, "Thursday")
    await admin.press(clock, "19:30")
    place = await admin.private.expect_message()
    assert "Where is it held?" in place.text
    await admin.send(admin.private, "东门凉亭")
    hosts = await admin.private.expect_message()
    await admin.press(hosts, "No one named")
    preview = await switch_on(tg, admin, await admin.private.expect_message(), "At noon that day")
    assert "Every Thursday" in preview.text and "东门凉亭" in preview.text
    await admin.press(preview, "✅ Post")
    card = await group.expect_message()
    assert "Evening talk #1: 小区夜话" in card.text
    assert typed(admin) == ["小区夜话", "东门凉亭"]  # everything else was pressed

    await admin.send(group, "/event 小区夜话\n时间 每周四 19:30\n地点 东门凉亭\n提醒 当天12:00")
    await admin.press(await group.expect_message(), "Save")
    await group.expect_message()
    guided, typed_one = [await events.by_number(bot.runtime.store, group.id, n) for n in (1, 2)]
    a, b = dataclasses.asdict(guided), dataclasses.asdict(typed_one)
    assert {k: (a[k], b[k]) for k in a if k not in IGNORED and a[k] != b[k]} == {}
    assert guided.rrule == "FREQ=WEEKLY;BYDAY=TH" and guided.reminders == (27000,)


async def test_a_reception_day_once_on_a_day_of_the_calendar(bot, tg, english_group):
    admin, _li, group = await started(english_group)
    await admin.send(admin.private, "/reception")
    ask = await admin.private.expect_message()
    assert "What is its title?" in ask.text  # the kind came with the command
    await admin.send(admin.private, "书记接待日")
    repeat = await admin.private.expect_message()
    await admin.press(repeat, "Once")
    when = await admin.private.expect_message()
    await admin.send(admin.private, "后天 9:00")
    place = await admin.private.expect_message()
    assert "→" in when.text
    await admin.press(place, "No place yet")
    await admin.press(await admin.private.expect_message(), "No one named")
    await admin.press(await admin.private.expect_message(), "Done")
    preview = await admin.private.expect_message()
    assert "Reception day" in preview.text and "书记接待日" in preview.text
    await admin.press(preview, "✅ Post")
    card = await group.expect_message()
    assert "Reception day #1: 书记接待日" in card.text


async def test_a_meeting_started_step_by_step_is_the_meeting_typed(bot, tg, english_group):
    admin, _li, group = await started(english_group)
    await admin.send(group, "/meeting")
    await group.expect_message()
    kind = await admin.private.expect_message()
    await admin.press(kind, "Council meeting")
    await admin.private.expect_message()
    place = await answer_text(admin, "凉亭怎么办")
    await admin.press(place, "No place")
    preview = await admin.private.expect_message()
    assert "Meeting #1 (Council meeting) started" in preview.text and "凉亭怎么办" in preview.text
    await admin.press(preview, "✅ Post")
    started_text = (await group.expect_message()).text
    assert "Meeting #1 (Council meeting) started; Wang Fang chairs" in started_text
    assert started_text in preview.text
    await admin.send(group, "/endmeeting")
    await group.expect_message()
    for _ in range(3):
        await group.expect_message()  # the minutes' files
    await admin.send(group, "/meeting council 凉亭怎么办")
    await group.expect_message()
    guided, typed_one = [await minutes.by_number(bot.runtime.store, group.id, n) for n in (1, 2)]
    fields = [(m.kind, m.title, m.place) for m in (guided, typed_one)]
    assert fields == [("council", "凉亭怎么办", None)] * 2


async def answer_text(person, text):
    await person.send(person.private, text)
    return await person.private.expect_message()


async def test_a_resident_cannot_schedule_by_any_way_in(bot, tg, english_group):
    _admin, li, group = await started(english_group)
    await li.send(li.private, "/start")
    await li.private.expect_message()
    for command in ("event", "reception"):
        await li.send(li.private, f"/start g{command}_{group.id}")
        assert "only the conveners" in (await li.private.expect_message()).text
    await li.send(group, "/reception")
    assert "only the conveners" in (await group.expect_message()).text
