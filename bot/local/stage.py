"""A story played against the sandbox, told as it goes and checked step by step.

``Stage`` shows what happens in the chats it follows, announces each step, plays the people
(they write, open the bot's links, press buttons, wait for the clock) and checks that the bot
writes what the step expects; a step that does not get it raises ``StepFailed``. ``yishi demo``
plays its story on a stage.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.i18n import N_, Translator
from bot.local.sandbox import Sandbox
from bot.local.standin import FakeChat, FakeMessage, FakeUser
from bot.local.terminal import Fragments, Transcript, show


class StepFailed(Exception):
    """A step of the story did not get what it expected."""


class Stage:
    """The sandbox's chats as a transcript, the story's steps, and the checks of what the bot writes."""

    def __init__(self, box: Sandbox, t: Translator, out: Path) -> None:
        self.box = box
        self.t = t
        self.out = out
        self.shown = {box.group.id, box.admin.id}
        self.transcript = Transcript(box.tg, t, out, box.now, show=lambda chat: chat.id in self.shown)
        self.text: list[str] = []
        self.number = 0
        self.read = {chat.id: len(chat.bot_messages) for chat in box.tg.chats.values()}  # the greeting

    # -- telling -----------------------------------------------------------------------------

    def write(self, fragments: Fragments) -> None:
        if fragments:
            show(fragments)
            self.text.append("".join(text for _, text in fragments) + "\n")  # as printed

    def step(self, message: str, **params: object) -> None:
        """Start the next step: show what happened so far, then say what comes."""
        self.write(self.transcript.take())
        self.number += 1
        self.write([("", "\n"), ("class:bot", f"▶ {self.number}. " + self.t.gettext(message, **params)),
                    ("", "\n")])

    def aside(self, message: str, **params: object) -> None:
        self.write(self.transcript.take())
        self.write([("class:note", "  … " + self.t.gettext(message, **params) + "\n")])

    # -- acting and checking ---------------------------------------------------------------

    async def says(self, person: FakeUser, text: str, chat: FakeChat | None = None,
                   reply_to: FakeMessage | None = None) -> FakeMessage:
        said = await person.send(chat or self.box.group, text, reply_to=reply_to)
        await self.box.settle()
        return said

    async def expect(self, chat: FakeChat, *wanted: str) -> FakeMessage:
        """The first message of the bot in ``chat`` not looked at yet that contains all of ``wanted``."""
        start = self.read.get(chat.id, 0)
        found: list[FakeMessage] = []

        def arrived() -> bool:
            for index, message in enumerate(chat.bot_messages[start:], start):
                if all(w in reads(message) for w in wanted):
                    self.read[chat.id] = index + 1
                    found.append(message)
                    return True
            return False

        try:
            await self.box.tg.until(arrived, timeout=30)
        except AssertionError:
            recent = "\n---\n".join(reads(m) for m in chat.bot_messages[start:][-3:]) or "-"
            raise StepFailed(self.t.gettext(
                "Step %(step)s: the bot did not write %(wanted)s in %(chat)s. It wrote:\n%(recent)s",
                step=self.number, wanted=" + ".join(repr(w) for w in wanted),
                chat=self.transcript.chat_label(chat), recent=recent)) from None
        return found[0]

    async def shows(self, message: FakeMessage, *wanted: str) -> None:
        """``message`` (edited live) comes to contain all of ``wanted``, in its text or its buttons."""
        try:
            await self.box.tg.until(lambda: all(w in reads(message) for w in wanted), timeout=30)
        except AssertionError:
            raise StepFailed(self.t.gettext(
                "Step %(step)s: message #%(id)s does not show %(wanted)s. It reads:\n%(text)s",
                step=self.number, id=message.message_id, wanted=" + ".join(repr(w) for w in wanted),
                text=reads(message))) from None

    async def opens(self, person: FakeUser, message: FakeMessage) -> FakeMessage:
        """``person`` opens the link button of ``message`` and gets the bot's answer privately."""
        links = [b.url for row in message.buttons for b in row if b.url]
        self.read[person.private.id] = len(person.private.bot_messages)  # what came before is not the answer
        if not links or not await self.box.open_link(person, links[0]):
            raise StepFailed(self.t.gettext("Step %(step)s: message #%(id)s has no link to the bot.",
                                            step=self.number, id=message.message_id))
        return await self.expect(person.private)

    async def presses(self, person: FakeUser, message: FakeMessage, number: int) -> None:
        """``person`` presses the ``number``-th button (from 0) of ``message``."""
        buttons = [b for row in message.buttons for b in row]
        await person.press(message, data=buttons[number].callback_data)  # answered: the press counted

    async def skip_to(self, when: str) -> None:
        target = datetime.fromisoformat(when).replace(tzinfo=self.box.tz)
        span = target - self.box.now()
        self.aside(N_("The clock moves on to %(time)s."), time=self.t.datetime(target))
        await self.box.skip(span)

    def part(self, message: str, cut: str, **params: object) -> str:
        """The translation of ``message`` up to the placeholder ``cut`` (whose value varies)."""
        return self.t.gettext(message).split(cut)[0] % params

    def m2(self, centi: int) -> str:
        return f"{self.t.area(centi)} m²"


def reads(message: FakeMessage) -> str:
    """What a message says: its text, then its buttons."""
    return "\n".join([message.text or "", *message.button_texts])
