"""Showing a request and moving it on (accept, start, resolve, reopen, rate), telling those
concerned; overdue reminders and unconfirmed resolutions closed when their time is up."""

from __future__ import annotations

import html
from datetime import timedelta

from telegram.ext import CallbackContext

from bot.domain import numbers
from bot.domain import requests as rules
from bot.domain.models import Firing
from bot.domain.requests import NotAllowed, Request
from bot.i18n import N_
from bot.runtime import Runtime, runtime
from handlers.base import Refused, Turn, handler, send_html
from handlers.requests.common import (
    CLOSE,
    STATE_NAMES,
    _actors,
    _buttons,
    _late,
    _names,
    _request_arg,
    _tell,
    _translator_for,
    _view,
)
from storage import chats, roles, topics
from storage import requests as store

VERBS = {
    "accept": ("accept", "受理"),
    "start": ("start", "处理", "處理", "开始", "開始"),
    "resolve": ("resolve", "办结", "辦結", "解决", "解決"),
    "reopen": ("reopen", "重开", "重開"),
    "confirm": ("rate", "confirm", "评价", "評價", "确认", "確認"),
}
_VERB = {word: action for action, words in VERBS.items() for word in words}


@handler
async def request_command(turn: Turn) -> None:
    args = list(turn.context.args or [])
    if not args:
        raise Refused(turn.t.gettext(
            "Usage: /request 3 (show it), /request 3 accept, /request 3 start, /request 3 resolve "
            "note, /request 3 reopen reason, /request 3 rate 5"))
    request = await _request_arg(turn, args[0])
    actors = await _actors(turn, request)
    if len(args) == 1:
        await _show(turn, request, actors)
        return
    action = _VERB.get(args[1].casefold())
    if action is None:
        raise Refused(turn.t.gettext("I do not know %(word)s. Use accept, start, resolve, reopen or "
                                     "rate.", word=args[1]))
    rest = " ".join(args[2:]).strip()
    if action == "confirm":
        rating = numbers.whole(rest)
        await _act(turn, request, actors, "confirm", rating=rating)
    else:
        await _act(turn, request, actors, action, note=rest or None)


async def _show(turn: Turn, request: Request, actors: set[str]) -> None:
    t = turn.t
    if not turn.in_private:
        if not request.public or request.chat_id != turn.chat_id:
            raise Refused(t.gettext("Request #%(id)s is not public. Ask me in a private chat.",
                                    id=request.number))
        await turn.reply(_view(turn.rt, t, request, names=False, detail=True))
        return
    if not actors:
        raise Refused(t.gettext("There is no request %(word)s. /requests lists them.", word=request.number))
    names = not {"assignee", "convener"}.isdisjoint(actors)
    if request.photo:
        await turn.context.bot.send_photo(turn.chat_id, request.photo, message_thread_id=turn.thread)
    await turn.reply(_view(turn.rt, t, request, names=names, detail=True), _buttons(t, request, actors))


@handler
async def pressed(turn: Turn) -> None:
    """rq:a:<id> accept, rq:w:<id> start work, rq:r:<id>:<1-5> confirm with a rating."""
    parts = turn.update.callback_query.data.split(":")
    stale = Refused(turn.t.gettext("This button is no longer valid."))
    request_id = numbers.whole(parts[2]) if len(parts) >= 3 else None
    if request_id is None or not turn.in_private:
        raise stale
    request = await store.get(turn.rt.store, request_id)
    if request is None:
        raise stale
    actors = await _actors(turn, request)
    if not actors:
        raise stale
    if parts[1] == "a":
        await _act(turn, request, actors, "accept")
    elif parts[1] == "w":
        await _act(turn, request, actors, "start")
    elif parts[1] == "r" and len(parts) == 4:
        await _act(turn, request, actors, "confirm",
                   rating=numbers.whole(parts[3]))
    else:
        raise stale


ACTION_DONE = {
    "accept": N_("Request #%(id)s accepted."),
    "start": N_("Request #%(id)s is in progress."),
    "resolve": N_("Request #%(id)s resolved."),
    "reopen": N_("Request #%(id)s reopened."),
    "confirm": N_("Thank you: request #%(id)s is closed with your rating of %(rating)s."),
}


async def _act(turn: Turn, request: Request, actors: set[str], action: str, *,
               note: str | None = None, rating: int | None = None) -> None:
    t, rt = turn.t, turn.rt
    try:
        after = rules.decide(request.state, action, actors)
    except NotAllowed as refusal:
        if refusal.reason == "actor" or not actors:  # strangers learn nothing of its state
            raise Refused(t.gettext("Sorry, you may not do that with request #%(id)s.",
                                    id=request.number)) from None
        raise Refused(t.gettext("Request #%(id)s is %(state)s: that is not possible now.",
                                id=request.number, state=t.gettext(STATE_NAMES[request.state]))) from None
    now = rt.clock.now()
    fields: dict = {}
    if action == "accept":
        fields["accepted_at"] = now
    elif action == "resolve":
        _require_note(t, note, t.gettext("Write what was done, e.g. /request %(id)s resolve 已退还多收的水费",
                                         id=request.number))
        fields.update(resolved_at=now, resolution=note)
    elif action == "reopen":
        _require_note(t, note, t.gettext("Say why it is not solved, e.g. /request %(id)s reopen 还没有退款",
                                         id=request.number))
        fields["resolved_at"] = None
    elif action == "confirm":
        if rating is None or not 1 <= rating <= 5:
            raise Refused(t.gettext("A rating is a whole number from 1 to 5, e.g. /request %(id)s rate 5",
                                    id=request.number))
        fields.update(rating=rating, closed_at=now)
    if not await store.change(rt.store, request, action=action, state=after, actor_id=turn.person.id,
                              now=now, note=note, **fields):
        raise Refused(t.gettext("Request #%(id)s changed meanwhile: look at it again.", id=request.number))
    if turn.update.callback_query is not None:
        await turn.answer()
    await turn.reply(html.escape(t.gettext(ACTION_DONE[action], id=request.number, rating=rating)))
    await _announce(turn.rt, turn.context.bot, await store.get(rt.store, request.id), action, note)


