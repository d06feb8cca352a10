"""An item's cards: its first message and the copies posted in other chats of its community
(an owner vote announced in building groups, a chain or a talk shared on purpose). Every copy
shows the same item in its own chat's language and is kept up to date with the first."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden

from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.base import edit_html, send_html
from storage import chats, posts

log = logging.getLogger(__name__)

Render = Callable[[Translator], Awaitable[tuple[str, InlineKeyboardMarkup | None]]]


async def of(rt: Runtime, kind: str, item) -> list[tuple[int, int]]:
    """(chat, message) of every card of ``item`` (with ``chat_id``, ``message_id``, ``id``)."""
    first = [(item.chat_id, item.message_id)] if item.message_id else []
    return first + await posts.of(rt.store, kind, item.id)


async def is_card(rt: Runtime, kind: str, item, chat_id: int, message_id: int) -> bool:
    return (chat_id, message_id) in await of(rt, kind, item)


def reply_in(cards: list[tuple[int, int]], chat_id: int) -> ReplyParameters | None:
    """A reply to the item's card in ``chat_id``, if it has one there."""
    message = next((m for c, m in cards if c == chat_id), None)
    return ReplyParameters(message, allow_sending_without_reply=True) if message else None


async def post(rt: Runtime, bot, kind: str, item, chat_id: int, render: Render) -> bool:
    """Post a further card of ``item`` in ``chat_id`` (once: a chat that has one keeps it).
    False when the bot may no longer write there (removed, or muted)."""
    if any(c == chat_id for c, _ in await of(rt, kind, item)):
        return True
    t = rt.translator(await chats.get(rt.store, chat_id))
    try:
        message = await send_html(bot, chat_id, *await render(t))
    except (BadRequest, Forbidden) as error:
        log.warning("cannot post %s %s in chat %s: %s", kind, item.id, chat_id, error)
        return False
    await posts.add(rt.store, kind, item.id, chat_id, message.message_id, rt.clock.now())
    return True


async def tell_all(rt: Runtime, bot, kind: str, item, render: Render, *, thread: int | None = None,
                   only: list[int] | None = None) -> list[tuple[int, int]]:
    """Send a message about ``item`` in every chat it is shown in (``only``: those chats), each
    in its chat's language, as an answer to the card there (``thread``: the forum topic in the
    item's own chat). A chat the bot was removed from is skipped; the item's own chat must hear it.
    Returns (chat, message) of what was sent."""
    shown = await of(rt, kind, item)
    sent = []
    for chat_id in only if only is not None else dict.fromkeys([item.chat_id, *(c for c, _ in shown)]):
        t = rt.translator(await chats.get(rt.store, chat_id))
        try:
            message = await send_html(bot, chat_id, *await render(t), reply_to=reply_in(shown, chat_id),
                                      thread=thread if chat_id == item.chat_id else None)
        except Forbidden as error:
            if chat_id == item.chat_id:
                raise
            log.warning("not told about %s %s in chat %s: %s", kind, item.id, chat_id, error)
            continue
        sent.append((chat_id, message.message_id))
    return sent


async def edit_all(rt: Runtime, bot, kind: str, item, render: Render) -> None:
    """Bring every card of ``item`` up to date, each in its chat's language."""
    for chat_id, message_id in await of(rt, kind, item):
        t = rt.translator(await chats.get(rt.store, chat_id))
        try:
            await edit_html(bot, chat_id, message_id, *await render(t), shown=rt.refresher.shown)
        except Forbidden as error:  # removed from that chat: the other cards still count
            log.warning("cannot update %s %s in chat %s: %s", kind, item.id, chat_id, error)
