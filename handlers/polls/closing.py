"""Closing a vote (at the deadline or by a convener), extending and reopening it, and making its
result final."""

from __future__ import annotations

from datetime import datetime

from telegram.error import BadRequest, Forbidden

from bot.domain import delivery
from bot.domain.polls import Poll
from bot.runtime import Runtime
from handlers import cards
from handlers.base import Refused, Turn, handler
from handlers.polls import bulletin
from handlers.polls.common import _deadline, _target
from handlers.polls.creating import _schedule, _schedules
from handlers.polls.showing import _view, refresh
from handlers.review import registry_changes_view
from storage import polls, topics


async def close(rt: Runtime, bot, poll: Poll, *, full: bool = False, outcome: str | None = None) -> None:
    """Close voting: the message shows the final state and the result is announced."""
    await polls.set_status(rt.store, poll.id, "closed", rt.clock.now(), outcome)
    for schedule in await _schedules(rt, poll):
        await rt.scheduler.cancel(schedule.id)
    await refresh(rt, bot, poll.id, now=True)
    poll = await polls.get(rt.store, poll.id)
    view = await _view(rt, poll)
    if poll.kind not in ("owner", "chain"):
        view["participants"] = await _group_size(bot, poll.chat_id)
    view.update(await registry_changes_view(rt, poll))  # the registry changed since its review
    view.update(notice_days=delivery.notice_days(poll.created_at, poll.closed_at or poll.deadline),
                notice_needed=delivery.NOTICE_DAYS)
    published = await bulletin.publish(rt, poll, view.get("registry_changes", ())) \
        if poll.kind == "owner" else None
    view["bulletin"] = published

    async def result(t):
        return rt.renderer.render("poll_result.html.j2", t, full=full, **view), None

    await cards.tell_all(rt, bot, "poll", poll, result,  # wherever it was announced
                         thread=await topics.of(rt.store, poll.chat_id, f"poll:{poll.id}"))
    if published is not None:
        await bulletin.post_files(rt, bot, poll, published)


async def _group_size(bot, chat_id: int) -> int | None:
    try:
        return max(await bot.get_chat_member_count(chat_id) - 1, 0)  # without the bot
    except (BadRequest, Forbidden):
        return None


@handler
async def close_command(turn: Turn) -> None:
    poll, args = await _target(turn)
    if poll.status != "open":
        raise Refused(turn.t.gettext("Vote #%(number)s is already closed.", number=poll.number))
    await close(turn.rt, turn.context.bot, poll, outcome=" ".join(args) or None)


@handler
async def extend_command(turn: Turn) -> None:
    poll, args = await _target(turn)
    if poll.status == "final":
        raise Refused(turn.t.gettext("The result of #%(number)s is final.", number=poll.number))
    if not args:
        raise Refused(turn.t.gettext("Give the new deadline, e.g. /extend %(number)s 明晚8点",
                                     number=poll.number))
    await _reopen(turn, poll, _deadline(turn, " ".join(args)))


@handler
async def reopen_command(turn: Turn) -> None:
    poll, args = await _target(turn)
    if poll.status != "closed":
        raise Refused(turn.t.gettext("Only a closed vote whose result is not final can be reopened."))
    deadline = _deadline(turn, " ".join(args)) if args else None
    if deadline is None and poll.deadline is not None and poll.deadline <= turn.rt.clock.now():
        raise Refused(turn.t.gettext("Its deadline has passed: give a new one, e.g. /reopen %(number)s "
                                     "3天后", number=poll.number))
    await _reopen(turn, poll, deadline or poll.deadline)


async def _reopen(turn: Turn, poll: Poll, deadline: datetime | None) -> None:
    rt = turn.rt
    if deadline is not None:
        await polls.set_deadline(rt.store, poll.id, deadline)
    else:
        await polls.set_status(rt.store, poll.id, "open", None)
    poll = await polls.get(rt.store, poll.id)
    await _schedule(rt, turn.chat, poll)
    await refresh(rt, turn.context.bot, poll.id, now=True)
    await turn.reply(turn.render("poll_reopened.html.j2", poll=poll))


@handler
async def final_command(turn: Turn) -> None:
    poll, args = await _target(turn)
    if poll.status != "closed":
        raise Refused(turn.t.gettext("Close the vote first; then its result can be made final."))
    outcome = " ".join(args) or None
    if poll.kind == "proposal" and not (outcome or poll.outcome):
        raise Refused(turn.t.gettext("Write the outcome, e.g. /final %(number)s 同意在东门建车棚",
                                     number=poll.number))
    await polls.set_status(turn.rt.store, poll.id, "final", poll.closed_at, outcome)
    await refresh(turn.rt, turn.context.bot, poll.id, now=True)
    poll = await polls.get(turn.rt.store, poll.id)
    await turn.reply(turn.render("poll_final.html.j2", poll=poll))
