"""A database left by release 0.1.0 (tests/release.py made it) opens with this code and keeps
every vote, idea, request, talk and minute, which still work."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bot.local.sandbox import LocalBot
from tests import release

FIXTURE = Path(__file__).parent / "fixtures" / "release-0.1.0.sqlite3"


async def test_a_release_database_is_read_and_goes_on_working(tg, tmp_path):
    db = tmp_path / "yishi.sqlite3"
    shutil.copy(FIXTURE, db)
    admin, (li, zhao, sun), group = release.cast(tg)  # the same people, with the same ids
    group.bot_status = "member"  # the bot is in the group already, as it was
    for person in (admin, li, zhao, sun):
        person.started = True
        person.private.bot_status = "member"
    with sqlite3.connect(db) as conn:  # Telegram numbers updates on from the last the bot saw
        tg.continue_updates_after(conn.execute("SELECT max(update_id) FROM inbox").fetchone()[0])
    bot = LocalBot(tg, db)
    bot.locale = "en"
    await bot.start()

    async def answer():
        """The next answer in the group, past the talk's reminder (due when this runs on its eve)."""
        message = await group.expect_message()
        while message.text.startswith("⏰"):
            message = await group.expect_message()
        return message

    try:
        await admin.send(group, "/polls")
        votes = (await answer()).text
        for question in ("Replace the lifts of building 6", "Where should the bike shelter go?",
                         "Saturday clean-up"):
            assert question in votes, votes
        await admin.send(group, "/ideas")
        assert "Benches under the plane trees" in (await answer()).text
        await admin.send(group, "/events")
        assert "Evening talk" in (await answer()).text
        await admin.send(group, "/meetings")
        assert "Pavilion roof" in (await answer()).text
        await admin.send(group, "/actions")
        assert "Repair the pavilion roof" in (await answer()).text
        await admin.send(group, "/requests")
        await answer()
        assert "The lift of building 6 stops" in (await admin.private.expect_message()).text
        await admin.send(group, "/notvoted 2")
        assert "Sun, Wang Fang, and Zhao" in (await answer()).text  # Li voted then

        await admin.send(group, "/poll Paint the fence?\nGreen\nBrown")  # numbering goes on
        poll = await answer()
        assert "#4" in poll.text
        await zhao.press(poll, "Green · 0")
        await tg.until(lambda: "Green: 1" in poll.text, what="a vote counted")
    finally:
        await bot.stop()
