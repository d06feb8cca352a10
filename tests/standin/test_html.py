"""Telegram's HTML formatting rules, as reproduced by the stand-in."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.local.standin.html import HtmlError, parse_html
from bot.local.standin.text import detect_entities, trim, utf16_len


def test_nested_tags_produce_entities_in_utf16_units() -> None:
    text, entities = parse_html("😀 <b>bold <i>both</i></b> <u>u</u>")
    assert text == "😀 bold both u"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "underline", "offset": 13, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("<strong>x</strong>", "bold"),
        ("<em>x</em>", "italic"),
        ("<ins>x</ins>", "underline"),
        ("<s>x</s>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"),
        ("<del>x</del>", "strikethrough"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ("<B>x</B>", "bold"),
    ],
)
def test_every_documented_tag(source: str, kind: str) -> None:
    assert parse_html(source) == ("x", [{"type": kind, "offset": 0, "length": 1}])


def test_links_code_blocks_and_custom_emoji() -> None:
    assert parse_html('<a href="https://example.org/a?b=1&amp;c=2">here</a>') == (
        "here",
        [{"type": "text_link", "offset": 0, "length": 4, "url": "https://example.org/a?b=1&c=2"}],
    )
    assert parse_html('<pre><code class="language-python">x = 1</code></pre>') == (
        "x = 1",
        [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
    )
    assert parse_html('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>')[1] == [
        {
            "type": "custom_emoji",
            "offset": 0,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        }
    ]
    user = {"id": 1001, "is_bot": False, "first_name": "Alice"}
    assert parse_html('<a href="tg://user?id=1001">Alice</a>', {1001: user})[1] == [
        {"type": "text_mention", "offset": 0, "length": 5, "user": user}
    ]


def test_supported_entities_are_decoded() -> None:
    assert parse_html("&lt;a&gt; &amp; &quot;q&quot; &#65;&#x1F600;") == ('<a> & "q" A😀', [])


@pytest.mark.parametrize(
    ("source", "description"),
    [
        ("line<br>next", 'Unsupported start tag "br" at byte offset 4'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("closed</b>", "Unexpected end tag at byte offset 6"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ('<span class="other">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;"'),
        ("Tom & Jerry", 'Character "&" must be escaped'),
        ("&copy;", 'Unsupported HTML entity "&copy;"'),
    ],
)
def test_invalid_markup_is_rejected(source: str, description: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(source)
    assert description in str(caught.value)


def test_byte_offsets_count_utf8_bytes() -> None:
    with pytest.raises(HtmlError, match='"br" at byte offset 6'):
        parse_html("翠苑<br>")


@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    plain, entities = parse_html(html.escape(text))
    assert plain == text
    assert entities == []


@given(st.text(min_size=1), st.text(min_size=1))
def test_entity_offsets_are_utf16(before: str, inside: str) -> None:
    source = f"{html.escape(before)}<b>{html.escape(inside)}</b>"
    plain, entities = parse_html(source)
    assert entities == [{"type": "bold", "offset": utf16_len(before), "length": utf16_len(inside)}]
    assert plain == before + inside


def test_trim_keeps_entities_aligned() -> None:
    text, entities = trim("\n  hi there \n", [{"type": "bold", "offset": 3, "length": 10}])
    assert text == "hi there"
    assert entities == [{"type": "bold", "offset": 0, "length": 8}]


def test_detected_entities() -> None:
    found = detect_entities("/vote@yishi_test_bot now, ask @alice_w see https://t.me/x #议事 a/b")
    kinds = [(e["type"], e["offset"], e["length"]) for e in found]
    assert kinds == [
        ("bot_command", 0, 20),
        ("mention", 30, 8),
        ("url", 43, 14),
        ("hashtag", 58, 3),
    ]
    assert detect_entities("see /help and /start") == [
        {"type": "bot_command", "offset": 4, "length": 5},
        {"type": "bot_command", "offset": 14, "length": 6},
    ]
