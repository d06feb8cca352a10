"""Notice delivered (送达): an owner vote's notice goes privately to every bound owner with a
收到 button; the convener sees which households it reached and which to visit in person, is
warned when the vote gives less than 15 days' notice, and the result records the period."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.delivery import NOTICE_DAYS, Notice, delivery, notice_days, short_notice
from storage import polls
from tests.test_engine import handled_all
from tests.test_owner_votes import bind_all, cast, import_registry, joined  # noqa: F401 (cast: a fixture)

REGISTRY = "building,entrance,unit,area\n" + "\n".join(f"6,1,{u},100" for u in (101, 102, 201, 202))
OPENED = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


# --- the rule -------------------------------------------------------------------------------

@pytest.mark.parametrize(("closes", "days"), [
    (OPENED + timedelta(days=15), 15),
    (OPENED + timedelta(days=14, hours=23, minutes=59), 14),  # rounded down
    (OPENED + timedelta(days=7, hours=10), 7),
    (OPENED + timedelta(hours=5), 0),
    (OPENED - timedelta(days=1), 0),  # a close before the opening gives no notice, not less
    (None, None),  # no deadline: no notice period fixed
])
def test_notice_days_are_whole_days_rounded_down(closes, days):
    assert notice_days(OPENED, closes) == days


def test_less_than_fifteen_days_or_no_deadline_is_short_notice():
    assert NOTICE_DAYS == 15
    assert short_notice(OPENED, None)
    assert short_notice(OPENED, OPENED + timedelta(days=14, hours=23))
    assert not short_notice(OPENED, OPENED + timedelta(days=15))
    assert not short_notice(OPENED, OPENED + timedelta(days=20))
    assert short_notice(OPENED, OPENED + timedelta(days=20), needed=30)


def _notice(user: int, households: tuple[int, ...], sent: bool = True, confirmed: bool = False) -> Notice:
    return Notice(poll_id=1, user_id=user, household_ids=households, claimed_at=OPENED,
                  sent_at=OPENED if sent else None, confirmed_at=OPENED if confirmed else None)


def test_a_household_is_reached_through_any_of_its_owners_and_the_rest_are_to_visit():
    electorate = [1, 2, 3, 4, 5, 6]
    owners = {1: [10], 2: [20, 21], 3: [30], 5: [50], 6: [10]}  # 4 unbound; 10 owns 1 and 6
    notices = [_notice(10, (1, 6), confirmed=True), _notice(20, (2,), sent=False),  # interrupted
               _notice(21, (2,)), _notice(50, (5,), sent=False), _notice(99, (7,), confirmed=True)]
    counted = delivery(electorate, owners, notices)
    assert counted.households == (1, 2, 3, 4, 5, 6)
    assert counted.reached == (1, 2, 6) and counted.confirmed == (1, 6)
    assert counted.unbound == (4,)
    assert counted.unreached == (3, 5)  # 30 never started the bot; 50's sending was interrupted
    assert counted.unconfirmed == (2,)
    assert counted.to_visit == (4, 3, 5, 2)
    assert delivery([], {}, []).to_visit == ()


# --- end to end -----------------------------------------------------------------------------

async def _building_six(bot, tg, cast):  # noqa: F811
    """Four households of building 6: 101, 102 and 201 bound, 202 not; 201's owner blocks the bot."""
    admin, group = await joined(bot, cast)
    await import_registry(admin, group, REGISTRY)
    owners = await bind_all(tg, admin, group, ["6-1-101", "6-1-102", "6-1-201"])
    owners["6-1-201"].block_bot()
    await tg.wait_idle()
    return admin, group, owners


def _sent_privately(owner) -> list:
    return [m for m in owner.private.bot_messages if "Notice of owner vote" in (m.text or "")]


