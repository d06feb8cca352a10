"""Telegram HTML from Jinja2 templates, and splitting long messages.

One Jinja2 environment per locale (autoescape on, ``jinja2.ext.i18n`` bound to
that locale's catalog), so concurrent updates in different languages share no
mutable state. A deployer's template directory (``YISHI_TEMPLATES``) is searched
before the templates shipped in ``bot/templates``.
"""

from __future__ import annotations

import html
import re
from collections import deque
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, pass_context
from markupsafe import Markup, escape

from bot.i18n import LOCALES, Translator, translations

LIMIT = 4096
FILTERS = ("date", "time", "datetime", "days", "month", "holiday", "weekday", "number", "percent", "area",
           "duration", "listing", "place")
PUNCTUATION = ("aside", "labelled", "named")


class Renderer:
    def __init__(self, override_dir: Path | None = None) -> None:
        loaders = [FileSystemLoader(str(override_dir))] if override_dir else []
        loader = ChoiceLoader([*loaders, PackageLoader("bot", "templates")])
        self._envs = {locale: self._environment(loader, locale) for locale in LOCALES}

    @staticmethod
    def _environment(loader, locale: str) -> Environment:
        env = Environment(
            loader=loader,
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
        for name in FILTERS:
            env.filters[name] = _filter(name)
        for name in PUNCTUATION:
            env.filters[name] = _punctuation(name)
        return env

    def render(self, name: str, t: Translator, /, **context: object) -> str:
        """Render ``name`` in the translator's locale; the result is Telegram HTML."""
        template = self._envs[t.locale].get_template(name)
        return _BLANKS.sub("\n\n", template.render(t=t, **context)).strip()


def _filter(method: str):
    @pass_context
    def apply(context, value, *args):
        return getattr(context["t"], method)(value, *args)

    return apply


def _punctuation(method: str):
    """A filter putting the language's punctuation around parts; the parts are escaped unless markup.

    A missing part (``None``) stays missing rather than becoming the word "None".
    """

    @pass_context
    def apply(context, *parts):
        return Markup(getattr(context["t"], method)(*(None if p is None else escape(p) for p in parts)))

    return apply


_BLANKS = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")  # at most one blank line in a row
_TOKEN = re.compile(r"<[^>]*>|&[^;\s]{1,10};|\n|[^<&\n]", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _visible(source: str) -> int:
    """Length as Telegram counts it: tags removed, entities decoded."""
    return sum(_width(token) for token in _TOKEN.findall(source))


def _width(token: str) -> int:
    if token.startswith("<"):
        return 0
    return _units(html.unescape(token)) if token.startswith("&") else _units(token)


def _track(stack: list[tuple[str, str]], tag: str) -> None:
    match = _TAG.match(tag)
    if not match:
        return
    closing, name = match.group(1), match.group(2).lower()
    if not closing:
        stack.append((name, tag))
    elif stack and stack[-1][0] == name:
        stack.pop()


def split_message(source: str, limit: int = LIMIT) -> list[str]:
    """Cut Telegram HTML into parts of at most ``limit`` visible UTF-16 units each.

    A part ends at a line break when one falls in its second half, else at the
    limit. No tag or entity is ever cut: tags open at a cut are closed at the
    end of the part and opened again at the start of the next.
    """
    if _visible(source) <= limit:
        return [source]
    queue = deque(_TOKEN.findall(source))
    parts: list[str] = []
    part: list[str] = []
    stack: list[tuple[str, str]] = []
    size = 0
    line_break: tuple[int, list[tuple[str, str]], int] | None = None  # (index, stack, size)
    while queue:
        token = queue.popleft()
        width = _width(token)
        if width == 0:
            part.append(token)
            _track(stack, token)
            continue
        if size + width > limit and size > 0:
            if line_break and line_break[2] >= limit // 2:
                cut, open_tags, dropped = line_break[0], line_break[1], 1
            else:
                cut, open_tags, dropped = len(part), list(stack), 0
            parts.append("".join(part[:cut]) + "".join(f"</{n}>" for n, _ in reversed(open_tags)))
            queue.appendleft(token)
            queue.extendleft(reversed(part[cut + dropped:]))
            part, stack, size, line_break = [tag for _, tag in open_tags], list(open_tags), 0, None
            continue
        if token == "\n":
            line_break = (len(part), list(stack), size)
        part.append(token)
        size += width
    parts.append("".join(part))
    return [p for p in parts if re.sub(r"<[^>]*>", "", p).strip()]
