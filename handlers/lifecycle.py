"""The bot joining and leaving chats, groups becoming supergroups, admin changes."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackContext,
    ChatMemberHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.runtime import runtime
from handlers.base import Turn, person_of
from handlers.core import set_chat_menu
from storage import chats, members, users

PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)


async def track(update: Update, context: CallbackContext) -> None:
    """Before any feature: store the chat and the person of an update when something about
    them changed (kept in memory, so an ordinary update costs no write)."""
    rt = runtime(context)
    if update.callback_query is not None and not rt.first_press(update.callback_query.id):
        raise ApplicationHandlerStop  # Telegram delivered this press again: it was handled
    now = rt.clock.now()
    chat, user = update.effective_chat, update.effective_user
    if chat is not None:
        facts = (chat.type, chat.title)
        if rt.seen.get(("chat", chat.id)) != facts:
            await chats.seen(rt.store, chat.id, chat.type, chat.title, now)
            rt.seen[("chat", chat.id)] = facts
    if user is not None and not user.is_bot:
        person = person_of(user)
        private = chat is not None and chat.type == "private"
        known = rt.seen.get(("user", user.id))  # (person, has written to the bot privately)
        if known is None or known[0] != person or (private and not known[1]):
            await users.seen(rt.store, person, now, started=private)
            rt.seen[("user", user.id)] = (person, private or bool(known and known[1]))
        if chat is not None and chat.type != "private" and ("member", chat.id, user.id) not in rt.seen:
            await members.seen(rt.store, chat.id, user.id, now)
            rt.seen[("member", chat.id, user.id)] = True


async def my_membership(update: Update, context: CallbackContext) -> None:
    change = update.my_chat_member
    rt = runtime(context)
    was = change.old_chat_member.status in PRESENT
    now = change.new_chat_member.status in PRESENT
    chat = change.chat
    if chat.type == "private":
        if now:
            await users.set_started(rt.store, change.from_user.id, True)
            await rt.activate_chat(chat.id)
        else:
            await rt.blocked_by(change.from_user.id)
            await rt.deactivate_chat(chat.id)
        return
    rt.admins.forget(chat.id)
    if now and not was:
        await rt.activate_chat(chat.id)
        turn = await Turn.load(update, context)
        await turn.reply(turn.render("greeting.html.j2"))
    elif was and not now:
        await rt.deactivate_chat(chat.id)


async def member_changed(update: Update, context: CallbackContext) -> None:
    """Someone joined, left, was promoted or demoted: the admin list is read again on next
    use, and who is present is kept for "who has not voted"."""
    rt = runtime(context)
    change = update.chat_member
    rt.admins.forget(change.chat.id)
    member = change.new_chat_member.user
    if not member.is_bot:
        await users.seen(rt.store, person_of(member), rt.clock.now())
        await members.seen(rt.store, change.chat.id, member.id, rt.clock.now(),
                           present=change.new_chat_member.status in PRESENT)
        rt.seen[("member", change.chat.id, member.id)] = True


async def migrated(update: Update, context: CallbackContext) -> None:
    message = update.effective_message
    rt = runtime(context)
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat.id
    if await rt.migrate_chat(old, new):
        chat = await chats.get(rt.store, new)
        if chat is not None and chat.locale:
            await set_chat_menu(context.application, new, rt.translator(chat), private=False)


TRACK = -2  # first of all: who and where, before any feature (guided answers come next, at -1)


def register(app: Application) -> list:
    app.add_handler(TypeHandler(Update, track), group=TRACK)
    app.add_handler(ChatMemberHandler(my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
    return []
