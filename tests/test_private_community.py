"""Private chats know the community: a resident of two compounds chooses once which one their
private ideas, requests and questions are for, and /community switches it; residents who never
wrote in any group are found through Telegram; the household registry is the community's, managed
by its conveners only and the same from every linked group."""

from __future__ import annotations

import re

import pytest

from bot.local.standin import FakeTelegram

REGISTRY = "楼栋,单元,房号,面积\n6,1,101,89.5\n6,1,102,120\n7,1,101,95\n7,1,102,100\n"
RECEPTION = "/reception 接待日\n时间 每月25日 9:00-11:00\n地点 小区门口"


@pytest.fixture
async def compounds(tg: FakeTelegram, bot):
    """Cuiyuan (main group, building 6's group linked) and Maple Court. Li lives in both and has
    written in both; Zhou and Chen are members the bot has never heard from."""
    bot.locale = "en"
    await bot.restart()
    people = {name: tg.user(name, language_code="en")
              for name in ("Wang", "Zhang", "Sun", "Li", "Zhou", "Chen")}
    groups = {
        "main": tg.group("Cuiyuan owners", admins=[people["Wang"]], members=[people["Li"], people["Chen"]]),
        "b6": tg.group("Building 6", admins=[people["Zhang"]], members=[people["Zhou"]]),
        "other": tg.group("Maple Court owners", admins=[people["Sun"]],
                          members=[people["Li"], people["Zhou"]]),
    }
    for key, admin in (("main", "Wang"), ("b6", "Zhang"), ("other", "Sun")):
        await groups[key].add_bot(by=people[admin])
        await groups[key].expect_message()  # the greeting
    for name in ("Wang", "Li", "Zhang"):
        await started(people[name])
    await link_building(people, groups)
    for key in ("main", "other"):  # Li is seen in both compounds
        await people["Li"].send(groups[key], "/ideas")
        await groups[key].expect_message()
    return people, groups


async def started(user) -> None:
    await user.send(user.private, "/start")
    await user.private.expect_message()


async def link_building(people, groups) -> None:
    wang, zhang = people["Wang"], people["Zhang"]
    await wang.send(groups["main"], "/link building 6")
    assert "I sent you a one-time code privately" in (await groups["main"].expect_message()).text
    code = re.search(r"/link ([A-Z0-9]{8})", (await wang.private.expect_message()).text).group(1)
    await zhang.send(groups["b6"], f"/link {code}")
    assert "building group of building 6 of Cuiyuan owners" in (await groups["b6"].expect_message()).text


async def idea_privately(user, text: str):
    """Send /idea privately; the chooser it brings."""
    await user.send(user.private, f"/idea {text}")
    return await user.private.expect_message()


async def listed(user, group) -> str:
    await user.send(group, "/ideas")
    return (await group.expect_message()).text


async def import_registry(wang, main) -> str:
    await wang.send(main, "/households import")
    prompt = await main.expect_message()
    assert prompt.buttons[0][0].url.endswith(f"?start=i{main.id}")
    await wang.send(wang.private, f"/start i{main.id}")
    assert "household registry of Cuiyuan owners" in (await wang.private.expect_message()).text
    await wang.send_document(wang.private, "registry.csv", REGISTRY.encode("utf-8"))
    return (await wang.private.expect_message()).text


async def code_for(wang, main, unit: str) -> str:
    await wang.send(main, f"/households codes {unit}")
    assert "I sent you the codes privately." in (await main.expect_message()).text
    return re.search(rf"{unit}: (\w+)", (await wang.private.expect_message()).text).group(1)


def building_lines(summary: str) -> list[str]:
    return [line for line in summary.splitlines() if line.startswith(("Building ", "Total: "))]


async def test_the_community_chosen_for_an_idea_is_remembered_and_switched(bot, compounds):
    people, groups = compounds
    li = people["Li"]
    chooser = await idea_privately(li, "More benches by the pond")
    assert chooser.button_texts == ["Cuiyuan owners · with my name", "Cuiyuan owners · anonymous",
                                    "Maple Court owners · with my name", "Maple Court owners · anonymous"]
    assert "I will remember the one you choose" in chooser.text and "/community" in chooser.text
    await li.press(chooser, "Cuiyuan owners · with my name")
    card = await groups["main"].expect_message()
    assert card.text.startswith("Golden idea #1") and "More benches by the pond" in card.text

    chooser = await idea_privately(li, "A bike shed by building 6")  # no longer asked which compound
    assert chooser.button_texts == ["Cuiyuan owners · with my name", "Cuiyuan owners · anonymous"]
    assert "It goes to Cuiyuan owners, the community you act for in this chat." in chooser.text
    await li.press(chooser, "Cuiyuan owners · anonymous")
    assert (await groups["main"].expect_message()).text.startswith("Golden idea #2")
    shown = await listed(people["Wang"], groups["main"])
    assert "More benches" in shown and "bike shed" in shown
    assert "bike shed" not in await listed(people["Sun"], groups["other"])

    await li.send(li.private, "/community")
    card = await li.private.expect_message()
    assert "you act for Cuiyuan owners" in card.text
    assert card.button_texts == ["✓ Cuiyuan owners", "Maple Court owners"]
    answer = await li.press(card, "Maple Court owners")
    assert answer.text == "You now act for Maple Court owners."
    await li.private.expect_edit(card)
    chooser = await idea_privately(li, "A playground behind the gate")
    assert chooser.button_texts == ["Maple Court owners · with my name", "Maple Court owners · anonymous"]
    await li.press(chooser, "Maple Court owners · with my name")
    card = await groups["other"].expect_message()
    assert card.text.startswith("Golden idea #1") and "playground" in card.text
    assert "playground" not in await listed(people["Wang"], groups["main"])


