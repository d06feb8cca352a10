"""Consultations (征求意见) end to end: residents of three buildings write statements and vote on them
one by one in their private chats; the summary finds the common ground, what divides the buildings
and the opinion groups; a consensus statement becomes a proposal vote or an agenda item. The story
saves its heat map to docs/consultation-chart.png (the manuals' picture)."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.event_time import parse_event_time
from tests.test_communities import _linked
from tests.test_minutes import chinese_group
from tests.test_owner_votes import bind_all, import_registry
from tests.test_ratings import joined

SHANGHAI = ZoneInfo("Asia/Shanghai")

STATEMENTS = ["绿地一寸也不能少", "夜间停车要有人管理", "六号楼前空地改建停车位", "东门外增设临时停车位",
              "在地下建立体车库", "外来车辆一律收费", "车位优先租给本小区业主", "电动车充电桩装在车库",
              "把废弃自行车清理掉", "保留儿童游乐场原貌", "多种树少铺水泥", "健身器材移到北侧",
              "草坪允许孩子踩踏玩耍", "花坛由居民认养", "每月开一次议事会讨论"]
BUILDINGS = {"6": 25, "7": 25, "8": 10}
LABELS = [f"{b}-1-{100 * (1 + n // 4) + 1 + n % 4}" for b, count in BUILDINGS.items() for n in range(count)]
AGREE, DISAGREE, PASS = 1, -1, 0
DOCS = Path(__file__).resolve().parent.parent / "docs"


def planted(i: int, building: str, number: int) -> int:
    """How resident ``i`` (of 60, in ``building``) votes on statement ``number``."""
    camp = i % 2  # two opinion groups, across the buildings
    if number == 1:  # common ground, with two dissenters in building 6 (too few to stand in the way)
        return DISAGREE if i in (0, 2) else AGREE
    if number == 2:
        return PASS if i == 59 else AGREE
    if number == 3:  # building 6 against the rest
        return AGREE if building == "6" else DISAGREE
    if number == 4:  # agreed overall (50 of 60), rejected by building 8
        return DISAGREE if building == "8" else AGREE
    if 5 <= number <= 9:
        return AGREE if camp == 0 else DISAGREE
    if 10 <= number <= 14:
        return DISAGREE if camp == 0 else AGREE
    return {0: AGREE, 1: DISAGREE}.get(i % 4, PASS)


async def residents(tg, admin, group, labels=LABELS) -> dict:
    await import_registry(admin, group, "building,entrance,unit,area\n" + "\n".join(
        "{},{},{},90".format(*label.split("-")) for label in labels))
    return await bind_all(tg, admin, group, labels)


async def open_consultation(admin, group, text: str):
    await admin.send(group, text)
    card = await group.expect_message()
    url = card.buttons[0][0].url
    return card, int(url.rsplit("?start=k", 1)[1])


async def write(tg, resident, consultation: int, text: str) -> str:
    """Write a statement from the card's second button, in the private chat."""
    await resident.send(resident.private, f"/start w{consultation}")
    assert "Write your statement" in (await resident.private.expect_message()).text
    await resident.send(resident.private, text)
    return (await resident.private.expect_message()).text


def shown_statement(screen, word: str = "Statement ") -> tuple[int, int] | None:
    """(number, id) of the statement a private screen asks about; None when done."""
    found = re.search(rf"^{word}(\d+)", screen.text, re.M)
    if found is None:
        return None
    return int(found.group(1)), int(screen.buttons[0][0].callback_data.split(":")[2])


async def vote_through(tg, resident, consultation: int, decide) -> list[int]:
    """Take part from the card's link and vote until done; the numbers in the order shown."""
    await resident.send(resident.private, f"/start k{consultation}")
    screen = await resident.private.expect_message()
    seen = []
    while (shown := shown_statement(screen)) is not None:
        number, statement = shown
        seen.append(number)
        before = screen.edit_count
        answer = await resident.press(screen, data=f"cs:v:{statement}:{decide(number)}")
        assert not answer.show_alert, answer.text
        await tg.until(lambda before=before: screen.edit_count > before,
                       what=f"the statement after {number}")
    assert "You have voted on all" in screen.text, screen.text
    return seen


def section(text: str, title: str) -> str:
    """The lines under a heading of the summary, up to the next blank line."""
    return text.split(title, 1)[1].strip().split("\n\n", 1)[0]


