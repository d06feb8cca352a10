"""Building 6 replaces its elevators: the registry imported from CSV, owners bound by codes,
a secret owner vote stuck below three quarters, then passing when the last households vote."""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction

import pytest

from bot.local.standin import FakeTelegram

UNITS = [(entrance, f"{floor}0{door}") for entrance in (1, 2) for floor in range(1, 16) for door in (1, 2)]
AREAS = {unit: 8950 + (i % 7) * 1035 for i, unit in enumerate(UNITS)}  # centi-m²: 89.50 .. 151.60
SHARED_OWNER = [(1, "101"), (1, "102")]  # 陈建国 owns two flats: one owner by headcount
DEVELOPER = [(2, "1501"), (2, "1502")]  # unsold: one owner together


def registry_csv() -> bytes:
    lines = ["楼栋,单元,房号,建筑面积,业主,开发商"]
    for entrance, unit in UNITS:
        owner = "陈建国" if (entrance, unit) in SHARED_OWNER else ""
        developer = "是" if (entrance, unit) in DEVELOPER else ""
        lines.append(f"6栋,{entrance}单元,{unit},{AREAS[(entrance, unit)] / 100:.2f},{owner},{developer}")
    return "\n".join(lines).encode("gbk")  # as Excel in China saves it


def owner_of(unit) -> str:
    if unit in SHARED_OWNER:
        return "chen"
    if unit in DEVELOPER:
        return "developer"
    return f"{unit[0]}-{unit[1]}"


def expected(votes: dict) -> dict:
    """Art. 278 counted by hand: votes maps unit -> 'agree'/'disagree' (latest per owner)."""
    owners: dict[str, int] = {}
    for unit in UNITS:
        owners[owner_of(unit)] = owners.get(owner_of(unit), 0) + AREAS[unit]
    choice = {owner_of(u): c for u, c in votes.items()}
    part = [o for o in owners if o in choice]
    agree = [o for o in part if choice[o] == "agree"]
    area = lambda group: sum(owners[o] for o in group)  # noqa: E731
    quorum = (Fraction(len(part), len(owners)) >= Fraction(2, 3)
              and Fraction(area(part), area(owners)) >= Fraction(2, 3))
    approved = bool(part) and (Fraction(len(agree), len(part)) >= Fraction(3, 4)
                               and Fraction(area(agree), area(part)) >= Fraction(3, 4))
    return {"owners": len(owners), "part": len(part), "agree": len(agree), "passed": quorum and approved,
            "agree_area": area(agree), "part_area": area(part)}


@pytest.fixture
def cast(tg: FakeTelegram, bot):
    bot.locale = "en"
    admin = tg.user("Wang Fang", language_code="en")
    group = tg.group("Building 6 owners", admins=[admin])
    return admin, group


async def vote_privately(owner, poll_id: int, choice: str):
    await owner.send(owner.private, f"/start v{poll_id}")
    ballot = await owner.private.expect_message()
    answer = await owner.press(ballot, choice)
    assert "Your receipt for vote" in (await owner.private.expect_message()).text
    return answer


def m2(centi: int) -> str:
    return f"{centi / 100:,.2f}"