async def test_a_resident_who_never_wrote_in_a_group_is_found_through_telegram(bot, tg, compounds):
    people, groups = compounds
    chen = people["Chen"]  # a member of Cuiyuan's main group only, never heard from there
    await started(chen)
    chooser = await idea_privately(chen, "Solar lights along the path")
    assert chooser.button_texts == ["Cuiyuan owners · with my name", "Cuiyuan owners · anonymous"]
    await chen.press(chooser, "Cuiyuan owners · with my name")
    card = await groups["main"].expect_message()
    assert card.text.startswith("Golden idea #1") and "Solar lights" in card.text
    assert "Solar lights" in await listed(people["Zhang"], groups["b6"])  # one pool for the compound
    assert "Solar lights" not in await listed(people["Sun"], groups["other"])

    stranger = tg.user("Passer-by", language_code="en")  # in no group the bot serves
    await started(stranger)
    await stranger.send(stranger.private, "/idea A fountain")
    assert "You are not in any group I serve" in (await stranger.private.expect_message()).text


async def test_a_private_question_reaches_the_reception_day_of_the_community(bot, tg, compounds):
    people, groups = compounds
    wang, sun, li, zhou = people["Wang"], people["Sun"], people["Li"], people["Zhou"]
    await sun.send(sun.private, "/start")
    await sun.private.expect_message()
    for admin, group in ((wang, groups["main"]), (sun, groups["other"])):
        await admin.send(group, RECEPTION)
        preview = await group.expect_message()
        await admin.press(preview, "Save")
        assert "Reception day #1" in (await group.expect_message()).text

    await started(zhou)  # in building 6's group and Maple's, never heard from in either
    await zhou.send(zhou.private, "/ask 东门的路灯坏了")
    said = (await zhou.private.expect_message()).text
    assert "You belong to several communities with reception days" in said and "/community" in said

    await li.send(li.private, "/ask 3栋电梯什么时候修好？")  # two compounds, none chosen yet
    assert "several communities with reception days" in (await li.private.expect_message()).text
    await li.send(li.private, "/community")
    card = await li.private.expect_message()
    assert "Choose below the one you act for in this private chat" in card.text  # none chosen yet
    assert [row[0].text for row in card.buttons] == ["Cuiyuan owners", "Maple Court owners"]
    answer = await li.press(card, "Cuiyuan owners")
    assert answer.text == "You now act for Cuiyuan owners."
    edited = await li.private.expect_edit(card)
    assert "you act for Cuiyuan owners" in edited.text and edited.buttons[0][0].text == "✓ Cuiyuan owners"
    await li.send(li.private, "/ask 3栋电梯什么时候修好？")
    said = (await li.private.expect_message()).text
    assert "number 1 in the queue for the reception day of Cuiyuan owners" in said

    await wang.send(groups["main"], "/questions")
    queue = (await groups["main"].expect_message()).text
    assert "1. Li: 3栋电梯什么时候修好？" in queue
    await sun.send(groups["other"], "/questions")
    assert "No questions queued." in (await groups["other"].expect_message()).text


async def test_a_new_resident_reaches_a_reception_day_held_by_another_group_of_the_community(
        bot, compounds):
    people, groups = compounds
    wang, zhang, chen = people["Wang"], people["Zhang"], people["Chen"]
    await zhang.send(groups["b6"], RECEPTION)  # building 6's own reception day, the community's
    preview = await groups["b6"].expect_message()
    await zhang.press(preview, "Save")
    assert "Reception day #1" in (await groups["b6"].expect_message()).text
    await started(chen)  # in the main group only, never wrote there: found through Telegram
    await chen.send(chen.private, "/ask 东门的路灯坏了")
    said = (await chen.private.expect_message()).text
    assert "number 1 in the queue for the reception day of Cuiyuan owners" in said
    for host, group in ((zhang, groups["b6"]), (wang, groups["main"])):
        await host.send(group, "/questions")
        assert "1. Chen: 东门的路灯坏了" in (await group.expect_message()).text


