"""A consultation in the groups: opened (its card in the chat it was asked in, the main group and
the building groups of its scope), its card kept up to date, closed by a convener or at its end
with the summary posted wherever the card is."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import CallbackContext

from bot.domain import consultations as rules
from bot.domain.communities import announced_in
from bot.domain.models import Firing
from bot.i18n import Translator
from bot.runtime import Runtime, runtime
from handlers import cards
from handlers.base import Turn
from storage import communities, schedules
from storage import consultations as store

log = logging.getLogger(__name__)

KIND = "consultation"  # the cards' kind (posts)
CLOSE_KIND = "consultation_close"  # ref: the consultation's id; fires at its end
TAKE_PART = "k"  # t.me/<bot>?start=k<consultation>: vote on its statements privately
WRITE = "w"  # t.me/<bot>?start=w<consultation>: write a statement privately


def card(rt: Runtime, consultation: store.Consultation, username: str) -> cards.Render:
    async def render(t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
        fresh = await store.get(rt.store, consultation.id) or consultation
        shown = await store.statements(rt.store, fresh.id)
        taking_part = await store.participation(rt.store, fresh.id)
        per_building = sorted(((b, n) for b, n in taking_part.items() if b and n >= rules.MIN_GROUP),
                              key=lambda item: rules.natural(item[0]))
        html = rt.renderer.render(
            "consultation.html.j2", t, c=fresh, statements=len(shown),
            participants=sum(taking_part.values()),
            buildings=[(t.place(b), n) for b, n in per_building],
            scope=[t.place(b) for b in fresh.scope])
        if not fresh.is_open:
            return html, None
        return html, InlineKeyboardMarkup([[
            InlineKeyboardButton(t.gettext("🗳 Take part"),
                                 url=f"https://t.me/{username}?start={TAKE_PART}{fresh.id}"),
            InlineKeyboardButton(t.gettext("✍️ Write a statement"),
                                 url=f"https://t.me/{username}?start={WRITE}{fresh.id}"),
        ]])

    return render


async def refresh(rt: Runtime, bot, consultation_id: int, now: bool = False) -> None:
    """Every card as it is now (debounced: one edit per interval)."""

    async def render() -> None:
        consultation = await store.get(rt.store, consultation_id)
        if consultation is not None:
            await cards.edit_all(rt, bot, KIND, consultation, card(rt, consultation, bot.username))

    await rt.refresher.show((KIND, consultation_id), render, now=now)


async def open_consultation(turn: Turn, draft: rules.Draft, scope: tuple[str, ...],
                            closes_at: datetime) -> store.Consultation:
    """Store it, post its card here and in the main and scope's building groups, arm its end."""
    rt, bot = turn.rt, turn.context.bot
    consultation = await store.create(rt.store, chat_id=turn.chat_id, question=draft.question, scope=scope,
                                      seeds=draft.seeds, opened_by=turn.person.id, closes_at=closes_at,
                                      now=rt.clock.now(), thread=turn.thread, origin=turn.origin)
    await turn.keep_topic(f"{KIND}:{consultation.id}")
    render = card(rt, consultation, bot.username)
    if consultation.message_id is None:
        message = await turn.reply(*await render(turn.t))
        await store.set_message(rt.store, consultation.id, message.message_id)
        consultation = await store.get(rt.store, consultation.id)
    community = await communities.of_chat(rt.store, turn.chat_id)
    for chat_id in announced_in(community.chats if community else (), turn.chat_id, scope)[1:]:
        await cards.post(rt, bot, KIND, consultation, chat_id, render)
    if not any(s.active for s in await schedules.of_ref(rt.store, CLOSE_KIND, str(consultation.id))):
        await rt.scheduler.add(chat_id=consultation.chat_id, kind=CLOSE_KIND, first_at=closes_at,
                               tz=str(turn.t.tz), ref=str(consultation.id))
    return consultation  # type: ignore[return-value]


async def close(rt: Runtime, bot, consultation: store.Consultation) -> bool:
    """Close it: the cards say so and the summary goes to every group they are in. False: it
    was closed already."""
    from handlers.consultations.summary import post_summary

    if not await store.close(rt.store, consultation.id, rt.clock.now()):
        return False
    await rt.scheduler.cancel_ref(CLOSE_KIND, str(consultation.id))
    await refresh(rt, bot, consultation.id, now=True)
    await post_summary(rt, bot, await store.get(rt.store, consultation.id), final=True)
    return True


async def deliver_close(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    consultation = await store.get(rt.store, int(firing.schedule.ref))
    if consultation is not None and consultation.is_open and consultation.closes_at == firing.occurrence:
        await close(rt, context.bot, consultation)
