"""What the console and the demo print: the bot's formatting as styles, buttons numbered, files saved."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.local.terminal import Transcript, indented, styled


def test_entities_become_styles_counted_in_utf16_units():
    text = "👋 Vote now: read more"
    # "👋" is two UTF-16 units, so "Vote" starts at 3; the link covers "read more"
    entities = [{"type": "bold", "offset": 3, "length": 8},
                {"type": "italic", "offset": 8, "length": 3},
                {"type": "text_link", "offset": 13, "length": 9, "url": "https://example.org"}]
    assert styled(text, entities) == [
        ("", "👋 "), ("class:b", "Vote "), ("class:b class:i", "now"), ("", ": "),
        ("class:link", "read more"),
    ]


def test_plain_text_stays_whole_and_lines_are_indented():
    assert styled("no entities", []) == [("", "no entities")]
    assert indented([("class:b", "one\ntwo")]) == [
        ("", "  "), ("class:b", "one"), ("", "\n  "), ("class:b", "two"),
    ]


def plain(fragments) -> str:
    return "".join(text for _, text in fragments)


async def test_the_transcript_numbers_buttons_keeps_them_through_edits_and_saves_files(
        bot, tg, english_group, tmp_path: Path):
    admin, (li,), group = await english_group("Li")
    t = Translator("en", ZoneInfo("Asia/Shanghai"), date(2026, 7, 13))
    transcript = Transcript(tg, t, tmp_path / "files", lambda: datetime(2026, 7, 13, 2, tzinfo=UTC))
    shown = plain(transcript.take())
    # said before it began:
    assert "[Cuiyuan owners] Yishi #2 · Mon 13 Jul 10:00\n  Hello, neighbours!" in shown

    await admin.send(group, "/propose Paint the railings green")
    await tg.wait_idle()
    shown = plain(transcript.take())
    assert "[Cuiyuan owners] Wang Fang #3 · Mon 13 Jul 10:00\n  /propose Paint the railings green" in shown
    assert "[Cuiyuan owners] Yishi #4 ↩ #3" in shown
    assert "\n  [1 Agree · 0]\n  [2 Disagree · 0]\n  [3 Abstain · 0]\n" in shown

    message, button = transcript.button(2)
    await li.press(message, data=button.callback_data)
    await tg.until(lambda: "Disagree: 1" in (message.text or ""))
    await tg.wait_idle()
    shown = plain(transcript.take())
    assert "Yishi #4 ↩ #3 ✎ edited" in shown and "\n  [2 Disagree · 1]\n" in shown
    assert transcript.button(4) is None and transcript.take() == []

    await admin.send(admin.private, "/start")
    await admin.private.expect_message()
    for _ in range(2):  # the same file twice: saved once; a different one of the same name gets a number
        await admin.send(group, "/export 1")
        await admin.private.expect_message()
        await group.expect_message()
        transcript.take()
    await li.press(message, data=message.buttons[0][0].callback_data)
    await admin.send(group, "/export 1")
    await admin.private.expect_message()
    await group.expect_message()
    await tg.wait_idle()
    shown = plain(transcript.take())
    saved = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert saved == ["vote-1-2.csv", "vote-1.csv"]
    assert f"📎 vote-1.csv → {tmp_path / 'files' / 'vote-1-2.csv'}" in shown
