"""The real bot on this machine, with no token and no network.

The Telegram stand-in serves the Bot API on 127.0.0.1; the same Application and
handlers as in production talk to it over HTTP by long polling, with their own
SQLite database; a cast of residents is there to be played. ``yishi console``,
``yishi demo`` and the tests all start the bot this way.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from bot.app import build_application, running
from bot.clock import Clock
from bot.config import Settings
from bot.local.standin import FakeChat, FakeTelegram, FakeUser
from bot.runtime import Runtime

LANGUAGE_CODES = {"zh_Hans": "zh-hans", "zh_Hant": "zh-hant", "en": "en"}

# The group and the people in it when nobody names others: a convener and three neighbours.
CASTS = {
    "zh_Hans": ("翠苑小区业主群", "王芳", ("李阿姨", "张师傅", "赵老师")),
    "zh_Hant": ("翠苑社區業主群", "王芳", ("李阿姨", "張師傅", "趙老師")),
    "en": ("Cuiyuan owners", "Wang Fang", ("Auntie Li", "Master Zhang", "Teacher Zhao")),
}


def api_spec() -> Path | None:
    """The Bot API description the stand-in checks requests against, when it is at hand:
    ``$YISHI_BOT_API_SPEC``, else ``shared/telegram-bot-api/api.json`` beside the project."""
    configured = os.environ.get("YISHI_BOT_API_SPEC")
    if configured:
        path = Path(configured)
    else:
        path = Path(__file__).resolve().parents[3] / "shared/telegram-bot-api/api.json"
    return path if path.is_file() else None


class LocalBot:
    """Starts and stops the real Application against the stand-in, keeping its database."""

    def __init__(self, tg: FakeTelegram, db_path: Path, clock: Clock | None = None) -> None:
        self.tg = tg
        self.db_path = db_path
        self.clock = clock or Clock()
        self.grace = timedelta(hours=1)
        self.edit_interval = 0.3
        self.locale = "zh_Hans"
        self.tz = "Asia/Shanghai"
        self.group_rate, self.group_window = tg.group_rate  # the limits of the stand-in it talks to
        self.templates: Path | None = None
        self.prepare: list[Callable[[Runtime], None]] = []
        self.app = None
        self._stack: AsyncExitStack | None = None

    def settings(self) -> Settings:
        return Settings(token=self.tg.token, api_url=self.tg.url, db_path=self.db_path,
                        locale=self.locale, tz=self.tz, grace=self.grace, templates_dir=self.templates,
                        edit_interval=self.edit_interval, group_rate=self.group_rate,
                        group_window=self.group_window)

    @property
    def runtime(self) -> Runtime:
        return self.app.bot_data["runtime"]

    async def start(self) -> None:
        assert self._stack is None, "already running"
        self.app = build_application(self.settings(), self.clock)
        for step in self.prepare:
            step(self.runtime)
        self._stack = AsyncExitStack()
        await self._stack.enter_async_context(running(self.app, poll_timeout=1))

    async def stop(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    def busy(self) -> bool:
        """Whether the bot has work in hand: updates being handled, sends waiting for their flood
        window, or schedules arming, delivering or about to wake."""
        return (self.app.update_processor.busy or self.app.bot.rate_limiter.waiting
                or self.runtime.scheduler.busy())

    async def restart(self) -> None:
        await self.stop()
        await self.start()


class Sandbox:
    """The stand-in, the bot and a group with a convener and neighbours, as one context::

        async with Sandbox(locale="zh_Hant") as box:
            await box.admin.send(box.group, "/help")
            await box.settle()
            await box.skip(timedelta(days=1))   # reminders and deadlines come due
    """

    def __init__(
        self,
        *,
        locale: str = "zh_Hans",
        tz: str = "Asia/Shanghai",
        db_path: Path | None = None,
        title: str | None = None,
        admin: str | None = None,
        residents: tuple[str, ...] | None = None,
        starts_at: datetime | None = None,
        edit_interval: float = 1.0,
        group_rate: int = 20,
        templates: Path | None = None,
    ) -> None:
        default_title, default_admin, default_residents = CASTS[locale]
        self.locale = locale
        self.tz = ZoneInfo(tz)
        self.title = title or default_title
        self.admin_name = admin or default_admin
        self.resident_names = residents if residents is not None else default_residents
        offset = starts_at - datetime.now(UTC) if starts_at is not None else timedelta(0)
        self.clock = Clock(offset)
        self._db_path = db_path
        self._tz_name = tz
        self._edit_interval = edit_interval
        self._group_rate = group_rate
        self._templates = templates
        self._stack = AsyncExitStack()
        self.tg: FakeTelegram
        self.bot: LocalBot
        self.group: FakeChat
        self.admin: FakeUser
        self.people: dict[str, FakeUser] = {}

    async def __aenter__(self) -> Sandbox:
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _start(self) -> None:
        db_path = self._db_path
        if db_path is None:
            folder = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="yishi-"))
            db_path = Path(folder) / "yishi.sqlite3"
        self.tg = await self._stack.enter_async_context(
            FakeTelegram(spec_path=api_spec(), group_rate=(self._group_rate, 60.0))
        )
        self.bot = LocalBot(self.tg, db_path, self.clock)
        self.bot.locale, self.bot.tz, self.bot.templates = self.locale, self._tz_name, self._templates
        self.bot.edit_interval, self.bot.group_rate = self._edit_interval, self._group_rate
        await self.bot.start()
        self._stack.push_async_callback(self.bot.stop)
        self.admin = self.person_named(self.admin_name)
        self.group = self.tg.group(self.title, admins=[self.admin],
                                   members=[self.person_named(n) for n in self.resident_names])
        await self.group.add_bot(by=self.admin)
        await self.settle()

    def person_named(self, name: str) -> FakeUser:
        """The person called ``name``, made (with the sandbox's language) on first mention."""
        if name not in self.people:
            self.people[name] = self.tg.user(name, language_code=LANGUAGE_CODES[self.locale])
        return self.people[name]

    def find(self, name: str) -> FakeUser | None:
        """The person whose name is ``name``, or the only one it begins (case aside)."""
        if name in self.people:
            return self.people[name]
        folded = name.casefold()
        found = [p for n, p in self.people.items() if n.casefold().startswith(folded)]
        return found[0] if len(found) == 1 else None

    def join(self, name: str) -> FakeUser:
        """A neighbour joins the group (the bot sees them arrive)."""
        person = self.person_named(name)
        self.group.add_member(person)
        return person

    async def open_link(self, person: FakeUser, url: str) -> bool:
        """``person`` opens a link: one to the bot (t.me/<bot>?start=…) opens their private chat
        with it and presses Start, as Telegram does. False for any other link."""
        parts = urlsplit(url)
        if parts.netloc != "t.me" or parts.path.strip("/") != self.tg.bot_username:
            return False
        payload = parse_qs(parts.query).get("start", [""])[0]
        await person.send(person.private, f"/start {payload}".strip())
        return True

    def now(self) -> datetime:
        """The bot's time, in the sandbox's time zone."""
        return self.clock.now().astimezone(self.tz)

    async def settle(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Wait until the bot has answered everything, sent what fell due and fallen quiet."""
        while True:
            await self.tg.wait_idle(quiet=0.3, timeout=timeout)
            if not self.bot.busy():
                return
            await asyncio.sleep(0.05)

    async def skip(self, span: timedelta) -> None:
        """Move the bot's clock forward. It stops at every reminder and deadline on the way, so
        each goes out in turn, as if the time had passed."""
        end = self.clock.now() + span
        scheduler = self.bot.runtime.scheduler
        while (stop := await scheduler.next_after(self.clock.now())) is not None and stop < end:
            self.clock.advance(max(stop - self.clock.now(), timedelta(0)) + timedelta(seconds=1))
            await self.settle()
        self.clock.advance(max(end - self.clock.now(), timedelta(0)))
        await self.settle()