def _require_note(t, note: str | None, missing: str) -> None:
    if not note:
        raise Refused(missing)
    if len(note) > rules.MAX_NOTE:
        raise Refused(t.gettext("A note can be at most %(most)s characters.", most=rules.MAX_NOTE))


async def _announce(rt: Runtime, bot, request: Request, action: str, note: str | None) -> None:
    """Tell the others concerned what happened to a request."""
    if action in ("accept", "start", "resolve"):
        t = await _translator_for(rt, request.reporter_id)
        text = _view(rt, t, request, names=False, detail=True)
        await _tell(rt, bot, request.reporter_id, text,
                    _buttons(t, request, {"reporter"}) if action == "resolve" else None)
        if action == "resolve":
            chat = await chats.get(rt.store, request.chat_id)
            days = (chat.settings if chat else {}).get("request_confirm_days", rules.DEFAULT_CONFIRM_DAYS)
            await rt.scheduler.add(chat_id=request.chat_id, kind=CLOSE,
                                   first_at=request.resolved_at + timedelta(days=days),
                                   tz=(chat.tz if chat else None) or rt.settings.tz, ref=str(request.id),
                                   payload={"resolved_at": request.resolved_at.isoformat()})
            if request.public:  # the group saw it reported: it sees it resolved, still without a name
                await send_html(bot, request.chat_id, _view(rt, rt.translator(chat), request, names=False,
                                                            detail=True),
                                thread=await topics.of(rt.store, request.chat_id, topics.REQUESTS))
    elif action in ("reopen", "confirm"):
        await _tell_assignee(rt, bot, request, reason=note if action == "reopen" else None)


async def _tell_assignee(rt: Runtime, bot, request: Request, *, overdue: str | None = None,
                         reason: str | None = None, assigned: bool = False) -> None:
    """The assignee privately (with everything), else the group (with nothing private)."""
    t = await _translator_for(rt, request.assignee_id) if request.assignee_id else None
    if t is not None:
        text = rt.renderer.render("request_assigned.html.j2", t, r=request, overdue=overdue,
                                  reason=reason, names=True, detail=True, late=_late(rt, request),
                                  **_names(t))
        if await _tell(rt, bot, request.assignee_id, text,
                       _buttons(t, request, {"assignee"}), request.photo if assigned else None):
            return
    if request.assignee_id is None and overdue is None:
        return
    chat = await chats.get(rt.store, request.chat_id)
    gt = rt.translator(chat)
    await send_html(bot, request.chat_id, rt.renderer.render(
        "request_assigned.html.j2", gt, r=request, overdue=overdue, in_group=True, **_names(gt)),
        thread=await topics.of(rt.store, request.chat_id, topics.REQUESTS))


async def deliver_due(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    request = await store.get(rt.store, int(firing.schedule.ref))
    what = firing.schedule.payload.get("what")
    if request is None:
        return
    late = (what == "respond" and request.state == "reported") or \
           (what == "resolve" and request.state in rules.OPEN_STATES)
    if late:
        await _tell_assignee(rt, context.bot, request, overdue=what)
        await _remind_workers(rt, context.bot, request, what)


async def _remind_workers(rt: Runtime, bot, request: Request, overdue: str) -> None:
    """The grid workers of the request's community hear of it privately, each in their language
    and whatever other communities they serve (those who never started the bot: not at all)."""
    for grant in await roles.holders(rt.store, request.chat_id, "grid_worker"):
        if grant.user_id == request.assignee_id:
            continue  # reminded already, as the one it is assigned to
        t = await _translator_for(rt, grant.user_id)
        await _tell(rt, bot, grant.user_id, rt.renderer.render(
            "request_overdue.html.j2", t, r=request, overdue=overdue, names=False, detail=True,
            late=_late(rt, request), **_names(t)))


async def deliver_close(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    request = await store.get(rt.store, int(firing.schedule.ref))
    if request is None or request.state != "resolved" or request.resolved_at is None \
            or request.resolved_at.isoformat() != firing.schedule.payload.get("resolved_at"):
        return  # confirmed, or reopened and resolved again since
    after = rules.decide(request.state, "expire", {"system"})
    now = rt.clock.now()
    if await store.change(rt.store, request, action="expire", state=after, actor_id=None, now=now,
                          closed_at=now):
        t = await _translator_for(rt, request.reporter_id)
        await _tell(rt, context.bot, request.reporter_id, html.escape(t.gettext(
            "Request #%(id)s was closed, as its resolution was not confirmed within the time "
            "allowed.", id=request.number)))
