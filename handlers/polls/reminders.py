"""The deadline and the reminders before it, who has not voted yet, and the list of votes."""

from __future__ import annotations

import html

from telegram.ext import CallbackContext

from bot.domain.communities import reminded_in
from bot.domain.models import Firing
from bot.domain.polls import Poll
from bot.runtime import Runtime, runtime
from handlers import cards
from handlers.base import Refused, Turn, deep_link, handler, tell_privately
from handlers.polls.closing import close
from handlers.polls.common import KIND_NAMES, _group_only, _target
from handlers.polls.showing import _owner_tally
from storage import chats, communities, households, members, polls, topics


async def deliver(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    poll = await polls.get(rt.store, int(firing.schedule.ref))
    if poll is None or not poll.is_open or poll.deadline != firing.occurrence:
        return  # closed early, or moved: nothing to do for this firing
    if firing.offset == 0:
        await close(rt, context.bot, poll)
    else:
        await remind(rt, context.bot, poll)


async def _not_voted(rt: Runtime, poll: Poll) -> list[tuple[str, list[tuple[int, bool]]]]:
    """Who has not voted, in display order: units (owner votes) or names (members seen in the
    group), each with the people to tell (user id, has started the bot)."""
    if poll.kind == "owner":
        pending = list((await _owner_tally(rt, poll)).pending)
        owners = await households.owners(rt.store, pending)
        units = await households.by_ids(rt.store, pending)
        return [(h.label, owners.get(h.id, [])) for h in units]
    voted = {b.user_id for b in await polls.ballots(rt.store, poll.id) if b.choices}
    return [(p.name, [(p.id, p.started)]) for p in await members.present(rt.store, poll.chat_id)
            if p.id not in voted]


async def remind(rt: Runtime, bot, poll: Poll) -> tuple[int, int]:
    """Remind those who have not voted: privately where the bot may write to them, listed in
    the group otherwise (an owner vote's list: in the building groups of its scope). Returns
    (people reminded privately, entries listed in the group)."""
    t = rt.translator(await chats.get(rt.store, poll.chat_id))
    missing = await _not_voted(rt, poll)
    text = rt.renderer.render("poll_reminder.html.j2", t, poll=poll, private=True,
                              link=deep_link(bot.username, f"v{poll.id}") if poll.secret else None)
    told: set[int] = set()
    for user_id in {u for _, people in missing for u, started in people if started}:
        if await tell_privately(rt, bot, user_id, text):
            told.add(user_id)
    public = [label for label, people in missing if not any(u in told for u, _ in people)]
    if public:
        await _list_in_groups(rt, bot, poll, public)
    return len(told), len(public)


async def _list_in_groups(rt: Runtime, bot, poll: Poll, names: list[str]) -> None:
    where = [poll.chat_id]
    if poll.kind == "owner":
        community = await communities.of_chat(rt.store, poll.chat_id)
        where = reminded_in(community.chats if community else (), poll.chat_id, poll.scope)

    async def listing(t):
        return rt.renderer.render("poll_reminder.html.j2", t, poll=poll, private=False, names=names,
                                  units=poll.kind == "owner"), None

    await cards.tell_all(rt, bot, "poll", poll, listing, only=where,
                         thread=await topics.of(rt.store, poll.chat_id, f"poll:{poll.id}"))


@handler
async def remind_command(turn: Turn) -> None:
    poll, _ = await _target(turn)
    if not poll.is_open:
        raise Refused(turn.t.gettext("Voting has closed."))
    privately, listed = await remind(turn.rt, turn.context.bot, poll)
    await turn.reply(html.escape(turn.t.gettext(
        "Reminded %(privately)s privately; %(listed)s listed in the group.",
        privately=privately, listed=listed)))


@handler
async def not_voted_command(turn: Turn) -> None:
    poll, _ = await _target(turn)
    missing = await _not_voted(turn.rt, poll)
    await turn.reply(turn.render("poll_not_voted.html.j2", poll=poll, names=[m[0] for m in missing],
                                 units=poll.kind == "owner"))


@handler
async def list_command(turn: Turn) -> None:
    _group_only(turn)
    shown = await polls.of_chat(turn.rt.store, turn.chat_id, ("open", "closed"))
    await turn.reply(turn.render("poll_list.html.j2", polls=shown, kind_names=KIND_NAMES))
