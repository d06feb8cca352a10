"""Rating the property service (物业服务评价): a quarter's survey rated privately by 30 households, the
result with the change against last quarter, the red list and the honour list posted in the group;
who rated what never shown. And the rules of bot.domain.ratings on their own."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import ratings as rules
from bot.domain.ratings import Answer
from tests.test_owner_votes import bind_all, import_registry

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIMENSIONS = list(rules.DEFAULTS)  # cleaning, security, repairs, greenery, attitude
LABELS = [f"6-1-{floor}0{door}" for floor in range(1, 17) for door in (1, 2)]  # 32 households


# -- the rules ------------------------------------------------------------------------------

def test_quarters():
    assert rules.quarter_of(date(2026, 12, 2)) == "2026-Q4"
    assert rules.quarter_of(date(2027, 1, 1)) == "2027-Q1"
    assert rules.quarter_of(date(2026, 6, 30)) == "2026-Q2"
    assert rules.previous_quarter("2027-Q1") == "2026-Q4"
    assert rules.previous_quarter("2026-Q3") == "2026-Q2"
    assert rules.next_quarter("2026-Q4") == "2027-Q1"
    assert rules.quarter_start("2026-Q4") == date(2026, 10, 1)
    with pytest.raises(ValueError):
        rules.parse_quarter("2026-Q5")


def test_the_next_quarter_day():
    now = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
    assert rules.next_quarter_day(now, 1, 9, 0) == datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI)
    assert rules.next_quarter_day(datetime(2027, 1, 1, 8, 0, tzinfo=SHANGHAI), 1, 9, 0) == \
        datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI)
    assert rules.next_quarter_day(datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI), 1, 9, 0) == \
        datetime(2027, 4, 1, 9, 0, tzinfo=SHANGHAI)


def test_figures_lists_and_change():
    answers = [Answer(f"h{i}", "cleaning", 5) for i in range(4)]
    answers += [Answer(f"h{i}", "repairs", s) for i, s in enumerate((2, 3, 3, 4))]
    answers += [Answer(f"h{i}", "greenery", s) for i, s in enumerate((4, 4, 4, 5))]
    answers.append(Answer("h0", "repairs", 1))  # changed: the latest counts
    before = rules.result("2026-Q4", ("cleaning", "repairs", "greenery", "attitude"),
                          [Answer("h0", "cleaning", 3), Answer("h0", "repairs", 3)])
    found = rules.result("2027-Q1", ("cleaning", "repairs", "greenery", "attitude"), answers, previous=before)
    cleaning, repairs, greenery, attitude = found.dimensions
    assert (cleaning.average, cleaning.share, cleaning.change) == (5, 1, 2)
    assert (repairs.average, repairs.share) == (Fraction(11, 4), Fraction(1, 4))
    assert repairs.change == Fraction(-1, 4)
    assert greenery.average == Fraction(17, 4) and greenery.change is None
    assert attitude.count == 0 and attitude.average is None
    assert found.raters == 4 and found.answers == 12 and found.satisfied == 9
    assert found.share == Fraction(3, 4) and found.change == Fraction(3, 4)  # from none satisfied
    assert found.red == ("repairs",)  # below 3.5; attitude, unrated, is on neither list
    assert found.honour == ("cleaning",)


def test_the_honour_list_without_a_dimension_at_4_5():
    answers = [Answer("h1", "cleaning", 4), Answer("h1", "security", 4), Answer("h1", "repairs", 3)]
    found = rules.result("2026-Q4", ("cleaning", "security", "repairs"), answers)
    assert found.honour == ("cleaning", "security")  # none at 4.5: the best, tied
    low = [Answer("h1", "cleaning", 3), Answer("h1", "security", 2)]
    assert rules.result("2026-Q4", ("cleaning", "security"), low).honour == ()  # nothing went well
    exact = [Answer("h1", "cleaning", 4), Answer("h2", "cleaning", 3)]  # 3.5: not below the threshold
    assert rules.result("2026-Q4", ("cleaning",), exact).red == ()


def test_settings_as_conveners_write_them():
    assert rules.read_dimensions(["保洁", "安保", "维修", "绿化", "服务态度", "停车", "保洁"]) == (
        "cleaning", "security", "repairs", "greenery", "attitude", "停车")
    assert rules.read_threshold("3.5") == Fraction(7, 2) and rules.read_threshold("４") == 4
    for bad in ("6", "abc", "0.5"):
        with pytest.raises(rules.RatingError):
            rules.read_threshold(bad)
    with pytest.raises(rules.RatingError):
        rules.read_dimensions([])
    assert str(rules.rounded(Fraction(9, 4), 1)) == "2.3" and rules.arrow(Fraction(-1, 3)) == "↓"


@given(st.lists(st.tuples(st.integers(0, 8), st.sampled_from(DIMENSIONS), st.integers(1, 5)), max_size=60))
def test_figures_against_a_count_by_hand(pressed):
    latest = {(voter, dimension): score for voter, dimension, score in pressed}  # the last press counts
    found = rules.result("2026-Q4", tuple(DIMENSIONS), [Answer(f"h{v}", d, s) for v, d, s in pressed])
    for figures in found.dimensions:
        scores = [s for (_, d), s in latest.items() if d == figures.dimension]
        assert figures.count == len(scores)
        if scores:
            assert figures.average * len(scores) == sum(scores)
            assert figures.share * len(scores) == len([s for s in scores if s > 3])
            assert (figures.dimension in found.red) == (sum(scores) < Fraction(7, 2) * len(scores))
        else:
            assert figures.dimension not in found.red + found.honour
    assert found.raters == len({v for v, _ in latest}) and found.answers == len(latest)
    assert not set(found.red) & set(found.honour)


# -- end to end -----------------------------------------------------------------------------

async def joined(bot, tg):
    bot.locale = "en"
    await bot.restart()
    admin = tg.user("Wang Fang", language_code="en")
    group = tg.group("Cuiyuan owners", admins=[admin])
    await group.add_bot(by=admin)
    await group.expect_message()  # greeting
    return admin, group


async def registry(tg, admin, group, labels=LABELS) -> dict:
    await import_registry(admin, group, "building,entrance,unit,area\n" + "\n".join(
        f"{label.split('-')[0]},{label.split('-')[1]},{label.split('-')[2]},90" for label in LABELS))
    return await bind_all(tg, admin, group, labels)


async def open_rating(admin, group, command: str = "/rating"):
    await admin.send(group, command)
    card = await group.expect_message()
    url = card.buttons[0][0].url
    return card, int(url.rsplit("?start=r", 1)[1])


async def rate(owner, survey: int, scores: dict[str, int], comment: str | None = None) -> None:
    """Open the form from the card's link and press one number per dimension; all from one message."""
    await owner.send(owner.private, f"/start r{survey}")
    form = await owner.private.expect_message()
    assert "Press a number under each" in form.text
    for dimension, score in scores.items():
        answer = await owner.press(form, data=f"rt:s:{survey}:{DIMENSIONS.index(dimension)}:{score}")
        assert not answer.show_alert, answer.text
    if set(scores) == set(DIMENSIONS):
        assert "send it to me now as one message" in (await owner.private.expect_message()).text
        if comment:
            await owner.send(owner.private, comment)
            assert "without your name" in (await owner.private.expect_message()).text


