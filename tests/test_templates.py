"""Translated strings placed in templates are HTML as Telegram accepts it, in every language."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_file
from jinja2.ext import babel_extract

from bot.i18n import LOCALES, Translator
from bot.local.standin.html import HtmlError, parse_html

TEMPLATES = Path(__file__).resolve().parents[1] / "bot" / "templates"


def template_messages():
    for path in sorted(TEMPLATES.glob("*.j2")):
        for _, message, _, _ in extract_from_file(
                babel_extract, str(path), keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
                options={"trim_blocks": "true", "lstrip_blocks": "true"}):
            for text in (message if isinstance(message, tuple) else (message,)):
                if text:
                    yield path.name, text


@pytest.mark.parametrize("locale", LOCALES)
def test_template_strings_parse_as_telegram_html(locale):
    t = Translator(locale, ZoneInfo("Asia/Shanghai"))
    broken = []
    found = list(template_messages())
    assert found
    for name, msgid in found:
        try:
            parse_html(t.gettext(msgid))
        except HtmlError as error:
            broken.append(f"{name}: {msgid!r}: {error}")
    assert broken == []