def numbers_in(part: str) -> list[int]:
    return [int(n) for n in re.findall(r"^• (\d+)\.", part, re.M)]


async def test_sixty_residents_find_common_ground_across_three_buildings(bot, tg, caplog):
    caplog.set_level(logging.DEBUG)
    admin, group = await joined(bot, tg)
    owners = await residents(tg, admin, group)
    people = [owners[label] for label in LABELS]
    building = {id(p): label.split("-")[0] for p, label in zip(people, LABELS, strict=True)}

    seeds = "\n".join(f"{n}. {s}" for n, s in enumerate(STATEMENTS[:3], 1))
    card, consultation = await open_consultation(
        admin, group, f"/consult 停车位和绿地怎么平衡？\n截止 12月20日 20:00\n{seeds}")
    assert "Consultation #1" in card.text and "停车位和绿地怎么平衡？" in card.text
    assert "3 statements so far" in card.text and "Ends" in card.text
    assert [b.text for b in card.buttons[0]] == ["🗳 Take part", "✍️ Write a statement"]

    # residents write the other twelve: in the group, and privately from the card's link
    for n, text in enumerate(STATEMENTS[3:], start=4):
        author = people[n]
        if n % 2:
            said = await write(tg, author, consultation, text)
        else:
            await author.send(group, f"/statement {text}")
            said = (await group.expect_message()).text
        assert f"Added as statement {n} of consultation #1, without your name" in said, said

    # a near-duplicate is pointed out; its writer votes on the statement there instead
    writer = people[40]
    said = await write(tg, writer, consultation, "绿地一寸都不能减少")
    assert "Statement 1 says much the same already" in said and "绿地一寸也不能少" in said
    offer = writer.private.bot_messages[-1]
    await writer.press(offer, "🗳 Vote on #1")
    on_one = await writer.private.expect_message()
    assert shown_statement(on_one)[0] == 1
    await writer.press(on_one, "✅ Agree")
    await tg.until(lambda: shown_statement(on_one)[0] == 2, what="the next statement")

    # an advertisement is hidden with a reason its author reads; it is listed, not deleted
    seller = people[55]
    assert "statement 16" in await write(tg, seller, consultation, "出售二手车，有意请私聊")
    await admin.send(group, "/consult 1 hide 16 广告，与议题无关")
    assert "Statement 16 is hidden" in (await group.expect_message()).text
    told = (await seller.private.expect_message()).text
    assert "hidden your statement 16" in told and "广告，与议题无关" in told
    await admin.send(group, "/consult 1 hidden")
    listing = (await group.expect_message()).text
    assert "出售二手车" in listing and "广告，与议题无关" in listing
    await people[3].send(group, "/consult 1 hide 1 不喜欢")
    assert "conveners" in (await group.expect_message()).text  # a resident may not hide
    await tg.until(lambda: "15 statements so far" in card.text, what="the card counts fifteen")

    # sixty residents vote, ten private chats at a time; unseen and least-voted statements first
    orders = []
    for start in range(0, len(people), 10):
        batch = people[start:start + 10]
        orders += await asyncio.gather(*(vote_through(
            tg, p, consultation, lambda number, i=start + k, p=p: planted(i, building[id(p)], number))
            for k, p in enumerate(batch)))
    everyone = list(range(1, 16))  # 16, hidden, is never shown
    assert all(sorted(order) == everyone for k, order in enumerate(orders) if k != 40)
    assert orders[40] == everyone[1:]  # statement 1 was voted on already
    assert orders[0][0] == 2 and orders[0][-1] == 1  # the least voted first: 1 had a vote
    await tg.until(lambda: "60 people taking part" in card.text, what="the card counts sixty")
    assert "building 6: 25 · building 7: 25 · building 8: 10" in card.text

    # a vote changed: going through them again, the first resident now agrees with statement 1
    first = people[0]
    await first.send(first.private, f"/start k{consultation}")
    done = await first.private.expect_message()
    await first.press(done, "🔁 Go through them again")
    await tg.until(lambda: shown_statement(done) is not None and shown_statement(done)[0] == 1,
                   what="statement 1 again")
    assert "Your vote: disagree" in done.text
    assert "• ❌ Disagree" in done.button_texts
    await first.press(done, "✅ Agree")
    await tg.until(lambda: shown_statement(done) is not None and shown_statement(done)[0] == 2,
                   what="statement 2 next")

    # a convener posts where it stands; residents may not
    await people[5].send(group, "/consult 1")
    assert "conveners" in (await group.expect_message()).text
    await admin.send(group, "/consult 1")
    standing = await group.expect_message()
    assert "Consultation #1: where it stands" in standing.text
    chart = await group.expect_message()
    assert chart.photo is not None and "fewer than 3 voted" in chart.text

    # at its end the result is posted by itself
    bot.clock.advance(timedelta(days=20))
    result = await group.expect_message(timeout=20)
    text = result.text
    assert "Consultation #1: the result" in text, text
    assert "60 people took part · 15 statements · 900 votes" in text
    assert "building 6: 25 · building 7: 25 · building 8: 10" in text
    assert numbers_in(section(text, "Common ground")) == [2, 1]  # 59 of 59, then 59 of 60
    assert "1. 绿地一寸也不能少 — agree 98.3%" in text
    divides = section(text, "What divides")
    assert numbers_in(divides) == [3, 4]
    assert "3. 六号楼前空地改建停车位 — agreed in building 6, rejected in building 7 and building 8" \
        in divides
    assert "4. 东门外增设临时停车位 — agreed in building 6 and building 7, rejected in building 8" in divides
    assert "(all together: agree 83.3%)" in divides  # agreed overall, and still no common ground
    assert "building 8: statements 1 and 2" in text
    groups = section(text, "Opinion groups").splitlines()[1:]
    assert sorted(re.sub(r"Group [AB]", "Group", line) for line in groups) == [
        "• Group (30 people): agrees on statements 10, 11, 12, 13, and 14",
        "• Group (30 people): agrees on statements 5, 6, 7, 8, and 9"]
    assert "出售二手车" not in text and "Resident" not in text
    await tg.until(lambda: "The consultation has ended" in card.text, what="the card closed")
    assert card.buttons == []
    heat_map = await group.expect_message()
    assert heat_map.photo.data.startswith(b"\x89PNG")
    (DOCS / "consultation-chart.png").write_bytes(heat_map.photo.data)  # the manuals' picture

    # anyone may have the votes as a table; no voter in it
    await people[7].send(group, "/consult 1 csv")
    table = await group.expect_message()
    rows = list(csv.reader(io.StringIO(table.document.data.decode("utf-8-sig"))))
    assert rows[1][:6] == ["Number", "Statement", "Finding", "Everyone agree", "Everyone disagree",
                           "Everyone pass"]
    by_number = {row[0]: row for row in rows[2:]}
    assert by_number["1"][2:6] == ["consensus", "59", "1", "0"]
    assert by_number["4"][2] == "division" and "16" not in by_number
    assert "Resident" not in table.document.data.decode("utf-8-sig")

    # the common ground becomes a proposal vote in one press, linked both ways
    await admin.press(result, "📊 Put 1 to the vote")
    proposal = await group.expect_message()
    assert "绿地一寸也不能少" in proposal.text and "From consultation #1" in proposal.text
    await tg.until(lambda: "📊 Put 1 to the vote" not in result.button_texts, what="the button gone")
    answer = await people[9].press(result, "📊 Put 2 to the vote")
    assert answer.show_alert and "conveners" in answer.text
    await admin.send(group, "/consult 1")
    assert "→ put to vote #1" in (await group.expect_message()).text

    # who wrote or voted what is in no log line either
    ours = ("bot", "handlers", "storage", "telegram", "aiosqlite", "apscheduler")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ours)
    assert "Resident " not in logged
    found = [line for line in logged.splitlines()
             for person in people if re.search(rf"\b{person.id}\b", line)]
    assert not found, found[:5]
    assert not any(text in logged for text in STATEMENTS)


