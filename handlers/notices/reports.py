"""Notices once posted: who has read one, by building (conveners); changing one, every version
kept (conveners); the list of the community's notices, a page at a time."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import numbers
from handlers.base import Refused, Turn, edit_html, handler
from handlers.notices.card import refresh
from handlers.notices.common import EDIT_USAGE, in_group, numbered, parse, stale
from storage import notices as store

PAGE_SIZE = 10


async def reads_report(turn: Turn, word: str) -> None:
    """``/notice 3`` (conveners): readers per building, through their bound households; readers
    bound to none; the bound households of each building that have not read it."""
    notice = await numbered(turn, word)
    await turn.require_convener(notice.chat_id)
    reads = await store.reads(turn.rt.store, notice.id)
    await turn.reply(turn.render("notice_reads.html.j2", notice=notice, reads=reads))


@handler
async def edit_command(turn: Turn) -> None:
    """``/notice_edit 3 [new title]`` + the new text: a new version; the card says it changed."""
    in_group(turn)
    first, _, rest = turn.body.partition("\n")
    word, _, title = first.strip().partition(" ")
    if not word:
        raise Refused(turn.t.gettext(EDIT_USAGE))
    await turn.require_convener()
    notice = await numbered(turn, word)
    await turn.require_convener(notice.chat_id)  # from another group: its conveners, or the community's
    if not rest.strip() and not title.strip():
        raise Refused(turn.t.gettext(EDIT_USAGE))
    title, text = parse(turn.t, title or notice.title, rest if rest.strip() else notice.text)
    if (title, text) == (notice.title, notice.text):
        raise Refused(turn.t.gettext("Notice #%(number)s already says exactly this: nothing changed.",
                                     number=notice.number))
    await store.revise(turn.rt.store, notice.id, title=title, text=text, by=turn.person.id,
                       now=turn.rt.clock.now(), origin=turn.origin)
    await refresh(turn.rt, turn.context.bot, notice.id, now=True)
    await turn.reply(html.escape(turn.t.gettext(
        "Notice #%(number)s changed. Its card says so, and the earlier text is one press away; those "
        "who had read it stay counted.", number=notice.number)))


async def _page(turn: Turn, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    found, total = await store.posted(turn.rt.store, turn.chat_id, 0, 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    found, _ = await store.posted(turn.rt.store, turn.chat_id, page * PAGE_SIZE, PAGE_SIZE)
    text = turn.render("notice_list.html.j2", notices=found, page=page + 1, pages=pages)
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton(turn.t.gettext("‹ Previous"), callback_data=f"nt:l:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(turn.t.gettext("Next ›"), callback_data=f"nt:l:{page + 1}"))
    return text, InlineKeyboardMarkup([buttons]) if buttons else None


@handler
async def list_command(turn: Turn) -> None:
    """``/notices [page]``: the community's notices this group may see, newest first."""
    in_group(turn)
    page = numbers.whole(turn.body.strip())
    await turn.reply(*await _page(turn, (page or 1) - 1))


@handler
async def list_page(turn: Turn) -> None:
    """``nt:l:<page>`` under the list."""
    page = numbers.whole(turn.update.callback_query.data.split(":")[2])
    if turn.in_private or page is None:
        raise stale(turn)
    text, markup = await _page(turn, page)
    await turn.answer()
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id, text, markup,
                    shown=turn.rt.refresher.shown)
