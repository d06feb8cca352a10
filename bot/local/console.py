"""`yishi console`: chat with the real bot in a terminal, as any of a group's residents.

The bot runs exactly as in production, against the Telegram stand-in on this
machine. Lines are sent as the current person in the current chat; lines that
start with ":" are the console's own commands (``:help`` lists them).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from prompt_toolkit import PromptSession
from prompt_toolkit.key_binding import KeyBindings

from bot.domain.spans import span as parse_span
from bot.i18n import N_, Translator
from bot.local.sandbox import Sandbox
from bot.local.standin import FakeChat, FakeUser
from bot.local.terminal import Transcript, show

HELP = N_("""Type a message and press Enter to send it as the current person in the current chat.
Alt+Enter (or Esc, then Enter) starts a new line; pasted lines stay together.

  :as NAME          speak as someone else (the start of a name is enough)
  :group            write in the group
  :private          write in the current person's private chat with the bot
  :press N          press button N (also just :N)
  :reply N TEXT     answer message #N of the current chat
  :file PATH [TEXT] send a file, with TEXT as its caption
  :join NAME        a new neighbour joins the group
  :people           who is here
  :skip SPAN        move the clock forward, e.g. :skip 1d, :skip 2h30m, :skip 1天
  :time             what time it is for the bot
  :help             this help
  :quit             leave (Ctrl+D too)""")


class ConsoleError(Exception):
    """Something the console cannot do; its text (translated) is shown, nothing changes."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.params = params


@dataclass
class Options:
    locale: str = "zh_Hans"
    tz: str = "Asia/Shanghai"
    db_path: Path | None = None
    files: Path = Path("yishi-files")
    title: str | None = None
    admin: str | None = None
    residents: tuple[str, ...] | None = None
    templates: Path | None = None


def read_file(name: str) -> tuple[str, bytes] | None:
    path = Path(name).expanduser()
    return (path.name, path.read_bytes()) if path.is_file() else None


