"""The ranked list of ideas and wishes, by state or kind, a page at a time."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import ideas as rules
from bot.domain import numbers
from bot.domain.ideas import OPEN_STATES, STATE_NAMES, STATES
from handlers.base import Refused, Turn, edit_html, handler
from handlers.ideas.common import _stale
from storage import ideas as store

PAGE_SIZE = 8


def _filters(words: list[str]) -> tuple[str, str, int]:
    """(state filter: a state, "open" or "all"; kind or "-"; page from 0) from typed words."""
    chosen, kind, page = "open", "-", 0
    for typed in words:
        meaning = rules.word(typed)
        if meaning in ("idea", "wish"):
            kind = meaning
        elif meaning is not None:
            chosen = meaning
        elif numbers.whole(typed) is not None:
            page = numbers.whole(typed) - 1
    return chosen, kind, page


async def _list(turn: Turn, chosen: str, kind: str, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    states = OPEN_STATES if chosen == "open" else STATES if chosen == "all" else (chosen,)
    found = await store.of_chat(turn.rt.store, turn.chat_id, states, None if kind == "-" else kind)
    shown, pages = rules.page(rules.rank(found, turn.rt.clock.now()), page, PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    text = turn.render("idea_list.html.j2", ideas=shown, state_names=STATE_NAMES, page=page + 1,
                       pages=pages, total=len(found), chosen=chosen, kind=kind)
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton(turn.t.gettext("‹ Previous"),
                                            callback_data=f"id:l:{chosen}:{kind}:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(turn.t.gettext("Next ›"),
                                            callback_data=f"id:l:{chosen}:{kind}:{page + 1}"))
    return text, InlineKeyboardMarkup([buttons]) if buttons else None


@handler
async def list_command(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Ideas belong to a group: use this command in the group."))
    text, markup = await _list(turn, *_filters(turn.body.split()))
    await turn.reply(text, markup)


@handler
async def list_page(turn: Turn) -> None:
    parts = turn.update.callback_query.data.split(":")
    if (turn.in_private or len(parts) != 5 or parts[2] not in (*STATES, "open", "all")
            or parts[3] not in ("-", "idea", "wish") or numbers.whole(parts[4]) is None):
        raise _stale(turn)
    text, markup = await _list(turn, parts[2], parts[3], numbers.whole(parts[4]))
    await turn.answer()
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id, text, markup,
                    shown=turn.rt.refresher.shown)