async def test_a_consultation_for_one_building_counts_its_residents_only(bot, tg, compound):
    people, groups = compound
    await _linked(people, groups)
    wang, main, b6, b7 = people["Wang"], groups["main"], groups["b6"], groups["b7"]
    main.skip_messages()
    card, consultation = await open_consultation(wang, main, "/consult 6号楼加装电梯选哪种方案？\n范围 6栋\n"
                                                 "加装一部电梯\n先做可行性论证")
    assert "For the residents of building 6." in card.text and "2 statements so far" in card.text
    shown = await b6.expect_message()  # the building group shows it too, building 7's does not
    assert "Consultation #1" in shown.text
    await b7.expect_no_message(within=0.5)

    # placed by their building group, or asked; someone of building 7 is not asked
    chen, li = people["Chen"], people["Li"]
    for person, chat in ((chen, b6), (li, b7)):
        await person.send(chat, "/consultations")  # seen in their building's group
        assert "6号楼加装电梯" in (await chat.expect_message()).text or chat is b7
        await person.send(person.private, "/start")
        await person.private.expect_message()
    await chen.send(chen.private, f"/start k{consultation}")
    assert shown_statement(await chen.private.expect_message())[0] == 1
    await li.send(li.private, f"/start k{consultation}")
    assert "asks the residents of building 6 only" in (await li.private.expect_message()).text
    await li.send(li.private, "/consultations")  # privately: the community's
    assert "#1 6号楼加装电梯选哪种方案？" in (await li.private.expect_message()).text
    qian = tg.user("Qian", language_code="en")
    main.add_member(qian, announce=False)
    await qian.send(main, "/consultations")
    await main.expect_message()
    await qian.send(qian.private, "/start")
    await qian.private.expect_message()
    await qian.send(qian.private, f"/start k{consultation}")
    asked = await qian.private.expect_message()
    assert "Which building do you live in?" in asked.text
    assert asked.button_texts == ["building 6", "I don't live in these"]
    await qian.press(asked, "building 6")
    await tg.until(lambda: shown_statement(asked) is not None, what="the first statement")


