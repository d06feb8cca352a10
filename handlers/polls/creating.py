"""Creating a vote from a convener's command: read it, check it, post it and arm its deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import owner_vote
from bot.domain.communities import announced_in
from bot.domain.polls import DEFAULT_VOTE_REMINDERS, Draft, Poll, PollInputError, options_of, parse_command
from bot.i18n import N_
from bot.runtime import Runtime
from handlers import cards
from handlers.base import Refused, Turn, handler
from handlers.guide.entry import guided, offering_guide
from handlers.polls.common import SCHEDULE_KIND, _deadline, _group_only, _require_manager
from handlers.polls.delivery import deliver_notice, warn_short_notice
from handlers.polls.showing import _keyboard, _message_html, _view, card
from storage import communities, households, polls, schedules

KIND_OF_COMMAND = {"poll": "single", "propose": "proposal", "chain": "chain", "ownervote": "owner"}
USAGE = {
    "single": N_("Usage: /poll question, then one option per line, e.g.\n"
                 "/poll 自行车棚建在哪里？\n东门\n西门\n截止 周五 18:00"),
    "proposal": N_("Usage: /propose proposal, then optional lines of explanation and settings, e.g.\n"
                   "/propose 在东门建自行车棚\n截止 3天后"),
    "chain": N_("Usage: /chain title, then optional settings, e.g.\n/chain 周六大扫除报名\n名额 20\n"
                "截止 周五 20:00"),
    "owner": N_("Usage: /ownervote question, then settings, e.g.\n/ownervote 6号楼更换电梯\n范围 6栋\n"
                "无记名\n截止 7月20日 20:00"),
}


@dataclass(frozen=True)
class Prepared:
    """A vote read and checked, ready to open."""

    draft: Draft
    deadline: datetime | None
    scope: tuple[str, ...]
    electorate: list[int]


@handler
async def create(turn: Turn) -> None:
    command = turn.update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    if not turn.body.strip():  # the command alone: asked step by step instead
        await guided(turn, command)
        return
    _group_only(turn)
    await open_vote(turn, await prepare(turn, command, turn.body))


async def prepare(turn: Turn, command: str, body: str) -> Prepared:
    """Read the typed vote (``/poll`` and what follows), check it and the speaker's right."""
    kind = KIND_OF_COMMAND[command]
    with offering_guide(turn, command):
        try:
            draft = parse_command(kind, body)
        except PollInputError as problem:
            raise Refused(turn.t.gettext(problem.message, **problem.params) + "\n\n"
                          + turn.t.gettext(USAGE[kind])) from None
        scope: tuple[str, ...] = ()
        if draft.scope_text is not None:
            scope = owner_vote.parse_scope(draft.scope_text) or ()
            if not scope:
                raise Refused(turn.t.gettext(
                    "I cannot read the scope %(text)s. Write buildings or entrances, e.g. 范围 6栋, "
                    "范围 6-2 or 范围 6,7.", text=draft.scope_text))
    await _require_manager(turn, scope) if kind == "owner" else await turn.require_convener()
    with offering_guide(turn, command):
        deadline = _deadline(turn, draft.deadline_text) if draft.deadline_text else None
    electorate: list[int] = []
    if kind == "owner":
        registry = await households.active(turn.rt.store, turn.chat_id)
        electorate = [h.id for h in registry if owner_vote.in_scope(h, scope)]
        if not electorate:
            raise Refused(turn.t.gettext(
                "There are no registered households in that scope. Import the household registry "
                "first: /households import"))
    return Prepared(draft, deadline, scope, electorate)


async def preview(turn: Turn, vote: Prepared) -> str:
    """The vote's message exactly as ``open_vote`` will post it."""
    draft, now = vote.draft, turn.rt.clock.now()
    poll = Poll(id=0, chat_id=turn.chat_id, number=await turn.rt.store.next_number("polls", turn.chat_id),
                kind=draft.kind, question=draft.question, details="\n".join(draft.details),
                options=options_of(draft.kind, draft.options), max_choices=draft.max_choices,
                capacity=draft.capacity, deadline=vote.deadline, anonymous=draft.anonymous,
                secret=draft.secret, visibility=draft.visibility, scope=vote.scope, major=bool(draft.major),
                follow_majority=draft.follow_majority, status="open", outcome=None, message_id=None,
                created_by=turn.person.id, created_at=now, closed_at=None)
    return turn.rt.renderer.render("poll.html.j2", turn.t, **await _view(turn.rt, poll, vote.electorate))


async def open_vote(turn: Turn, vote: Prepared) -> Poll:
    """Store a vote, post its message in the turn's chat and arm its deadline. Other features
    (an idea put to the vote) call this with a draft of their own."""
    draft = vote.draft
    poll = await polls.create(turn.rt.store, chat_id=turn.chat_id, draft=draft,
                              options=options_of(draft.kind, draft.options), deadline=vote.deadline,
                              scope=vote.scope, electorate=vote.electorate, created_by=turn.person.id,
                              now=turn.rt.clock.now(), origin=turn.origin)
    await turn.keep_topic(f"poll:{poll.id}")
    if poll.message_id is None:  # not posted yet (or handled again after a crash before it was)
        message = await turn.reply(await _message_html(turn.rt, turn.t, poll),
                                   _keyboard(turn.t, poll, [], turn.context.bot.username))
        await polls.set_message(turn.rt.store, poll.id, message.message_id)
        poll = await polls.get(turn.rt.store, poll.id)
        await warn_short_notice(turn, poll)  # less notice than the owners' assembly rules ask
    if poll.kind == "owner":  # also announced in the main group and the scope's building groups
        community = await communities.of_chat(turn.rt.store, turn.chat_id)
        for chat_id in announced_in(community.chats if community else (), turn.chat_id, poll.scope)[1:]:
            await cards.post(turn.rt, turn.context.bot, "poll", poll, chat_id,
                             card(turn.rt, poll, turn.context.bot.username))
    await _schedule(turn.rt, turn.chat, poll)
    await deliver_notice(turn.rt, turn.context.bot, poll)  # an owner vote's notice, to each owner
    return poll


async def _schedule(rt: Runtime, chat, poll: Poll) -> None:
    """Close at the deadline and remind before it (the chat's reminder offsets)."""
    for old in await _schedules(rt, poll):
        await rt.scheduler.cancel(old.id)
    if poll.deadline is None or poll.status != "open":
        return
    reminders = tuple((chat.settings if chat else {}).get("vote_reminders", DEFAULT_VOTE_REMINDERS))
    await rt.scheduler.add(chat_id=poll.chat_id, kind=SCHEDULE_KIND, first_at=poll.deadline,
                           tz=(chat.tz if chat else None) or rt.settings.tz, offsets=(0, *reminders),
                           ref=str(poll.id))


async def _schedules(rt: Runtime, poll: Poll):
    return [s for s in await schedules.of_ref(rt.store, SCHEDULE_KIND, str(poll.id)) if s.active]
