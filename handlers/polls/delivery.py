"""Notice delivered (送达) for owner votes: the notice sent privately to every bound owner when the
vote opens, its 收到 button, /delivery for the conveners, and the warning when a vote gives less
notice than the owners' assembly rules ask (see ``bot.domain.delivery``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.domain import delivery
from bot.domain.polls import Poll
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.base import Refused, Turn, deep_link, edit_html, handler, send_html
from handlers.polls.common import _target
from storage import chats, deliveries, households, polls

log = logging.getLogger(__name__)
RECEIVED = "pn"  # pn:<poll id>: the 收到 button under a notice


def short_notice_warning(rt: Runtime, t: Translator, kind: str, opened_at: datetime,
                         deadline: datetime | None) -> str | None:
    """The convener's warning when an owner vote gives less notice than the rules ask; None when
    it gives enough (or is no owner vote)."""
    if kind != "owner" or not delivery.short_notice(opened_at, deadline):
        return None
    return rt.renderer.render("vote_notice_short.html.j2", t, days=delivery.notice_days(opened_at, deadline),
                              needed=delivery.NOTICE_DAYS)


async def warn_short_notice(turn: Turn, poll: Poll) -> None:
    """Warn the convener, after the vote's message, when the vote gives too little notice."""
    warning = short_notice_warning(turn.rt, turn.t, poll.kind, poll.created_at, poll.deadline)
    if warning:
        await turn.reply(warning)


def _button(t: Translator, poll: Poll) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t.gettext("Received"),
                                                       callback_data=f"{RECEIVED}:{poll.id}")]])


async def _notice_html(rt: Runtime, bot, t: Translator, poll: Poll, household_ids: Sequence[int],
                       confirmed_at: datetime | None = None) -> str:
    chat = await chats.get(rt.store, poll.chat_id)
    units = [h.label for h in await households.by_ids(rt.store, list(household_ids))]
    return rt.renderer.render(
        "vote_notice.html.j2", t, poll=poll, units=units, confirmed_at=confirmed_at,
        group=(chat.community or chat.title or "") if chat else "",
        link=deep_link(bot.username, f"v{poll.id}") if poll.secret else None)


async def deliver_notice(rt: Runtime, bot, poll: Poll) -> int:
    """Send the owner vote's notice privately to every bound owner of its electorate who may be
    written to, once per person (listing their households in the vote). Each notice is recorded
    before it is sent: handled again after a crash, nobody gets it twice (one interrupted while
    sending counts as not reached). Returns how many were sent now."""
    if poll.kind != "owner" or not poll.is_open:
        return 0
    electorate = [h.id for h in await households.by_ids(rt.store, await polls.electorate(rt.store, poll.id))]
    held: dict[int, list[int]] = {}
    reachable: set[int] = set()
    for household, people in (await households.owners(rt.store, electorate)).items():
        for user_id, started in people:
            held.setdefault(user_id, []).append(household)
            if started:
                reachable.add(user_id)
    order = {h: i for i, h in enumerate(electorate)}
    t = rt.translator(await chats.get(rt.store, poll.chat_id))
    count = 0
    for user_id in sorted(reachable):
        mine = sorted(held[user_id], key=order.__getitem__)
        if not await deliveries.claim(rt.store, poll.id, user_id, mine, rt.clock.now()):
            continue  # sent before (or interrupted): never twice
        try:
            message = await send_html(bot, user_id, await _notice_html(rt, bot, t, poll, mine),
                                      _button(t, poll))
        except Forbidden as error:  # blocked, and the bot has not heard of it yet
            log.info("notice of vote %s not delivered privately: %s", poll.id, error)
            await rt.blocked_by(user_id)
            await deliveries.failed(rt.store, poll.id, user_id, "blocked")
            continue
        except BadRequest as error:
            log.warning("notice of vote %s not delivered privately: %s", poll.id, error)
            await deliveries.failed(rt.store, poll.id, user_id, str(error))
            continue
        await deliveries.sent(rt.store, poll.id, user_id, message.message_id, rt.clock.now())
        count += 1
    return count


@handler
async def received(turn: Turn) -> None:
    """收到 pressed under a notice: recorded once, and the notice then says when."""
    query = turn.update.callback_query
    poll = await polls.get(turn.rt.store, int(query.data.split(":")[1]))
    notice = await deliveries.get(turn.rt.store, poll.id, turn.person.id) if poll else None
    pressed = query.message
    if (notice is None or notice.failed is not None or pressed is None or pressed.chat.id != turn.person.id
            or notice.message_id not in (None, pressed.message_id)):
        raise Refused(turn.t.gettext("This button is no longer valid."))
    if notice.confirmed_at is not None:
        await turn.answer(turn.t.gettext("You confirmed it already, %(when)s.",
                                         when=turn.t.datetime(notice.confirmed_at)))
        return
    if not poll.is_open:
        raise Refused(turn.t.gettext("Voting has closed."))
    now = turn.rt.clock.now()
    if not await deliveries.confirm(turn.rt.store, poll.id, turn.person.id, pressed.message_id, now):
        await turn.answer(turn.t.gettext("You confirmed it already."))  # pressed twice at once
        return
    t = turn.rt.translator(await chats.get(turn.rt.store, poll.chat_id))
    await edit_html(turn.context.bot, pressed.chat.id, pressed.message_id,
                    await _notice_html(turn.rt, turn.context.bot, t, poll, notice.household_ids, now))
    await turn.answer(turn.t.gettext("Thank you: confirmed."))


async def state(rt: Runtime, poll: Poll) -> tuple[delivery.Delivery, dict[int, str]]:
    """Where the vote's notice got to, and the units' labels."""
    units = await households.by_ids(rt.store, await polls.electorate(rt.store, poll.id))
    ids = [h.id for h in units]
    bound = await households.owners(rt.store, ids)
    owners = {h: [user for user, _ in people] for h, people in bound.items()}
    counted = delivery.delivery(ids, owners, await deliveries.of_poll(rt.store, poll.id))
    return counted, {h.id: h.label for h in units}


@handler
async def delivery_command(turn: Turn) -> None:
    poll, _ = await _target(turn)
    if poll.kind != "owner":
        raise Refused(turn.t.gettext("Only owner votes send their notice to the households: #%(number)s "
                                     "is not an owner vote.", number=poll.number))
    counted, labels = await state(turn.rt, poll)

    def named(ids: tuple[int, ...]) -> list[str]:
        return [labels[h] for h in ids]

    await turn.reply(turn.render(
        "vote_notice_delivery.html.j2", poll=poll, d=counted, unbound=named(counted.unbound),
        unreached=named(counted.unreached), unconfirmed=named(counted.unconfirmed)))