async def test_the_notice_reaches_the_owners_who_can_be_written_to_and_the_rest_are_listed(
        bot, tg, cast):  # noqa: F811
    admin, group, owners = await _building_six(bot, tg, cast)
    await admin.send(group, "/ownervote Replace the elevators of building 6\n范围 6栋\n截止 7天后")
    poll = await group.expect_message()
    assert poll.text.startswith("Owner vote #1")
    warning = await group.expect_message()
    assert "gives 7 days' notice before voting closes" in warning.text
    assert "the owners' assembly rules ask for 15 days" in warning.text
    assert "You may go ahead: the result will record the notice period." in warning.text
    assert warning.reply_to is not None and warning.reply_to.sender is admin  # the convener's reply

    first = await owners["6-1-101"].private.expect_message()
    assert first.text.startswith("📨 Notice of owner vote #1 in Building 6 owners")
    assert "Replace the elevators of building 6" in first.text
    assert "Your household in this vote: 6-1-101" in first.text and "scope: building 6" in first.text
    assert "Closes " in first.text
    assert "Vote with the buttons on the vote's message in the group." in first.text
    assert first.button_texts == ["Received"]
    second = await owners["6-1-102"].private.expect_message()
    assert "Your household in this vote: 6-1-102" in second.text
    await tg.wait_idle()
    assert _sent_privately(owners["6-1-201"]) == []  # blocked the bot: to visit

    answer = await owners["6-1-101"].press(first, "Received")
    assert answer.text == "Thank you: confirmed."
    await tg.until(lambda: "✅ Confirmed at" in first.text, what="the notice confirmed")
    assert first.buttons == [] and "Please press Received" not in first.text
    edits = first.edit_count
    again = await owners["6-1-101"].press(first, data="pn:1")  # pressed twice (an old screen)
    assert again.text.startswith("You confirmed it already")
    stranger = await owners["6-1-102"].press(first, data="pn:1")  # not the message of their notice
    assert stranger.text == "This button is no longer valid."
    await tg.wait_idle()
    assert first.edit_count == edits  # nothing edited a second time

    await admin.send(group, "/delivery 1")
    shown = (await group.expect_message()).text
    assert "Households: 4" in shown and "Reached: 2" in shown and "Confirmed: 1" in shown
    assert "To visit in person: 3" in shown
    assert "No owner bound: 6-1-202" in shown
    assert ("Notice not delivered (the owners never started me, blocked me, or bound their household "
            "later): 6-1-201") in shown
    assert "Not confirmed yet: 6-1-102" in shown
    assert "Resident" not in shown  # units, never names
    await owners["6-1-101"].send(group, "/delivery 1")
    assert "only the conveners" in (await group.expect_message()).text

    # at the deadline the vote closes, and the result records the notice period
    deadline = (await polls.by_number(bot.runtime.store, group.id, 1)).deadline
    bot.clock.advance(deadline - bot.clock.now() + timedelta(minutes=1))
    await tg.until(lambda: any("Result of" in (m.text or "") for m in group.bot_messages), timeout=20,
                   what="the result")
    result = next(m for m in group.bot_messages if "Result of" in (m.text or ""))
    assert "Notice period: 7 days, from the opening on" in result.text
    assert "Less than the 15 days the owners' assembly rules ask for." in result.text


async def test_enough_notice_gives_no_warning_and_a_redelivered_update_sends_no_notice_twice(
        bot, tg, cast):  # noqa: F811
    admin, group, owners = await _building_six(bot, tg, cast)
    await admin.send(group, "/ownervote Repaint the stairwells\n范围 6栋\n截止 20天后")
    poll = await group.expect_message()
    assert poll.text.startswith("Owner vote #1")
    await tg.until(lambda: _sent_privately(owners["6-1-101"]) and _sent_privately(owners["6-1-102"]),
                   what="both notices")
    await group.expect_no_message()  # 20 days' notice: no warning

    await bot.stop()  # killed before the update was marked handled: it is handled again
    with sqlite3.connect(bot.db_path) as db:
        db.execute("UPDATE inbox SET handled_at = NULL WHERE body LIKE '%/ownervote Repaint%'")
    posted = len(group.messages)
    await bot.start()
    await handled_all(bot.db_path)
    await tg.wait_idle()
    assert len(_sent_privately(owners["6-1-101"])) == 1 and len(_sent_privately(owners["6-1-102"])) == 1
    assert "Owner vote #" not in "".join(m.text or "" for m in group.messages[posted:])

    await admin.send(group, "/close 1")
    result = (await group.expect_message()).text
    assert "Notice period: 0 days" in result  # closed at once: the notice actually given
    await tg.wait_idle()
    group.skip_messages()  # whatever else closing posts

    await admin.send(group, "/ownervote New mailboxes\n范围 6栋")  # no deadline
    await group.expect_message()
    assert "has no deadline, so it fixes no notice period" in (await group.expect_message()).text
    await admin.send(group, "/poll Lunch?\nNoodles\nDumplings\n截止 明天")  # not an owner vote
    await group.expect_message()
    await group.expect_no_message()
    await admin.send(group, "/delivery 3")
    assert "is not an owner vote" in (await group.expect_message()).text
