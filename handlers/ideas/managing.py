"""Conveners move ideas on: states, the vote and the next meeting's agenda, by command or by the
card's manage buttons."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import ideas as rules
from bot.domain import numbers
from bot.domain.ideas import KIND_NAMES, STATE_NAMES, STATES, Idea, IdeaError
from bot.domain.polls import MAX_QUESTION, Draft
from handlers.base import Refused, Turn, handler, tell_privately
from handlers.ideas.card import _pressed_idea, refresh
from handlers.ideas.common import _error, _stale
from handlers.polls import Prepared, open_vote
from storage import chats
from storage import ideas as store


@handler
async def manage(turn: Turn) -> None:
    idea, _ = await _pressed_idea(turn, on_card=True)
    await turn.require_convener(idea.chat_id)
    await turn.answer()
    t = turn.t
    rows = [[InlineKeyboardButton(t.gettext("→ %(state)s", state=t.gettext(STATE_NAMES[s])),
                                  callback_data=f"id:s:{idea.id}:{s}")]
            for s in STATES if s in rules.TRANSITIONS[idea.state] and s not in ("declined", "merged")]
    if idea.poll_id is None:
        rows.append([InlineKeyboardButton(t.gettext("🗳 Put to the vote"), callback_data=f"id:p:{idea.id}")])
    rows.append([InlineKeyboardButton(t.gettext("📋 Next meeting's agenda"),
                                      callback_data=f"id:a:{idea.id}")])
    await turn.reply(turn.render("idea_manage.html.j2", idea=idea), InlineKeyboardMarkup(rows))


@handler
async def state_pressed(turn: Turn) -> None:
    idea, rest = await _pressed_idea(turn, on_card=False)
    await turn.require_convener(idea.chat_id)
    if len(rest) != 1 or rest[0] not in STATES:
        raise _stale(turn)
    await change(turn, idea, rest[0], None)
    await turn.answer()


@handler
async def poll_pressed(turn: Turn) -> None:
    await to_vote(turn, await _managed(turn))


@handler
async def agenda_pressed(turn: Turn) -> None:
    await to_agenda(turn, await _managed(turn))


async def _managed(turn: Turn) -> Idea:
    """The idea a convener's manage button belongs to, the press answered."""
    idea, _ = await _pressed_idea(turn, on_card=False)
    await turn.require_convener(idea.chat_id)
    await turn.answer()
    return idea


async def change(turn: Turn, idea: Idea, target: str, reason: str | None, into: Idea | None = None) -> None:
    """Apply a state change the rules allow: store it, update the card(s), tell the group and
    the author (privately, named ideas only: an anonymous idea has no author to write to)."""
    try:
        rules.check_change(idea.state, target, reason, into_state=into.state if into else None,
                           into_self=into is not None and into.id == idea.id)
    except IdeaError as problem:
        raise _error(turn, problem) from None
    rt = turn.rt
    await store.change_state(rt.store, idea, target, reason=reason, by=turn.person.id,
                             now=rt.clock.now(), into=into)
    await refresh(rt, turn.context.bot, idea.id, now=True)
    if into is not None:
        await refresh(rt, turn.context.bot, into.id, now=True)
    changed = await store.get(rt.store, idea.id)
    await turn.reply(turn.render("idea_changed.html.j2", idea=changed, state_names=STATE_NAMES,
                                 kind_name=KIND_NAMES[idea.kind], private=False))
    if changed.author_id is not None and not changed.anonymous:
        await _tell_author(turn, changed)


async def _tell_author(turn: Turn, idea: Idea) -> None:
    rt = turn.rt
    chat = await chats.get(rt.store, idea.chat_id)
    t = rt.translator(chat)
    text = rt.renderer.render("idea_changed.html.j2", t, idea=idea, state_names=STATE_NAMES,
                              kind_name=KIND_NAMES[idea.kind], private=True, group=chat.title or "")
    await tell_privately(rt, turn.context.bot, idea.author_id, text)


async def _target(turn: Turn, args: list[str]) -> Idea:
    if turn.in_private:
        raise Refused(turn.t.gettext("Ideas belong to a group: use this command in the group."))
    await turn.require_convener()
    number = numbers.whole(args[0]) if args else None
    idea = await store.by_number(turn.rt.store, turn.chat_id, number) if number is not None else None
    if idea is None:
        raise Refused(turn.t.gettext("Which idea? Give its number, e.g. /idea_state 3 accepted. "
                                     "/ideas lists them."))
    await turn.require_convener(idea.chat_id)  # an idea from another group: its conveners, or the community's
    return idea


@handler
async def state_command(turn: Turn) -> None:
    """``/idea_state 3 declined 预算不足``, ``/idea_state 5 merged 2``."""
    args = turn.body.split(maxsplit=2)
    idea = await _target(turn, args)
    target = rules.word(args[1]) if len(args) > 1 else None
    if target not in STATES:
        raise Refused(turn.t.gettext("Usage: /idea_state number state [reason], e.g. /idea_state 3 "
                                     "accepted, /idea_state 3 declined 预算不足, /idea_state 5 merged 2. "
                                     "States: discussion, accepted, in_progress, done, declined, merged."))
    rest = args[2].strip() if len(args) > 2 else ""
    into = None
    if target == "merged":
        number = rest.split()[0].lstrip("#") if rest else ""
        into_number = numbers.whole(number)
        if into_number is not None:
            into = await store.by_number(turn.rt.store, turn.chat_id, into_number)
        if number and into is None:
            raise Refused(turn.t.gettext("There is no idea #%(number)s here.", number=number))
        rest = ""
    await change(turn, idea, target, rest or None, into)


async def to_vote(turn: Turn, idea: Idea) -> None:
    if idea.poll_id is not None:
        raise Refused(turn.t.gettext("Idea #%(number)s was put to the vote already.", number=idea.number))
    question = idea.text if len(idea.text) <= MAX_QUESTION else idea.text[:MAX_QUESTION - 1] + "…"
    details = [idea.text] if question != idea.text else []
    details.append(turn.t.gettext("From idea #%(number)s, endorsed by %(count)s.", number=idea.number,
                                  count=idea.endorsements))
    poll = await open_vote(turn, Prepared(Draft(kind="proposal", question=question, details=details), None,
                                          (), []))
    await store.set_poll(turn.rt.store, idea.id, poll.id)
    if idea.state == "new":
        await change(turn, idea, "discussion", None)


async def to_agenda(turn: Turn, idea: Idea) -> None:
    if not await store.put_on_agenda(turn.rt.store, idea, turn.person.id, turn.rt.clock.now()):
        raise Refused(turn.t.gettext("Idea #%(number)s is on the agenda already.", number=idea.number))
    await turn.reply(html.escape(turn.t.gettext(
        "Idea #%(number)s is on the agenda of the next meeting.", number=idea.number)))
    if idea.state == "new":
        await change(turn, idea, "discussion", None)


async def _open_target(turn: Turn):
    idea = await _target(turn, turn.body.split())
    if not idea.is_open:
        raise Refused(turn.t.gettext("This idea is closed (%(state)s).",
                                     state=turn.t.gettext(STATE_NAMES[idea.state])))
    return idea


@handler
async def poll_command(turn: Turn) -> None:
    await to_vote(turn, await _open_target(turn))


@handler
async def agenda_command(turn: Turn) -> None:
    await to_agenda(turn, await _open_target(turn))
