"""Templates render Telegram HTML in the chat's language; long messages split safely."""

from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import Translator
from bot.local.standin.html import parse_html
from bot.local.standin.text import utf16_len
from bot.render import Renderer, split_message

SH = ZoneInfo("Asia/Shanghai")


def test_templates_speak_the_chat_language_and_escape_user_text():
    renderer = Renderer()
    html = renderer.render("role_granted.html.j2", Translator("zh_Hant", SH),
                           name="<b>Bob & Co</b>", role="樓長", building="6")
    assert html == "&lt;b&gt;Bob &amp; Co&lt;/b&gt;現為6棟的樓長。"
    text, _ = parse_html(html)
    assert text == "<b>Bob & Co</b>現為6棟的樓長。"


def test_punctuation_filters_keep_markup_and_escape_text(tmp_path):
    (tmp_path / "who.html.j2").write_text(
        "{% set who %}<i>{{ name }}</i>{% endset %}{{ who | labelled(said) }}{{ note | aside }}")
    html = Renderer(tmp_path).render("who.html.j2", Translator("zh_Hans", SH),
                                     name="李强", said="<b>漏雨</b>", note="A & B")
    assert html == "<i>李强</i>：&lt;b&gt;漏雨&lt;/b&gt;（A &amp; B）"
    (tmp_path / "untitled.html.j2").write_text("{{ kind | labelled(title) }}")
    untitled = Renderer(tmp_path).render("untitled.html.j2", Translator("en", SH), kind="Talk", title=None)
    assert untitled == "Talk"  # a meeting without a title shows no colon and no "None"


def test_deployer_templates_override_the_shipped_ones(tmp_path):
    (tmp_path / "start_group.html.j2").write_text("<b>{{ _('Hello, neighbours!') }}</b> 翠苑")
    html = Renderer(tmp_path).render("start_group.html.j2", Translator("zh_Hans", SH))
    assert html == "<b>各位邻居好！</b> 翠苑"
    # templates not overridden still come from the package
    assert "lang" not in html and Renderer(tmp_path).render("lang.html.j2", Translator("en", SH))


def test_short_messages_are_left_alone():
    assert split_message("<b>hi</b> &amp; bye") == ["<b>hi</b> &amp; bye"]


def test_long_minutes_split_at_line_breaks_with_tags_reopened():
    lines = [f"<b>第{i}条</b> <i>居民发言：电梯 &amp; 停车</i> 😀" for i in range(800)]
    html = "<blockquote>" + "\n".join(lines) + "</blockquote>"
    parts = split_message(html)
    assert len(parts) > 1
    plain = []
    for part in parts:
        text, entities = parse_html(part)  # raises if a tag or entity was cut
        assert 1 <= utf16_len(text) <= 4096
        assert any(e["type"] == "blockquote" for e in entities)
        plain.append(text)
    assert "\n".join(plain) == parse_html(html)[0]


fragments = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(blacklist_characters="<>&", blacklist_categories=("Cs",)),
                max_size=30),
        st.sampled_from(["\n", "&amp;", "&lt;", "&#128512;", "😀", "电梯"]),
        st.tuples(st.sampled_from(["b", "i", "u", "s", "code"]),
                  st.text(alphabet="abc 小区\n😀", max_size=40)).map(
            lambda t: f"<{t[0]}>{t[1]}</{t[0]}>"),
    ),
    min_size=1, max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(fragments, st.integers(min_value=8, max_value=300))
def test_any_html_splits_into_valid_parts_within_the_limit(pieces, limit):
    html = "".join(pieces)
    if not parse_html(html)[0].strip():
        return
    parts = split_message(html, limit)
    for part in parts:
        text, _ = parse_html(part)
        assert utf16_len(text) <= limit
    whole = parse_html(html)[0]
    rebuilt = "".join(parse_html(p)[0] for p in parts)
    # cuts drop at most the line break they were made at
    assert rebuilt.replace("\n", "") == whole.replace("\n", "").strip() or \
        rebuilt.replace("\n", "").strip() == whole.replace("\n", "").strip()


def test_babel_filters_format_in_the_chat_locale_and_zone(tmp_path):
    from datetime import UTC, date, datetime

    (tmp_path / "when.html.j2").write_text(
        "{{ when|datetime }}｜{{ when|date }}｜{{ n|number }}｜{{ share|percent }}")
    when = datetime(2026, 7, 20, 11, 30, tzinfo=UTC)
    renderer = Renderer(tmp_path)
    hans = renderer.render("when.html.j2", Translator("zh_Hans", SH, date(2026, 7, 1)), when=when, n=3754,
                           share=0.75)
    hant = renderer.render("when.html.j2", Translator("zh_Hant", ZoneInfo("Asia/Taipei"), date(2026, 7, 1)),
                           when=when, n=3754, share=0.75)
    en = renderer.render("when.html.j2", Translator("en", SH, date(2025, 12, 1)), when=when, n=3754,
                         share=0.75)
    assert hans == "7月20日（周一）19:30｜7月20日（周一）｜3,754｜75%"  # one style, defined once
    assert hant == "7月20日（週一）19:30｜7月20日（週一）｜3,754｜75%"
    assert en == "Mon 20 Jul 2026 19:30｜Mon 20 Jul 2026｜3,754｜75%"  # another year: with its year
