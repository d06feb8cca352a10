"""The registry review before building 6's vote (业主信息公示): published in the main group and
building 6's group with names masked, each bound owner's entry sent privately; an owner disputes
the area, the conveners hear of it privately, list it and resolve it; a re-import afterwards is
logged and shown at the vote's close. Only the community's conveners publish and resolve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.models import Person
from bot.domain.owner_vote import Household
from bot.domain.registry import RegistryChange, mask_name, review_entry, shown_change, summarize
from bot.i18n import Translator
from bot.render import Renderer
from handlers.review import registry_changes_view
from storage import chats, households, polls, reviews, users
from storage.db import Database
from tests.test_communities import _linked
from tests.test_owner_votes import bind_all, import_registry

HEADER = "楼栋,单元,房号,面积,业主,开发商"
UNITS = {
    "6-1-101": ("100", "张三", ""), "6-1-102": ("100", "欧阳娜娜", ""),
    "6-1-201": ("120.50", "王小明、李梅", ""), "6-1-202": ("100", "", "是"),
    "7-1-101": ("90", "赵六", ""), "7-1-102": ("90", "孙七", ""),
}
FULL_NAMES = ("张三", "欧阳娜娜", "王小明", "李梅", "赵六", "孙七")


def registry(**changed) -> str:
    rows = {**UNITS, **changed}
    return "\n".join([HEADER, *(f"{label.replace('-', ',')},{area},{owner},{dev}"
                                for label, (area, owner, dev) in rows.items())])


async def _reviewed(tg, bot, people, groups):
    """The compound linked, its registry imported, three owners of building 6 and one of 7 bound,
    and building 6's registry published for review from the main group."""
    await _linked(people, groups)
    wang, main = people["Wang"], groups["main"]
    await import_registry(wang, main, registry())
    owners = await bind_all(tg, wang, main, ["6-1-101", "6-1-102", "6-1-201", "7-1-101"])
    await wang.send(main, "/households review 6栋")
    return owners, await main.expect_message(), await groups["b6"].expect_message()


