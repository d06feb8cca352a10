"""Submitting an idea or wish: in the group, or privately (named or anonymous) to one of the
author's groups; a similar open idea is offered to endorse instead."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from bot.domain import ideas as rules
from bot.domain import numbers
from bot.domain.ideas import KIND_NAMES, Idea, IdeaError
from handlers.base import NO_GROUP, Refused, Turn, groups_of, handler, send_html
from handlers.guide.entry import guide_button, guided
from handlers.ideas.card import _card, refresh
from handlers.ideas.common import _error, _stale
from handlers.ideas.digest import ensure_digest
from storage import chats, communities, members, topics
from storage import ideas as store


async def _check_rate(turn: Turn) -> None:
    recent = await store.submitted_since(turn.rt.store, turn.person.id,
                                         turn.rt.clock.now() - timedelta(hours=1))
    if rules.rate_limited(recent):
        raise Refused(turn.t.gettext("You can submit at most %(most)s ideas an hour. Please try again "
                                     "later.", most=rules.HOURLY_LIMIT))


@handler
async def submit(turn: Turn) -> None:
    kind = "wish" if turn.update.effective_message.text.split()[0].lstrip("/").lower().startswith("wish") \
        else "idea"
    if not turn.body.strip():  # the command alone: asked step by step instead
        await guided(turn, kind)
        return
    try:
        text = rules.check_text(turn.body)
    except IdeaError as problem:
        raise _error(turn, problem, guide_button(turn, kind)) from None
    await _check_rate(turn)
    rt, now = turn.rt, turn.rt.clock.now()
    if not turn.in_private:
        draft = await store.add_draft(rt.store, user_id=turn.person.id, kind=kind, text=text,
                                      chat_id=turn.chat_id, anonymous=False, now=now)
        if not await _offer_similar(turn, draft):
            await _post(turn, draft)
        return
    groups = await groups_of(turn)
    if not groups:
        raise Refused(turn.t.gettext(NO_GROUP))
    draft = await store.add_draft(rt.store, user_id=turn.person.id, kind=kind, text=text, chat_id=None,
                                  anonymous=False, now=now)
    rows = [[InlineKeyboardButton(turn.t.gettext("%(group)s · with my name", group=title),
                                  callback_data=f"id:pc:{draft.id}:{chat_id}:0"),
             InlineKeyboardButton(turn.t.gettext("%(group)s · anonymous", group=title),
                                  callback_data=f"id:pc:{draft.id}:{chat_id}:1")]
            for chat_id, title in groups]
    places = await members.groups_of(rt.store, turn.person.id)
    acting = groups[0][1] if len(groups) == 1 < len(places) else None  # chosen among several before
    await turn.reply(turn.render("idea_choose.html.j2", text=text, several=len(groups) > 1, acting=acting),
                     InlineKeyboardMarkup(rows))


async def _offer_similar(turn: Turn, draft: store.Draft) -> bool:
    """If an open idea of the group resembles the draft, ask the author what to do."""
    candidates = await store.of_chat(turn.rt.store, draft.chat_id)
    found = rules.most_similar(draft.text, [(i.id, i.text) for i in candidates])
    if found is None:
        return False
    similar = next(i for i in candidates if i.id == found[0])
    t = turn.t
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(t.gettext("👍 Endorse #%(number)s instead", number=similar.number),
                              callback_data=f"id:de:{draft.id}:{similar.id}")],
        [InlineKeyboardButton(t.gettext("Post mine anyway"), callback_data=f"id:dp:{draft.id}")],
    ])
    text = turn.render("idea_similar.html.j2", idea=similar, kind_name=KIND_NAMES[similar.kind])
    if turn.update.callback_query is not None:
        await turn.update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                                           reply_markup=markup)
    else:
        await turn.reply(text, markup)
    return True


def _checked(turn: Turn, text: str) -> str:
    try:
        return rules.check_text(text)
    except IdeaError as problem:
        raise _error(turn, problem) from None


async def preview(turn: Turn, kind: str, text: str, anonymous: bool) -> str:
    """The idea's card as the group will see it (``turn`` speaks in the group), and the open idea it
    resembles, if one does."""
    text = _checked(turn, text)
    number = await turn.rt.store.next_number("ideas", turn.chat_id)
    idea = Idea(0, turn.chat_id, number, kind, text, anonymous,
                None if anonymous else turn.person.id, None if anonymous else turn.person.name, "new", None,
                None, None, None, turn.rt.clock.now())
    card, _ = await _card(turn.rt, turn.t, idea)
    open_ideas = await store.of_chat(turn.rt.store, turn.chat_id)
    found = rules.most_similar(text, [(i.id, i.text) for i in open_ideas])
    if found is None:
        return card
    similar = await store.get(turn.rt.store, found[0])
    return card + "\n\n" + html.escape(turn.t.gettext(
        "A similar idea is open already: #%(number)s %(text)s. You can endorse it in the group instead.",
        number=similar.number, text=similar.text))


async def post(turn: Turn, kind: str, text: str, anonymous: bool) -> Idea:
    """Post the idea in the group ``turn`` speaks in, as the typed command would."""
    await _check_rate(turn)
    draft = await store.add_draft(turn.rt.store, user_id=turn.person.id, kind=kind, text=_checked(turn, text),
                                  chat_id=turn.chat_id, anonymous=anonymous, now=turn.rt.clock.now())
    return await _post(turn, draft)


async def _post(turn: Turn, draft: store.Draft) -> Idea:
    """Store the draft as an idea, post its card in the group and make sure the digest runs."""
    rt = turn.rt
    idea = await store.create(rt.store, chat_id=draft.chat_id, kind=draft.kind, text=draft.text,
                              anonymous=draft.anonymous, user_id=draft.user_id, now=rt.clock.now(),
                              origin=turn.origin)
    chat = await chats.get(rt.store, idea.chat_id)
    if turn.chat_id == idea.chat_id:  # written in the group: ideas go to the topic it came from
        await turn.keep_topic(topics.IDEAS)
    if idea.message_id is None:  # not posted yet (or handled again after a crash before it was)
        text, markup = await _card(rt, rt.translator(chat), idea)
        message = await send_html(turn.context.bot, idea.chat_id, text, markup,
                                  thread=await topics.of(rt.store, idea.chat_id, topics.IDEAS))
        await store.set_message(rt.store, idea.id, message.message_id)
    await store.drop_draft(rt.store, draft.id)
    await ensure_digest(rt, chat)
    if turn.update.callback_query is not None and turn.target is None:  # a guided flow says so itself
        await turn.update.callback_query.edit_message_text(html.escape(turn.t.gettext(
            "Posted as #%(number)s in %(group)s.", number=idea.number, group=chat.title or "")))
    return idea


async def _own_draft(turn: Turn, draft_id: str) -> store.Draft:
    number = numbers.whole(draft_id)
    draft = await store.draft(turn.rt.store, number) if number is not None else None
    if draft is None or draft.user_id != turn.person.id:
        raise _stale(turn)
    return draft


@handler
async def choose_group(turn: Turn) -> None:
    """``id:pc:<draft>:<chat>:<anonymous>``, pressed in the author's private chat. Where there
    were several communities to choose from, the one chosen is remembered: the next private
    /idea, /report and /ask act for it without asking (/community changes it)."""
    parts = turn.update.callback_query.data.split(":")
    if len(parts) != 5 or not turn.in_private or parts[4] not in ("0", "1"):
        raise _stale(turn)
    draft = await _own_draft(turn, parts[2])
    groups = dict(await members.groups_of(turn.rt.store, turn.person.id))
    chat_id = int(parts[3]) if re.fullmatch(r"-?\d+", parts[3]) else None
    if chat_id not in groups:
        raise _stale(turn)
    await _check_rate(turn)
    if len(groups) > 1:
        await communities.choose(turn.rt.store, turn.person.id, chat_id)
    await store.place_draft(turn.rt.store, draft.id, chat_id, parts[4] == "1")
    draft = await store.draft(turn.rt.store, draft.id)
    await turn.answer()
    if not await _offer_similar(turn, draft):
        await _post(turn, draft)


@handler
async def draft_choice(turn: Turn) -> None:
    """``id:de:<draft>:<idea>`` endorse the similar idea instead; ``id:dp:<draft>`` post anyway."""
    parts = turn.update.callback_query.data.split(":")
    if len(parts) < 3:
        raise _stale(turn)
    draft = await _own_draft(turn, parts[2])
    if draft.chat_id is None or (not turn.in_private and turn.chat_id != draft.chat_id):
        raise _stale(turn)
    if parts[1] == "dp":
        await _check_rate(turn)
        await turn.answer()
        await _post(turn, draft)
        return
    idea_id = numbers.whole(parts[3]) if len(parts) == 4 else None
    idea = await store.get(turn.rt.store, idea_id) if idea_id is not None else None
    if idea is None or idea.chat_id != draft.chat_id or not idea.is_open:
        raise _stale(turn)
    await store.endorse(turn.rt.store, idea.id, turn.person.id, turn.rt.clock.now())
    await store.drop_draft(turn.rt.store, draft.id)
    await turn.answer()
    await turn.update.callback_query.edit_message_text(html.escape(turn.t.gettext(
        "You endorsed #%(number)s instead.", number=idea.number)))
    await refresh(turn.rt, turn.context.bot, idea.id)