async def test_common_ground_goes_on_the_talks_agenda_and_into_its_minutes(bot, tg, english_group):
    admin, voters, group = await english_group("Li", "Zhao", "Sun", "Chen")
    for person in (admin, *voters):
        await person.send(person.private, "/start")
        await person.private.expect_message()
    await admin.send(group, "/event 小区夜话\n时间 每周四 19:30")
    await admin.press(await group.expect_message(), "Save")
    await group.expect_message()

    # bad input is refused with the reason, and opens nothing
    await admin.send(group, "/consult 停车怎么办？\n截止 2020年1月1日")
    assert "has already passed" in (await group.expect_message()).text
    await voters[0].send(group, "/consult 停车怎么办？")
    assert "conveners" in (await group.expect_message()).text
    await voters[0].send(group, "/statement 多建车位")
    assert "No consultation is open" in (await group.expect_message()).text

    # step by step: the question, no buildings, the default end and two statements
    await admin.send(group, "/consult")
    await group.expect_message()  # asked privately
    ask = await admin.private.expect_message()
    assert "What do you ask the community?" in ask.text
    await admin.send(admin.private, "小区的停车位怎么分？")
    scope = await admin.private.expect_message()
    await admin.press(scope, "Done")
    end = await admin.private.expect_message()
    await admin.press(end, "In two weeks")
    seeds = await admin.private.expect_message()
    for text in ("车位先租给本小区业主", "临时停车按小时收费"):
        await admin.send(admin.private, text)
        seeds = await admin.private.expect_message()
    assert "2. 临时停车按小时收费" in seeds.text
    await admin.press(seeds, "Done")
    preview = await admin.private.expect_message()
    assert "小区的停车位怎么分？" in preview.text and "临时停车按小时收费" in preview.text
    await admin.press(preview, "✅ Post")
    card = await group.expect_message()
    assert "Consultation #1" in card.text and "2 statements so far" in card.text
    consultation = int(card.buttons[0][0].url.rsplit("?start=k", 1)[1])

    # a statement too long is refused and stored nowhere
    li = voters[0]
    said = await write(tg, li, consultation, "车" * 141)
    assert "at most 140 characters; yours has 141" in said
    await tg.wait_idle(quiet=0.3)
    assert "2 statements so far" in card.text

    # no building known: each is asked once and may keep it to themselves
    for person in voters:
        await person.send(person.private, f"/start k{consultation}")
        asked = await person.private.expect_message()
        assert "Which building do you live in?" in asked.text
        await person.press(asked, "I'd rather not say")
        await tg.until(lambda asked=asked: shown_statement(asked) is not None, what="the first statement")
        if person is li:  # a statement of her own at any point, with her name if she wants
            await li.press(asked, "✍️ Write a statement")
            assert "Write your statement" in (await li.private.expect_message()).text
            await li.send(li.private, "夜里禁止鸣笛")
            added = await li.private.expect_message()
            assert "Added as statement 3" in added.text
            shown_name = await li.press(added, "👤 Show my name with it")
            assert shown_name.text == "Your name is shown with it."
        while (shown := shown_statement(asked)) is not None:
            if shown[0] == 3:
                assert "Statement 3 (Li)" in asked.text
            before = asked.edit_count
            await person.press(asked, "✅ Agree" if shown[0] == 1 else "❌ Disagree")
            await tg.until(lambda before=before, asked=asked: asked.edit_count > before, what="the next")
    await admin.send(group, "/consult 1 close")
    result = await group.expect_message()
    assert numbers_in(section(result.text, "Common ground")) == [1]
    assert "4 people took part · 3 statements · 12 votes\n\n" in result.text  # no building to show
    assert "Opinion groups" not in result.text  # four voters who all voted alike: no groups
    assert (await group.expect_message()).photo is not None  # the heat map

    to_agenda = next(b.callback_data for row in result.buttons for b in row if "agenda" in b.text)
    await admin.press(result, "🗓 1 on the next talk's agenda")
    said = (await group.expect_message()).text
    assert "Statement 1 of consultation #1 is on the agenda of 小区夜话" in said
    await admin.send(group, "/agenda 1")
    agenda = (await group.expect_message()).text
    assert "车位先租给本小区业主 (consensus of consultation #1, statement 1)" in agenda
    assert result.button_texts == ["📊 Put 1 to the vote"]
    answer = await admin.press(result, data=to_agenda)  # pressed again, from an older copy
    assert answer.show_alert and "taken on already" in answer.text

    # the talk is held: its minutes carry the item
    first = parse_event_time("每周四 19:30", bot.clock.now().astimezone(SHANGHAI)).start
    bot.clock.advance(first + timedelta(minutes=5) - bot.clock.now())
    await tg.wait_idle(quiet=0.3)
    group.skip_messages()
    await admin.send(group, "/meeting")
    await group.expect_message()
    await admin.send(group, "/endmeeting")
    minutes = (await group.expect_message()).text
    assert "Agenda\n1. 车位先租给本小区业主 (consensus of consultation #1, statement 1)" in minutes
    await tg.wait_idle(quiet=0.3)
    group.skip_messages()  # the minutes' files
    await admin.send(group, "/consult 1")
    assert "→ on the agenda of event #1 on" in (await group.expect_message()).text


