"""From consensus to decision: a statement the summary found agreed on is put to a proposal vote, or
on the agenda of the next talk (and so into that meeting's minutes), in one press; each links
back to the consultation, and the consultation's summary says where the statement went."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup

from bot.domain import numbers
from bot.domain.polls import Draft
from handlers.base import Refused, Turn, handler
from handlers.events.common import _pick
from handlers.polls import Prepared, open_vote
from storage import consultations as store
from storage import events


async def _pressed(turn: Turn) -> tuple[store.Consultation, store.Statement]:
    statement = await store.statement(turn.rt.store, numbers.whole(turn.update.callback_query.data[5:]) or 0)
    consultation = await store.get(turn.rt.store, statement.consultation_id) if statement else None
    if statement is None or consultation is None or statement.hidden or turn.in_private or \
            await store.by_number(turn.rt.store, turn.chat_id, consultation.number) is None:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await turn.require_convener()
    return consultation, statement


def _origin(t, consultation: store.Consultation, statement: store.Statement) -> str:
    return t.gettext("From consultation #%(number)s (%(question)s), statement %(statement)s.",
                     number=consultation.number, question=consultation.question, statement=statement.number)


@handler
async def taken(turn: Turn) -> None:
    """cs:p:<statement> to a proposal vote; cs:g:<statement> on the next talk's agenda."""
    rt, t = turn.rt, turn.t
    consultation, statement = await _pressed(turn)
    kind = "poll" if turn.update.callback_query.data.startswith("cs:p:") else "agenda"
    done = {o.kind: o for o in (await store.outcomes(rt.store, consultation.id)).get(statement.id, [])}
    if kind in done:
        raise Refused(t.gettext("Statement %(statement)s was taken on already.", statement=statement.number))
    now = rt.clock.now()
    if kind == "poll":
        await turn.answer()
        poll = await open_vote(turn, Prepared(Draft(kind="proposal", question=statement.text,
                                                    details=[_origin(t, consultation, statement)]),
                                              None, (), []))
        await store.take(rt.store, statement.id, "poll", turn.person.id, now, poll_id=poll.id)
        await _drop_button(turn)
        return
    event, occurrence = await _pick(turn, None, "talk")
    if occurrence is None:
        raise Refused(t.gettext("Event #%(number)s has no occurrence ahead.", number=event.number))
    item = t.gettext("%(text)s (consensus of consultation #%(number)s, statement %(statement)s)",
                     text=statement.text, number=consultation.number, statement=statement.number)
    await events.add_item(rt.store, event.id, occurrence.key, item, turn.person.id, now, turn.origin)
    await store.take(rt.store, statement.id, "agenda", turn.person.id, now, event_id=event.id,
                     occurrence=occurrence.at)
    await turn.answer()
    await _drop_button(turn)
    await turn.reply(html.escape(t.gettext(
        "Statement %(statement)s of consultation #%(number)s is on the agenda of %(event)s on %(when)s.",
        statement=statement.number, number=consultation.number, event=event.title,
        when=t.datetime(occurrence.at))))


async def _drop_button(turn: Turn) -> None:
    """The summary's pressed button goes: the statement was taken on."""
    query = turn.update.callback_query
    markup = query.message.reply_markup
    rows = [[b for b in row if b.callback_data != query.data] for row in markup.inline_keyboard
            ] if markup else []
    rows = [row for row in rows if row]
    await turn.context.bot.edit_message_reply_markup(
        query.message.chat.id, query.message.message_id,
        reply_markup=InlineKeyboardMarkup(rows) if rows else None)
