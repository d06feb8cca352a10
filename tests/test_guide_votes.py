"""Votes made step by step with buttons, in the private chat, and the same votes typed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from zoneinfo import ZoneInfo

from storage import polls
from tests.guide import switch_on

SHANGHAI = ZoneInfo("Asia/Shanghai")

IGNORED = {"id", "chat_id", "message_id", "created_at", "created_by", "number"}


async def started(tg, bot, english_group):
    admin, (li,), group = await english_group("Li")
    await admin.send(admin.private, "/start")
    await admin.private.expect_message()
    return admin, li, group


async def answer(person, text):
    """Type an answer in the private chat; the next question comes back."""
    await person.send(person.private, text)
    return await person.private.expect_message()


def same(one, other) -> dict:
    """The fields in which two stored votes differ (besides which group and when)."""
    a, b = dataclasses.asdict(one), dataclasses.asdict(other)
    return {k: (a[k], b[k]) for k in a if k not in IGNORED and a[k] != b[k]}


async def test_a_poll_pressed_step_by_step_is_the_poll_typed(bot, tg, english_group):
    admin, _li, group = await started(tg, bot, english_group)
    await admin.send(group, "/poll")
    told = await group.expect_message()
    assert "I wrote to you privately" in told.text
    kind = await admin.private.expect_message()
    assert "What kind of vote?" in kind.text and kind.button_texts[:4] == [
        "Single choice", "Multiple choice", "Proposal", "Sign-up chain"]
    await admin.press(kind, "Multiple choice")
    ask = await admin.private.expect_message()
    assert "What is the question?" in ask.text and "→ Multiple choice" in kind.text and kind.buttons == []
    options = await answer(admin, "Which repairs first?")
    for option in ("Lift", "Roof", "Gate"):
        options = await answer(admin, option)
    assert "3. Gate" in options.text
    await admin.press(options, "Done")
    most = await admin.private.expect_message()
    await admin.press(most, "2")
    deadline = await admin.private.expect_message()
    assert "When does voting close?" in deadline.text
    await admin.press(deadline, "In 3 days")
    preview = await switch_on(tg, admin, await admin.private.expect_message(), "Anonymous")
    assert "This is how it will look" in preview.text and "Which repairs first?" in preview.text
    assert preview.button_texts == ["✅ Post", "✏️ Edit", "✖ Cancel"]
    await admin.press(preview, "✅ Post")
    posted = await group.expect_message()
    assert "Which repairs first?" in posted.text and posted.text in preview.text
    assert await typed_count(tg, admin) == 4  # the question and three options; the rest was pressed
    await tg.until(lambda: "Posted in Cuiyuan owners." in preview.text, what="the private confirmation")

    deadline_at = (await polls.by_number(bot.runtime.store, group.id, 1)).deadline.astimezone(SHANGHAI)
    await admin.send(group, "/poll Which repairs first?\nLift\nRoof\nGate\n多选 2\n"
                            f"截止 {deadline_at:%Y-%m-%d %H:%M}\n匿名")
    await group.expect_message()
    guided, typed = [await polls.by_number(bot.runtime.store, group.id, n) for n in (1, 2)]
    assert same(guided, typed) == {}
    assert guided.kind == "multiple" and guided.max_choices == 2 and guided.anonymous
    assert guided.deadline - bot.clock.now() > timedelta(days=2)


REGISTRY = "楼栋,单元,房号,建筑面积\n" + "\n".join(
    f"{b}栋,{e}单元,{f}01,{90 + f}" for b in (6, 7) for e in (1, 2) for f in range(1, 4))


async def typed_count(tg, person) -> int:
    said = [m.text or "" for m in person.private.messages if m.sender is person]
    return len([text for text in said if not text.startswith("/")])


async def test_an_owner_vote_for_one_building_takes_one_typed_message(bot, tg, english_group):
    admin, _li, group = await started(tg, bot, english_group)
    await admin.send(group, "/households import")
    await group.expect_message()
    await admin.send(admin.private, f"/start i{group.id}")
    await admin.private.expect_message()
    await admin.send_document(admin.private, "registry.csv", REGISTRY.encode("utf-8"))
    await admin.private.expect_message()
    before = await typed_count(tg, admin)

    await admin.send(group, "/ownervote")
    await group.expect_message()
    ask = await admin.private.expect_message()
    assert "What do the owners decide?" in ask.text
    scope = await answer(admin, "Replace the lifts of building 6")
    assert [b.text for b in scope.buttons[0]] == [
        "building 6", "building 6, entrance 1", "building 6, entrance 2"]
    await admin.press(scope, "building 6")
    await tg.until(lambda: "✅building 6" in scope.button_texts, what="building 6 picked")
    await admin.press(scope, "Done")
    matter = await admin.private.expect_message()
    assert "→ building 6" in scope.text
    await admin.press(matter, "Decide from the question")
    deadline = await admin.private.expect_message()
    day = bot.clock.now().astimezone(SHANGHAI).date() + timedelta(days=10)
    if day.month != bot.clock.now().astimezone(SHANGHAI).month:
        await admin.press(deadline, "›")
        await tg.until(lambda: deadline.edit_count > 0, what="the next month shown")
    await admin.press(deadline, str(day.day))
    await tg.until(lambda: "19:30" in deadline.button_texts, what="the times of the day")
    await admin.press(deadline, "20:00")
    preview = await switch_on(tg, admin, await admin.private.expect_message(), "Secret ballot")
    assert "owners 0 of 6 (0%)" in preview.text  # building 6 only: its six households
    assert "days' notice before voting closes" in preview.text  # less than the rules' 15 days
    await admin.press(preview, "✅ Post")
    posted = await group.expect_message()
    assert "Replace the lifts of building 6" in posted.text
    assert "days' notice" in (await group.expect_message()).text  # the same warning, in the group
    assert await typed_count(tg, admin) - before == 1  # everything but the question was pressed

    await admin.send(group, "/ownervote Replace the lifts of building 6\n范围 6栋\n"
                            f"截止 {day.month}月{day.day}日 20:00\n无记名")
    await group.expect_message()
    await group.expect_message()  # the notice period warning
    guided, typed = [await polls.by_number(bot.runtime.store, group.id, n) for n in (1, 2)]
    assert same(guided, typed) == {} and guided.scope == ("6",) and guided.secret
    store = bot.runtime.store
    assert await polls.electorate(store, guided.id) == await polls.electorate(store, typed.id)


async def test_back_edit_and_a_restart_in_the_middle(bot, tg, english_group):
    admin, _li, group = await started(tg, bot, english_group)
    await admin.send(admin.private, "/propose")  # one group convened: no need to ask which
    ask = await admin.private.expect_message()
    assert "What is proposed?" in ask.text
    details = await answer(admin, "Paint the fence green")
    await admin.press(details, "Nothing to add")
    deadline = await admin.private.expect_message()
    await admin.press(deadline, "◀ Back")
    await tg.until(lambda: "Anything to explain?" in deadline.text, what="the question before, again")
    await admin.press(deadline, "Nothing to add")
    deadline = await admin.private.expect_message()
    tomorrow = deadline.buttons[0][0].callback_data
    await admin.press(deadline, "Tomorrow 20:00")
    flags = await admin.private.expect_message()
    await bot.restart()  # the draft is in the database: the buttons still work
    await admin.press(flags, "Done")
    preview = await admin.private.expect_message()
    assert "Paint the fence green" in preview.text
    await admin.press(preview, "✏️ Edit")
    await tg.until(lambda: "What would you like to change?" in preview.text, what="the list of answers")
    assert preview.button_texts[:3] == ["Question", "Explanation", "Deadline"]
    await admin.press(preview, "Question")
    await tg.until(lambda: "What is proposed?" in preview.text, what="the question asked again")
    again = await answer(admin, "Paint the fence dark green")
    assert "This is how it will look" in again.text and "dark green" in again.text
    stale = await admin.press(deadline, data=tomorrow)
    assert stale.text == "This button is no longer valid."
    await admin.press(again, "✅ Post")
    posted = await group.expect_message()
    assert "Paint the fence dark green" in posted.text and "Proposal #1" in posted.text


async def test_cancel_expiry_and_the_ways_in(bot, tg, english_group):
    admin, li, group = await started(tg, bot, english_group)
    await li.send(group, "/poll")
    assert "only the conveners" in (await group.expect_message()).text
    await admin.send(admin.private, "/chain")
    ask = await admin.private.expect_message()
    await admin.press(ask, "✖ Cancel")
    await tg.until(lambda: "Cancelled: nothing was posted." in ask.text, what="cancelled")

    await admin.send(group, "/poll Only one option?\nYes")
    refused = await group.expect_message()
    assert "at least two options" in refused.text and refused.button_texts == ["Step by step"]
    assert refused.buttons[0][0].url.endswith(f"?start=gpoll_{group.id}")
    await admin.send(admin.private, f"/start gpoll_{group.id}")
    kind = await admin.private.expect_message()
    assert "What kind of vote?" in kind.text
    single = kind.buttons[0][0].callback_data
    await admin.press(kind, "Single choice")
    await admin.private.expect_message()
    await tg.wait_idle()
    bot.clock.advance(timedelta(days=1, minutes=1))
    note = await admin.private.expect_message()
    assert "A day went by without an answer, so I put away what you had begun (New vote)" in note.text
    assert "Send /poll to start again." in note.text
    assert (await admin.press(kind, data=single)).text == (
        "This button is no longer valid.")
    await group.expect_no_message()


async def test_a_convener_who_never_started_the_bot_is_brought_to_the_private_chat(bot, tg, english_group):
    admin, (_li,), group = await english_group("Li")
    await admin.send(group, "/poll")
    told = await group.expect_message()
    assert "press the button, then Start" in told.text
    link = told.buttons[0][0].url
    await admin.send(admin.private, "/start " + link.split("?start=")[1])
    assert "What kind of vote?" in (await admin.private.expect_message()).text


async def test_a_convener_of_two_groups_is_asked_which_first(bot, tg, english_group):
    admin, _li, group = await started(tg, bot, english_group)
    other = tg.group("Building 7", admins=[admin])
    await other.add_bot(by=admin)
    await other.expect_message()
    await admin.send(other, "/polls")  # seen there too
    await other.expect_message()
    await admin.send(admin.private, "/chain")
    which = await admin.private.expect_message()
    assert "Which group is it for?" in which.text
    assert sorted(which.button_texts[:2]) == ["Building 7", "Cuiyuan owners"]
    await admin.press(which, "Building 7")
    title = await admin.private.expect_message()
    assert "What do people sign up for?" in title.text and "→ Building 7" in which.text
    places = await answer(admin, "Saturday clean-up")
    await admin.press(places, "20")
    await admin.press(await admin.private.expect_message(), "No deadline")
    await admin.press(await admin.private.expect_message(), "✅ Post")
    chain = await other.expect_message()
    assert "Saturday clean-up" in chain.text and chain.button_texts == ["Join", "Leave"]
    await group.expect_no_message()
