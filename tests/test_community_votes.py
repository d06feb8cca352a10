"""Building 6's elevator vote in a compound of several groups: announced in the main group and
building 6's group (not building 7's), ballots from both counted in one tally, reminders in
building 6's group only, the result in both; who may manage it; chains and talks shared on
purpose into other groups, every copy kept up to date."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.event_time import parse_event_time
from tests.test_communities import _linked, _with_committee
from tests.test_owner_votes import bind_all, import_registry

SHANGHAI = ZoneInfo("Asia/Shanghai")
REGISTRY = "building,entrance,unit,area\n" + "\n".join(
    f"{b},1,{u},100" for b in (6, 7) for u in (101, 102, 201, 202))


async def _elevator_vote(tg, people, groups):
    """The community linked, its registry imported, three owners of building 6 bound (members of
    the main group and of building 6's), and the owner vote started in the main group."""
    await _linked(people, groups)
    wang, main, b6 = people["Wang"], groups["main"], groups["b6"]
    await import_registry(wang, main, REGISTRY)
    owners = await bind_all(tg, wang, main, ["6-1-101", "6-1-102", "6-1-201"])
    for owner in owners.values():
        b6.add_member(owner, announce=False)
    await wang.send(main, "/ownervote Replace the elevators of building 6\n范围 6栋\n截止 7天后")
    in_main = await main.expect_message()
    assert "7 days' notice" in (await main.expect_message()).text  # the convener is warned
    for owner in owners.values():  # and each owner gets the vote's notice privately
        await owner.private.expect_message()
    return owners, in_main, await b6.expect_message()


async def test_the_building_six_vote_is_counted_once_across_the_main_and_building_groups(bot, tg, compound):
    people, groups = compound
    owners, in_main, in_b6 = await _elevator_vote(tg, people, groups)
    main, b6, b7 = groups["main"], groups["b6"], groups["b7"]
    for card in (in_main, in_b6):
        assert card.text.startswith("Owner vote #1") and "scope: building 6 ·" in card.text
        assert [row[0].text for row in card.buttons] == ["Agree", "Disagree", "Abstain"]
    await b7.expect_no_message()  # building 7 does not vote on building 6's elevators

    await owners["6-1-101"].press(in_main, "Agree")
    answer = await owners["6-1-102"].press(in_b6, "Agree")
    assert "You voted Agree for your household" in answer.text
    await tg.until(lambda: "owners 2 of 4" in in_main.text and "owners 2 of 4" in in_b6.text,
                   what="one tally on both cards")

    bot.clock.advance(timedelta(days=6, minutes=1))  # a day before the deadline
    privately = await owners["6-1-201"].private.expect_message()
    assert "Reminder: you have not voted on #1 yet." in privately.text
    listed = await b6.expect_message()
    assert "Households that have not voted yet: 6-1-202" in listed.text
    assert listed.reply_to is in_b6
    await main.expect_no_message()  # the list of who has not voted is the building's business
    await b7.expect_no_message()

    await people["Wang"].send(main, "/close 1")
    result = await main.expect_message()
    assert "#1" in result.text and "owners 2 of 4" in result.text
    in_building = await b6.expect_message()
    assert in_building.text == result.text and in_building.reply_to is in_b6
    await b7.expect_no_message()
    await tg.until(lambda: "Voting closed." in in_main.text and "Voting closed." in in_b6.text,
                   what="both cards closed")


async def test_only_building_sixs_leads_and_the_communitys_conveners_manage_its_vote(bot, tg, compound):
    people, groups = compound
    _, in_main, _ = await _elevator_vote(tg, people, groups)
    zhao, zhang, sun = people["Zhao"], people["Zhang"], people["Sun"]
    await zhao.send(groups["b7"], "/close 1")  # building 7's lead
    assert "only the conveners (or the building lead" in (await groups["b7"].expect_message()).text
    groups["main"].add_member(zhao, announce=False)
    await zhao.send(groups["main"], "/close 1")
    assert "only the conveners (or the building lead" in (await groups["main"].expect_message()).text
    await zhao.send(groups["main"], "/remind 1")
    assert "only the conveners (or the building lead" in (await groups["main"].expect_message()).text

    await sun.send(groups["other"], "/close 1")  # another compound's convener: there is no #1 there
    assert (await groups["other"].expect_message()).text.startswith("Which vote?")
    await sun.send(groups["other"], "/polls")
    assert "elevators" not in (await groups["other"].expect_message()).text
    refused = await sun.press(in_main, "Agree")
    assert "Only registered owners" in refused.text

    await zhang.send(groups["b6"], "/remind 1")  # building 6's lead: an admin of its group
    assert "not voted yet: 6-1-202" in (await groups["b6"].expect_message()).text
    assert (await groups["b6"].expect_message()).text == "Reminded 3 privately; 1 listed in the group."
    await zhang.send(groups["b6"], "/close 1")
    assert "owners 0 of 4" in (await groups["b6"].expect_message()).text
    assert "owners 0 of 4" in (await groups["main"].expect_message()).text


async def test_a_chain_is_shared_into_a_building_group_and_both_copies_count(bot, tg, compound):
    people, groups = compound
    await _linked(people, groups)
    wang, li, main, b7 = people["Wang"], people["Li"], groups["main"], groups["b7"]
    await wang.send(main, "/chain Spring cleaning on Saturday\n名额 5")
    chain = await main.expect_message()
    await li.send(main, "/share", reply_to=chain)
    assert "only the community's conveners" in (await main.expect_message()).text
    await wang.send(main, "/share", reply_to=chain)
    chooser = await main.expect_message()
    assert [row[0].text for row in chooser.buttons] == [
        "Post in Building 6 · building group of building 6",
        "Post in Building 7 · building group of building 7"]
    answer = await wang.press(chooser, "Post in Building 7 · building group of building 7")
    assert answer.text == "Posted in Building 7 · building group of building 7."
    copy = await b7.expect_message()
    assert copy.text == chain.text and [b.text for b in copy.buttons[0]] == ["Join", "Leave"]
    edited = await main.expect_edit(chooser)
    assert "Shown in: Cuiyuan owners and Building 7" in edited.text
    assert [row[0].text for row in edited.buttons] == ["Post in Building 6 · building group of building 6"]
    await groups["b6"].expect_no_message()

    assert (await li.press(copy, "Join")).text == "You are on the list."
    await tg.until(lambda: "Li" in chain.text and "Li" in copy.text, what="both copies list Li")
    await people["Zhao"].send(b7, "/share 1")  # building 7's admin convenes no other group
    assert "only the community's conveners" in (await b7.expect_message()).text
    await wang.send(b7, "/share 1")  # a community convener, from any of its groups
    assert "Shown in: Cuiyuan owners and Building 7" in (await b7.expect_message()).text


async def test_what_the_committee_prepares_stays_in_its_group_until_shared(bot, tg, compound):
    people, groups = compound
    await _with_committee(people, groups)
    wang, li, main, committee = people["Wang"], people["Li"], groups["main"], groups["committee"]
    await wang.send(committee, "/poll Which contractor for the roof?\nEast Co.\nWest Co.")
    draft = await committee.expect_message()
    await people["Zhang"].send(committee, "/idea Ask three contractors for quotes")
    await committee.expect_message()
    await wang.send(committee, "/talk Roof repairs: what owners ask\n时间 每周四 19:30\n地点 东门凉亭")
    await wang.press(await committee.expect_message(), "Save")
    await committee.expect_message()

    for command, hidden in (("/polls", "contractor"), ("/ideas", "quotes"), ("/events", "Roof repairs")):
        await li.send(main, command)
        assert hidden not in (await main.expect_message()).text, command
    await wang.send(main, "/close 1")  # not even the community's convener finds it from the main group
    assert (await main.expect_message()).text.startswith("Which vote?")
    await wang.send(committee, "/polls")
    assert "contractor" in (await committee.expect_message()).text

    await wang.send(committee, "/share", reply_to=draft)  # posted on purpose
    chooser = await committee.expect_message()
    await wang.press(chooser, "Post in Cuiyuan owners · main group")
    copy = await main.expect_message()
    assert "Which contractor for the roof?" in copy.text
    await committee.expect_edit(chooser)
    assert (await li.press(copy, "East Co. · 0")).text.startswith("You voted East Co.")
    await li.send(main, "/polls")
    assert "contractor" in (await main.expect_message()).text
    await li.send(main, "/ideas")
    assert "quotes" not in (await main.expect_message()).text


async def test_a_talk_shared_into_a_building_group_counts_answers_from_both(bot, tg, compound):
    people, groups = compound
    await _linked(people, groups)
    wang, main, b6 = people["Wang"], groups["main"], groups["b6"]
    await wang.send(main, "/talk Evening talk on parking\n时间 每周四 19:30\n地点 东门凉亭\n提醒 30分钟")
    await wang.press(await main.expect_message(), "Save")
    card = await main.expect_message()
    await wang.send(main, "/share", reply_to=card)
    chooser = await main.expect_message()
    await wang.press(chooser, "Post in Building 6 · building group of building 6")
    copy = await b6.expect_message()
    assert copy.text == card.text and copy.button_texts[:3] == ["Going · 0", "Maybe · 0", "Not going · 0"]
    await people["Chen"].press(copy, "Going · 0")
    await people["Li"].press(card, "Maybe · 0")
    await tg.until(lambda: card.button_texts[:2] == copy.button_texts[:2] == ["Going · 1", "Maybe · 1"],
                   what="both copies count both answers")
    await wang.send(b6, "/share", reply_to=copy)
    chooser = await b6.expect_message()
    assert [row[0].text for row in chooser.buttons] == ["Post in Building 7 · building group of building 7"]

    first = parse_event_time("每周四 19:30", bot.clock.now().astimezone(SHANGHAI)).start
    bot.clock.advance(first - timedelta(minutes=29) - bot.clock.now())
    reminders = [await main.expect_message(), await b6.expect_message()]
    assert all("Reminder: Evening talk “Evening talk on parking”" in r.text for r in reminders)
    assert reminders[1].reply_to is copy
    await groups["b7"].expect_no_message()
    await people["Chen"].press(reminders[1], "Going · 1")  # the building's reminder answers too
    await wang.send(main, "/rsvps 1")
    assert "Chen" in (await main.expect_message()).text

    await people["Zhang"].send(b6, f"/event_cancel 1 {first.month}月{first.day}日 下雨暂停")
    assert "only the conveners" in (await b6.expect_message()).text  # building 6's admin: not its talk
    await wang.send(b6, f"/event_cancel 1 {first.month}月{first.day}日 下雨暂停")  # from the building group
    notices = [await main.expect_message(), await b6.expect_message()]
    assert all("下雨暂停" in n.text for n in notices)
