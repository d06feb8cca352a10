"""The lists of requests: the group's public ones, all of them for conveners, and an assignee's queue."""

from __future__ import annotations

import html
from datetime import timedelta

from bot.domain.requests import Request
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.base import Refused, Turn, handler
from handlers.requests.common import _late, _names, _served, _tell, _translator_for
from storage import requests as store

SHOWN = 40
LISTED = ("reported", "accepted", "in_progress", "resolved")  # resolved: until the resident confirms


def _age(rt: Runtime, request: Request) -> timedelta:
    """How long ago it was reported, in whole days, hours or minutes."""
    age = rt.clock.now() - request.created_at
    unit = next(u for u in (timedelta(days=1), timedelta(hours=1), timedelta(minutes=1))
                if age >= 2 * u or u == timedelta(minutes=1))
    return unit * (age // unit)


def _rows(rt: Runtime, shown: list[Request]) -> list[tuple[Request, str | None, timedelta]]:
    return [(r, _late(rt, r), _age(rt, r)) for r in shown[:SHOWN]]


async def _convener_list(rt: Runtime, t: Translator, chat) -> str:
    shown = await store.of_chat(rt.store, chat.id, LISTED)
    return rt.renderer.render("request_list.html.j2", t, rows=_rows(rt, shown), full=True,
                              community=chat.community or chat.title or "", **_names(t))


@handler
async def list_command(turn: Turn) -> None:
    rt, t = turn.rt, turn.t
    if not turn.in_private:
        if await turn.is_convener():
            text = await _convener_list(rt, await _translator_for(rt, turn.person.id), turn.chat)
            if not await _tell(rt, turn.context.bot, turn.person.id, text):
                raise Refused(t.gettext("I cannot write to you privately yet: open a private chat with "
                                        "me, press Start, then try again."))
            await turn.reply(html.escape(t.gettext("I sent you the list privately.")))
            return
        shown = [r for r in await store.of_chat(rt.store, turn.chat_id, LISTED) if r.public]
        await turn.reply(turn.render("request_list.html.j2", rows=_rows(rt, shown), full=False, community="",
                                     **_names(t)))
        return
    parts = []
    served = await _served(turn)
    if served:  # grid workers and conveners: each community they serve, side by side
        parts.append(turn.render("request_across.html.j2", blocks=[
            await _block(turn, chat_id, name) for chat_id, name in served], **_names(t)))
    mine = await store.of_reporter(rt.store, turn.person.id)
    parts.append(turn.render("request_mine.html.j2", requests=mine, **_names(t)))
    await turn.reply("\n\n".join(parts))


async def _block(turn: Turn, chat_id: int, name: str) -> dict:
    """One community's open requests with their counts; reporters' names only for its conveners."""
    shown = await store.of_chat(turn.rt.store, chat_id, LISTED)
    return {"name": name, "rows": _rows(turn.rt, shown), "open": sum(1 for r in shown if r.is_open),
            "overdue": sum(1 for r in shown if _late(turn.rt, r)), "names": await turn.convenes(chat_id)}


@handler
async def queue_command(turn: Turn) -> None:
    if not turn.in_private:
        raise Refused(turn.t.gettext("Your queue has residents' details: send /queue to me in a private "
                                     "chat."))
    shown = await store.of_assignee(turn.rt.store, turn.person.id, LISTED)
    await turn.reply(turn.render("request_list.html.j2", rows=_rows(turn.rt, shown), full=True,
                                 queue=True, community="", **_names(turn.t),
                                 show_community=len({r.community_id for r in shown}) > 1))