async def rate_all(raters: list[tuple], survey: int) -> None:
    for start in range(0, len(raters), 10):  # ten private chats at once, within Telegram's limits
        await asyncio.gather(*(rate(owner, survey, scores, comment)
                               for owner, scores, comment in raters[start:start + 10]))


def scores_of(i: int) -> dict[str, int]:
    return {"cleaning": 5, "security": 4, "repairs": 3 if i < 20 else 2,
            "greenery": 4 if i % 2 else 5, "attitude": 4 if i < 15 else 3}


def fmt(value: Fraction) -> str:
    return str(rules.rounded(value, 1)).removesuffix(".0")


async def test_a_quarter_rated_by_30_households_with_the_result_and_lists(bot, tg):
    admin, group = await joined(bot, tg)
    owners = await registry(tg, admin, group, LABELS[:30])

    # last quarter (2026-Q4): three households rated
    card, survey = await open_rating(admin, group)
    assert "Rate the property service: Q4 2026" in card.text
    assert "Rated so far: 0 of 32 households" in card.text and "Closes" in card.text
    assert "Cleaning, Security, Repairs, Greenery, and Service attitude" in card.text
    await rate_all([(owners[label], {d: 4 for d in DIMENSIONS} | {"repairs": 2}, None)
                    for label in LABELS[:3]], survey)
    await tg.until(lambda: "Rated so far: 3 of 32 households" in card.text, what="three counted")
    await admin.send(group, "/rating close")
    previous = (await group.expect_message()).text
    assert "Property service rating, Q4 2026: the result" in previous and "Satisfied: 80%" in previous

    # this quarter: the clock moves into 2027-Q1
    bot.clock.advance(datetime(2027, 1, 5, 10, 0, tzinfo=SHANGHAI) - bot.clock.now())
    card, survey = await open_rating(admin, group)
    assert "Q1 2027" in card.text
    raters = [(owners[label], scores_of(i), f"Comment {i}: the lift lobby needs light" if i < 12 else None)
              for i, label in enumerate(LABELS[:30])]
    await rate_all(raters, survey)
    await tg.until(lambda: "Rated so far: 30 of 32 households" in card.text, what="thirty counted")
    # one household changes its repairs score while the rating is open
    changed = owners[LABELS[29]]
    await changed.send(changed.private, f"/start r{survey}")
    form = await changed.private.expect_message()
    assert "Repairs: 2" in form.text
    await changed.press(form, data=f"rt:s:{survey}:2:4")
    await tg.until(lambda: "Repairs: 4" in form.text, what="the form shows the change")

    # no one else may close it, and the result comes when a convener does
    outsider = owners[LABELS[0]]
    await outsider.send(group, "/rating close")
    assert "only the community's conveners" in (await group.expect_message()).text
    await admin.send(group, "/rating close")
    result = (await group.expect_message()).text
    await tg.until(lambda: "Rating closed" in card.text, what="the card closed")

    final = [scores_of(i) for i in range(30)]
    final[29]["repairs"] = 4
    answers = [s for scores in final for s in scores.values()]
    satisfied = Fraction(sum(1 for s in answers if s >= 4), len(answers))
    assert f"Satisfied: {rules.rounded(satisfied * 100, 1).normalize():f}%" in result
    for dimension, name, before in (("cleaning", "Cleaning", 4), ("repairs", "Repairs", 2),
                                    ("greenery", "Greenery", 4)):
        avg = Fraction(sum(s[dimension] for s in final), 30)
        change = avg - before
        assert f"{name}: average {fmt(avg)}" in result, (name, result)
        assert f"({rules.arrow(change)}{fmt(abs(change))})" in result, (name, result)
    assert "30 rated" in result and "against Q4 2026" in result
    drop = (Fraction(12, 15) - satisfied) * 100  # last quarter 80%
    assert f"(↓{rules.rounded(drop, 1).normalize():f} percentage points against Q4 2026)" in result
    red = result.split("Red list")[1].split("\n")[0]
    honour = result.split("Honour list")[1].split("\n")[0]
    assert "Repairs" in red and "Service attitude" not in red  # 3.5 is not below 3.5
    assert "Cleaning" in honour and "Greenery" in honour and "Security" not in honour
    assert "Comment 0: the lift lobby needs light" in result and "… and 2 more comments." in result

    # the figures others use (the monthly report, the public board)
    from storage import ratings
    latest = await ratings.latest_result(bot.runtime.store, group.id)
    assert latest.quarter == "2027-Q1" and latest.raters == 30 and latest.share == satisfied
    assert Fraction(latest.total, latest.answers) == Fraction(sum(answers), len(answers))
    assert latest.red == ("repairs",) and latest.of("repairs").change == Fraction(sum(
        s["repairs"] for s in final), 30) - 2

    # never a name or a unit in the group
    for message in group.bot_messages:
        assert "Resident" not in message.text and "6-1-" not in message.text, message.text


