"""The monthly report (月报): figures, charts in three scripts, and the post on the first of the month.

The e2e story saves the report's image to docs/report-month.png (the manuals' screenshot)."""

from __future__ import annotations

import io
import logging
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot import charts
from bot.domain import monthly as rules
from bot.domain.event_time import parse_event_time
from bot.domain.requests import Figures
from bot.i18n import Translator
from tests.test_events import TALK, save
from tests.test_ideas import submit
from tests.test_minutes import meeting
from tests.test_owner_votes import bind_all, import_registry
from tests.test_polls import create
from tests.test_ratings import DIMENSIONS, open_rating, rate
from tests.test_requests import report

SHANGHAI = ZoneInfo("Asia/Shanghai")
DOCS = Path(__file__).resolve().parent.parent / "docs"
MISSING = ("glyph", "missing", "findfont")


# -- the rules -----------------------------------------------------------------------------------

def test_previous_months_cross_the_year():
    assert rules.previous_months(date(2026, 2, 1), 4) == [date(2025, 11, 1), date(2025, 12, 1),
                                                         date(2026, 1, 1), date(2026, 2, 1)]
    assert rules.previous_month(datetime(2027, 1, 1, 9)) == date(2026, 12, 1)


def test_parse_month():
    assert rules.parse_month("2026-11") == (2026, 11)
    assert rules.parse_month("2026年3月") == (2026, 3)
    assert rules.parse_month("2026-13") is None and rules.parse_month("11") is None


def test_turnout_adds_voters_up_and_owner_votes_count_passed_and_failed():
    votes = [rules.Vote(1, False, 1, 10), rules.Vote(2, True, 9, 10, True), rules.Vote(3, True, 2, 10, False),
             rules.Vote(4, False, 5, None)]
    f = _figures(votes=votes)
    assert f.votes_held == 4 and f.turnout == pytest.approx(12 / 30)
    assert (f.owner_passed, f.owner_failed) == (1, 1)


def test_ideas_by_state_and_the_most_endorsed_still_moving():
    ideas = [rules.Idea(1, "a", "new", 2), rules.Idea(2, "b", "declined", 9), rules.Idea(3, "c", "done", 2),
             rules.Idea(4, "d", "accepted", 0)]
    f = _figures(ideas=ideas)
    assert f.ideas_by_state == {"new": 1, "discussion": 0, "accepted": 1, "in_progress": 0, "done": 1}
    assert f.top_idea.number == 1  # declined ones do not lead; a tie goes to the earliest
    assert rules.top_idea([rules.Idea(1, "a", "new", 0)]) is None


def test_action_items_done_open_and_overdue_at_the_months_end():
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    mid, late = datetime(2026, 11, 15, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC)
    items = [rules.Action("done", None, mid, mid), rules.Action("done", mid, late, mid),  # done after: open
             rules.Action("open", mid, mid, mid), rules.Action("open", late, mid, mid),
             rules.Action("dropped", mid, mid, mid), rules.Action("open", None, late, late)]
    assert rules.actions(items, start, end) == (1, 3, 2)


def test_nothing_happened_is_empty():
    assert _figures().empty and not _figures(rating=rules.Rating(4.2)).empty


def _figures(votes=(), ideas=(), rating=None, received=0) -> rules.MonthFigures:
    month = date(2026, 11, 1)
    figures = Figures(received, received, received, 1, 1, 1, 26.0, 1, 1, 0) if received else \
        Figures(0, 0, 0, 0, 0, 0, None, 0, 0)
    return rules.month_figures(month, votes=votes, idea_list=ideas,
                               requests=[(m, figures) for m in rules.previous_months(month)],
                               talks=0, receptions=0, questions_answered=0, action_counts=(0, 0, 0),
                               rating=rating)


# -- the charts ----------------------------------------------------------------------------------

FULL = dict(votes=[rules.Vote(1, False, 3, 5), rules.Vote(2, True, 4, 6, True)],
            ideas=[rules.Idea(1, "Benches for the back hill 后山长椅 後山長椅", "accepted", 3)],
            rating=rules.Rating(4.2, responses=37), received=3)


