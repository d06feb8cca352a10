"""Conveners assign a request to a role holder, or escalate it to a government department."""

from __future__ import annotations

import html

from bot.domain import requests as rules
from bot.domain.requests import NotAllowed, Request
from bot.domain.roles import parse_role
from handlers.base import Refused, Turn, handler
from handlers.requests.common import STATE_NAMES, _actors, _request_arg
from handlers.requests.handling import _tell_assignee
from handlers.roles import ROLE_NAMES
from storage import requests as store
from storage import roles

ASSIGNABLE = ("property_manager", "grid_worker", "committee")


@handler
async def assign_command(turn: Turn) -> None:
    t = turn.t
    args = list(turn.context.args or [])
    usage = t.gettext("Usage: /assign 3 property_manager (or grid_worker, committee; 物业, 网格员, "
                      "业委会). When several people hold the role, add a name: /assign 3 物业 Chen")
    if len(args) < 2:
        raise Refused(usage)
    request = await _request_arg(turn, args[0])
    if not await turn.convenes(request.chat_id):
        raise Refused(t.gettext("Sorry, only the conveners of this chat can do that."))
    role = parse_role(args[1])
    if role not in ASSIGNABLE:
        raise Refused(usage)
    holders = [g for g in await roles.of_chat(turn.rt.store, request.chat_id) if g.role == role]
    wanted = " ".join(args[2:]).casefold()
    if wanted:
        holders = [g for g in holders if wanted in g.name.casefold()]
    if not holders:
        raise Refused(t.gettext("No one holds the role %(role)s here. A convener grants it with "
                                "/grant in the group.", role=t.gettext(ROLE_NAMES[role])))
    if len(holders) > 1:
        raise Refused(t.gettext("Several people are %(role)s: %(names)s. Add a name, e.g. /assign "
                                "%(id)s %(word)s %(name)s", role=t.gettext(ROLE_NAMES[role]),
                                names=t.listing(g.name for g in holders), id=request.number, word=args[1],
                                name=holders[0].name))
    holder = holders[0]
    await _change_simple(turn, request, "assign", assignee_id=holder.user_id, assignee_role=role)
    request = await store.get(turn.rt.store, request.id)
    await turn.reply(html.escape(t.gettext("Request #%(id)s assigned to %(name)s (%(role)s).",
                                           id=request.number, name=holder.name,
                                           role=t.gettext(ROLE_NAMES[role]))))
    await _tell_assignee(turn.rt, turn.context.bot, request, assigned=True)


async def _change_simple(turn: Turn, request: Request, action: str, note: str | None = None,
                         **fields: object) -> None:
    try:
        after = rules.decide(request.state, action, await _actors(turn, request))
    except NotAllowed as refusal:
        if refusal.reason == "actor":
            raise Refused(turn.t.gettext("Sorry, only the conveners of this chat can do that.")) from None
        raise Refused(turn.t.gettext("Request #%(id)s is %(state)s: that is not possible now.",
                                     id=request.number,
                                     state=turn.t.gettext(STATE_NAMES[request.state]))) from None
    if not await store.change(turn.rt.store, request, action=action, state=after,
                              actor_id=turn.person.id, now=turn.rt.clock.now(), note=note, **fields):
        raise Refused(turn.t.gettext("Request #%(id)s changed meanwhile: look at it again.",
                                     id=request.number))


@handler
async def escalate_command(turn: Turn) -> None:
    t = turn.t
    args = list(turn.context.args or [])
    request = await _request_arg(turn, args[0] if args else None)
    if not await turn.convenes(request.chat_id):
        raise Refused(t.gettext("Sorry, only the conveners of this chat can do that."))
    note = " ".join(args[1:]).strip()
    if not note or len(note) > rules.MAX_NOTE:
        raise Refused(t.gettext("Say which department and why, e.g. /escalate %(id)s 水价违规，"
                                "请市场监管局处理 (at most %(most)s characters).",
                                id=request.number, most=rules.MAX_NOTE))
    await _change_simple(turn, request, "escalate", note=note, escalated=1, escalation_note=note)
    await turn.reply(html.escape(t.gettext("Request #%(id)s is escalated (吹哨): %(note)s",
                                           id=request.number, note=note)))