async def test_a_traditional_chinese_group_reads_its_consultation_in_its_own_script(bot, tg):
    admin, li, group = await chinese_group(tg, ("陳主任", "李大文", "翠苑業主群"), "zh-hant", "繁體中文")
    voters = [li] + [tg.user(name, language_code="zh-hant") for name in ("張美玲", "黃志強")]
    for person in voters[1:]:
        group.add_member(person, announce=False)
        await person.send(group, "/consultations")
        await group.expect_message()
    card, consultation = await open_consultation(admin, group, "/consult 停車位和綠地怎麼平衡？\n"
                                                 "不應佔用綠地建車位")
    assert card.text.startswith("🗣 徵求意見#1\n") and "已有1條觀點" in card.text
    assert [b.text for b in card.buttons[0]] == ["🗳 參與", "✍️ 寫觀點"]
    for person in voters:
        await person.send(person.private, "/start")
        await person.private.expect_message()
        await person.send(person.private, f"/start k{consultation}")
        asked = await person.private.expect_message()
        assert "您住在哪一棟？" in asked.text
        await person.press(asked, "不便透露")
        await tg.until(lambda asked=asked: shown_statement(asked, "第") is not None, what="the statement")
        await person.press(asked, "✅ 同意")
        await tg.until(lambda asked=asked: "謝謝您" in asked.text, what="done")
    await admin.send(group, "/consult 1 close")
    result = (await group.expect_message()).text
    assert result.startswith("📊 徵求意見#1：結果\n停車位和綠地怎麼平衡？\n3人參與 · 1條觀點 · 3次表態")
    assert "✅ 共識\n• 1. 不應佔用綠地建車位 — 同意100%" in result
    assert "表明態度（同意或不同意）的人中" in result and "见" not in result and "栋" not in result