@pytest.mark.parametrize("locale", ["en", "zh_Hans", "zh_Hant"])
def test_every_label_renders_with_a_real_font_in_each_script(locale, caplog):
    t = Translator(locale, SHANGHAI)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG, "matplotlib"):
        warnings.simplefilter("always")
        png = charts.render_png(_figures(**FULL), t)
        charts.render_png(_figures(), t)  # the empty panels' texts too
        svg = charts.render_svg(_figures(**FULL), t)
        pdf = charts.render_pdf(_figures(**FULL), t)
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records
                                              if r.levelno >= logging.WARNING]
    assert not [s for s in said if any(word in s.lower() for word in MISSING)], said
    assert Image.open(io.BytesIO(png)).size == (charts.WIDTH, charts.HEIGHT)
    assert svg.lstrip().startswith("<?xml") and pdf.startswith(b"%PDF")


def test_the_traditional_glyphs_are_in_the_font():
    from fontTools.ttLib import TTCollection

    path = charts.ensure_font()
    cmap = TTCollection(path).fonts[0].getBestCmap()
    assert all(ord(c) in cmap for c in "月报月報业主業主表决表決诉求訴求满意度滿意度")


def test_the_photo_keeps_telegrams_limits():
    png = charts.render_png(_figures(**FULL), Translator("zh_Hans", SHANGHAI))
    width, height = Image.open(io.BytesIO(png)).size
    assert width + height <= 10000 and max(width, height) / min(width, height) <= 20
    assert len(png) < 10 * 1024 * 1024


# -- end to end ----------------------------------------------------------------------------------
# A month in Cuiyuan, played as residents play it; every figure of the report comes from it.

REGISTRY = ["3-1-101", "3-1-102", "3-1-201", "3-1-202"]  # building 3, entrance 1: four households
BOUND = REGISTRY[:3]


def _first_of(month: date, hour: int, minute: int = 0) -> datetime:
    return datetime(month.year, month.month, 1, hour, minute, tzinfo=SHANGHAI)


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


async def _move_to(bot, tg, group, moment: datetime) -> None:
    """Move the clock on and let the reminders, digests and notices on the way be posted unread."""
    bot.clock.advance(moment - bot.clock.now())
    await tg.wait_idle(quiet=1.0, timeout=30)
    group.skip_messages()


async def _residents(admin, group, manager, residents) -> None:
    """Chen is made the property manager; everyone starts the bot and is seen in the group."""
    said = await manager.send(group, "/roles")
    await group.expect_message()
    await admin.send(group, "/grant property_manager", reply_to=said)
    await group.expect_message()
    for person in (manager, *residents):
        await person.send(person.private, "/start")
        await person.private.expect_message()
        await person.send(group, "/targets")
        await group.expect_message()


async def _poll(admin, group, voters) -> None:
    """Vote #1: a plain poll, two residents vote, the convener closes it."""
    poll = await create(admin, group, "/poll Where should the bike shelter go?\nEast gate\nWest gate")
    for i, voter in enumerate(voters):
        await voter.press(poll, data=f"pv:1:{i % 2}")
    await admin.send(group, "/close 1")
    assert f"{len(voters)} people voted." in (await group.expect_message()).text


async def _owner_votes(tg, admin, group) -> dict:
    """Votes #2 and #3 among the four households of building 3, three of them bound: #2 passes
    with all three agreeing, #3 fails with one owner taking part."""
    await import_registry(admin, group, "building,entrance,unit,area\n" + "\n".join(
        f"{label.replace('-', ',')},100" for label in REGISTRY))
    owners = await bind_all(tg, admin, group, BOUND)
    for number, question, voting, verdict in ((2, "New mailboxes for building 3", BOUND, "Passed"),
                                              (3, "Repaint the railings of building 3", BOUND[:1],
                                               "Not passed")):
        poll = await create(admin, group, f"/ownervote {question}")
        await group.expect_message()  # no deadline: the notice period warning
        for label in voting:
            await owners[label].press(poll, "Agree")
        counted = f"owners {len(voting)} of 4"
        await tg.until(lambda p=poll, c=counted: c in p.text, what=counted)
        await admin.send(group, f"/close {number}")
        result = (await group.expect_message()).text
        assert verdict in result and (verdict == "Not passed" or "Not passed" not in result), result
        bulletin, ballots = await group.expect_message(), await group.expect_message()
        assert f"Bulletin of vote #{number}" in bulletin.text
        assert ballots.document.file_name == f"vote-{number}-ballots.csv"
    await tg.wait_idle()
    for owner in owners.values():
        owner.private.skip_messages()  # the votes' notices
    return owners


