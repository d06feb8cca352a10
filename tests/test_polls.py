"""Polls, proposals and sign-up chains, played by a convener and residents in a group."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

RESIDENTS = ("Li", "Zhao", "Sun", "Zhou", "Wu")


async def create(admin, group, text):
    await admin.send(group, text)
    return await group.expect_message()


async def test_a_proposal_closes_itself_at_the_deadline_even_across_a_restart(bot, tg, english_group):
    admin, (li, zhao, sun, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/propose Build the bike shelter at the east gate\n"
                                      "Paid from the common income\n截止 3天后")
    assert "Proposal #1" in poll.text and "Paid from the common income" in poll.text
    assert [row[0].text for row in poll.buttons] == ["Agree · 0", "Disagree · 0", "Abstain · 0"]
    answer = await li.press(poll, "Agree · 0")
    assert answer.text == "You voted Agree. You can change it until voting closes."
    await zhao.press(poll, data=poll.buttons[0][0].callback_data)
    await sun.press(poll, data=poll.buttons[1][0].callback_data)
    await tg.wait_idle(quiet=0.5)
    assert "Agree: 2 (66.7%) — Li and Zhao" in poll.text and "Disagree: 1" in poll.text

    await bot.stop()
    bot.clock.advance(timedelta(days=3, minutes=1))  # the deadline passed while the bot was down
    await bot.start()
    result = await group.expect_message()
    assert "Result of Proposal #1" in result.text and "Passed" in result.text
    assert "Agree: 2 (66.7%)" in result.text
    assert "Turnout: 50% of 6 members." in result.text
    assert poll.buttons == [] and "Voting closed." in poll.text
    late = await zhao.press(poll, data="pv:1:1")
    assert late.show_alert and late.text == "Voting has closed."
    await group.expect_no_message(within=0.5)  # the reminders due days ago were not sent late

    await admin.send(group, "/final 1 The shelter will be built in March")
    final = await group.expect_message()
    assert "The result of #1 is final." in final.text and "built in March" in final.text
    await tg.until(lambda: "Result final: The shelter will be built in March" in poll.text,
                   what="the vote's message shows the outcome")
    await admin.send(group, "/reopen 1")
    assert "Only a closed vote whose result is not final" in (await group.expect_message()).text


async def test_a_deadline_missed_for_days_while_the_bot_was_down_still_closes_the_vote(
        bot, tg, english_group):
    admin, (li, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/propose Repaint the east gate\n截止 3天后")
    await li.press(poll, "Agree · 0")
    await bot.stop()
    bot.clock.advance(timedelta(days=5))  # two days past the deadline, far beyond the grace period
    await bot.start()
    result = await group.expect_message()
    assert "Result of Proposal #1" in result.text and "Agree: 1 (100%)" in result.text
    assert poll.buttons == [] and "Voting closed." in poll.text
    await group.expect_no_message(within=0.5)  # its reminders, as late, are not sent


async def test_reminders_go_privately_to_those_who_started_the_bot_and_list_the_rest(bot, tg, english_group):
    admin, (li, zhao, sun, zhou, wu), group = await english_group(*RESIDENTS)
    for resident in (li, zhao, sun, zhou, wu):  # the bot sees members who talk to it
        await resident.send(group, "/polls")
        await group.expect_message()
    await zhao.send(zhao.private, "/start")
    await zhao.private.expect_message()
    poll = await create(admin, group, "/poll Where should the bike shelter go?\nEast gate\nWest gate\n"
                                      "截止 2天后")
    await li.press(poll, "East gate · 0")
    await tg.wait_idle()
    bot.clock.advance(timedelta(days=1, minutes=1))  # 24 hours before the deadline
    private = await zhao.private.expect_message()
    assert "you have not voted on #1 yet" in private.text
    listed = await group.expect_message()
    assert "Not voted yet:" in listed.text
    for name in ("Sun", "Zhou", "Wu", "Wang Fang"):
        assert name in listed.text
    assert "Li" not in listed.text.split("Not voted yet:")[1] and "Zhao" not in listed.text
    await admin.send(group, "/notvoted 1")
    who = await group.expect_message()
    assert "Not voted yet on #1" in who.text and "Zhao" in who.text and "Li," not in who.text


async def test_a_sign_up_chain_fills_to_capacity_and_closes(bot, tg, english_group):
    admin, (li, zhao, sun, zhou, _), group = await english_group(*RESIDENTS)
    chain = await create(admin, group, "/chain Saturday clean-up\ncapacity 3")
    assert "No one yet" in chain.text and chain.button_texts == ["Join", "Leave"]
    await li.press(chain, "Join")
    await zhao.send(group, "building 3 +2", reply_to=chain)
    await tg.wait_idle(quiet=0.5)
    assert "1. Li" in chain.text and "2. Zhao building 3 +2" in chain.text
    assert (await li.press(chain, "Leave")).text == "You left the list."
    assert (await li.press(chain, "Leave")).text == "You are not on this list."
    await sun.press(chain, "Join")
    await li.press(chain, "Join")  # back, at the end of the list
    result = await group.expect_message()
    assert "The chain is full." in result.text
    assert "1. Zhao building 3 +2\n2. Sun\n3. Li" in result.text
    assert "3 of 3 places taken." in result.text
    assert chain.buttons == [] and "The chain is full." in chain.text and "Voting closed" not in chain.text
    late = await zhou.press(chain, data=f"pj:{1}")
    assert late.show_alert and late.text == "Sorry, the chain is full."


async def test_forged_and_stale_presses_change_nothing(bot, tg, english_group):
    admin, (li, zhao, *_), group = await english_group(*RESIDENTS)
    other = tg.group("Another compound", admins=[admin], members=[li])
    await other.add_bot(by=admin)
    await other.expect_message()
    poll = await create(admin, group, "/poll Colour of the new benches?\nGreen\nBrown")
    elsewhere = await create(admin, other, "/poll Anything?\nYes\nNo")
    for message, data in ((elsewhere, "pv:1:0"),   # another chat's poll
                          (poll, "pv:1:7"),        # an option that does not exist
                          (poll, "pv:99:0"),       # no such poll
                          (poll, "pv:x:0"),
                          (poll, "pv:1:0:0"),      # a field more than a vote button has
                          (poll, "pv:99999999999999999999999:0"),
                          (poll, "pv:²:0"),
                          (poll, "zz:1"),          # data no button of the bot carries
                          (poll, "pj:1")):         # a chain button on a poll
        answer = await li.press(message, data=data)
        assert answer.show_alert and answer.text == "This button is no longer valid.", data
    await zhao.press(poll, "Green · 0")
    for command in ("/close 99999999999999999999999", "/close ²"):
        await admin.send(group, command)
        assert "Which vote? Give its number" in (await group.expect_message()).text, command
    await admin.send(group, "/close １")  # a number typed in full width
    result = await group.expect_message()
    assert "Green: 1 (100%) — Zhao" in result.text and "Brown: 0" in result.text
    assert "1 person voted." in result.text


async def test_multiple_choice_toggles_within_the_cap(bot, tg, english_group):
    admin, (li, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/poll Which repairs first?\nLift\nRoof\nGate\nLights\n多选 2\n匿名")
    assert "Pick up to 2 options." in poll.text
    await li.press(poll, "Lift · 0")
    assert (await li.press(poll, data="pv:1:1")).text.startswith("Your choices: Lift, Roof.")
    refused = await li.press(poll, data="pv:1:2")
    assert refused.show_alert and refused.text == "You can pick at most 2 options."
    await li.press(poll, data="pv:1:0")  # un-pick Lift
    await li.press(poll, data="pv:1:2")
    await tg.wait_idle(quiet=0.5)
    assert "Roof: 1 (100%)" in poll.text and "Gate: 1 (100%)" in poll.text and "Lift: 0" in poll.text
    assert "— Li" not in poll.text  # anonymous: no names


async def test_the_live_tally_is_edited_sparingly_and_ends_exact(bot, tg, english_group):
    bot.edit_interval = 2.0
    admin, _, group = await english_group(*RESIDENTS)
    voters = [tg.user(f"Neighbour {i}") for i in range(30)]
    for voter in voters:
        group.add_member(voter, announce=False)
    poll = await create(admin, group, "/poll Quiet hours from?\n21:00\n22:00\n23:00")
    began = time.monotonic()
    for i, voter in enumerate(voters):
        await voter.press(poll, data=f"pv:1:{i % 3}")
    for voter in voters[:6]:
        await voter.press(poll, data="pv:1:2")  # change of mind
    await tg.until(lambda: "30 people voted" in poll.text and "23:00: 14 " in poll.text, timeout=30)
    elapsed = time.monotonic() - began
    assert "21:00: 8 " in poll.text and "22:00: 8 " in poll.text
    await tg.wait_idle(quiet=2.5)
    assert poll.edit_count <= elapsed / bot.edit_interval + 1, "edited more often than the interval"
    assert poll.edit_count < 36 / 2
    assert tg.rate_limited == 0


async def test_bad_commands_are_refused_with_the_reason_and_store_nothing(bot, tg, english_group):
    admin, (li, *_), group = await english_group(*RESIDENTS)
    cases = [
        ("/poll Only one option?\nYes", "at least two options"),
        ("/poll Too many?\n" + "\n".join(f"option {i}" for i in range(13)), "at most 12 options"),
        ("/propose Paint the fence\n截止 2020-01-01 10:00", "has already passed"),
        ("/propose Paint the fence\n截止 someday", "I cannot read the time someday"),
        ("/poll Dup?\nA\na", "appears twice"),
        ("/chain Clean-up\ncapacity lots", "capacity must be a number"),
    ]
    for text, reason in cases:
        await admin.send(group, text)
        reply = await group.expect_message()
        assert reason in reply.text, (text, reply.text)
        assert "Usage" in reply.text or "deadline" in reply.text or "time" in reply.text
        assert reply.button_texts == ["Step by step"], text  # the guided way offered
    await admin.send(group, "/poll")  # alone: asked step by step, privately
    assert "I will ask you step by step in a private chat" in (await group.expect_message()).text
    await li.send(group, "/poll Mine?\nA\nB")
    assert "only the conveners" in (await group.expect_message()).text
    await li.send(group, "/polls")
    assert "No open votes" in (await group.expect_message()).text


async def test_the_convener_exports_named_ballots_privately(bot, tg, english_group):
    admin, (li, zhao, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/poll Bench colour?\nGreen\nBrown")
    await li.press(poll, "Green · 0")
    await zhao.press(poll, data="pv:1:1")
    await admin.send(group, "/export 1")
    assert "start" in (await group.expect_message()).text.lower()  # must start the bot first
    await admin.send(admin.private, "/start")
    await admin.private.expect_message()
    await admin.send(group, "/export 1")
    assert "I sent you the result privately." in (await group.expect_message()).text
    document = (await admin.private.expect_message()).document
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    assert ["Green", "1"] in rows and ["Brown", "1"] in rows
    assert ["Li", "Green", ""] in rows and ["Zhao", "Brown", ""] in rows
    assert ["Member", "Choice", "Note"] in rows and ["Status", "open"] in rows  # no empty column


async def test_a_press_delivered_twice_counts_once(bot, tg, english_group):
    admin, (li, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/poll Which repairs first?\nLift\nRoof\n多选")
    await li.press(poll, "Lift · 0")
    tg.deliver_again("callback_query")  # a toggle delivered twice must not undo itself
    await tg.wait_idle(quiet=0.5)
    await admin.send(group, "/close 1")
    result = await group.expect_message()
    assert "Lift: 1 (100%) — Li" in result.text
    assert "error" not in result.text.lower()
    await group.expect_no_message(within=0.3)


async def test_reminder_times_are_a_chat_setting(bot, tg, english_group):
    admin, (li, *_), group = await english_group(*RESIDENTS)
    await li.send(group, "/polls")
    await group.expect_message()
    await admin.send(group, "/settings reminders soon")
    assert "I cannot read soon" in (await group.expect_message()).text
    await admin.send(group, "/settings reminders 90分钟")
    assert "Vote reminders before the deadline: 1 hour 30 minutes" in (await group.expect_message()).text
    await admin.send(group, "/settings 活動提醒 1天 2小時")  # events have their own reminder times
    shown = (await group.expect_message()).text
    assert "Event reminders before each occurrence: 1 day and 2 hours" in shown
    assert "Vote reminders before the deadline: 1 hour 30 minutes" in shown
    await admin.send(group, "/settings 會議 3小時")
    assert "A meeting left open closes itself after 3 hours" in (await group.expect_message()).text
    await create(admin, group, "/propose Repaint the gate\n截止 2天后")
    bot.clock.advance(timedelta(days=1, hours=1))  # the default 24-hour reminder is not sent
    await group.expect_no_message(within=0.5)
    bot.clock.advance(timedelta(hours=21, minutes=31))  # 89 minutes before the deadline
    reminder = await group.expect_message()
    assert "#1 Repaint the gate closes" in reminder.text and "Li" in reminder.text


async def test_extend_and_reopen_move_the_deadline(bot, tg, english_group):
    admin, (li, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/propose Plant trees by the fence\n截止 1天后")
    await admin.send(group, "/extend 1")
    assert "Give the new deadline" in (await group.expect_message()).text
    await admin.send(group, "/extend 1 3天后")
    assert "Voting on #1 is open again." in (await group.expect_message()).text
    bot.clock.advance(timedelta(days=1, minutes=5))  # the old deadline no longer closes it
    await group.expect_no_message(within=0.5)
    await li.press(poll, data="pv:1:0")
    await admin.send(group, "/close", reply_to=poll)  # by replying to the vote
    result = await group.expect_message()
    assert "Passed" in result.text
    late = await li.press(poll, data="pv:1:1")
    assert late.text == "Voting has closed."
    await admin.send(group, "/reopen 1")
    assert "Voting on #1 is open again." in (await group.expect_message()).text
    await tg.until(lambda: bool(poll.buttons), what="buttons back on the reopened vote")
    assert (await li.press(poll, data="pv:1:1")).text.startswith("You voted Disagree")
    bot.clock.advance(timedelta(days=2))  # the extended deadline closes it
    result = await group.expect_message()
    assert "Not passed" in result.text and "Disagree: 1" in result.text


async def test_results_after_voting_are_told_to_the_voter_only(bot, tg, english_group):
    admin, (li, zhao, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/poll Move the bins?\nYes\nNo\n结果 投票后")
    assert "Results are shown to you after you vote." in poll.text
    assert poll.button_texts == ["Yes", "No"]  # no counts on the buttons
    await li.press(poll, "Yes")
    answer = await zhao.press(poll, "No")
    assert answer.show_alert and "Yes: 1" in answer.text and "No: 1" in answer.text
    await tg.wait_idle(quiet=0.5)
    assert "2 people voted." in poll.text and "Yes: 1" not in poll.text


async def test_a_traditional_chinese_group_votes_in_its_own_script(bot, tg):
    admin = tg.user("王芳", language_code="zh-hant")
    residents = [tg.user(name, language_code="zh-hant") for name in ("李強", "趙敏", "孫悅")]
    group = tg.group("翠苑業主群", admins=[admin], members=residents)
    await group.add_bot(by=admin)
    await group.expect_message()
    await admin.send(group, "/lang")
    await admin.press(await group.expect_message(), "繁體中文")
    await admin.send(group, "/propose 在東門建自行車棚\n費用由公共收益支出\n截止：3天後\n結果 實時")
    poll = await group.expect_message()
    assert "提議 #1" in poll.text and "費用由公共收益支出" in poll.text and "截止" in poll.text
    assert [row[0].text for row in poll.buttons] == ["同意 · 0", "反對 · 0", "棄權 · 0"]
    first = await residents[0].press(poll, "同意 · 0")
    assert first.text == "您已投票：同意。投票結束前可隨時修改。"
    await residents[1].press(poll, data="pv:1:0")
    await residents[2].press(poll, data="pv:1:1")
    await admin.send(group, "/close 1 同意建車棚，三月動工")
    result = await group.expect_message()
    assert "通過" in result.text and "未通過" not in result.text
    assert "同意：2（66.7%） — 李強和趙敏" in result.text
    assert "同意建車棚，三月動工" in result.text


async def test_votes_waiting_for_the_next_edit_are_shown_before_the_bot_stops(bot, tg, english_group):
    bot.edit_interval = 60.0
    admin, (li, zhao, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/poll Bench colour?\nGreen\nBrown")
    await li.press(poll, "Green · 0")
    await tg.until(lambda: "1 person voted." in poll.text, what="the first vote shown at once")
    await zhao.press(poll, data="pv:1:1")  # the next edit would wait a minute
    await bot.stop()
    assert "2 people voted." in poll.text


async def test_a_long_chain_lists_the_first_sixty_and_counts_the_rest(bot, tg, english_group):
    admin, _, group = await english_group(*RESIDENTS)
    chain = await create(admin, group, "/chain Tree planting day")
    joiners = [tg.user(f"Volunteer {i:02d} " + "x" * 40) for i in range(70)]
    for person in joiners:
        group.add_member(person, announce=False)
        await person.press(chain, "Join")
    await admin.send(group, "/close 1")
    result = await group.expect_message()
    assert "60. Volunteer 59" in result.text and "61. " not in result.text
    assert "… and 10 more" in result.text
    assert "… and 10 more" in chain.text and chain.buttons == []


async def test_a_vote_whose_message_was_deleted_still_closes_and_announces(bot, tg, english_group, caplog):
    admin, (li, *_), group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/propose Paint the railings green")
    await li.press(poll, "Agree · 0")
    poll.deleted = True  # an administrator deleted the vote's message
    await admin.send(group, "/close 1")
    result = await group.expect_message()
    assert "Result of Proposal #1" in result.text and "Agree: 1 (100%)" in result.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_deadlines_as_residents_write_them_and_examples_in_the_chats_script(bot, tg, english_group):
    admin, _, group = await english_group(*RESIDENTS)
    poll = await create(admin, group, "/poll Repaint the gate?\nYes\nNo\n截止 月底")
    assert "Closes" in poll.text
    await admin.send(group, "/lang")
    await admin.press(await group.expect_message(), "繁體中文")
    group.skip_messages()
    await admin.send(group, "/poll 修大門？\n修\n不修\n截止 找個時間")
    refused = (await group.expect_message()).text
    assert "找個時間" in refused and "下個月5號" in refused and "中秋節晚上7點" in refused, refused