class Console:
    def __init__(self, box: Sandbox, t: Translator, files: Path) -> None:
        self.box = box
        self.t = t
        self.transcript = Transcript(box.tg, t, files, box.now)
        self.person: FakeUser = box.admin
        self.chat: FakeChat = box.group
        self.done = False
        self.violations_seen = 0

    # -- output ----------------------------------------------------------------------------

    def say(self, text: str, css: str = "class:note") -> None:
        show([(css, text)])

    def prompt(self) -> str:
        when = self.t.datetime(self.box.now())
        return f"{self.person.full_name} @ {self.transcript.chat_label(self.chat)} [{when}] › "

    # -- input -----------------------------------------------------------------------------

    async def handle(self, line: str) -> None:
        """One line typed at the prompt; problems are shown, never raised."""
        try:
            if line.startswith(":"):
                await self.command(line[1:])
            elif line.strip():
                await self.person.send(self.chat, line)
            await self.box.settle()
        except ConsoleError as problem:
            self.say(self.t.gettext(str(problem), **problem.params), "class:problem")
        except Exception as problem:  # the stand-in refused, or the bot did not answer: say so, go on
            self.say(self.t.gettext("That did not work: %(why)s", why=problem), "class:problem")
        self.show_news()

    def show_news(self) -> None:
        """What the bot did, and any request of its that Telegram would have refused."""
        self.transcript.write()
        for violation in self.box.tg.violations[self.violations_seen:]:
            self.say("⚠ " + self.t.gettext("The bot broke the Bot API: %(what)s", what=violation),
                     "class:problem")
        self.violations_seen = len(self.box.tg.violations)

    async def command(self, text: str) -> None:
        word, _, rest = text.strip().partition(" ")
        rest = rest.strip()
        word = word.casefold()
        if word.isdigit():
            word, rest = "press", word
        handler = {
            "as": self.speak_as, "group": self.to_group, "private": self.to_private,
            "press": self.press, "reply": self.reply, "file": self.send_file, "join": self.join,
            "people": self.list_people, "skip": self.skip, "time": self.show_time,
            "help": self.show_help, "quit": self.quit, "q": self.quit, "exit": self.quit,
        }.get(word)  # fmt: skip
        if handler is None:
            raise ConsoleError(N_("There is no console command :%(word)s. Type :help for the list."),
                               word=word)
        await handler(rest)

    async def speak_as(self, name: str) -> None:
        person = self.box.find(name) if name else None
        if person is None:
            raise ConsoleError(N_("Nobody here is called %(name)s. Here are: %(people)s."),
                               name=name, people=self.t.listing(self.box.people))
        self.person = person
        if self.chat.type == "private":
            self.chat = person.private

    async def to_group(self, _: str) -> None:
        self.chat = self.box.group

    async def to_private(self, _: str) -> None:
        self.chat = self.person.private

    async def press(self, number: str) -> None:
        found = self.transcript.button(int(number)) if number.isdigit() else None
        if found is None:
            raise ConsoleError(N_("There is no button %(number)s to press."), number=number)
        message, button = found
        if message.chat.type == "private" and message.chat.user is not self.person:
            raise ConsoleError(N_("Button %(number)s is in %(chat)s; only that person can press it."),
                               number=number, chat=self.transcript.chat_label(message.chat))
        if button.url:
            if await self.box.open_link(self.person, button.url):
                self.chat = self.person.private
            else:
                self.say(self.t.gettext("The button opens %(url)s", url=button.url))
            return
        answer = await self.person.press(message, data=button.callback_data)
        if answer.text:
            self.say(("⚠ " if answer.show_alert else "↳ ") + answer.text)

    async def reply(self, rest: str) -> None:
        number, _, text = rest.partition(" ")
        target = None
        if number.lstrip("#").isdigit():
            wanted = int(number.lstrip("#"))
            target = next((m for m in self.chat.messages if m.message_id == wanted and not m.deleted), None)
        if target is None or not text.strip():
            raise ConsoleError(N_("Write :reply, a message number of this chat, then your text."))
        await self.person.send(self.chat, text.strip(), reply_to=target)

    async def send_file(self, rest: str) -> None:
        name, _, caption = rest.partition(" ")
        found = read_file(name) if name else None
        if found is None:
            raise ConsoleError(N_("There is no file %(path)s."), path=name)
        await self.person.send_document(self.chat, *found, caption=caption or None)

    async def join(self, name: str) -> None:
        if not name:
            raise ConsoleError(N_("Write :join and the new neighbour's name."))
        if name in self.box.people:
            raise ConsoleError(N_("%(name)s is here already."), name=name)
        self.box.join(name)

    async def list_people(self, _: str) -> None:
        for name, person in self.box.people.items():
            marks = [self.t.gettext("convener")] if person in self.box.group.admins else []
            if person is self.person:
                marks.append(self.t.gettext("speaking now"))
            self.say("  " + (self.t.gettext("%(name)s (%(notes)s)", name=name, notes=self.t.listing(marks))
                             if marks else name))

    async def skip(self, text: str) -> None:
        span = parse_span(text)
        if span is None:
            raise ConsoleError(N_("Write how far to move the clock, e.g. :skip 1d, :skip 2h30m, :skip 3天."))
        self.say("⏩ " + self.t.gettext("The clock moves %(span)s forward, to %(time)s.",
                                       span=self.t.duration(span),
                                       time=self.t.datetime(self.box.now() + span)))
        await self.box.skip(span)

    async def show_time(self, _: str) -> None:
        self.say(self.t.gettext("It is %(time)s.", time=self.t.datetime(self.box.now())))

    async def show_help(self, _: str) -> None:
        self.say(self.t.gettext(HELP), "")

    async def quit(self, _: str) -> None:
        self.done = True

    # -- the loop --------------------------------------------------------------------------

    async def follow(self) -> None:
        """Print what the bot does by itself (reminders, deadlines, delayed edits) as it happens."""
        while True:
            await self.box.tg.next_change()
            await asyncio.sleep(0.2)
            self.show_news()

    async def run(self) -> None:
        self.show_news()
        self.say(self.t.gettext("Type :help for the console's commands."))
        follower = asyncio.create_task(self.follow())
        try:
            if sys.stdin.isatty():
                await self._interactive()
            else:
                await self._piped()
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
        self.show_news()

    async def _interactive(self) -> None:
        keys = KeyBindings()

        @keys.add("escape", "enter")
        def _newline(event) -> None:
            event.current_buffer.insert_text("\n")

        session: PromptSession[str] = PromptSession(key_bindings=keys, erase_when_done=True)
        while not self.done:
            try:
                line = await session.prompt_async(self.prompt())
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            await self.handle(line)

    async def _piped(self) -> None:
        """Lines from a pipe or file: one message (or console command) a line."""
        loop = asyncio.get_running_loop()
        while not self.done:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            await self.handle(line.rstrip("\n"))


async def console(options: Options) -> int:
    t = Translator(options.locale, ZoneInfo(options.tz))
    async with Sandbox(locale=options.locale, tz=options.tz, db_path=options.db_path, title=options.title,
                       admin=options.admin, residents=options.residents,
                       templates=options.templates) as box:
        where = str(options.db_path) if options.db_path else t.gettext("a temporary database")
        show([
            ("class:bot", t.gettext("Yishi console")),
            ("class:note", " · " + t.gettext(
                "the real bot and a stand-in for Telegram on this machine; no token, no network.")),
            ("", "\n"),
            ("class:note", t.gettext("Data: %(db)s. Files the bot sends go to %(files)s.",
                                     db=where, files=options.files.resolve())),
        ])
        await Console(box, t, options.files).run()
    return 0
