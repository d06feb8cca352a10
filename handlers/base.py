"""What every handler does first: who is speaking, where, in which language, with which rights.

A handler stays thin: ``turn = await Turn.load(update, context)``, check the
right with ``await turn.require_convener()``, call the domain and storage, then
``await turn.reply(...)``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NamedTuple

from telegram import InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import CallbackContext

from bot.domain.models import Chat, Person
from bot.domain.roles import is_convener, leads_scope
from bot.i18n import N_, Translator
from bot.refresh import Shown
from bot.render import split_message
from bot.runtime import Runtime, runtime
from storage import chats, communities, members, roles, topics, users

log = logging.getLogger(__name__)
_COMMAND = re.compile(r"^/\S+[ \t]*")
ANSWER_LIMIT = 200  # characters Telegram shows in a button's toast or alert
# Button data is matched whole (``rf"^pv:{ID}:[0-9]$"``): a press with a field more or less, or a
# number no key can hold, matches no feature and is answered as a stale button.
ID = r"[0-9]{1,10}"
CHAT = r"-?[0-9]{1,16}"


class Command(NamedTuple):
    """An entry of the command menus and of /help."""

    name: str
    description: str  # English msgid, marked with N_
    convener: bool  # in groups: offered to conveners only
    where: str = "group"  # "group", "private" or "both"

    @property
    def in_groups(self) -> bool:
        return self.where in ("group", "both")

    @property
    def in_private(self) -> bool:
        return self.where in ("private", "both")


def offered(commands: list[Command], private: bool, convener: bool) -> list[Command]:
    """The commands a person may use in a private chat, or in a group as resident/convener."""
    if private:
        return [c for c in commands if c.in_private]
    return [c for c in commands if c.in_groups and (convener or not c.convener)]


class Refused(Exception):
    """The speaker may not do this; the message (already translated) is sent back, with
    ``markup`` (a way to do it right, such as the guided path) when given."""

    def __init__(self, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
        super().__init__(message)
        self.markup = markup


def person_of(user) -> Person:
    return Person(user.id, user.first_name, user.last_name, user.username, user.language_code)


@dataclass
class Turn:
    update: Update
    context: CallbackContext
    rt: Runtime
    chat: Chat | None
    person: Person | None
    t: Translator
    # A guided flow posts from the person's private chat into (group, topic), as if they had
    # typed the command there: see ``posting_in``.
    target: tuple[int, int | None] | None = None

    @classmethod
    async def load(cls, update: Update, context: CallbackContext) -> Turn:
        rt = runtime(context)  # lifecycle.track has stored the chat and the person already
        chat = await chats.get(rt.store, update.effective_chat.id) if update.effective_chat else None
        person = person_of(update.effective_user) if update.effective_user else None
        return cls(update, context, rt, chat, person, rt.translator(chat, person))

    @property
    def chat_id(self) -> int:
        return self.target[0] if self.target else self.update.effective_chat.id

    async def posting_in(self, chat_id: int, thread: int | None) -> Turn:
        """This turn as if it had come from the group ``chat_id`` (its topic ``thread``): what
        it says goes there, in the group's language."""
        chat = await chats.get(self.rt.store, chat_id)
        return dataclasses.replace(self, chat=chat, t=self.rt.translator(chat, self.person),
                                   target=(chat_id, thread))

    @property
    def body(self) -> str:
        """What follows the command in the message (or a photo's caption), its lines kept."""
        message = self.update.effective_message
        return _COMMAND.sub("", message.text or message.caption or "", count=1)

    @property
    def thread(self) -> int | None:
        """The forum topic the update came from (None: the General topic, or no topics)."""
        if self.target is not None:
            return self.target[1]
        message = self.update.effective_message
        return message.message_thread_id if message is not None and message.is_topic_message else None

    @property
    def quoted(self) -> Message | None:
        """The message this one answers, when the person answered one. In a forum topic Telegram
        shows every message as an answer to the topic's first message: that is no answer."""
        message = self.update.effective_message
        quoted = message.reply_to_message if message is not None else None
        if quoted is None or (message.is_topic_message and quoted.message_id == message.message_thread_id):
            return None
        return quoted

    async def keep_topic(self, *subjects: str) -> None:
        """Later messages about ``subjects`` ("poll:12", "ideas") go to the topic this came from."""
        if not self.in_private:
            await topics.remember(self.rt.store, self.chat_id, self.thread, *subjects)

    @property
    def in_private(self) -> bool:
        return self.target is None and self.update.effective_chat.type == "private"

    @property
    def origin(self) -> str:
        """The key of what this update creates: handled again after a crash, it finds that
        instead of making another (a button press by its id, anything else by the update's)."""
        query = self.update.callback_query
        return f"q{query.id}" if query is not None else f"u{self.update.update_id}"

    async def role_names(self, chat_id: int | None = None) -> set[str]:
        """The roles the speaker holds in the community of ``chat_id`` (default: this chat)."""
        if self.person is None or (chat_id is None and self.chat is None):
            return set()
        chat_id = self.chat_id if chat_id is None else chat_id
        return {grant.role for grant in await roles.of_user(self.rt.store, chat_id, self.person.id)}

    async def is_convener(self) -> bool:
        if self.person is None:
            return False
        if self.in_private:
            return True  # one's own private chat
        return await self.convenes(self.chat_id)

    async def convenes(self, chat_id: int) -> bool:
        """Whether the speaker convenes the group ``chat_id`` (asked from anywhere): its Telegram
        administrators do, for what is started there, and so do the community's conveners."""
        if self.person is None:
            return False
        if self.person.id in await self.rt.admins.ids(self.context.bot, chat_id):
            return True
        return await self.convenes_community(chat_id)

    async def convenes_community(self, chat_id: int | None = None) -> bool:
        """Whether the speaker convenes the whole community of ``chat_id`` (default: this chat):
        an administrator of its main group, or a convener or deputy granted in it."""
        if self.person is None:
            return False
        chat = self.chat if chat_id is None or (self.chat and chat_id == self.chat.id) else \
            await chats.get(self.rt.store, chat_id)
        if chat is None or chat.main_chat_id is None:
            return False
        admins = await self.rt.admins.ids(self.context.bot, chat.main_chat_id)
        return is_convener(self.person.id in admins, await self.role_names(chat.id))

    async def require_community_convener(self) -> None:
        if self.in_private or not await self.convenes_community():
            raise Refused(self.t.gettext(
                "Sorry, only the community's conveners (the main group's administrators and the "
                "conveners it named) can do that."))

    async def lead_buildings(self, chat_id: int | None = None) -> set[str]:
        """The buildings the speaker leads in the community of ``chat_id``: granted as building
        lead, or an administrator of a building group (who leads that group's buildings)."""
        if self.person is None:
            return set()
        chat_id = self.chat_id if chat_id is None else chat_id
        grants = await roles.of_user(self.rt.store, chat_id, self.person.id)
        led = {g.building for g in grants if g.role == "building_lead"}
        community = await communities.of_chat(self.rt.store, chat_id)
        for group, _, role, buildings in community.chats if community else ():
            if role == "building" and self.person.id in await self.rt.admins.ids(self.context.bot, group):
                led.update(buildings)
        return led

    async def manages(self, chat_id: int, scope: tuple[str, ...] = ()) -> bool:
        """Whether the speaker manages something started in ``chat_id``: the community's conveners
        and that chat's administrators do; building leads do when it concerns only their
        buildings (``scope``)."""
        if await self.convenes(chat_id):
            return True
        return bool(scope) and leads_scope(await self.lead_buildings(chat_id), scope)

    async def require_convener(self, chat_id: int | None = None) -> None:
        """Refuse unless the speaker convenes this chat (``chat_id``: the chat something was started
        in, whose administrators and the community's conveners manage it)."""
        if not await (self.is_convener() if chat_id is None else self.convenes(chat_id)):
            raise Refused(self.t.gettext("Sorry, only the conveners of this chat can do that."))

    async def require_private_chat(self) -> None:
        """Refuse, saying how to start the bot, unless the speaker may be written to privately."""
        if not await may_write(self.rt, self.person.id if self.person else None):
            raise Refused(self.t.gettext(
                "I cannot write to you privately yet: open a private chat with me, press Start, "
                "then try again."))

    def render(self, template: str, /, **context: object) -> str:
        return self.rt.renderer.render(template, self.t, chat=self.chat, **context)

    async def reply(self, html: str, markup: InlineKeyboardMarkup | None = None) -> Message:
        """Send Telegram HTML to the chat (split if long), answering the triggering message."""
        message = self.update.effective_message
        reply_to = (ReplyParameters(message.message_id, allow_sending_without_reply=True)
                    if message is not None and self.update.callback_query is None and self.target is None
                    else None)
        try:
            return await send_html(self.context.bot, self.chat_id, html, markup, reply_to, self.thread)
        except ChatMigrated as moved:  # the group became a supergroup meanwhile: follow it
            await self.rt.migrate_chat(self.chat_id, moved.new_chat_id)
            return await send_html(self.context.bot, moved.new_chat_id, html, markup)

    async def send_file(self, data: bytes, filename: str, **extra: object) -> Message:
        """Send a document here (in the topic this came from); ``extra``: caption and the like."""
        return await send_file(self.context.bot, self.chat_id, data, filename, self.thread, **extra)

    async def answer(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the pressed button (a toast, or an alert when ``alert``). A press Telegram
        delivered twice was answered the first time: the second answer is dropped."""
        try:
            await self.update.callback_query.answer(text[:ANSWER_LIMIT] if text else text,
                                                    show_alert=alert)
        except BadRequest as error:
            if "query is too old" not in str(error).lower():
                raise
            log.info("button press %s answered already", self.update.callback_query.id)


async def send_html(bot, chat_id: int, html: str, markup: InlineKeyboardMarkup | None = None,
                    reply_to: ReplyParameters | None = None, thread: int | None = None) -> Message:
    """Send possibly long HTML as consecutive messages, in forum topic ``thread`` when given; the
    keyboard rides on the last one."""
    parts = split_message(html)
    sent: Message | None = None
    for index, part in enumerate(parts):
        sent = await in_topic(functools.partial(
            bot.send_message, chat_id, part, parse_mode=ParseMode.HTML,
            reply_markup=markup if index == len(parts) - 1 else None,
            reply_parameters=reply_to if index == 0 else None, link_preview_options=None), thread)
        thread = sent.message_thread_id if sent.is_topic_message else None
    return sent  # type: ignore[return-value]


async def send_file(bot, chat_id: int, data: bytes, filename: str, thread: int | None = None,
                    **extra: object) -> Message:
    """Send a document (``extra``: caption and the like), in forum topic ``thread`` when given."""
    return await in_topic(functools.partial(bot.send_document, chat_id, data, filename=filename, **extra),
                          thread)


TOPIC_GONE = ("message thread not found", "topic_closed")


async def in_topic(send: Callable[..., Awaitable[Message]], thread: int | None) -> Message:
    """``send(message_thread_id=thread)``; when the topic was deleted or closed meanwhile, the
    message goes to the General topic instead of being lost."""
    try:
        return await send(message_thread_id=thread)
    except BadRequest as error:
        if thread is None or not any(reason in str(error).lower() for reason in TOPIC_GONE):
            raise
        log.info("topic %s is gone or closed: sent to General instead", thread)
        return await send(message_thread_id=None)


def deep_link(username: str, payload: str) -> str:
    """``t.me/<bot>?start=<payload>``: opens a private chat with the bot, which gets /start <payload>."""
    return f"https://t.me/{username}?start={payload}"


StartLink = Callable[["Turn", str], Awaitable[None]]


def start_links(app) -> dict[str, StartLink]:
    """Deep links ``t.me/<bot>?start=<prefix><payload>``: a feature registers its prefix here,
    and /start in a private chat hands it the payload."""
    return app.bot_data.setdefault("start_links", {})


async def tell_privately(rt: Runtime, bot, user_id: int | None, html: str,
                         markup: InlineKeyboardMarkup | None = None) -> bool:
    """Write to a person in their private chat; False when the bot may not (they never started
    it, or blocked it: then nothing is sent), so the caller can fall back to the group."""
    if not await may_write(rt, user_id):
        return False
    try:
        await send_html(bot, user_id, html, markup)
    except Forbidden as error:  # blocked, and the bot has not heard of it yet
        log.info("cannot write to %s privately: %s", user_id, error)
        await rt.blocked_by(user_id)
        return False
    return True


ASKED_GROUPS = 200  # groups asked about a person who has only ever written to the bot privately
NO_GROUP = N_("You are not in any group I serve. Ask your community group's convener to add me to the "
              "group, then try again.")


async def groups_of(turn: Turn) -> list[tuple[int, str]]:
    """The communities the person acts for in private: (main group id, community name); the one
    they chose, when they belong to several and chose. When the bot has seen them in none (they
    have only written privately), it asks Telegram about each group it serves and remembers
    what it learns."""
    rt, person = turn.rt, turn.person.id
    found = await members.groups_of(rt.store, person)
    if not found:
        await _ask_membership(turn)
        found = await members.groups_of(rt.store, person)
    chosen = await communities.chosen(rt.store, person) if len(found) > 1 else None
    return [place for place in found if place[0] == chosen] or found


async def _ask_membership(turn: Turn) -> None:
    rt, person = turn.rt, turn.person.id
    now, asking = rt.clock.now(), asyncio.Semaphore(8)

    async def ask(chat_id: int) -> None:
        async with asking:
            try:
                member = await turn.context.bot.get_chat_member(chat_id, person)
            except TelegramError:  # the person is unknown there, or the bot was removed
                return
        if member.status in ("member", "administrator", "creator") or getattr(member, "is_member", False):
            await members.seen(rt.store, chat_id, person, now)

    await asyncio.gather(*(ask(chat_id) for chat_id in await chats.active_groups(rt.store, ASKED_GROUPS)))


async def may_write(rt: Runtime, user_id: int | None) -> bool:
    """Whether the person has started the bot (and not blocked it since): Telegram refuses a
    bot's message to anyone else."""
    person = await users.get(rt.store, user_id) if user_id is not None else None
    return person is not None and person.started


async def edit_html(bot, chat_id: int, message_id: int, html: str,
                    markup: InlineKeyboardMarkup | None = None, *, shown: Shown | None = None) -> None:
    """Replace the text of one of the bot's messages. A message someone deleted is fine (there is
    nothing left to show the change in). With ``shown`` (what live messages show, kept for the
    messages only this function edits), an edit that would change nothing is not sent."""
    digest = shown.digest(html, markup) if shown is not None else ""
    if shown is not None and await shown.same(chat_id, message_id, digest):
        return
    try:
        await bot.edit_message_text(html, chat_id=chat_id, message_id=message_id,
                                    parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        reason = str(error).lower()
        if "message to edit not found" in reason:
            log.warning("message %s in chat %s is gone: not edited", message_id, chat_id)
            if shown is not None:
                await shown.forget(chat_id, message_id)
            return
        if "not modified" not in reason:
            raise
    if shown is not None:
        await shown.remember(chat_id, message_id, digest)


def handler(fn: Callable[[Turn], Awaitable[None]]) -> Callable[[Update, CallbackContext], Awaitable[None]]:
    """Wrap a feature function: load the turn, and turn a refusal into a polite answer."""

    @functools.wraps(fn)
    async def wrapped(update: Update, context: CallbackContext) -> None:
        turn = await Turn.load(update, context)
        try:
            await fn(turn)
        except Refused as refusal:
            if update.callback_query is not None:
                await turn.answer(str(refusal), alert=True)
            else:
                await turn.reply(html.escape(str(refusal)), refusal.markup)

    return wrapped
