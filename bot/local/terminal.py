"""What happens in the Telegram stand-in, written for a terminal.

Messages and edits appear in the order they happen, under a line naming the
chat and the sender; the bot's formatting (bold, italic, code, links, quotes,
spoilers) becomes terminal styles; inline keyboards become numbered buttons;
documents and photos are saved to a folder and named. prompt_toolkit does the
styling, and writes plain text when the output is not a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from copy import copy
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.styles import Style

from bot.i18n import Translator
from bot.local.standin import Button, FakeChat, FakeMessage, FakeTelegram
from bot.local.standin.text import utf16_index

STYLE = Style.from_dict({
    "header": "fg:ansibrightblack",
    "bot": "bold fg:ansigreen",
    "person": "bold fg:ansiyellow",
    "b": "bold",
    "i": "italic",
    "u": "underline",
    "s": "strike",
    "code": "fg:ansicyan",
    "link": "underline fg:ansiblue",
    "quote": "italic fg:ansibrightblack",
    "spoiler": "reverse",
    "button": "fg:ansimagenta",
    "file": "fg:ansicyan",
    "note": "fg:ansibrightblack",
    "problem": "bold fg:ansired",
})

_ENTITY_CLASSES = {
    "bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "spoiler": "spoiler",
    "code": "code", "pre": "code", "text_link": "link", "url": "link", "mention": "link",
    "text_mention": "link", "bot_command": "code", "blockquote": "quote", "expandable_blockquote": "quote",
}  # fmt: skip

Fragments = list[tuple[str, str]]


def styled(text: str, entities: list[dict]) -> Fragments:
    """``text`` cut where its entities begin and end, each piece with the classes covering it."""
    index = utf16_index(text)
    position = {offset: i for i, offset in enumerate(index)}
    cuts = {0, len(text)}
    spans = []
    for entity in entities:
        css = _ENTITY_CLASSES.get(entity["type"])
        start = position.get(entity["offset"])
        end = position.get(entity["offset"] + entity["length"])
        if css and start is not None and end is not None:
            spans.append((start, end, css))
            cuts |= {start, end}
    bounds = sorted(cuts)
    out: Fragments = []
    for start, end in pairwise(bounds):
        classes = [css for s, e, css in spans if s <= start and end <= e]
        out.append((" ".join(f"class:{c}" for c in classes), text[start:end]))
    return out


def show(fragments: Fragments) -> None:
    """Print styled text on a terminal, plain text anywhere else (a pipe, a file)."""
    if not fragments:
        return
    if sys.stdout.isatty():
        print_formatted_text(FormattedText(fragments), style=STYLE, file=sys.stdout)
    else:
        print("".join(text for _, text in fragments), flush=True)


def indented(fragments: Fragments, margin: str = "  ") -> Fragments:
    """Start every line of ``fragments`` with ``margin``."""
    out: Fragments = [("", margin)]
    for css, text in fragments:
        lines = text.split("\n")
        out.append((css, lines[0]))
        for line in lines[1:]:
            out.extend([("", "\n" + margin), (css, line)])
    return out


class Transcript:
    """Everything said in the stand-in, kept in order until it is written out."""

    def __init__(
        self,
        tg: FakeTelegram,
        t: Translator,
        files: Path,
        now: Callable[[], datetime],
        show: Callable[[FakeChat], bool] = lambda chat: True,
    ) -> None:
        self.tg = tg
        self.t = t
        self.files = files
        self.now = now
        self.show = show
        self.saved: list[Path] = []
        self._pending: list[tuple[str, FakeMessage, FakeMessage, datetime]] = []
        self._numbers: dict[tuple[int, int, int, int], int] = {}
        self._buttons: dict[int, tuple[FakeMessage, int, int]] = {}
        self.close = tg.watch(self._happened)
        for chat in list(tg.chats.values()):  # what was said before the transcript began
            for message in chat.messages:
                self._happened("new", message)

    def _happened(self, kind: str, message: FakeMessage) -> None:
        if not message.service and self.show(message.chat):
            # as it reads now (an edit replaces fields), and when
            self._pending.append((kind, message, copy(message), self.now()))

    def button(self, number: int) -> tuple[FakeMessage, Button] | None:
        """The button shown with ``number``, as the message carries it now."""
        found = self._buttons.get(number)
        if found is None:
            return None
        message, row, column = found
        rows = message.buttons
        if message.deleted or row >= len(rows) or column >= len(rows[row]):
            return None
        return message, rows[row][column]

    def chat_label(self, chat: FakeChat) -> str:
        if chat.type == "private" and chat.user is not None:
            return self.t.gettext("private chat with %(name)s", name=chat.user.full_name)
        return chat.title or ""

    def take(self) -> Fragments:
        """What happened since the last call, ready to print."""
        pending, self._pending = self._pending, []
        out: Fragments = []
        for kind, message, snapshot, when in pending:
            out.extend(self._render(kind, snapshot, message, when))
        return out

    def write(self) -> None:
        """Print what happened since the last call."""
        show(self.take())

    def _render(self, kind: str, message: FakeMessage, live: FakeMessage, when: datetime) -> Fragments:
        """``message`` as it read then; its buttons press ``live``, the message as it is now."""
        from_bot = message.sender is self.tg.bot
        who = self.t.gettext("Yishi") if from_bot else message.sender.full_name
        head: Fragments = [("class:header", f"[{self.chat_label(message.chat)}] "),
                           ("class:bot" if from_bot else "class:person", who),
                           ("class:header", f" #{message.message_id}")]
        if message.reply_to is not None:
            head.append(("class:header", f" ↩ #{message.reply_to.message_id}"))
        if kind == "edit":
            head.append(("class:header", " ✎ " + self.t.gettext("edited")))
        if kind == "delete":
            return [*head, ("class:header", " ✗ " + self.t.gettext("deleted") + "\n")]
        head.append(("class:header", " · " + self.t.datetime(when)))
        out: Fragments = [*head, ("", "\n")]
        if message.text:
            out.extend(indented(styled(message.text, message.entities)))
            out.append(("", "\n"))
        media = message.document or message.photo
        if media is not None:
            name = media.file_name or f"photo-{message.chat.id}-{message.message_id}.jpg"
            line = f"📎 {name}"
            if from_bot:
                line += " → " + str(self._save(name, media.data))
            out.extend([("", "  "), ("class:file", line), ("", "\n")])
        out.extend(self._keyboard(message, live))
        return out

    def _keyboard(self, message: FakeMessage, live: FakeMessage) -> Fragments:
        out: Fragments = []
        for r, row in enumerate(message.buttons):
            out.append(("", " "))
            for c, button in enumerate(row):
                key = (message.chat.id, message.message_id, r, c)
                if key not in self._numbers:
                    self._numbers[key] = len(self._numbers) + 1
                    self._buttons[self._numbers[key]] = (live, r, c)
                arrow = " ↗" if button.url else ""
                out.append(("class:button", f" [{self._numbers[key]} {button.text}{arrow}]"))
            out.append(("", "\n"))
        return out

    def _save(self, name: str, data: bytes) -> Path:
        """Write a file the bot sent into the folder; a different file of the same name gets a number."""
        self.files.mkdir(parents=True, exist_ok=True)
        stem, suffix = Path(name).stem, Path(name).suffix
        path, n = self.files / Path(name).name, 1
        while path.exists() and path.read_bytes() != data:
            n += 1
            path = self.files / f"{stem}-{n}{suffix}"
        path.write_bytes(data)
        if path not in self.saved:
            self.saved.append(path)
        return path.resolve()