async def test_only_conveners_open_and_only_owners_rate_by_household(bot, tg):
    admin, group = await joined(bot, tg)
    owners = await registry(tg, admin, group, LABELS[:1])
    await owners[LABELS[0]].send(group, "/rating")
    assert "only the community's conveners" in (await group.expect_message()).text
    card, survey = await open_rating(admin, group)
    await admin.send(group, "/rating")
    assert "is open already" in (await group.expect_message()).text

    tenant = tg.user("Tenant", language_code="en")
    group.add_member(tenant, announce=False)
    await tenant.send(tenant.private, f"/start r{survey}")
    assert "/bind CODE" in (await tenant.private.expect_message()).text
    refused = await tenant.press(card, data=f"rt:s:{survey}:0:5")  # a forged press from the group
    assert refused.show_alert

    await rate(owners[LABELS[0]], survey, {"cleaning": 5})  # some dimensions only
    await tg.until(lambda: "Rated so far: 1 of 32 households" in card.text, what="one counted")


async def test_by_resident_with_changed_dimensions_and_threshold(bot, tg):
    admin, group = await joined(bot, tg)
    await admin.send(group, "/rating dimensions 保洁 停车")
    assert "Cleaning and 停车" in (await group.expect_message()).text
    await admin.send(group, "/rating threshold 4")
    assert "below 4 on average" in (await group.expect_message()).text
    card, survey = await open_rating(admin, group, "/rating 按人")
    assert "Every resident" in card.text and "Rated so far: 0 residents" in card.text
    neighbour = tg.user("Li", language_code="en")
    group.add_member(neighbour, announce=False)
    stranger = tg.user("Stranger", language_code="en")
    await stranger.send(stranger.private, "/start")
    await stranger.private.expect_message()
    await stranger.send(stranger.private, f"/start r{survey}")
    assert "Only members" in (await stranger.private.expect_message()).text
    await neighbour.send(neighbour.private, f"/start r{survey}")
    form = await neighbour.private.expect_message()
    await neighbour.press(form, data=f"rt:s:{survey}:0:4")
    await neighbour.press(form, data=f"rt:s:{survey}:1:5")
    await neighbour.private.expect_message()  # the comment prompt
    await admin.send(group, "/rating close")
    result = (await group.expect_message()).text
    assert "Cleaning: average 4" in result and "停车: average 5" in result
    assert "Red list" in result and "Honour list" in result and "Li" not in result


