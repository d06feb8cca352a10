"""One compound across its chats: the main group links building groups and a committee group with
one-time codes; ideas from any of them join one pool numbered per community; roles are the
community's; a convener of another compound can neither link nor see anything of this one."""

from __future__ import annotations

import re


async def _added(people, groups):
    for key, admin in (("main", "Wang"), ("b6", "Zhang"), ("b7", "Zhao"), ("other", "Sun")):
        await groups[key].add_bot(by=people[admin])
        await groups[key].expect_message()  # the greeting


async def _code(convener, group, command: str) -> str:
    await convener.send(group, command)
    assert "I sent you a one-time code privately" in (await group.expect_message()).text
    letter = (await convener.private.expect_message()).text
    return re.search(r"/link ([A-Z0-9]{8})", letter).group(1)


async def _linked(people, groups):
    await _added(people, groups)
    wang = people["Wang"]
    await wang.send(wang.private, "/start")
    await wang.private.expect_message()
    for key, lead, buildings in (("b6", "Zhang", "6"), ("b7", "Zhao", "7")):
        code = await _code(wang, groups["main"], f"/link building {buildings}")
        await people[lead].send(groups[key], f"/link {code}")
        linked = (await groups[key].expect_message()).text
        assert f"This group is now the building group of building {buildings} of Cuiyuan owners." in linked


async def _with_committee(people, groups):
    """The compound linked, and its committee group (Wang its administrator) linked too."""
    await _linked(people, groups)
    wang, main, committee = people["Wang"], groups["main"], groups["committee"]
    await committee.add_bot(by=wang)
    await committee.expect_message()
    code = await _code(wang, main, "/link committee")
    await wang.send(committee, f"/link {code}")
    assert "committee group" in (await committee.expect_message()).text


async def test_groups_are_linked_by_code_and_shown_together(bot, compound):
    people, groups = compound
    await _linked(people, groups)
    await people["Li"].send(groups["b7"], "/community")
    card = await groups["b7"].expect_message()
    assert card.text.splitlines()[:4] == [
        "🏘 Cuiyuan owners",
        "• main group: Cuiyuan owners",
        "• building group of building 6: Building 6",
        "• building group of building 7: Building 7",
    ]
    assert card.buttons == []  # a resident manages nothing
    await people["Wang"].send(groups["main"], "/community")
    card = await groups["main"].expect_message()
    assert [row[0].text for row in card.buttons] == ["Unlink Building 6", "Unlink Building 7"]


async def test_a_code_works_once_and_only_for_the_groups_administrators(bot, compound):
    people, groups = compound
    await _added(people, groups)
    wang = people["Wang"]
    await wang.send(wang.private, "/start")
    await wang.private.expect_message()
    code = await _code(wang, groups["main"], "/link building 6")
    await people["Chen"].send(groups["b6"], f"/link {code}")  # a resident of the building
    assert "Only this group's administrators can link it" in (await groups["b6"].expect_message()).text
    await people["Zhang"].send(groups["b6"], f"/link {code}")
    await groups["b6"].expect_message()
    await people["Zhao"].send(groups["b7"], f"/link {code}")  # the same code again
    assert "This code is unknown, used or expired" in (await groups["b7"].expect_message()).text
    await people["Zhao"].send(groups["b7"], "/link XXXXXXXX")
    assert "This code is unknown, used or expired" in (await groups["b7"].expect_message()).text
    await people["Li"].send(groups["main"], "/link building 7")  # not a convener
    assert "only the community's conveners" in (await groups["main"].expect_message()).text
    await people["Zhang"].send(groups["b6"], "/link building 6")  # links are made from the main group
    assert "only the community's conveners" in (await groups["b6"].expect_message()).text


async def test_another_compounds_convener_cannot_link_or_see(bot, compound):
    people, groups = compound
    await _linked(people, groups)
    sun, other = people["Sun"], groups["other"]
    await sun.send(groups["main"], "/link committee")
    assert "only the community's conveners" in (await groups["main"].expect_message()).text
    await sun.send(sun.private, "/start")
    await sun.private.expect_message()
    code = await _code(sun, other, "/link building 7")
    await people["Zhao"].send(groups["b7"], f"/link {code}")  # building 7 is Cuiyuan's already
    assert "This group belongs to Cuiyuan owners already" in (await groups["b7"].expect_message()).text
    await people["Li"].send(groups["b7"], "/idea A parcel locker at the gate of building 7")
    await groups["b7"].expect_message()
    await sun.send(other, "/ideas")
    assert "parcel locker" not in (await other.expect_message()).text
    await sun.send(other, "/idea_state 1 accepted")  # their compound has no idea #1
    assert (await other.expect_message()).text.startswith("Which idea?")
    await people["Li"].send(groups["b7"], "/ideas")
    assert "parcel locker" in (await groups["b7"].expect_message()).text


async def test_an_idea_from_a_building_group_joins_the_communitys_pool(bot, compound):
    people, groups = compound
    await _linked(people, groups)
    await people["Li"].send(groups["b7"], "/idea A parcel locker at the gate of building 7")
    card = await groups["b7"].expect_message()
    assert card.text.startswith("Golden idea #1")
    await people["Chen"].send(groups["main"], "/idea More benches by the pond")
    assert (await groups["main"].expect_message()).text.startswith("Golden idea #2")
    await people["Wang"].send(groups["main"], "/ideas")
    listed = (await groups["main"].expect_message()).text
    assert "#1" in listed and "parcel locker" in listed and "#2" in listed
    await people["Wang"].send(groups["main"], "/idea_state 1 accepted")  # moved on from the main group
    assert "Now: accepted" in (await groups["main"].expect_message()).text
    edited = await groups["b7"].expect_edit(card)  # its card, in building 7's group, follows
    assert "Status: accepted" in edited.text
    await people["Zhao"].send(groups["b7"], "/idea_state 2 declined too costly")  # building 7's admin
    assert "only the conveners" in (await groups["b7"].expect_message()).text


async def test_unlinking_leaves_the_group_on_its_own(bot, compound):
    people, groups = compound
    await _linked(people, groups)
    await people["Zhang"].send(groups["b6"], "/community")
    assert (await groups["b6"].expect_message()).buttons == []  # a building's admin cannot unlink
    await people["Wang"].send(groups["main"], "/community")
    card = await groups["main"].expect_message()
    answer = await people["Zhang"].press(card, "Unlink Building 7")
    assert "only the community's conveners" in answer.text
    answer = await people["Wang"].press(card, "Unlink Building 7")
    assert answer.text == "Building 7 is no longer part of this community."
    edited = await groups["main"].expect_edit(card)
    assert "Building 7" not in edited.text
    assert [row[0].text for row in edited.buttons] == ["Unlink Building 6"]
    await people["Zhao"].send(groups["b7"], "/community")
    assert (await groups["b7"].expect_message()).text.splitlines()[:2] == [
        "🏘 Building 7", "• main group: Building 7"]


async def test_a_group_with_records_of_its_own_is_not_linked(bot, compound):
    people, groups = compound
    await _added(people, groups)
    wang, sun = people["Wang"], people["Sun"]
    await sun.send(groups["other"], "/idea A playground")
    await groups["other"].expect_message()
    await wang.send(wang.private, "/start")
    await wang.private.expect_message()
    code = await _code(wang, groups["main"], "/link committee")
    await sun.send(groups["other"], f"/link {code}")
    assert "keeps votes, ideas, requests" in (await groups["other"].expect_message()).text
