"""What every handler and job shares: settings, clock, database, scheduler, renderer."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.config import Settings
from bot.domain.models import Chat, Person
from bot.i18n import Translator, negotiate
from bot.refresh import Refresher
from bot.render import Renderer
from bot.scheduler import Scheduler
from storage import chats, users
from storage.db import Database

log = logging.getLogger(__name__)
ADMIN_TTL = timedelta(minutes=5)
RECENT_PRESSES = 10_000


@dataclass
class AdminCache:
    """Telegram administrators per chat, refreshed on chat_member updates and after ADMIN_TTL."""

    clock: Clock
    _cache: dict[int, tuple[datetime, frozenset[int]]] = field(default_factory=dict)

    async def ids(self, bot: Bot, chat_id: int) -> frozenset[int]:
        now = self.clock.now()
        cached = self._cache.get(chat_id)
        if cached and now - cached[0] < ADMIN_TTL:
            return cached[1]
        try:
            admins = await bot.get_chat_administrators(chat_id)
        except TelegramError:
            log.info("administrators of chat %s unavailable", chat_id, exc_info=True)
            return cached[1] if cached else frozenset()
        ids = frozenset(member.user.id for member in admins)
        self._cache[chat_id] = (now, ids)
        return ids

    def forget(self, chat_id: int) -> None:
        self._cache.pop(chat_id, None)


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    renderer: Renderer
    scheduler: Scheduler
    admins: AdminCache
    refresher: Refresher
    db: Database | None = None
    seen: dict = field(default_factory=dict)  # last stored (chat/user) facts, to skip rewrites
    presses: OrderedDict = field(default_factory=OrderedDict)  # recent button presses handled

    @property
    def store(self) -> Database:
        if self.db is None:
            raise RuntimeError("database not open")
        return self.db

    def first_press(self, query_id: str) -> bool:
        """False for a button press handled already (Telegram may deliver one twice)."""
        if query_id in self.presses:
            return False
        self.presses[query_id] = None
        if len(self.presses) > RECENT_PRESSES:
            self.presses.popitem(last=False)
        return True

    def translator(self, chat: Chat | None, person: Person | None = None) -> Translator:
        locale = negotiate(chat.locale if chat else None, chat.kind if chat else "private",
                           person.language_code if person else None, self.settings.locale)
        tz = (chat.tz if chat and chat.tz else None) or self.settings.tz
        return Translator(locale, ZoneInfo(tz), self.clock.now().astimezone(ZoneInfo(tz)).date())

    async def deactivate_chat(self, chat_id: int) -> None:
        """The bot was removed or blocked: the chat goes quiet and its schedules pause."""
        await chats.set_active(self.store, chat_id, False, self.clock.now())
        await self.scheduler.pause_chat(chat_id)
        self.admins.forget(chat_id)

    async def blocked_by(self, user_id: int) -> None:
        """The person blocked the bot: nothing is sent to them until they write to it again."""
        await users.set_started(self.store, user_id, False)
        self.seen.pop(("user", user_id), None)

    async def activate_chat(self, chat_id: int) -> None:
        await chats.set_active(self.store, chat_id, True, self.clock.now())
        await self.scheduler.arm_all(chat_id)

    async def migrate_chat(self, old_id: int, new_id: int) -> bool:
        """A group became a supergroup: its rows and jobs move to the new id."""
        moved = await chats.migrate(self.store, old_id, new_id, "supergroup", self.clock.now())
        self.admins.forget(old_id)
        self.seen.pop(("chat", old_id), None)
        self.seen.pop(("chat", new_id), None)
        if moved:
            log.info("chat %s migrated to %s", old_id, new_id)
            await self.scheduler.arm_all(new_id)
        return moved


def runtime(context: CallbackContext | Application) -> Runtime:
    data = context.bot_data
    return data["runtime"]