async def test_the_scheduled_rating_opens_once_on_the_first_day_of_a_quarter(bot, tg):
    admin, group = await joined(bot, tg)
    await admin.send(group, "/rating schedule 1 9:00")
    told = (await group.expect_message()).text
    assert "opens automatically" in told and "Fri 1 Jan 2027 09:00" in told
    await bot.restart()
    bot.clock.advance(datetime(2027, 1, 1, 9, 0, 30, tzinfo=SHANGHAI) - bot.clock.now())
    # other features may post on the first of the month too: only the rating's messages count here
    cards = lambda: [m for m in group.bot_messages if m.text.startswith("📋")]  # noqa: E731
    await tg.until(lambda: len(cards()) == 1, timeout=15, what="the quarter's rating opened")
    assert "Rate the property service: Q1 2027" in cards()[0].text
    await bot.restart()
    bot.clock.advance(timedelta(minutes=5))
    await tg.wait_idle(quiet=1.0)
    assert len(cards()) == 1  # once, also after a restart
    from storage import ratings
    assert (await ratings.current(bot.runtime.store, group.id)).quarter == "2027-Q1"
    # at its deadline the rating closes by itself, with the result
    bot.clock.advance(datetime(2027, 1, 15, 23, 59, 30, tzinfo=SHANGHAI) - bot.clock.now())
    await tg.until(lambda: any("Nobody rated." in m.text for m in group.bot_messages), timeout=15,
                   what="the result at the deadline")
    group.skip_messages()
    await admin.send(group, "/rating schedule off")
    assert "no longer opened automatically" in (await group.expect_message()).text