async def _ideas(tg, admin, group, li, zhao, sun) -> None:
    """Two ideas; the first endorsed twice and accepted by the convener, the second once."""
    benches = await submit(li, group, "/idea Benches for the back hill")
    ramp = await submit(zhao, group, "/wish A ramp at entrance 2")
    for resident in (zhao, sun):
        assert (await resident.press(benches, data="id:e:1")).text == "You endorse #1."
    await li.press(ramp, data="id:e:2")
    await tg.until(lambda: "2 endorsements" in benches.text, what="two endorsements on #1")
    await admin.send(group, "/idea_state 1 accepted")
    assert "Now: accepted" in (await group.expect_message()).text
    assert "News of your idea" in (await li.private.expect_message()).text  # Li started the bot


async def _requests(bot, admin, group, manager, li, zhao) -> None:
    """#1, reported privately, is accepted two hours later, resolved a day after and rated 5 by Li
    (26 hours to resolve); #2, told to the group, is left waiting past its response target."""
    assert await report(li, "The lift of building 3 stops between floors", category="维修") == 1
    await admin.send(group, "/assign 1 物业")
    assert "assigned to Chen" in (await group.expect_message()).text
    notice = await manager.private.expect_message()
    bot.clock.advance(timedelta(hours=2))
    await manager.press(notice, "Accept")
    assert (await manager.private.expect_message()).text == "Request #1 accepted."
    assert "taken on" in (await li.private.expect_message()).text
    bot.clock.advance(timedelta(days=1))
    await manager.send(manager.private, "/request 1 resolve The lift's brake was replaced")
    assert (await manager.private.expect_message()).text == "Request #1 resolved."
    result = await li.private.expect_message()
    await li.press(result, "⭐⭐⭐⭐⭐")
    assert "closed with your rating of 5" in (await li.private.expect_message()).text
    assert await report(zhao, "The gate light of building 3 is broken", category="维修", public=True) == 2
    assert "gate light" in (await group.expect_message()).text


async def _talk_and_reception(bot, admin, group, li) -> int:
    """A weekly evening talk (Li going) and a monthly reception day, where Li asks a question.
    The talks the month holds: every Thursday from now to the month's end."""
    first = parse_event_time("每周四 19:30", bot.clock.now().astimezone(SHANGHAI)).start
    _, talk = await save(admin, group, TALK)
    await li.press(talk, "Going · 0")
    await save(admin, group, "/reception 接待日\n时间 每月25日 9:00-11:00\n地点 小区门口")
    await li.send(group, "/ask 3栋电梯什么时候修好？")
    assert "number 1 in the queue" in (await group.expect_message()).text
    return sum(1 for week in range(6) if (first + timedelta(weeks=week)).month == first.month)


async def _minutes(admin, li, group) -> None:
    """A talk's minutes with three action items: #1 due in two weeks (overdue at the month's end),
    #2 done at once, #3 open without a due date."""
    assert "Action item #1" in (await meeting(admin, li, group)).text
    for number, text in ((2, "换东门路灯"), (3, "装后山长椅")):
        await admin.send(group, f"/action 物业 {text}")
        assert f"Action item #{number}" in (await group.expect_message()).text
    await admin.send(group, "/endmeeting")
    for _ in range(4):  # the minutes and their three files
        await group.expect_message()
    await admin.send(group, "/done 2 已换好")
    assert "Action item #2: done." in (await group.expect_message()).text


RATED = [{d: 5 for d in DIMENSIONS}, {d: 4 for d in DIMENSIONS}, {d: 4 for d in DIMENSIONS} | {"cleaning": 5}]


async def _rating(tg, admin, group, owners) -> None:
    """The three bound households rate the property service; the convener closes the rating."""
    card, survey = await open_rating(admin, group)
    for label, scores in zip(BOUND, RATED, strict=True):
        await rate(owners[label], survey, scores)
    await tg.until(lambda: "Rated so far: 3 of 4 households" in card.text, what="three households rated")
    await admin.send(group, "/rating close")
    assert "the result" in (await group.expect_message()).text


async def _report(group):
    photo = await group.expect_message(timeout=30)
    assert photo.photo is not None
    document = await group.expect_message(timeout=30)
    assert document.document is not None and document.document.file_name.endswith(".pdf")
    return photo, document