async def test_the_registry_is_managed_by_the_communitys_conveners_and_seen_from_every_group(
        bot, compounds):
    people, groups = compounds
    wang, zhang, b6 = people["Wang"], people["Zhang"], groups["b6"]
    for command in ("/households import", "/households codes"):  # a building group's administrator
        await zhang.send(b6, command)
        refused = await b6.expect_message()
        assert "only the community's conveners" in refused.text and refused.buttons == []
    await zhang.send(zhang.private, f"/start i{b6.id}")
    assert "Only the community's conveners" in (await zhang.private.expect_message()).text
    await zhang.send_document(zhang.private, "registry.csv", REGISTRY.encode("utf-8"))
    assert "run /households import in the group first" in (await zhang.private.expect_message()).text
    await zhang.send(b6, "/households")
    assert "No households yet. The community's conveners import the registry." in \
        (await b6.expect_message()).text
    await b6.promote_bot(by=zhang)  # an administrator, the bot sees every message
    await zhang.send_document(b6, "registry.csv", REGISTRY.encode("utf-8"))  # posted in the group
    warned = await b6.expect_message()
    assert "please do not post it in the group" in warned.text and warned.buttons == []
    assert "its conveners import it" in warned.text

    imported = await import_registry(wang, groups["main"])
    assert "New: 4" in imported and "Building 6: 2 households" in imported
    await wang.send(groups["main"], "/households")
    in_main = (await groups["main"].expect_message()).text
    await zhang.send(b6, "/households")
    in_building = (await b6.expect_message()).text
    assert building_lines(in_building) == building_lines(in_main) == [
        "Building 6: 2 households, 209.50 m², 0 bound",
        "Building 7: 2 households, 195.00 m², 0 bound",
        "Total: 4 households, 404.50 m²",
    ]
    assert "/households codes" not in in_building  # the codes are not theirs to hand out
    await zhang.send(b6, "/households codes 6-1-101")
    assert "only the community's conveners" in (await b6.expect_message()).text


async def test_binding_a_household_privately_settles_the_community(bot, tg, compounds):
    people, groups = compounds
    wang, zhou, li = people["Wang"], people["Zhou"], people["Li"]
    await import_registry(wang, groups["main"])
    code = await code_for(wang, groups["main"], "6-1-101")
    await started(zhou)  # a member of building 6's group and of Maple's, never heard from
    await zhou.send(zhou.private, f"/bind {code}")
    bound = (await zhou.private.expect_message()).text
    assert "You are registered in Cuiyuan owners as an owner of 6-1-101." in bound
    chooser = await idea_privately(zhou, "A ramp at the entrance of building 6")
    assert chooser.button_texts == ["Cuiyuan owners · with my name", "Cuiyuan owners · anonymous"]
    await zhou.press(chooser, "Cuiyuan owners · with my name")
    assert "ramp" in (await groups["main"].expect_message()).text
    await zhou.private.expect_edit(chooser)
    await zhou.send(zhou.private, "/report 物业费 水费每吨多收了0.4元")
    assert "Your request for Cuiyuan owners" in (await zhou.private.expect_message()).text

    await li.send(li.private, "/community")  # Li chose Maple Court, then binds a flat in Cuiyuan
    card = await li.private.expect_message()
    await li.press(card, "Maple Court owners")
    await li.private.expect_edit(card)
    code = await code_for(wang, groups["main"], "7-1-102")
    await li.send(li.private, f"/start b{code}")
    bound = (await li.private.expect_message()).text
    assert "as an owner of 7-1-102" in bound
    assert "now go to Cuiyuan owners" in bound and "/community" in bound
    chooser = await idea_privately(li, "Shade sails over the sandpit")
    assert chooser.button_texts == ["Cuiyuan owners · with my name", "Cuiyuan owners · anonymous"]
    await wang.send(groups["main"], "/households")
    assert "Building 6: 2 households, 209.50 m², 1 bound" in (await groups["main"].expect_message()).text


async def test_a_community_chosen_step_by_step_is_remembered_too(bot, tg, compounds):
    people, groups = compounds
    li = people["Li"]
    await li.send(li.private, "/wish")
    ask = await li.private.expect_message()
    assert "Which group is it for?" in ask.text
    await li.press(ask, "Maple Court owners")
    assert "What is your idea?" in (await li.private.expect_message()).text
    await li.send(li.private, "Walk Mrs Wang's dog on Sundays")
    await li.press(await li.private.expect_message(), "With my name")
    preview = await li.private.expect_message()
    await li.press(preview, "✅ Post")
    assert "Walk Mrs Wang's dog" in (await groups["other"].expect_message()).text
    await tg.until(lambda: "Posted in Maple Court owners." in preview.text, what="the confirmation")
    chooser = await idea_privately(li, "A book swap shelf in the lobby")
    assert chooser.button_texts == ["Maple Court owners · with my name", "Maple Court owners · anonymous"]
