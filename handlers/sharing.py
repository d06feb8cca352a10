"""/share: post a vote, a sign-up chain or a talk in other groups of its community too.

A community convener replies /share to the item's message (or names a vote: /share 3); one
button per other group posts the card there. Every card's buttons work, every card is kept up
to date, and a vote's result is announced wherever the vote was shown.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import numbers
from bot.i18n import N_
from handlers import cards
from handlers.base import CHAT, Command, Refused, Turn, edit_html, handler
from handlers.communities import describe
from handlers.events.card import card as event_card
from handlers.polls.showing import card as poll_card
from storage import communities, events, polls

COMMANDS = [Command("share", N_("Post a vote or a talk in other groups of the community: reply to it"),
                    convener=True)]
KINDS = {"p": "poll", "e": "event"}


async def _item(rt, kind: str, item_id: int):
    return await (polls.get if kind == "poll" else events.get)(rt.store, item_id)


def _live(kind: str, item) -> bool:
    return item.is_open if kind == "poll" else item.active


def _title(kind: str, item) -> str:
    return item.question if kind == "poll" else item.title


async def _named(turn: Turn) -> tuple[str, object]:
    """The vote /share names by number, or the vote or event whose message it answers."""
    number = numbers.whole((turn.context.args or [""])[0])
    replied = turn.quoted
    found: tuple[str, object | None] = ("poll", None)
    if number is not None:
        found = ("poll", await polls.by_number(turn.rt.store, turn.chat_id, number))
    elif replied is not None:
        poll = await polls.by_message(turn.rt.store, turn.chat_id, replied.message_id)
        found = ("poll", poll) if poll else \
            ("event", await events.by_message(turn.rt.store, turn.chat_id, replied.message_id))
    if found[1] is None:
        raise Refused(turn.t.gettext("Which one? Reply /share to the message of a vote, a sign-up chain "
                                     "or a talk, or give a vote's number, e.g. /share 3."))
    return found  # type: ignore[return-value]


async def _others(turn: Turn, kind: str, item) -> tuple[list[tuple[int, str]], list[str]]:
    """The community's groups without a card of the item (chat, label), and the titles of those with one."""
    community = await communities.of_chat(turn.rt.store, turn.chat_id)
    shown = {chat for chat, _ in await cards.of(turn.rt, kind, item)}
    free, posted = [], []
    for chat_id, title, role, buildings in community.chats if community else ():
        if chat_id in shown:
            posted.append(title)
        else:
            free.append((chat_id, f"{title} · {describe(turn.t, role, buildings)}"))
    return free, posted


async def _chooser(turn: Turn, kind: str, item) -> tuple[str, InlineKeyboardMarkup | None]:
    free, posted = await _others(turn, kind, item)
    code = next(c for c, k in KINDS.items() if k == kind)
    rows = [[InlineKeyboardButton(turn.t.gettext("Post in %(group)s", group=label),
                                  callback_data=f"sh:{code}:{item.id}:{chat_id}")] for chat_id, label in free]
    text = turn.render("share.html.j2", title=_title(kind, item), posted=posted, left=bool(free))
    return text, InlineKeyboardMarkup(rows) if rows else None


@handler
async def share(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Share from a group of the community: reply /share to the "
                                     "message there."))
    await turn.require_community_convener()
    kind, item = await _named(turn)
    if not _live(kind, item):
        raise Refused(turn.t.gettext("Only an open vote or an upcoming event can be shared."))
    free, _ = await _others(turn, kind, item)
    if not free:
        raise Refused(turn.t.gettext("It is shown in every group of the community already. /community "
                                     "lists them; /link adds another."))
    await turn.reply(*await _chooser(turn, kind, item))


@handler
async def share_pressed(turn: Turn) -> None:
    _, code, item_id, chat_id = turn.update.callback_query.data.split(":")
    kind = KINDS[code]
    item = await _item(turn.rt, kind, int(item_id))
    target = numbers.chat_id(chat_id)
    free, _ = await _others(turn, kind, item) if item is not None else ([], [])
    if item is None or target not in dict(free) or \
            await communities.of_chat(turn.rt.store, item.chat_id) != await communities.of_chat(
                turn.rt.store, turn.chat_id):
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await turn.require_community_convener()
    if not _live(kind, item):
        raise Refused(turn.t.gettext("Only an open vote or an upcoming event can be shared."))
    render = poll_card(turn.rt, item, turn.context.bot.username) if kind == "poll" else \
        event_card(turn.rt, item)
    if not await cards.post(turn.rt, turn.context.bot, kind, item, target, render):
        raise Refused(turn.t.gettext("I cannot write in that group any more: am I still a member there?"))
    await turn.answer(turn.t.gettext("Posted in %(group)s.", group=dict(free)[target]))
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id, *await _chooser(turn, kind, item))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("share", share))
    app.add_handler(CallbackQueryHandler(share_pressed, pattern=rf"^sh:[pe]:[0-9]{{1,12}}:{CHAT}$"))
    return COMMANDS