async def test_building_six_elevator_vote(bot, tg, cast):
    admin, group = await joined(bot, cast)

    # the registry, sent privately
    await admin.send(group, "/households import")
    prompt = await group.expect_message()
    link = prompt.buttons[0][0].url
    assert link.endswith(f"?start=i{group.id}")
    await admin.send(admin.private, f"/start i{group.id}")
    assert "Now send me the household registry" in (await admin.private.expect_message()).text
    await admin.send_document(admin.private, "6栋.csv", registry_csv())
    imported = (await admin.private.expect_message()).text
    assert "New: 60" in imported and "Building 6: 60 households" in imported

    # a broken file is refused whole, by line
    broken = (registry_csv().decode("gbk").replace("6栋,1单元,301,", "6栋,1单元,301,abc")
              + "\n6栋,1单元,101,90")
    await admin.send(group, "/households import")
    await group.expect_message()
    await admin.send(admin.private, f"/start i{group.id}")
    await admin.private.expect_message()
    await admin.send_document(admin.private, "bad.csv", broken.encode("utf-8"))
    refused = (await admin.private.expect_message()).text
    assert "Nothing was imported" in refused and "6" in refused and "62" in refused

    # one-time codes, privately as CSV
    await admin.send(group, "/households codes")
    assert "I sent you the codes privately." in (await group.expect_message()).text
    document = (await admin.private.expect_message()).document
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))[1:]
    codes = {tuple(label.split("-")[1:]): code for label, code, _ in rows}
    assert len(codes) == 60
    labels = [label for label, _, _ in rows]  # floor by floor, as people count: 201 before 1001
    assert labels[:3] == ["6-1-101", "6-1-102", "6-1-201"] and labels[-1] == "6-2-1502"

    owners = {}
    for unit in UNITS:
        if unit in DEVELOPER:
            continue
        key = owner_of(unit)
        if key not in owners:
            owners[key] = tg.user(f"Resident {key}", language_code="en")
            group.add_member(owners[key], announce=False)
        await owners[key].send(owners[key].private, f"/start b{codes[(str(unit[0]), unit[1])]}")
        assert "as an owner of" in (await owners[key].private.expect_message()).text
    await owners["1-201"].send(owners["1-201"].private, f"/start b{codes[('1', '201')]}")  # used
    assert "not valid or was already used" in (await owners["1-201"].private.expect_message()).text

    # a second code for 1-301 binds the co-owner (spouse)
    await admin.send(group, "/households codes 6-1-301")
    await group.expect_message()
    spouse_code = re.search(r"6-1-301: (\w+)", (await admin.private.expect_message()).text).group(1)
    spouse = tg.user("Spouse of 1-301", language_code="en")
    group.add_member(spouse, announce=False)
    await spouse.send(spouse.private, f"/bind {spouse_code}")
    await spouse.private.expect_message()

    # the vote: major (elevators), secret, building 6
    await admin.send(group, "/ownervote 6号楼更换电梯\n范围 6栋\n无记名\n截止 7天后")
    poll = await group.expect_message()
    assert "major matter" in poll.text and "scope: building 6 ·" in poll.text
    assert poll.buttons[0][0].url.endswith("?start=v1")
    assert "7 days' notice" in (await group.expect_message()).text  # less than the rules' 15 days
    for owner in [*owners.values(), spouse]:  # the vote's notice, privately to every bound owner
        assert (await owner.private.expect_message()).button_texts == ["Received"]

    stranger = tg.user("Not an owner", language_code="en")
    await stranger.send(stranger.private, "/start v1")
    assert "Only registered owners" in (await stranger.private.expect_message()).text

    votes: dict = {}
    ordered = [u for u in UNITS if u not in DEVELOPER and u != SHARED_OWNER[1]]
    first_wave = ordered[:44]
    for i, unit in enumerate(first_wave):
        choice = "disagree" if i % 4 == 0 or i == 2 else "agree"  # 32 of 44 agree: below 3/4
        answer = await vote_privately(owners[owner_of(unit)], 1, choice.capitalize())
        assert "You voted" in answer.text
        votes[unit] = choice
    await spouse.send(spouse.private, "/start v1")
    await spouse.press(await spouse.private.expect_message(), "Agree")  # co-owner: latest counts
    votes[(1, "301")] = "agree"
    now = expected(votes)
    assert not now["passed"]
    await tg.until(lambda: f"owners {now['part']} of {now['owners']}" in poll.text, timeout=20,
                   what="live participation")
    assert "Resident" not in poll.text  # secret: no names
    assert "more owners voting agree would pass it" in poll.text

    for unit in ordered[44:]:
        await vote_privately(owners[owner_of(unit)], 1, "Agree")
        votes[unit] = "agree"
    final = expected(votes)
    assert final["passed"]

    late_owner = owners[owner_of(ordered[0])]
    await admin.send(group, "/close 1")
    result = (await group.expect_message()).text
    assert "Passed" in result and "Not passed" not in result
    agree_line = f"Agree (at least 3/4 of those taking part)\n  owners {final['agree']} of {final['part']}"
    assert agree_line in result
    assert f"area {m2(final['agree_area'])} m² of {m2(final['part_area'])} m²" in result
    assert "Voting closed." in poll.text and poll.buttons == []
    await late_owner.send(late_owner.private, "/start v1")
    assert "Voting has closed." in (await late_owner.private.expect_message()).text

    # the export of a secret vote tells who took part, not what they chose
    await admin.send(admin.private, "/start")
    await admin.private.expect_message()
    await admin.send(group, "/export 1")
    await group.expect_message()
    exported = (await admin.private.expect_message()).document.data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported)))
    unit_rows = [r for r in table if r and r[0].startswith("6-")]
    assert len(unit_rows) == 60
    assert table[[r[:1] for r in table].index(["Household"])] == ["Household", "Area (m²)", "Took part"]
    assert all(len(r) == 3 for r in unit_rows)  # no choice column, not even an empty one
    assert sum(r[2] == "yes" for r in unit_rows) == 58  # everyone but the developer's two flats


async def joined(bot, cast):
    """The convener and the group, the bot (restarted in English) added to it."""
    await bot.restart()
    admin, group = cast
    await group.add_bot(by=admin)
    await group.expect_message()
    return admin, group


async def import_registry(admin, group, text: str, encoding: str = "utf-8-sig") -> str:
    await admin.send(group, "/households import")
    await group.expect_message()
    await admin.send(admin.private, f"/start i{group.id}")
    await admin.private.expect_message()
    await admin.send_document(admin.private, "registry.csv", text.encode(encoding))
    summary = (await admin.private.expect_message()).text
    assert "imported" in summary, summary
    return summary


async def test_a_registry_saved_by_traditional_chinese_excel_is_read(bot, tg, cast):
    admin, group = await joined(bot, cast)
    big5 = "樓棟,單元,房號,建築面積,業主\n" + "\n".join(
        f"7棟,1單元,{u},88.50,陳大文" for u in (101, 102, 201))  # as Excel in Taiwan or Hong Kong saves it
    summary = await import_registry(admin, group, big5, encoding="cp950")
    assert "Building 7: 3 households, 265.50 m², 0 bound" in summary


