"""The reception day's question queue: residents ask, conveners answer or carry questions on."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from bot.domain import events as rules
from bot.domain.events import Event, Occurrence
from bot.runtime import Runtime
from handlers.base import NO_GROUP, Refused, Turn, groups_of, handler, send_html, tell_privately
from handlers.events.common import _group_only, _number_and_rest, topic_of
from storage import chats
from storage import events as store

CARRY_WORDS = ("下次", "转下次", "轉下次", "next", "carry")


async def _reception(rt: Runtime, chat_id: int, now: datetime,
                     held_for: timedelta) -> tuple[Event, Occurrence]:
    """The chat's reception day under way (or held within ``held_for``), else the next one."""
    found = []
    for event in await store.of_chat(rt.store, chat_id, kind="reception"):
        occurrence = rules.current(event, await store.changes(rt.store, event.id), now, held_for=held_for)
        if occurrence is not None:
            found.append((occurrence.at, event, occurrence))
    if not found:
        raise LookupError
    _, event, occurrence = min(found, key=lambda f: f[0])
    return event, occurrence


@handler
async def ask_command(turn: Turn) -> None:
    t = turn.t
    text = " ".join(turn.body.split())
    if not text:
        raise Refused(t.gettext("Write your question after the command, e.g. /ask 3栋电梯什么时候修好？"))
    chat_id, community = (await _community_asked(turn)) if turn.in_private else (turn.chat_id, None)
    try:
        event, day = await _reception(turn.rt, chat_id, turn.rt.clock.now(), timedelta(0))
    except LookupError:
        raise Refused(t.gettext("No reception day is scheduled.")) from None
    number = await store.ask(turn.rt.store, event.id, day.key, turn.person.id, turn.person.name, text,
                             turn.rt.clock.now(), turn.origin)
    if community is None:
        said = t.gettext("Your question is number %(number)s in the queue for the reception day on %(when)s.",
                         number=number, when=t.datetime(day.at))
    else:
        said = t.gettext("Your question is number %(number)s in the queue for the reception day of "
                         "%(community)s on %(when)s.", number=number, community=community,
                         when=t.datetime(day.at))
    await turn.reply(html.escape(said))


async def _community_asked(turn: Turn) -> tuple[int, str]:
    """Asked privately: the community the person acts for (its main group, its name), among those
    with reception days when they have not chosen one."""
    t, places = turn.t, await groups_of(turn)  # the chosen community; Telegram asked if none known
    if not places:
        raise Refused(t.gettext(NO_GROUP))
    holding = [(g, name) for g, name in places if await store.of_chat(turn.rt.store, g, kind="reception")]
    if not holding and len(places) > 1:
        raise Refused(t.gettext("None of your communities has a reception day scheduled."))
    if not holding:
        raise Refused(t.gettext("No reception day is scheduled."))
    if len(holding) > 1:
        raise Refused(t.gettext(
            "You belong to several communities with reception days. Send /community here to choose "
            "the one you act for, then ask again."))
    return holding[0]


async def _host_day(turn: Turn) -> tuple[Event, Occurrence]:
    _group_only(turn)
    await turn.require_convener()
    try:
        return await _reception(turn.rt, turn.chat_id, turn.rt.clock.now(), rules.HELD_FOR)
    except LookupError:
        raise Refused(turn.t.gettext("No reception day is scheduled.")) from None


@handler
async def questions_command(turn: Turn) -> None:
    event, day = await _host_day(turn)
    await turn.reply(turn.render("reception_queue.html.j2", event=event, occurrence=day,
                                 questions=await store.questions(turn.rt.store, event.id, day.key)))


@handler
async def answer_command(turn: Turn) -> None:
    event, day = await _host_day(turn)
    t = turn.t
    number, text = _number_and_rest(turn)
    row = await store.question_row(turn.rt.store, event.id, day.key, number) if number else None
    if row is None or not text:
        raise Refused(t.gettext("Usage: /answer queue number and the answer, or 下次 to carry the question "
                                "to the next reception day, e.g.\n/answer 2 本周五前修好\n/answer 3 下次"))
    if row["state"] != "queued":
        raise Refused(t.gettext("Question %(number)s is settled already.", number=number))
    now = turn.rt.clock.now()
    if text.lower() in CARRY_WORDS:
        ahead = rules.upcoming(event, await store.changes(turn.rt.store, event.id), now, count=3)
        following = [o for o in ahead if o.key != day.key]
        if not following:
            raise Refused(t.gettext("There is no later reception day to carry it to."))
        await store.settle(turn.rt.store, row["id"], "carried", None, now)
        new_number = await store.ask(turn.rt.store, event.id, following[0].key, row["user_id"], row["name"],
                                     row["text"], now, turn.origin)
        note = t.gettext("Question %(number)s is carried to %(when)s as number %(new)s.", number=number,
                         when=t.datetime(following[0].at), new=new_number)
    else:
        await store.settle(turn.rt.store, row["id"], "answered", text, now)
        note = t.gettext("Question %(number)s is answered.", number=number)
    await turn.reply(html.escape(note))
    await _tell_asker(turn, row["user_id"], row["text"], note if text.lower() in CARRY_WORDS else text)
    settled = await store.questions(turn.rt.store, event.id, day.key)
    if rules.summary_ready(settled):
        await send_html(turn.context.bot, turn.chat_id, turn.render(
            "reception_summary.html.j2", event=event, occurrence=day, questions=settled),
            thread=await topic_of(turn.rt, event))


async def _tell_asker(turn: Turn, user_id: int, question: str, answer: str) -> None:
    chat = await chats.get(turn.rt.store, user_id)
    t = turn.rt.translator(chat) if chat else turn.t
    await tell_privately(turn.rt, turn.context.bot, user_id, html.escape(t.gettext(
        "About your question “%(question)s”: %(answer)s", question=question, answer=answer)))
