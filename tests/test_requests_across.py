"""Requests across compounds: numbered per community wherever they are asked for, reported
privately by a resident the bot has never seen in a group, and followed by a grid worker who
serves several compounds (figures and open requests side by side, overdue reminders from each)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import requests as rules
from bot.local.standin import FakeTelegram

LIFT = "The lift of building 6 stops between floors since Monday"
GATE = "The east gate does not close at night"
LAMP = "The lamp by the pond has been dark for a week"


@pytest.fixture
async def compounds(tg: FakeTelegram, bot):
    """Two compounds, each a main group of its own; Gao and Qian belong to both."""
    bot.locale = "en"
    await bot.restart()
    people = {name: tg.user(name, language_code="en") for name in
              ("Wang", "Sun", "Gao", "Li", "Zhou", "Qian")}
    groups = {
        "cuiyuan": tg.group("Cuiyuan owners", admins=[people["Wang"]],
                            members=[people["Li"], people["Gao"], people["Qian"]]),
        "maple": tg.group("Maple Court owners", admins=[people["Sun"]],
                          members=[people["Zhou"], people["Gao"], people["Qian"]]),
    }
    for key, admin in (("cuiyuan", "Wang"), ("maple", "Sun")):
        await groups[key].add_bot(by=people[admin])
        await groups[key].expect_message()  # the greeting
    return people, groups


async def _started(*users) -> None:
    for user in users:
        await user.send(user.private, "/start")
        await user.private.expect_message()


async def _report(user, text: str, *, public: bool = False, community: str | None = None,
                  choose: bool = False) -> int:
    """``user`` reports privately (asked, when ``choose``, for the community, and choosing
    ``community``); the request's number."""
    await user.send(user.private, f"/report 维修 {text}")
    draft = await user.private.expect_message()
    if choose:
        assert draft.text == "Which community is this request for?"
        await user.press(draft, community)
        draft = await user.private.expect_message()
    assert text in draft.text
    if community is not None:
        assert f"Your request for {community}" in draft.text
    await user.press(draft, "Submit, and tell the group (without my name)" if public else "Submit privately")
    done = await user.private.expect_message()
    assert done.text.startswith("Request #")
    return int(done.text.split("#")[1].split(" ")[0])


async def _grant_grid_worker(people, groups, worker: str = "Gao") -> None:
    for key, admin in (("cuiyuan", "Wang"), ("maple", "Sun")):
        said = await people[worker].send(groups[key], "Hello, I am the grid worker of this area")
        await people[admin].send(groups[key], "/grant grid_worker", reply_to=said)
        assert (await groups[key].expect_message()).text == f"{worker} is now grid worker."


async def test_a_resident_never_seen_in_a_group_reports_privately_and_the_convener_sees_number_1(
        bot, compounds):
    people, groups = compounds
    li, wang = people["Li"], people["Wang"]
    await _started(li, wang)
    number = await _report(li, LIFT, community="Cuiyuan owners")  # found by asking Telegram
    assert number == 1
    await wang.send(groups["cuiyuan"], "/requests")
    assert (await groups["cuiyuan"].expect_message()).text == "I sent you the list privately."
    listing = (await wang.private.expect_message()).text
    assert "Open requests in Cuiyuan owners" in listing
    assert "#1 repairs · reported" in listing and "by Li" in listing and LIFT in listing
    await groups["maple"].expect_no_message()  # the other compound heard nothing of it


async def test_requests_are_numbered_per_community_wherever_they_are_asked_for(bot, compounds):
    people, groups = compounds
    li, zhou, wang, sun = people["Li"], people["Zhou"], people["Wang"], people["Sun"]
    await _started(li, zhou)
    for user, group in ((li, groups["cuiyuan"]), (zhou, groups["maple"])):
        await user.send(group, "/targets")  # seen in their group
        await group.expect_message()
    assert await _report(li, LIFT, public=True, community="Cuiyuan owners") == 1
    assert LIFT in (await groups["cuiyuan"].expect_message()).text
    assert await _report(zhou, GATE, public=True, community="Maple Court owners") == 1
    assert GATE in (await groups["maple"].expect_message()).text

    await sun.send(groups["maple"], "/request 1")
    shown = (await groups["maple"].expect_message()).text
    assert shown.startswith("Request #1") and GATE in shown and LIFT not in shown
    await wang.send(groups["cuiyuan"], "/request 1")
    shown = (await groups["cuiyuan"].expect_message()).text
    assert shown.startswith("Request #1") and LIFT in shown and GATE not in shown
    await wang.send(groups["cuiyuan"], "/request 2")
    assert "There is no request 2" in (await groups["cuiyuan"].expect_message()).text

    await zhou.send(zhou.private, "/request 1")  # privately: the community one acts for
    shown = (await zhou.private.expect_message()).text
    assert GATE in shown and LIFT not in shown
    await li.send(li.private, "/request 1 accept")  # the reporter may not accept her own
    assert (await li.private.expect_message()).text == "Sorry, you may not do that with request #1."

    await sun.send(groups["maple"], "/assign 1 网格员")  # numbers name the community's request
    assert "No one holds the role grid worker here" in (await groups["maple"].expect_message()).text