async def test_building_six_checks_its_registry_and_a_disputed_area_is_resolved(bot, tg, compound):
    people, groups = compound
    owners, in_main, in_b6 = await _reviewed(tg, bot, people, groups)
    wang, main, b6, b7 = people["Wang"], groups["main"], groups["b6"], groups["b7"]
    for post in (in_main, in_b6):
        text = post.text
        assert text.startswith("Registry review #1 of Cuiyuan owners\nScope: building 6\n")
        assert "Building 6: 4 households, 4 owners, 420.50 m²" in text
        assert "6-1-101 · 100.00 m² · 张*" in text and "6-1-102 · 100.00 m² · 欧阳**" in text
        assert "6-1-201 · 120.50 m² · 王**、李*" in text
        assert "6-1-202 · 100.00 m² · developer (unsold)" in text
        assert "7-1-" not in text and "Building 7" not in text
        assert not [name for name in FULL_NAMES if name in text]
    await b7.expect_no_message()  # building 7 is not reviewed
    done = (await main.expect_message()).text
    assert done.startswith("Review #1 is posted in 2 chats and was sent privately to 3 owners; 0 ")

    entries = {label: await owners[label].private.expect_message() for label in ("6-1-101", "6-1-102",
                                                                               "6-1-201")}
    assert "6-1-201 · 120.50 m²\nOwners: 王**、李*" in entries["6-1-201"].text
    assert entries["6-1-201"].button_texts == ["✅ Correct", "✏️ Wrong area", "🚫 Not my flat",
                                               "👥 Missing co-owner"]
    await owners["7-1-101"].private.expect_no_message()
    assert (await owners["6-1-101"].press(entries["6-1-101"], "✅ Correct")).text == \
        "Thank you for checking your entry."

    # a forged button: another owner's unit
    store = bot.runtime.store
    ids = {h.label: h.id for h in await households.active(store, main.id)}
    refused = await owners["6-1-101"].press(entries["6-1-101"], data=f"rr:a:1:{ids['6-1-201']}")
    assert refused.show_alert and refused.text == "This button is no longer valid."

    owner = owners["6-1-201"]
    await owner.press(entries["6-1-201"], "✏️ Wrong area")
    assert "What is the right floor area of 6-1-201?" in (await owner.private.expect_message()).text
    await owner.send(owner.private, "房产证上是118.30平方米")
    assert (await owner.private.expect_message()).text.startswith(
        "Thank you. Your dispute #1 about 6-1-201 (wrong area) was passed to the community's conveners")
    told = (await wang.private.expect_message()).text
    assert told.startswith("New dispute #1 about the registry of Cuiyuan owners\n"
                           "6-1-201 · wrong area · Resident 6-1-201\n“房产证上是118.30平方米”")
    for group in (main, b6, b7):
        await group.expect_no_message(within=0.2)  # disputes are never told in a group

    await wang.send(main, "/disputes")
    listed = (await wang.private.expect_message()).text
    assert "#1 · 6-1-201 · wrong area · Resident 6-1-201 · review #1" in listed and "118.30" in listed
    counts = (await main.expect_message()).text
    assert counts == ("Open disputes about the household registry: 1 (wrong area 1).\n"
                      "I sent you the list privately.")
    await wang.send(wang.private, "/disputes")
    assert "#1 · 6-1-201 · wrong area" in (await wang.private.expect_message()).text

    # nobody else resolves it: a resident, building 6's administrator
    await people["Li"].send(main, "/dispute_resolve 1 已更正")
    assert "only the community's conveners" in (await main.expect_message()).text
    await people["Zhang"].send(b6, "/dispute_resolve 1 已更正")
    assert "only the community's conveners" in (await b6.expect_message()).text
    assert [d.id for d in await reviews.open_disputes(store, main.id)] == [1]

    await wang.send(main, "/dispute_resolve 1 面积已按房产证更正为118.30")
    assert (await main.expect_message()).text == "Dispute #1 is resolved; its owner was told privately."
    resolved = (await owner.private.expect_message()).text
    assert resolved == ("Your dispute #1 about 6-1-201 (wrong area) was resolved.\n"
                        "The conveners' note: 面积已按房产证更正为118.30")
    await wang.send(main, "/dispute_resolve 1 again")
    assert (await main.expect_message()).text == "Dispute #1 is resolved already."
    await wang.send(main, "/disputes")
    assert (await main.expect_message()).text == "No open disputes about the household registry."

    # the registry corrected after the review: logged, and shown at the vote's close
    review = await reviews.latest(store, main.id)
    bot.clock.advance(timedelta(minutes=5))
    await import_registry(wang, main, registry(**{"6-1-201": ("118.30", "王小明、李梅", ""),
                                                 "6-1-101": ("100", "张三丰", "")}))
    await wang.send(main, "/ownervote Replace the elevators of building 6\n范围 6栋\n截止 7天后")
    await main.expect_message()
    changes = await reviews.changes_since(store, main.id, review.published_at)
    assert [(c.label, c.field, c.old, c.new) for c in changes] == [
        ("6-1-101", "owner", "张三", "张三丰"), ("6-1-201", "area", "12050", "11830")]
    assert changes[0].by == wang.id
    assert await reviews.changes_since(store, main.id, review.published_at, scope=("7",)) == []
    view = await registry_changes_view(bot.runtime, await polls.by_number(store, main.id, 1))
    english = Translator("en", ZoneInfo("Asia/Shanghai"))
    shown = bot.runtime.renderer.render("_registry_changes.html.j2", english, **view)
    assert "Changes to the registry since review #1" in shown
    assert "6-1-201: area 120.50 m² → 118.30 m²" in shown and "6-1-101: owner 张* → 张**" in shown
    assert "张三" not in shown
    for group in (main, b6, b7):  # nothing any group was ever shown names anyone in full
        assert not [m.text for m in group.bot_messages if any(name in (m.text or "") for name in FULL_NAMES)]


async def test_only_the_communitys_conveners_publish_a_review(bot, tg, compound):
    people, groups = compound
    await _linked(people, groups)
    wang, main, b6 = people["Wang"], groups["main"], groups["b6"]
    await import_registry(wang, main, registry())
    await people["Li"].send(main, "/households review 6栋")  # a resident
    assert "only the conveners" in (await main.expect_message()).text
    await people["Zhang"].send(b6, "/households 公示 6栋")  # building 6's administrator
    assert "only the community's conveners" in (await b6.expect_message()).text
    await people["Sun"].send(groups["other"], "/households review 6栋")  # another compound's convener
    assert "no household registry" in (await groups["other"].expect_message()).text
    for group in (main, b6, groups["b7"]):
        await group.expect_no_message(within=0.2)
    assert await reviews.latest(bot.runtime.store, main.id) is None

    await wang.send(b6, "/households 公示 8栋")  # from a building group, a building with no units
    assert "The registry has no households in building 8." in (await b6.expect_message()).text
    await wang.send(b6, "/households 公示 东边")
    assert "I cannot read the scope" in (await b6.expect_message()).text
    await wang.send(b6, "/households 公示")  # the whole registry: where it started and the main group
    whole = await b6.expect_message()
    assert "Scope: the whole registry" in whole.text
    assert "In all: 6 households, 6 owners, 600.50 m²" in whole.text
    assert (await main.expect_message()).text == whole.text
    await groups["b7"].expect_no_message()