async def test_the_month_is_reported_on_the_first_once_also_after_a_restart(bot, tg, english_group):
    now = bot.clock.now().astimezone(SHANGHAI)
    month = _next(date(now.year, now.month, 1))
    bot.clock.advance(_first_of(month, 10) - bot.clock.now())  # the whole month ahead
    admin, (li, zhao, sun, chen), group = await english_group("Li", "Zhao", "Sun", "Chen")
    await _poll(admin, group, (li, zhao))
    owners = await _owner_votes(tg, admin, group)  # before anyone else writes to Wang privately
    await _residents(admin, group, chen, (li, zhao, sun))
    await _ideas(tg, admin, group, li, zhao, sun)
    await _requests(bot, admin, group, chen, li, zhao)
    talks = await _talk_and_reception(bot, admin, group, li)
    await _minutes(admin, li, group)
    await _rating(tg, admin, group, owners)

    await _move_to(bot, tg, group, datetime(month.year, month.month, 25, 9, 30, tzinfo=SHANGHAI))
    await admin.send(group, "/answer 1 下周一前修好")
    assert "Question 1 is answered." in (await group.expect_message()).text
    following = _next(month)
    await _move_to(bot, tg, group, _first_of(following, 0) - timedelta(hours=1))

    bot.clock.advance(_first_of(following, 9, 20) - bot.clock.now())
    photo, document = await _report(group)
    text = photo.text
    scores = [s for rated in RATED for s in rated.values()]
    assert f"Monthly report: {Translator('en', SHANGHAI).month(month)}" in text
    assert "Votes held: 3, turnout" in text and "Owner votes: 1 passed, 1 failed" in text
    assert "Golden ideas: 2 new this month; 0 done in all" in text
    assert "Most endorsed: #1 Benches for the back hill (2)" in text
    assert "Requests received: 2, resolved: 1, overdue: 1" in text
    assert "Satisfaction: 100% (1 of 1 ratings were 4 or 5)" in text
    assert f"Median time to resolve: {Translator('en', SHANGHAI).number(26.0)} hours" in text
    assert f"Talks held: {talks}; reception days: 1; questions answered: 1" in text
    assert "Action items: 1 done, 2 open, 1 overdue" in text
    assert f"Property rating: {round(sum(scores) / len(scores), 1)} of 5" in text
    image = Image.open(io.BytesIO(photo.photo.data))
    assert image.size == (charts.WIDTH, charts.HEIGHT)
    assert document.document.data.startswith(b"%PDF")
    DOCS.mkdir(exist_ok=True)
    (DOCS / "report-month.png").write_bytes(photo.photo.data)
    await group.expect_no_message(within=1.0)

    await bot.restart()
    posted = len(group.bot_messages)
    after = _next(following)
    for day in (3, 10, 17, 24):  # the rest of the month: talks and digests go on, no second report
        bot.clock.advance(datetime(following.year, following.month, day, 9, 30, tzinfo=SHANGHAI)
                          - bot.clock.now())
        await tg.wait_idle(quiet=0.5, timeout=30)
    await _move_to(bot, tg, group, _first_of(after, 0) - timedelta(hours=1))
    assert not [m for m in group.bot_messages[posted:] if m.photo or m.document]

    bot.clock.advance(_first_of(after, 9, 5) - bot.clock.now())
    again, _ = await _report(group)
    assert "Votes held" not in again.text and "No vote closed this month." in again.text
    await group.expect_no_message(within=1.0)

    await li.send(group, f"/report_month {month:%Y-%m}")
    asked, _ = await _report(group)
    assert "Votes held: 3" in asked.text and "Property rating" in asked.text
    await li.send(group, "/report_month 2026-13")
    assert "Usage: /report_month" in (await group.expect_message()).text


async def test_conveners_set_the_time_or_turn_it_off(bot, tg, english_group):
    admin, (li,), group = await english_group("Li")
    await li.send(group, "/report_month schedule 8:30")
    assert "only the conveners" in (await group.expect_message()).text
    await admin.send(group, "/report_month schedule 8:30")
    assert "first of each month at 08:30" in (await group.expect_message()).text
    await admin.send(group, "/report_month schedule off")
    assert "The monthly report is off." in (await group.expect_message()).text
    now = bot.clock.now().astimezone(SHANGHAI)
    following = date(now.year + now.month // 12, now.month % 12 + 1, 1)
    bot.clock.advance(datetime(following.year, following.month, 1, 9, 10, tzinfo=SHANGHAI) - now)
    await group.expect_no_message(within=1.5)