async def test_a_grid_worker_of_two_compounds_sees_their_figures_and_requests_side_by_side(bot, compounds):
    people, groups = compounds
    gao, li, zhou = people["Gao"], people["Li"], people["Zhou"]
    await _started(gao, li, zhou)
    await _grant_grid_worker(people, groups)
    assert await _report(li, LIFT, community="Cuiyuan owners") == 1
    assert await _report(zhou, GATE, community="Maple Court owners") == 1
    assert await _report(zhou, LAMP, community="Maple Court owners") == 2

    await gao.send(gao.private, "/figures")
    figures = (await gao.private.expect_message()).text
    month = bot.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%B %Y")
    assert figures.startswith(f"Requests received in {month}, by community")
    blocks = figures.split("\n\n")
    assert blocks[1].splitlines() == ["Cuiyuan owners", "Received: 1 · Overdue: 0", "Response rate: —",
                                      "Resolution rate: —", "Satisfaction: —"]
    assert blocks[2].splitlines()[:2] == ["Maple Court owners", "Received: 2 · Overdue: 0"]
    assert blocks[3].splitlines()[:2] == ["Total of all 2 communities", "Received: 3 · Overdue: 0"]
    await gao.send(gao.private, "/figures 2020-01")
    old = (await gao.private.expect_message()).text
    assert "January 2020" in old and "Received: 0" in old and "Total of all 2 communities" in old

    await gao.send(gao.private, "/requests")
    listing = (await gao.private.expect_message()).text
    assert listing.splitlines()[:4] == ["Open requests in your communities", "• Cuiyuan owners: 1 open",
                                        "• Maple Court owners: 2 open", "• Total: 3 open"]
    split = listing.index("Open requests in Maple Court owners")
    cuiyuan, maple = listing[listing.index("Open requests in Cuiyuan owners"):split], listing[split:]
    assert "#1 repairs" in cuiyuan and LIFT in cuiyuan and GATE not in cuiyuan
    assert "#1 repairs" in maple and "#2 repairs" in maple and GATE in maple and LAMP in maple
    assert "by Li" not in listing and "by Zhou" not in listing  # a grid worker is no convener

    await gao.send(gao.private, "/request 2")  # only Maple Court has a #2
    assert LAMP in (await gao.private.expect_message()).text
    await gao.send(gao.private, "/request 1")  # both have a #1: which one?
    asked = (await gao.private.expect_message()).text
    assert asked == ("There is a request #1 in Cuiyuan owners and Maple Court owners. Choose the community "
                     "you act for with /community, then try again.")
    await gao.send(gao.private, "/community")
    choice = await gao.private.expect_message()
    await gao.press(choice, "Maple Court owners")
    await gao.private.expect_edit(choice)
    await gao.send(gao.private, "/request 1")
    shown = (await gao.private.expect_message()).text
    assert GATE in shown and "Reported by" not in shown  # a grid worker sees it, without the name