async def bind_all(tg, admin, group, labels) -> dict:
    await admin.send(group, "/households codes " + " ".join(labels))
    await group.expect_message()
    text = ""
    while not all(f"{label}: " in text for label in labels):  # many codes come in several messages
        text += (await admin.private.expect_message()).text + "\n"
    owners = {}
    for label in labels:
        code = re.search(rf"{label}: (\w+)", text).group(1)
        owners[label] = tg.user(f"Resident {label}", language_code="en")
        group.add_member(owners[label], announce=False)
        await owners[label].send(owners[label].private, f"/bind {code}")
        await owners[label].private.expect_message()
    return owners


async def test_codes_for_many_units_come_in_several_messages(bot, tg, cast):
    admin, group = await joined(bot, cast)
    labels = [f"5-{e}-{f}0{d}" for e in (1, 2) for f in range(1, 11) for d in (1, 2, 3)]  # 60 units
    await import_registry(admin, group, "building,entrance,unit,area\n" + "\n".join(
        "{},{},{},90".format(*label.split("-")) for label in labels))
    owners = await bind_all(tg, admin, group, labels)  # one message could not hold every code
    assert len(admin.private.bot_messages) > 3
    for label in (labels[0], labels[-1]):  # codes from the first and the last message work
        assert f"as an owner of {label}" in owners[label].private.bot_messages[-1].text


async def test_named_owner_vote_in_the_group_with_the_follow_the_majority_rule(bot, tg, cast):
    admin, group = await joined(bot, cast)
    await import_registry(admin, group, "building,entrance,unit,area\n" + "\n".join(
        f"{b},1,{u},100" for b in (3, 4) for u in (101, 102, 201, 202)))
    owners = await bind_all(tg, admin, group, ["3-1-101", "3-1-102", "3-1-201"])

    lead = tg.user("Lead of 3", language_code="en")
    group.add_member(lead, announce=False)
    said = await lead.send(group, "/polls")
    await group.expect_message()
    await admin.send(group, "/grant building_lead 3", reply_to=said)
    await group.expect_message()
    await lead.send(group, "/ownervote Repaint building 4\n范围 4栋")
    assert "only the conveners (or the building lead" in (await group.expect_message()).text
    await lead.send(group, "/ownervote New mailboxes for building 3\n范围 3栋\n从众")
    poll = await group.expect_message()
    await group.expect_message()  # no deadline: the notice period warning
    assert "ordinary matter" in poll.text and [r[0].text for r in poll.buttons] == [
        "Agree", "Disagree", "Abstain"]

    unbound = tg.user("Tenant", language_code="en")
    group.add_member(unbound, announce=False)
    refused = await unbound.press(poll, "Agree")
    assert refused.show_alert and "/bind CODE" in refused.text

    await owners["3-1-101"].press(poll, "Disagree")
    await owners["3-1-101"].press(poll, "Agree")  # changed: both kept in the audit log
    await owners["3-1-102"].press(poll, "Agree")
    await owners["3-1-201"].press(poll, "Disagree")
    await tg.until(lambda: "owners 3 of 4" in poll.text, what="three of four owners counted")
    assert "If non-voters follow the majority" in poll.text
    assert "owners 2 of 3 (66.7%)" in poll.text  # raw: 2 of the 3 taking part agree
    assert "owners 3 of 4 (75%)" in poll.text  # deemed: the non-voter follows the majority
    await lead.send(group, "/notvoted 1")
    assert "3-1-202" in (await group.expect_message()).text

    from storage import polls
    log = await polls.log(bot.runtime.store, 1)
    assert [(entry["household_id"] is not None, entry["choices"]) for entry in log] == [
        (True, (1,)), (True, (0,)), (True, (0,)), (True, (1,))]


async def test_a_closed_vote_that_failed_says_only_that_it_is_closed(bot, tg, cast):
    admin, group = await joined(bot, cast)
    await import_registry(admin, group, "building,entrance,unit,area\n" + "\n".join(
        f"3,1,{u},100" for u in (101, 102, 201, 202)))
    owners = await bind_all(tg, admin, group, ["3-1-101", "3-1-102", "3-1-201"])
    await admin.send(group, "/ownervote New mailboxes for building 3")
    poll = await group.expect_message()
    await group.expect_message()  # no deadline: the notice period warning
    await owners["3-1-101"].press(poll, "Agree")
    await owners["3-1-102"].press(poll, "Disagree")
    await tg.until(lambda: "owners 2 of 4" in poll.text, what="two of four owners counted")
    assert "Disagree: 1 owner, 100.00 m²" in poll.text and "Abstain: 0 owners, 0.00 m²" in poll.text
    assert "more owner voting agree would pass it" in poll.text

    await admin.send(group, "/close 1")
    result = (await group.expect_message()).text
    assert "Not passed" in result and "would pass" not in result
    await tg.wait_idle(quiet=0.5)
    assert "Voting closed." in poll.text
    assert "would pass" not in poll.text and "must take part" not in poll.text
