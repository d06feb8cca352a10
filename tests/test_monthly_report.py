"""The monthly report (月报): figures, charts in three scripts, and the post on the first of the month.

The e2e story saves the report's image to docs/report-month.png (the manuals' screenshot)."""

from __future__ import annotations

import io
import logging
import sqlite3
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot import charts
from bot.domain import monthly as rules
from bot.domain.requests import Figures
from bot.i18n import Translator
from storage.times import to_db

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

def _seed(db_path: Path, chat_id: int, user_id: int, now: datetime) -> None:
    """A month's votes, requests, talk, reception day and action items, as the features store them."""
    at = to_db(now - timedelta(minutes=30))
    with sqlite3.connect(db_path) as db:
        (community,) = db.execute("SELECT community_id FROM community_chats WHERE chat_id = ?",
                                  (chat_id,)).fetchone()
        for number, kind in ((1, "single"), (2, "owner")):
            cur = db.execute(
                """INSERT INTO polls (community_id, chat_id, number, kind, question, created_by, created_at,
                                      status, closed_at, deadline) VALUES (?, ?, ?, ?, ?, ?, ?,
                                      'closed', ?, ?)""",
                (community, chat_id, number, kind, f"Question {number}", user_id, at, at, at))
            if kind == "single":
                db.execute("""INSERT INTO ballots (poll_id, voter, user_id, choices, seq, joined_seq)
                              VALUES (?, ?, ?, '[0]', 1, 1)""", (cur.lastrowid, str(user_id), user_id))
        db.execute(
            """INSERT INTO requests (community_id, chat_id, number, reporter_id, category, text, state,
                   rating, created_at, respond_by, resolve_by, accepted_at, resolved_at, closed_at)
               VALUES (?, ?, 1, ?, 'repairs', 'The lift', 'closed', 5, ?, ?, ?, ?, ?, ?)""",
            (community, chat_id, user_id, at, to_db(now + timedelta(days=1)), to_db(now + timedelta(days=3)),
             at, at, at))
        for number, kind in ((1, "talk"), (2, "reception")):
            cur = db.execute(
                """INSERT INTO events (community_id, chat_id, number, kind, title, start_at, tz, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, 'Asia/Shanghai', ?)""",
                (community, chat_id, number, kind, f"Event {number}", to_db(now - timedelta(minutes=20)), at))
            if kind == "reception":
                db.execute("""INSERT INTO reception_questions (event_id, occurrence, number, user_id, name,
                                  text,
                                  state, answer, asked_at, settled_at)
                              VALUES (?, ?, 1, ?, 'Li', 'The gate?', 'answered', 'Fixed', ?, ?)""",
                           (cur.lastrowid, to_db(now - timedelta(minutes=20)), user_id, at, at))
        cur = db.execute("""INSERT INTO meetings (community_id, chat_id, number, kind, chair_id, chair_name,
                                status, started_at, ended_at)
                                VALUES (?, ?, 1, 'talk', ?, 'Wang', 'closed', ?, ?)""",
                         (community, chat_id, user_id, at, at))
        for number, status in ((1, "done"), (2, "open")):
            db.execute("""INSERT INTO action_items (community_id, chat_id, number, meeting_id,
                              owner_name, text, due_at, status, created_at, updated_at)
                              VALUES (?, ?, ?, ?, 'Wang', 'Fix', ?, ?, ?, ?)""",
                       (community, chat_id, number, cur.lastrowid, at, status, at, at))


async def _report(group):
    photo = await group.expect_message(timeout=30)
    assert photo.photo is not None
    document = await group.expect_message(timeout=30)
    assert document.document is not None and document.document.file_name.endswith(".pdf")
    return photo, document


async def test_the_month_is_reported_on_the_first_once_also_after_a_restart(bot, tg, english_group):
    admin, (li, zhao), group = await english_group("Li", "Zhao")
    await li.send(group, "/idea Benches for the back hill")
    card = await group.expect_message()
    await zhao.press(card, data="id:e:1")
    await tg.wait_idle(quiet=0.3)
    now = bot.clock.now()
    _seed(bot.db_path, group.id, admin.id, now)
    local = now.astimezone(SHANGHAI)
    month = date(local.year, local.month, 1)
    following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    first = datetime(following.year, following.month, 1, 9, 20, tzinfo=SHANGHAI)

    bot.clock.advance(first - now)
    photo, document = await _report(group)
    text = photo.text
    assert f"Monthly report: {Translator('en', SHANGHAI).month(month)}" in text
    assert "Votes held: 2" in text and "Owner votes: 0 passed, 1 failed" in text
    assert "Most endorsed: #1 Benches for the back hill (1)" in text
    assert "Requests received: 1, resolved: 1, overdue: 0" in text
    assert "Satisfaction: 100% (1 of 1 ratings were 4 or 5)" in text
    assert "Talks held: 1; reception days: 1; questions answered: 1" in text
    assert "Action items: 1 done, 1 open, 1 overdue" in text
    assert "Property rating" in text
    image = Image.open(io.BytesIO(photo.photo.data))
    assert image.size == (charts.WIDTH, charts.HEIGHT)
    assert document.document.data.startswith(b"%PDF")
    DOCS.mkdir(exist_ok=True)
    (DOCS / "report-month.png").write_bytes(photo.photo.data)
    await group.expect_no_message(within=1.0)

    await bot.restart()
    bot.clock.advance(timedelta(days=3))
    await group.expect_no_message(within=1.5)

    later = datetime(following.year + following.month // 12, following.month % 12 + 1, 1, 9, 5,
                     tzinfo=SHANGHAI)
    bot.clock.advance(later - bot.clock.now())
    again, _ = await _report(group)
    assert "Votes held" not in again.text and "No vote closed this month." in again.text
    await group.expect_no_message(within=1.0)

    await li.send(group, f"/report_month {month:%Y-%m}")
    asked, _ = await _report(group)
    assert "Votes held: 2" in asked.text
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
