"""Resident requests (诉求): reported privately, assigned to a role holder, handled against
per-category targets, confirmed and rated by the resident; escalation (吹哨) and monthly figures.

The reporter's name is shown to the group's conveners and the assignee only, and only in
private chats; the group sees a request (without a name) only when its reporter chose so.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackContext, CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.domain import requests as rules
from bot.domain.models import Firing
from bot.domain.requests import CATEGORIES, NotAllowed, Request
from bot.domain.roles import parse_role
from bot.i18n import N_, Translator
from bot.runtime import Runtime, runtime
from handlers.base import (
    Command,
    Refused,
    Turn,
    deep_link,
    handler,
    may_write,
    send_html,
    start_links,
    tell_privately,
)
from handlers.roles import ROLE_NAMES
from storage import chats, drafts, roles, users
from storage import requests as store

log = logging.getLogger(__name__)

COMMANDS = [
    Command("report", N_("Report a problem (诉求) to those who handle it"), convener=False, where="both"),
    Command("requests", N_("Open requests (conveners: all of them, privately)"), convener=False,
            where="both"),
    Command("request", N_("Show one request, or move it on: accept, start, resolve, reopen, rate"),
            convener=False, where="both"),
    Command("assign", N_("Assign a request to the property manager, grid worker or committee"),
            convener=True, where="both"),
    Command("escalate", N_("Escalate a request to a government department (吹哨)"), convener=True,
            where="both"),
    Command("queue", N_("The requests assigned to you"), convener=False, where="private"),
    Command("targets", N_("Response and resolution targets per category"), convener=False),
    Command("figures", N_("This month's requests: response, resolution, satisfaction"), convener=False),
]

CATEGORY_NAMES = {
    "repairs": N_("repairs"), "fees": N_("fees"), "parking": N_("parking"), "noise": N_("noise"),
    "safety": N_("safety"), "greenery": N_("greenery"), "other": N_("other"),
}
STATE_NAMES = {
    "reported": N_("reported"), "accepted": N_("taken on"), "in_progress": N_("being handled"),
    "resolved": N_("resolved"), "closed": N_("case closed"),
}
ASSIGNABLE = ("property_manager", "grid_worker", "committee")
VERBS = {
    "accept": ("accept", "受理"),
    "start": ("start", "处理", "處理", "开始", "開始"),
    "resolve": ("resolve", "办结", "辦結", "解决", "解決"),
    "reopen": ("reopen", "重开", "重開"),
    "confirm": ("rate", "confirm", "评价", "評價", "确认", "確認"),
}
_VERB = {word: action for action, words in VERBS.items() for word in words}
DUE, CLOSE = "request_due", "request_close"
SHOWN = 40


# -- small helpers -------------------------------------------------------------------------------

def _names(t: Translator) -> dict:
    return {"category_names": CATEGORY_NAMES, "state_names": STATE_NAMES, "role_names": ROLE_NAMES}


def _unknown_category(t: Translator, word: str) -> Refused:
    known = t.listing(t.gettext(CATEGORY_NAMES[c]) + t.aside(c) for c in CATEGORIES)
    return Refused(t.gettext("I do not know the category %(word)s. Categories: %(known)s.",
                             word=word, known=known))


def _usage(t: Translator) -> str:
    return t.gettext("Usage: /report category text, e.g. /report 物业费 水费每吨多收了0.4元. "
                     "Categories: %(known)s.",
                     known=t.listing(t.gettext(CATEGORY_NAMES[c]) for c in CATEGORIES))


def _parse_report(t: Translator, body: str) -> tuple[str, str]:
    word, _, text = body.partition(" ") if " " in body else body.partition("\n")
    if not word:
        raise Refused(_usage(t))
    category = rules.parse_category(word)
    if category is None:
        raise _unknown_category(t, word)
    text = text.strip()
    if not text:
        raise Refused(t.gettext("Please describe the problem after the category.") + "\n" + _usage(t))
    if len(text) > rules.MAX_TEXT:
        raise Refused(t.gettext("A request can be at most %(most)s characters; yours has %(count)s.",
                                most=rules.MAX_TEXT, count=len(text)))
    return category, text


async def _check_rate(turn: Turn) -> None:
    since = turn.rt.clock.now() - timedelta(hours=1)
    if await store.reported_since(turn.rt.store, turn.person.id, since) >= rules.HOURLY_LIMIT:
        raise Refused(turn.t.gettext("You can report at most %(most)s requests an hour. Please try "
                                     "again later.", most=rules.HOURLY_LIMIT))


async def _translator_for(rt: Runtime, user_id: int) -> Translator:
    return rt.translator(await chats.get(rt.store, user_id), await users.get(rt.store, user_id))


async def _tell(rt: Runtime, bot, user_id: int | None, text: str,
                markup: InlineKeyboardMarkup | None = None, photo: str | None = None) -> bool:
    """Write to someone privately; False when the bot may not (never started, blocked)."""
    if photo and await may_write(rt, user_id):
        try:
            await bot.send_photo(user_id, photo)
        except (Forbidden, BadRequest):
            return False
    return await tell_privately(rt, bot, user_id, text, markup)


async def _actors(turn: Turn, request: Request) -> set[str]:
    found = set()
    if turn.person.id == request.reporter_id:
        found.add("reporter")
    if turn.person.id == request.assignee_id:
        found.add("assignee")
    if await turn.convenes(request.chat_id):
        found.add("convener")
    return found


async def _request_arg(turn: Turn, word: str | None) -> Request:
    request = None
    if word and word.lstrip("#").isdigit():
        request = await store.get(turn.rt.store, int(word.lstrip("#")))
    if request is None:
        raise Refused(turn.t.gettext("There is no request %(word)s. /requests lists them.",
                                     word=word or ""))
    return request


def _late(rt: Runtime, request: Request) -> str | None:
    return rules.overdue(request.state, request.respond_by, request.resolve_by, rt.clock.now())


def _age(rt: Runtime, request: Request) -> timedelta:
    """How long ago it was reported, in whole days, hours or minutes."""
    age = rt.clock.now() - request.created_at
    unit = next(u for u in (timedelta(days=1), timedelta(hours=1), timedelta(minutes=1))
                if age >= 2 * u or u == timedelta(minutes=1))
    return unit * (age // unit)


def _rows(rt: Runtime, shown: list[Request]) -> list[tuple[Request, str | None, timedelta]]:
    return [(r, _late(rt, r), _age(rt, r)) for r in shown[:SHOWN]]


def _view(rt: Runtime, t: Translator, request: Request, *, names: bool, detail: bool) -> str:
    return rt.renderer.render("request.html.j2", t, r=request, names=names, detail=detail,
                              late=_late(rt, request), **_names(t))


def _buttons(t: Translator, request: Request, actors: set[str]) -> InlineKeyboardMarkup | None:
    rows = []
    handles = not {"assignee", "convener"}.isdisjoint(actors)
    if handles and request.state == "reported":
        rows.append([InlineKeyboardButton(t.gettext("Accept"), callback_data=f"rq:a:{request.id}")])
    if handles and request.state == "accepted":
        rows.append([InlineKeyboardButton(t.gettext("Start work"), callback_data=f"rq:w:{request.id}")])
    if "reporter" in actors and request.state == "resolved":
        rows.append([InlineKeyboardButton("⭐" * n, callback_data=f"rq:r:{request.id}:{n}")
                     for n in range(1, 6)])
    return InlineKeyboardMarkup(rows) if rows else None


# -- reporting -----------------------------------------------------------------------------------

@handler
async def report_command(turn: Turn) -> None:
    t = turn.t
    if not turn.in_private:
        draft = None
        try:
            category, text = _parse_report(t, turn.body.strip())
            draft = {"chat_id": turn.chat_id, "category": category, "text": text, "photo": None}
        except Refused:
            pass  # the details are sorted out privately, never in the group
        await _keep(turn, draft or {"chat_id": turn.chat_id})
        button = InlineKeyboardButton(t.gettext("Continue privately"),
                                      url=deep_link(turn.context.bot.username, f"q{turn.chat_id}"))
        await turn.reply(html.escape(t.gettext(
            "Requests are handled privately, so your name and details stay out of the group. "
            "Press the button to continue in a private chat with me.")),
            InlineKeyboardMarkup([[button]]))
        return
    category, text = _parse_report(t, turn.body.strip())
    photo = _photo_of(turn)
    await _check_rate(turn)
    old = await _draft(turn) or {}
    await _where(turn, {"chat_id": old.get("chat_id"), "category": category, "text": text,
                        "photo": photo})


async def _draft(turn: Turn) -> dict | None:
    return await drafts.get(turn.rt.store, turn.person.id, drafts.REQUEST)


async def _keep(turn: Turn, draft: dict) -> None:
    await drafts.put(turn.rt.store, turn.person.id, drafts.REQUEST, draft, turn.rt.clock.now())


def _photo_of(turn: Turn) -> str | None:
    sizes = turn.update.effective_message.photo
    return sizes[-1].file_id if sizes else None


async def _where(turn: Turn, draft: dict) -> None:
    """Keep the draft, settling which community it belongs to, then ask how public it may be."""
    places = await store.communities_of(turn.rt.store, turn.person.id) \
        if draft.get("chat_id") is None else []
    if len(places) == 1:
        draft["chat_id"] = places[0][0]
    await _keep(turn, draft)
    if draft.get("chat_id") is None and not places:
        raise Refused(turn.t.gettext(
            "I have not seen you in a community group with me yet. Send /report in your "
            "community's group, then continue here."))
    if len(places) > 1:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            name or str(chat_id), callback_data=f"rq:c:{chat_id}")] for chat_id, name in places])
        await turn.reply(html.escape(turn.t.gettext("Which community is this request for?")), markup)
        return
    await _ask_public(turn, draft)


async def _ask_public(turn: Turn, draft: dict) -> None:
    chat = await chats.get(turn.rt.store, draft["chat_id"])
    t = turn.t
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(t.gettext("Submit, and tell the group (without my name)"),
                              callback_data="rq:s:1")],
        [InlineKeyboardButton(t.gettext("Submit privately"), callback_data="rq:s:0")],
    ])
    await turn.reply(turn.render("request_draft.html.j2", draft=draft,
                                 community=(chat.community or chat.title or "") if chat else "",
                                 **_names(t)), markup)


async def _report_link(turn: Turn, payload: str) -> None:
    """``/start q<chat>``: continue privately a request begun in that group."""
    chat_id = int(payload) if payload.lstrip("-").isdigit() else None
    places = dict(await store.communities_of(turn.rt.store, turn.person.id))
    if chat_id not in places:
        raise Refused(turn.t.gettext("This link is no longer valid."))
    draft = await _draft(turn) or {}
    if draft.get("chat_id") == chat_id and draft.get("text"):
        await _check_rate(turn)
        await _ask_public(turn, draft)
        return
    await _keep(turn, {"chat_id": chat_id})
    await turn.reply(html.escape(turn.t.gettext(
        "Write your request for %(community)s here.", community=places[chat_id]) + "\n" + _usage(turn.t)))


@handler
async def photo(turn: Turn) -> None:
    """A photo in private: with a /report caption it is a request; otherwise it joins the draft."""
    caption = turn.update.effective_message.caption or ""
    if re.match(r"^/report(@\S+)?(\s|$)", caption):
        await report_command.__wrapped__(turn)
        return
    draft = await _draft(turn)
    if not draft or not draft.get("text"):
        raise Refused(turn.t.gettext("To report a problem with a photo, send /report first."))
    await _keep(turn, {**draft, "photo": _photo_of(turn)})
    await turn.reply(html.escape(turn.t.gettext("Photo attached. Now choose how to submit above.")))


@handler
async def chosen_community(turn: Turn) -> None:
    data = turn.update.callback_query.data.split(":")
    draft = await _draft(turn)
    places = dict(await store.communities_of(turn.rt.store, turn.person.id))
    chat_id = int(data[2]) if len(data) == 3 and data[2].lstrip("-").isdigit() else None
    if not turn.in_private or not draft or not draft.get("text") or chat_id not in places:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    draft["chat_id"] = chat_id
    await _keep(turn, draft)
    await turn.answer()
    await _ask_public(turn, draft)


@handler
async def submit(turn: Turn) -> None:
    data = turn.update.callback_query.data
    draft = await _draft(turn)
    if not turn.in_private or data not in ("rq:s:0", "rq:s:1") or not draft or not draft.get("text") \
            or draft.get("chat_id") is None:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await _check_rate(turn)
    rt, t = turn.rt, turn.t
    chat = await chats.get(rt.store, draft["chat_id"])
    respond_h, resolve_h = rules.targets_of(chat.settings if chat else {})[draft["category"]]
    now = rt.clock.now()
    request = await store.create(
        rt.store, chat_id=draft["chat_id"], reporter_id=turn.person.id, category=draft["category"],
        text=draft["text"], photo=draft.get("photo"), public=data.endswith("1"), now=now,
        respond_by=now + timedelta(hours=respond_h), resolve_by=now + timedelta(hours=resolve_h))
    await drafts.pop(rt.store, turn.person.id, drafts.REQUEST)
    tz = (chat.tz if chat else None) or rt.settings.tz
    for what, when in (("respond", request.respond_by), ("resolve", request.resolve_by)):
        await rt.scheduler.add(chat_id=request.chat_id, kind=DUE, first_at=when, tz=tz,
                               ref=str(request.id), payload={"what": what})
    await turn.answer()
    await turn.reply(html.escape(t.gettext(
        "Request #%(id)s received. You will hear from me when it moves on; /request %(id)s shows it.",
        id=request.id)))
    if request.public:
        gt = rt.translator(chat)
        await send_html(turn.context.bot, request.chat_id, _view(rt, gt, request, names=False, detail=True))


# -- showing and moving on -----------------------------------------------------------------------

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
        rating = int(rest) if rest.isdigit() else None
        await _act(turn, request, actors, "confirm", rating=rating)
    else:
        await _act(turn, request, actors, action, note=rest or None)


async def _show(turn: Turn, request: Request, actors: set[str]) -> None:
    t = turn.t
    if not turn.in_private:
        if not request.public or request.chat_id != turn.chat_id:
            raise Refused(t.gettext("Request #%(id)s is not public. Ask me in a private chat.",
                                    id=request.id))
        await turn.reply(_view(turn.rt, t, request, names=False, detail=True))
        return
    if not actors:
        raise Refused(t.gettext("There is no request %(word)s. /requests lists them.", word=request.id))
    names = not {"assignee", "convener"}.isdisjoint(actors)
    if request.photo:
        await turn.context.bot.send_photo(turn.chat_id, request.photo)
    await turn.reply(_view(turn.rt, t, request, names=names, detail=True), _buttons(t, request, actors))


@handler
async def pressed(turn: Turn) -> None:
    """rq:a:<id> accept, rq:w:<id> start work, rq:r:<id>:<1-5> confirm with a rating."""
    parts = turn.update.callback_query.data.split(":")
    stale = Refused(turn.t.gettext("This button is no longer valid."))
    if len(parts) < 3 or not parts[2].isdigit() or not turn.in_private:
        raise stale
    request = await store.get(turn.rt.store, int(parts[2]))
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
                   rating=int(parts[3]) if parts[3].isdigit() else None)
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
                                    id=request.id)) from None
        raise Refused(t.gettext("Request #%(id)s is %(state)s: that is not possible now.",
                                id=request.id, state=t.gettext(STATE_NAMES[request.state]))) from None
    now = rt.clock.now()
    fields: dict = {}
    if action == "accept":
        fields["accepted_at"] = now
    elif action == "resolve":
        _require_note(t, note, t.gettext("Write what was done, e.g. /request %(id)s resolve 已退还多收的水费",
                                         id=request.id))
        fields.update(resolved_at=now, resolution=note)
    elif action == "reopen":
        _require_note(t, note, t.gettext("Say why it is not solved, e.g. /request %(id)s reopen 还没有退款",
                                         id=request.id))
        fields["resolved_at"] = None
    elif action == "confirm":
        if rating is None or not 1 <= rating <= 5:
            raise Refused(t.gettext("A rating is a whole number from 1 to 5, e.g. /request %(id)s rate 5",
                                    id=request.id))
        fields.update(rating=rating, closed_at=now)
    if not await store.change(rt.store, request, action=action, state=after, actor_id=turn.person.id,
                              now=now, note=note, **fields):
        raise Refused(t.gettext("Request #%(id)s changed meanwhile: look at it again.", id=request.id))
    if turn.update.callback_query is not None:
        await turn.answer()
    await turn.reply(html.escape(t.gettext(ACTION_DONE[action], id=request.id, rating=rating)))
    await _announce(turn.rt, turn.context.bot, await store.get(rt.store, request.id), action, note)


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
                                                            detail=True))
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
        "request_assigned.html.j2", gt, r=request, overdue=overdue, in_group=True, **_names(gt)))


# -- conveners: assign and escalate --------------------------------------------------------------

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
                                names=t.listing(g.name for g in holders), id=request.id, word=args[1],
                                name=holders[0].name))
    holder = holders[0]
    await _change_simple(turn, request, "assign", assignee_id=holder.user_id, assignee_role=role)
    request = await store.get(turn.rt.store, request.id)
    await turn.reply(html.escape(t.gettext("Request #%(id)s assigned to %(name)s (%(role)s).",
                                           id=request.id, name=holder.name,
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
                                     id=request.id,
                                     state=turn.t.gettext(STATE_NAMES[request.state]))) from None
    if not await store.change(turn.rt.store, request, action=action, state=after,
                              actor_id=turn.person.id, now=turn.rt.clock.now(), note=note, **fields):
        raise Refused(turn.t.gettext("Request #%(id)s changed meanwhile: look at it again.", id=request.id))


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
                                id=request.id, most=rules.MAX_NOTE))
    await _change_simple(turn, request, "escalate", note=note, escalated=1, escalation_note=note)
    await turn.reply(html.escape(t.gettext("Request #%(id)s is escalated (吹哨): %(note)s",
                                           id=request.id, note=note)))


# -- lists ---------------------------------------------------------------------------------------

async def _convener_list(rt: Runtime, t: Translator, chat) -> str:
    shown = await store.of_chat(rt.store, chat.id, ("reported", "accepted", "in_progress", "resolved"))
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
        shown = [r for r in await store.of_chat(rt.store, turn.chat_id, ("reported", "accepted",
                                                                          "in_progress", "resolved"))
                 if r.public]
        await turn.reply(turn.render("request_list.html.j2", rows=_rows(rt, shown), full=False, community="",
                                     **_names(t)))
        return
    parts = []
    for chat_id, _ in await store.communities_of(rt.store, turn.person.id):
        if await turn.convenes(chat_id):
            parts.append(await _convener_list(rt, t, await chats.get(rt.store, chat_id)))
    mine = await store.of_reporter(rt.store, turn.person.id)
    parts.append(turn.render("request_mine.html.j2", requests=mine, **_names(t)))
    await turn.reply("\n\n".join(parts))


@handler
async def queue_command(turn: Turn) -> None:
    if not turn.in_private:
        raise Refused(turn.t.gettext("Your queue has residents' details: send /queue to me in a private "
                                     "chat."))
    shown = await store.of_assignee(turn.rt.store, turn.person.id,
                                    ("reported", "accepted", "in_progress", "resolved"))
    await turn.reply(turn.render("request_list.html.j2", rows=_rows(turn.rt, shown), full=True,
                                 queue=True, community="", **_names(turn.t)))


# -- targets and figures -------------------------------------------------------------------------

@handler
async def targets_command(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Targets belong to a group: use /targets in the group."))
    t, rt = turn.t, turn.rt
    args = list(turn.context.args or [])
    settings = turn.chat.settings if turn.chat else {}
    if args:
        await turn.require_convener()
        usage = t.gettext("Usage: /targets 维修 24h 3d (respond within 24 hours, resolve within 3 "
                          "days), or /targets confirm 7 (days before an unconfirmed resolution closes)")
        now = rt.clock.now()
        if args[0].casefold() in ("confirm", "确认", "確認"):
            days = int(args[1]) if len(args) == 2 and args[1].isdigit() else 0
            if not 1 <= days <= 60:
                raise Refused(usage)
            await chats.set_setting(rt.store, turn.chat_id, "request_confirm_days", days, now)
            settings = {**settings, "request_confirm_days": days}
        else:
            category = rules.parse_category(args[0])
            if category is None:
                raise _unknown_category(t, args[0])
            hours = [rules.parse_hours(a) for a in args[1:]]
            if len(hours) != 2 or None in hours or hours[0] > hours[1]:
                raise Refused(usage)
            chosen = {**settings.get("request_targets", {}), category: hours}
            await chats.set_setting(rt.store, turn.chat_id, "request_targets", chosen, now)
            settings = {**settings, "request_targets": chosen}
    targets = [(c, timedelta(hours=a), timedelta(hours=b))
               for c, (a, b) in rules.targets_of(settings).items()]
    await turn.reply(turn.render("request_targets.html.j2", targets=targets,
                                 confirm_days=settings.get("request_confirm_days",
                                                           rules.DEFAULT_CONFIRM_DAYS), **_names(t)))


@handler
async def figures_command(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Figures belong to a group: use /figures in the group."))
    t, rt = turn.t, turn.rt
    args = turn.context.args or []
    local = rt.clock.now().astimezone(t.tz)
    year, month = local.year, local.month
    if args:
        match = re.match(r"^(\d{4})-(\d{1,2})$", args[0])
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise Refused(t.gettext("Usage: /figures (this month) or /figures 2026-07"))
        year, month = int(match.group(1)), int(match.group(2))
    start, end = (moment.replace(tzinfo=t.tz) for moment in rules.month_bounds(year, month))
    received = await store.received(rt.store, turn.chat_id, start, end)
    counted = rules.figures([r.item() for r in received], rt.clock.now())
    await turn.reply(turn.render("request_figures.html.j2", f=counted, month=start))


# -- scheduled: overdue reminders and unconfirmed resolutions -------------------------------------

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
            "allowed.", id=request.id)))


def _require_note(t, note: str | None, missing: str) -> None:
    if not note:
        raise Refused(missing)
    if len(note) > rules.MAX_NOTE:
        raise Refused(t.gettext("A note can be at most %(most)s characters.", most=rules.MAX_NOTE))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("report", report_command))
    app.add_handler(CommandHandler("requests", list_command))
    app.add_handler(CommandHandler("request", request_command))
    app.add_handler(CommandHandler("assign", assign_command))
    app.add_handler(CommandHandler("escalate", escalate_command))
    app.add_handler(CommandHandler(["queue", "myqueue"], queue_command))
    app.add_handler(CommandHandler("targets", targets_command))
    app.add_handler(CommandHandler(["figures", "stats"], figures_command))
    app.add_handler(MessageHandler(tg_filters.PHOTO & tg_filters.ChatType.PRIVATE, photo))
    app.add_handler(CallbackQueryHandler(chosen_community, pattern=r"^rq:c:"))
    app.add_handler(CallbackQueryHandler(submit, pattern=r"^rq:s:"))
    app.add_handler(CallbackQueryHandler(pressed, pattern=r"^rq:"))  # and any other rq: press, refused
    runtime(app).scheduler.register(DUE, deliver_due)
    runtime(app).scheduler.register(CLOSE, deliver_close)
    start_links(app)["q"] = _report_link
    return COMMANDS