async def test_a_long_list_comes_as_a_file_with_the_names_masked(bot, tg, english_group):
    admin, _, group = await english_group("Li")
    rows = [f"6,{e},{f}0{d},95.5,业主{e}{f}{d}号" for e in (1, 2, 3) for f in range(1, 28) for d in (1, 2)]
    await import_registry(admin, group, "\n".join(["楼栋,单元,房号,面积,业主", *rows]))
    await admin.send(group, "/households review 6栋")
    post = await group.expect_message()
    assert "Building 6: 162 households, 162 owners, 15,471.00 m²" in post.text
    assert "The list of units is in the file below." in post.text and "6-1-101" not in post.text
    attached = await group.expect_message()
    assert attached.text == "Registry review #1: 162 households."
    table = attached.document.data.decode("utf-8-sig").splitlines()
    assert table[:2] == ["Household,Area (m²),Owners (masked)", "6-1-101,95.50,业*****"]
    assert len(table) == 163 and "号" not in attached.document.data.decode("utf-8-sig")


# -- unit tests ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("owner", "masked"), [
    ("张三", "张*"), ("欧阳娜娜", "欧阳**"), ("欧阳修", "欧阳*"), ("东方", "东*"), ("诸葛亮", "诸葛*"),
    ("王小明、李梅", "王**、李*"), ("王小明,李梅", "王**,李*"), ("王小明 李梅", "王** 李*"),
    ("陳大文/歐陽美玲", "陳**/歐陽**"), ("Wang Fang", "W*** ****"), ("张", "张"), ("", ""),
])
def test_names_keep_their_surname_only(owner, masked):
    assert mask_name(owner) == masked


def unit(label: str, area: int, owner: str = "", developer: bool = False, id_: int = 0) -> Household:
    building, entrance, number = label.split("-")
    return Household(id_, building, entrance, number, area, owner, developer)


def test_the_summary_counts_owners_as_a_vote_counts_heads():
    units = [unit("10-1-101", 9000, "陈建国"), unit("6-1-101", 10000, "陈建国"),
             unit("6-1-102", 10000, "张三"), unit("6-2-101", 8000, developer=True),
             unit("6-2-102", 8000, developer=True), unit("6-2-201", 7050)]
    summary = summarize(units)
    assert [(b.building, b.households, b.owners, b.area) for b in summary.buildings] == [
        ("6", 5, 4, 43050), ("10", 1, 1, 9000)]  # buildings in the order people count them
    assert (summary.households, summary.owners, summary.area) == (6, 4, 52050)  # 陈建国 once in all
    assert summarize([]).buildings == () and summarize([]).owners == 0
    assert review_entry(units[4]) == review_entry(unit("6-2-102", 8000, developer=True))
    assert review_entry(units[0]).owner == "陈**"


def test_a_change_of_owner_is_shown_masked():
    at = datetime(2026, 11, 23, tzinfo=UTC)
    owner = RegistryChange(1, "6-1-101", "6", "1", "owner", "张三", "李四四", None, at)
    assert (shown_change(owner).old, shown_change(owner).new) == ("张*", "李**")
    area = RegistryChange(1, "6-1-101", "6", "1", "area", "10000", "9800", None, at)
    assert shown_change(area) is area


def test_the_changes_fragment_shows_nothing_without_a_review():
    english = Translator("en", ZoneInfo("Asia/Shanghai"))
    assert Renderer().render("_registry_changes.html.j2", english) == ""  # other votes, or no review


NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "r.sqlite3")
    await chats.seen(database, -1, "supergroup", "6栋业主群", NOW)
    await users.seen(database, Person(7, "王芳"), NOW)
    yield database
    await database.close()


async def test_changes_are_logged_only_after_a_review(db):
    await households.import_registry(db, -1, [unit("6-1-101", 10000, "张三"), unit("6-1-102", 9000)], NOW)
    await households.import_registry(db, -1, [unit("6-1-101", 9900, "张三")], NOW, by=7)
    assert await reviews.changes_since(db, -1, NOW - timedelta(days=1)) == []  # no review yet: no log
    review = await reviews.publish(db, -1, ("6",), 7, NOW + timedelta(hours=1), origin="u1")
    assert await reviews.publish(db, -1, ("6",), 7, NOW + timedelta(hours=1), origin="u1") == review
    assert (review.number, review.scope) == (1, ("6",))
    later = NOW + timedelta(hours=2)
    await households.import_registry(db, -1, [unit("6-1-101", 9950, "李四", developer=True),
                                              unit("6-1-102", 9000), unit("6-1-201", 12000)], later, by=7)
    await households.import_registry(db, -1, [unit("6-1-201", 12000)], later + timedelta(hours=1), by=7)
    changes = await reviews.changes_since(db, -1, review.published_at)
    assert [(c.label, c.field, c.old, c.new) for c in changes] == [
        ("6-1-101", "area", "9900", "9950"), ("6-1-101", "owner", "张三", "李四"),
        ("6-1-101", "developer", "0", "1"), ("6-1-102", "added", None, "9000"),
        ("6-1-201", "added", None, "12000"),
        ("6-1-101", "retired", "9950", None), ("6-1-102", "retired", "9000", None)]
    assert all(c.by == 7 for c in changes)
    assert len(await reviews.changes_since(db, -1, review.published_at, until=later)) == 5
    assert await reviews.latest(db, -1, before=NOW) is None
    assert (await reviews.latest(db, -1)).id == review.id
