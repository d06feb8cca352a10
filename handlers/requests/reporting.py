"""Reporting a request: begun in the group or privately, kept as a draft until the community and
how public it is are settled, then submitted."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import numbers
from bot.domain import requests as rules
from bot.domain.requests import CATEGORIES
from bot.i18n import Translator
from handlers.base import NO_GROUP, Refused, Turn, deep_link, groups_of, handler, send_html
from handlers.guide.entry import guide_button, guided
from handlers.requests.common import CATEGORY_NAMES, DUE, _names, _view
from storage import chats, communities, drafts, members, topics
from storage import requests as store


def _usage(t: Translator) -> str:
    return t.gettext("Usage: /report category text, e.g. /report 物业费 水费每吨多收了0.4元. "
                     "Categories: %(known)s.",
                     known=t.listing(t.gettext(CATEGORY_NAMES[c]) for c in CATEGORIES))


def _parse_report(t: Translator, body: str) -> tuple[str | None, str]:
    """(the category, if the first word names one; the description, possibly empty)."""
    word, _, text = body.partition(" ") if " " in body else body.partition("\n")
    category = rules.parse_category(word) if word else None
    return category, _description(t, text if category else body)


def _description(t: Translator, text: str) -> str:
    text = text.strip()
    if len(text) > rules.MAX_TEXT:
        raise Refused(t.gettext("A request can be at most %(most)s characters; yours has %(count)s.",
                                most=rules.MAX_TEXT, count=len(text)))
    return text


async def _check_rate(turn: Turn) -> None:
    since = turn.rt.clock.now() - timedelta(hours=1)
    if await store.reported_since(turn.rt.store, turn.person.id, since) >= rules.HOURLY_LIMIT:
        raise Refused(turn.t.gettext("You can report at most %(most)s requests an hour. Please try "
                                     "again later.", most=rules.HOURLY_LIMIT))


@handler
async def report_command(turn: Turn) -> None:
    t = turn.t
    if not turn.in_private:
        await turn.keep_topic(topics.REQUESTS)  # where the group hears of its requests
    if not turn.body.strip() and not _photo_of(turn):  # the command alone: asked step by step
        await guided(turn, "report")
        return
    if not turn.in_private:
        draft = None
        try:
            category, text = _parse_report(t, turn.body.strip())
            draft = {"chat_id": turn.chat_id, "category": category, "text": text or None, "photo": None}
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
    try:
        category, text = _parse_report(t, turn.body.strip())
    except Refused as refusal:
        raise Refused(str(refusal), guide_button(turn, "report")) from None
    await _check_rate(turn)
    await drafts.pop(turn.rt.store, turn.person.id, drafts.GUIDE)  # typed instead: no question waits
    old = await _draft(turn) or {}
    await _next_step(turn, {"chat_id": old.get("chat_id"), "category": category, "text": text or None,
                            "photo": _photo_of(turn)})


async def _next_step(turn: Turn, draft: dict) -> None:
    """Ask for what the draft still lacks: its category (buttons), its description, its community."""
    t = turn.t
    if draft.get("category") is None:
        await _keep(turn, draft)
        buttons = [InlineKeyboardButton(t.gettext(CATEGORY_NAMES[c]), callback_data=f"rq:k:{c}")
                   for c in CATEGORIES]
        await turn.reply(html.escape(t.gettext("What is it about? Choose one.")),
                         InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)]))
    elif not draft.get("text"):
        await _keep(turn, draft)
        await turn.reply(html.escape(t.gettext(
            "Describe the problem in a message: what, where, since when. A photo can follow.")))
    else:
        await _where(turn, draft)


@handler
async def category_chosen(turn: Turn) -> None:
    """rq:k:<category>, under "What is it about?"."""
    draft = await _draft(turn)
    category = turn.update.callback_query.data.split(":")[2]
    if not turn.in_private or draft is None or category not in CATEGORIES:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await turn.answer()
    await _next_step(turn, {**draft, "category": category})


@handler
async def described(turn: Turn) -> None:
    """A plain message in private while a request waits for its description."""
    draft = await _draft(turn)
    if draft is None or draft.get("text"):
        return  # not a request being written: nothing to say
    text = _description(turn.t, turn.update.effective_message.text or "")
    await _check_rate(turn)
    await _next_step(turn, {**draft, "text": text})


async def _draft(turn: Turn) -> dict | None:
    return await drafts.get(turn.rt.store, turn.person.id, drafts.REQUEST)


async def _keep(turn: Turn, draft: dict) -> None:
    await drafts.put(turn.rt.store, turn.person.id, drafts.REQUEST, draft, turn.rt.clock.now())


def _photo_of(turn: Turn) -> str | None:
    sizes = turn.update.effective_message.photo
    return sizes[-1].file_id if sizes else None


async def _where(turn: Turn, draft: dict) -> None:
    """Keep the draft, settling which community it belongs to, then ask how public it may be."""
    places = await groups_of(turn) if draft.get("chat_id") is None else []
    if len(places) == 1:
        draft["chat_id"] = places[0][0]
    await _keep(turn, draft)
    if draft.get("chat_id") is None and not places:
        raise Refused(turn.t.gettext(NO_GROUP))
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
    await turn.reply(draft_preview(turn, draft, chat), markup)


async def _report_link(turn: Turn, payload: str) -> None:
    """``/start q<chat>``: continue privately a request begun in that group."""
    chat_id = numbers.chat_id(payload)
    places = dict(await members.groups_of(turn.rt.store, turn.person.id))
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
    places = dict(await members.groups_of(turn.rt.store, turn.person.id))
    chat_id = numbers.chat_id(data[2]) if len(data) == 3 else None
    if not turn.in_private or not draft or not draft.get("text") or chat_id not in places:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    draft["chat_id"] = chat_id
    await _keep(turn, draft)
    await communities.choose(turn.rt.store, turn.person.id, chat_id)  # asked once: /community changes it
    await turn.answer()
    await _ask_public(turn, draft)


@handler
async def submit(turn: Turn) -> None:
    data = turn.update.callback_query.data
    draft = await _draft(turn)
    if not turn.in_private or data not in ("rq:s:0", "rq:s:1") or not draft or not draft.get("text") \
            or draft.get("chat_id") is None:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await turn.answer()
    await file(turn, draft, data.endswith("1"))


def draft_preview(turn: Turn, draft: dict, chat) -> str:
    """The request as written, before it is sent: what the reporter checks."""
    return turn.render("request_draft.html.j2", draft=draft,
                       community=(chat.community or chat.title or "") if chat else "", **_names(turn.t))


async def file(turn: Turn, draft: dict, public: bool) -> int:
    """Store the reporter's request, arm its targets, tell the group when ``public``; its number."""
    await _check_rate(turn)
    rt, t = turn.rt, turn.t
    chat = await chats.get(rt.store, draft["chat_id"])
    respond_h, resolve_h = rules.targets_of(chat.settings if chat else {})[draft["category"]]
    now = rt.clock.now()
    request = await store.create(
        rt.store, chat_id=draft["chat_id"], reporter_id=turn.person.id, category=draft["category"],
        text=draft["text"], photo=draft.get("photo"), public=public, now=now,
        respond_by=now + timedelta(hours=respond_h), resolve_by=now + timedelta(hours=resolve_h),
        origin=turn.origin)
    tz = (chat.tz if chat else None) or rt.settings.tz
    for what, when in (("respond", request.respond_by), ("resolve", request.resolve_by)):
        await rt.scheduler.add(chat_id=request.chat_id, kind=DUE, first_at=when, tz=tz,
                               ref=str(request.id), payload={"what": what}, origin=f"{turn.origin}:{what}")
    await drafts.pop(rt.store, turn.person.id, drafts.REQUEST)
    await turn.reply(html.escape(t.gettext(
        "Request #%(id)s received. You will hear from me when it moves on; /request %(id)s shows it.",
        id=request.number)))
    if request.public:
        gt = rt.translator(chat)
        await send_html(turn.context.bot, request.chat_id, _view(rt, gt, request, names=False, detail=True),
                        thread=await topics.of(rt.store, request.chat_id, topics.REQUESTS))
    return request.id
