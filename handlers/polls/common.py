"""What the vote commands share: the names of kinds and states, reading a deadline, who may
manage a vote, and which vote a follow-up command names."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.domain import numbers
from bot.domain.polls import Poll
from bot.domain.when import DEADLINE_EXAMPLES, WhenError, parse_when
from bot.i18n import N_
from handlers.base import Refused, Turn
from storage import polls

KIND_NAMES = {
    "proposal": N_("Proposal"),
    "single": N_("Poll"),
    "multiple": N_("Poll (several answers)"),
    "chain": N_("Sign-up chain"),
    "owner": N_("Owner vote"),
}
STATUS_NAMES = {"open": N_("open"), "closed": N_("closed"), "final": N_("final")}
SCHEDULE_KIND = "poll"
DATE_ONLY_DEADLINE = time(23, 59)


def read_time(turn: Turn, text: str) -> datetime:
    """A moment as residents write it (a date alone: its last minute), or a refusal with examples."""
    try:
        return parse_when(text, turn.rt.clock.now().astimezone(turn.t.tz), default_time=DATE_ONLY_DEADLINE)
    except WhenError:
        raise Refused(turn.t.gettext("I cannot read the time %(text)s. Examples that work: %(examples)s.",
                                     text=text, examples=turn.t.gettext(DEADLINE_EXAMPLES))) from None


PASSED = N_("The deadline %(when)s has already passed.")


def time_ahead(turn: Turn, text: str, *, least: timedelta, most: timedelta, too_far: str,
               passed: str = PASSED) -> datetime:
    """A deadline as residents write it, at least ``least`` and at most ``most`` from now; else
    refused with ``passed`` or ``too_far`` (msgids)."""
    now = turn.rt.clock.now()
    when = read_time(turn, text)
    if when <= now + least:
        raise Refused(turn.t.gettext(passed, when=turn.t.datetime(when)))
    if when > now + most:
        raise Refused(turn.t.gettext(too_far))
    return when


def _deadline(turn: Turn, text: str) -> datetime:
    return time_ahead(turn, text, least=timedelta(minutes=1), most=timedelta(days=366),
                      too_far=N_("A deadline can be at most a year ahead."))


async def _require_manager(turn: Turn, scope: tuple[str, ...], chat_id: int | None = None) -> None:
    """Conveners manage every vote started in their chat (the community's conveners, any of its
    votes); a building lead, owner votes within their buildings."""
    if not await turn.manages(turn.chat_id if chat_id is None else chat_id, scope):
        raise Refused(turn.t.gettext(
            "Sorry, only the conveners (or the building lead, for their building's owner votes) "
            "can do that."))


def _group_only(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Votes belong to a group: use this command in the group."))


async def _target(turn: Turn) -> tuple[Poll, list[str]]:
    """The poll a follow-up command names by number, or whose message it replies to."""
    _group_only(turn)
    args = list(turn.context.args or [])
    poll = None
    number = numbers.whole(args[0]) if args else None
    if number is not None:
        args.pop(0)
        poll = await polls.by_number(turn.rt.store, turn.chat_id, number)
    else:
        replied = turn.quoted
        if replied is not None:
            poll = await polls.by_message(turn.rt.store, turn.chat_id, replied.message_id)
    if poll is None:
        command = turn.update.effective_message.text.split()[0].split("@")[0]
        raise Refused(turn.t.gettext(
            "Which vote? Give its number, e.g. %(command)s 3, or reply to the vote's message. "
            "/polls lists them.", command=command))
    await _require_manager(turn, poll.scope, poll.chat_id)
    return poll, args