async def test_an_overdue_request_in_each_compound_reminds_their_grid_worker_privately(bot, tg, compounds):
    people, groups = compounds
    gao, li, zhou, qian = people["Gao"], people["Li"], people["Zhou"], people["Qian"]
    await _started(gao, li, zhou)
    await _grant_grid_worker(people, groups)
    await _grant_grid_worker(people, groups, worker="Qian")  # who never started the bot
    await _report(li, LIFT, community="Cuiyuan owners")
    await _report(zhou, GATE, community="Maple Court owners")
    await tg.wait_idle()
    bot.clock.advance(timedelta(hours=24, minutes=1))  # repairs: respond within 24 hours
    reminders = sorted([(await gao.private.expect_message()).text for _ in range(2)])
    assert reminders[0].startswith("Reminder: request #1 of Cuiyuan owners is overdue: no one has "
                                   "accepted it yet.")
    assert LIFT in reminders[0] and "Overdue: not accepted within the response target" in reminders[0]
    assert reminders[1].startswith("Reminder: request #1 of Maple Court owners is overdue")
    assert GATE in reminders[1] and "Li" not in reminders[0] and "Zhou" not in reminders[1]
    for group in groups.values():  # each group hears of its own, as before
        assert "has not been accepted within its response target" in (await group.expect_message()).text
    await gao.private.expect_no_message()
    assert qian.private.bot_messages == []

    await gao.send(gao.private, "/figures")
    figures = (await gao.private.expect_message()).text
    assert figures.count("Received: 1 · Overdue: 1") == 2 and "Received: 2 · Overdue: 2" in figures
    assert "Response rate: 0% (0 of 2)" in figures  # the total, over both compounds' requests
    await gao.send(gao.private, "/requests")
    listing = (await gao.private.expect_message()).text
    assert "• Cuiyuan owners: 1 open · ⚠️ 1 overdue" in listing and "• Total: 2 open · ⚠️ 2 overdue" in listing


async def test_someone_without_a_role_is_told_figures_across_communities_are_not_theirs(bot, compounds):
    people, groups = compounds
    li = people["Li"]
    await _started(li)
    await li.send(groups["cuiyuan"], "/figures")  # the group's own figures stay everyone's
    assert (await groups["cuiyuan"].expect_message()).text.startswith("Requests received in")
    await li.send(li.private, "/figures")
    assert (await li.private.expect_message()).text == (
        "Figures across communities are for their grid workers and conveners, and you are neither in any "
        "community I serve. In your community's group, /figures shows its figures.")
    await li.send(li.private, "/figures 2026-13")
    assert (await li.private.expect_message()).text == "Usage: /figures (this month) or /figures 2026-07"
    await li.send(li.private, "/requests")  # a resident's own requests only
    assert "Open requests" not in (await li.private.expect_message()).text


async def test_the_community_chosen_for_a_report_is_remembered(bot, compounds):
    people, _ = compounds
    qian = people["Qian"]
    await _started(qian)
    await qian.send(qian.private, f"/report 维修 {LIFT}")
    asked = await qian.private.expect_message()
    assert asked.text == "Which community is this request for?"
    assert asked.button_texts == ["Cuiyuan owners", "Maple Court owners"]
    assert await _report(qian, GATE, community="Maple Court owners", choose=True) == 1  # asked again
    await qian.send(qian.private, f"/report 维修 {LAMP}")
    draft = await qian.private.expect_message()  # not asked again
    assert "Your request for Maple Court owners" in draft.text
    await qian.press(draft, "Submit privately")
    assert (await qian.private.expect_message()).text.startswith("Request #2 received")
    await qian.send(qian.private, "/community")  # changed there
    choice = await qian.private.expect_message()
    await qian.press(choice, "Cuiyuan owners")
    await qian.private.expect_edit(choice)
    assert await _report(qian, LIFT, community="Cuiyuan owners") == 1
    await qian.send(qian.private, "/requests")
    mine = (await qian.private.expect_message()).text
    assert "Cuiyuan owners · #1 repairs" in mine and "Maple Court owners · #2 repairs" in mine


def test_the_total_counts_every_request_rather_than_averaging_rates():
    start = datetime(2026, 7, 1, tzinfo=UTC)
    on_time = rules.Item(start, start + timedelta(hours=24), start + timedelta(hours=72),
                         accepted_at=start + timedelta(hours=1))
    late = rules.Item(start, start + timedelta(hours=24), start + timedelta(hours=72))
    now = start + timedelta(hours=30)
    each, total = rules.figures_across([("A", [on_time]), ("B", [late, late, late])], now)
    assert [(key, f.response_rate) for key, f in each] == [("A", 1.0), ("B", 0.0)]
    assert total.response_rate == 0.25 and total.received == 4  # not (1.0 + 0.0) / 2
    assert total.overdue == 3 and each[0][1].overdue == 0
    assert not rules.is_overdue(on_time, now) and rules.is_overdue(late, now)
