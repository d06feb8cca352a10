"""Polls, proposals, sign-up chains and owner votes: created by conveners, voted with buttons,
closed by the deadline or a convener, with reminders for those who have not voted."""

from __future__ import annotations

import csv
import functools
import html
import io
import logging
from datetime import datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackContext, CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.domain import owner_vote
from bot.domain.models import Firing
from bot.domain.polls import (
    DEFAULT_VOTE_REMINDERS,
    MAX_NOTE,
    Draft,
    Entry,
    Poll,
    PollInputError,
    options_of,
    parse_command,
    tally,
    toggle,
)
from bot.domain.roles import leads_scope
from bot.domain.when import WhenError, parse_when
from bot.i18n import N_, Translator
from bot.runtime import Runtime, runtime
from handlers.base import (
    Command,
    Refused,
    Turn,
    deep_link,
    edit_html,
    handler,
    send_html,
    start_links,
    tell_privately,
)
from storage import chats, households, members, polls, roles, schedules

log = logging.getLogger(__name__)

COMMANDS = [
    Command("polls", N_("Open and recent votes"), convener=False),
    Command("poll", N_("Start a poll: question, then one option per line"), convener=True),
    Command("propose", N_("Put a proposal to the vote: agree, disagree, abstain"), convener=True),
    Command("chain", N_("Start a sign-up chain (接龙)"), convener=True),
    Command("ownervote", N_("Owner vote: one ballot per household, counted by owners and floor area"),
            convener=True),
    Command("close", N_("Close a vote now, optionally with the outcome"), convener=True),
    Command("extend", N_("Move a vote's deadline"), convener=True),
    Command("reopen", N_("Reopen a closed vote"), convener=True),
    Command("final", N_("Make a vote's result final, with the outcome"), convener=True),
    Command("notvoted", N_("Who has not voted yet"), convener=True),
    Command("remind", N_("Remind those who have not voted"), convener=True),
    Command("export", N_("Get a vote's result as a CSV file"), convener=True),
]

KIND_OF_COMMAND = {"poll": "single", "propose": "proposal", "chain": "chain", "ownervote": "owner"}
KIND_NAMES = {
    "proposal": N_("Proposal"),
    "single": N_("Poll"),
    "multiple": N_("Poll (several answers)"),
    "chain": N_("Sign-up chain"),
    "owner": N_("Owner vote"),
}
STATUS_NAMES = {"open": N_("open"), "closed": N_("closed"), "final": N_("final")}
SCHEDULE_KIND = "poll"
SHOWN_ENTRIES = 60  # names listed in a message; beyond, counts only (everyone is in the export)
DATE_ONLY_DEADLINE = time(23, 59)


# -- reading commands ---------------------------------------------------------------------------

def _deadline(turn: Turn, text: str) -> datetime:
    now = turn.rt.clock.now().astimezone(turn.t.tz)
    try:
        when = parse_when(text, now, default_time=DATE_ONLY_DEADLINE)
    except WhenError:
        raise Refused(turn.t.gettext(
            "I cannot read the time %(text)s. Examples that work: 7月20日 20:00, 明晚8点, 3天后, "
            "周五 18:00, 2026-07-20 20:00.", text=text)) from None
    if when <= now + timedelta(minutes=1):
        raise Refused(turn.t.gettext("The deadline %(when)s has already passed.",
                                     when=turn.t.datetime(when)))
    if when > now + timedelta(days=366):
        raise Refused(turn.t.gettext("A deadline can be at most a year ahead."))
    return when


async def _manages(turn: Turn, scope: tuple[str, ...]) -> bool:
    """Conveners manage every vote; a building lead manages owner votes within their building."""
    if await turn.is_convener():
        return True
    grants = await roles.of_user(turn.rt.store, turn.chat_id, turn.person.id)
    return leads_scope((g.building for g in grants if g.role == "building_lead"), scope)


async def _require_manager(turn: Turn, scope: tuple[str, ...]) -> None:
    if not await _manages(turn, scope):
        raise Refused(turn.t.gettext(
            "Sorry, only the conveners (or the building lead, for their building's owner votes) "
            "can do that."))


def _group_only(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Votes belong to a group: use this command in the group."))


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


@handler
async def create(turn: Turn) -> None:
    _group_only(turn)
    command = turn.update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    kind = KIND_OF_COMMAND[command]
    try:
        draft = parse_command(kind, turn.body)
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
    deadline = _deadline(turn, draft.deadline_text) if draft.deadline_text else None
    electorate: list[int] = []
    if kind == "owner":
        registry = await households.active(turn.rt.store, turn.chat_id)
        electorate = [h.id for h in registry if owner_vote.in_scope(h, scope)]
        if not electorate:
            raise Refused(turn.t.gettext(
                "There are no registered households in that scope. Import the household registry "
                "first: /households import"))
    await open_vote(turn, draft, deadline, scope, electorate)


async def open_vote(turn: Turn, draft: Draft, deadline: datetime | None = None,
                    scope: tuple[str, ...] = (), electorate: list[int] | None = None) -> Poll:
    """Store a vote, post its message in the turn's chat and arm its deadline. Other features
    (an idea put to the vote) call this with a draft of their own."""
    poll = await polls.create(turn.rt.store, chat_id=turn.chat_id, draft=draft,
                              options=options_of(draft.kind, draft.options), deadline=deadline,
                              scope=scope, electorate=electorate or [], created_by=turn.person.id,
                              now=turn.rt.clock.now(), origin=turn.origin)
    if poll.message_id is None:  # not posted yet (or handled again after a crash before it was)
        message = await turn.reply(await _message_html(turn.rt, turn.t, poll),
                                   _keyboard(turn.t, poll, [], turn.context.bot.username))
        await polls.set_message(turn.rt.store, poll.id, message.message_id)
    await _schedule(turn.rt, turn.chat, poll)
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


# -- showing a poll --------------------------------------------------------------------------------

async def _owner_tally(rt: Runtime, poll: Poll) -> owner_vote.OwnerTally:
    electorate = await households.by_ids(rt.store, await polls.electorate(rt.store, poll.id))
    ballots = [owner_vote.Ballot(b.household_id, owner_vote.CHOICES[b.choices[0]], b.seq)
               for b in await polls.ballots(rt.store, poll.id) if b.choices and b.household_id]
    return owner_vote.count(electorate, ballots, owner_vote.Rule(poll.major, poll.follow_majority))


async def _view(rt: Runtime, poll: Poll) -> dict:
    """What the templates show of a poll, whatever its kind."""
    rows = await polls.ballots(rt.store, poll.id)
    view: dict = {"poll": poll, "kind_name": KIND_NAMES[poll.kind],
                  "visible": poll.visibility == "live" or not poll.is_open,
                  "shown_entries": SHOWN_ENTRIES,
                  "names_shown": poll.shows_names and len(rows) <= SHOWN_ENTRIES}
    if poll.kind == "owner":
        view["owner"] = await _owner_tally(rt, poll)
    elif poll.kind == "chain":
        view["chain"] = [b for b in rows if b.choices]
    else:
        view["tally"] = counted = tally(poll, [Entry(b.choices, b.name) for b in rows])
        view["leader_labels"] = [poll.options[p] for p in counted.leaders]
    return view


async def _message_html(rt: Runtime, t: Translator, poll: Poll) -> str:
    return rt.renderer.render("poll.html.j2", t, **await _view(rt, poll))


def option_label(t: Translator, poll: Poll, position: int) -> str:
    """Agree/disagree/abstain speak the chat's language; other options are as written."""
    label = poll.options[position]
    return t.gettext(label) if poll.kind in ("proposal", "owner") else label


def _keyboard(t: Translator, poll: Poll, rows: list[polls.BallotRow],
              username: str) -> InlineKeyboardMarkup | None:
    if not poll.is_open:
        return None
    if poll.kind == "chain":
        return InlineKeyboardMarkup([[
            InlineKeyboardButton(t.gettext("Join"), callback_data=f"pj:{poll.id}"),
            InlineKeyboardButton(t.gettext("Leave"), callback_data=f"pl:{poll.id}"),
        ]])
    if poll.secret:
        return InlineKeyboardMarkup([[InlineKeyboardButton(
            t.gettext("🔒 Vote privately"), url=deep_link(username, f"v{poll.id}"))]])
    return InlineKeyboardMarkup(_option_buttons(t, poll, rows))


def _option_buttons(t: Translator, poll: Poll, rows: list[polls.BallotRow] | None) -> list:
    counts = [0] * len(poll.options)
    show = rows is not None and poll.visibility == "live" and poll.kind != "owner"
    for b in rows or ():
        for position in b.choices:
            counts[position] += 1
    buttons = []
    for position in range(len(poll.options)):
        text = option_label(t, poll, position)
        if show:
            text = f"{text} · {t.number(counts[position])}"
        buttons.append([InlineKeyboardButton(text, callback_data=f"pv:{poll.id}:{position}")])
    return buttons


async def refresh(rt: Runtime, bot, poll_id: int, *, now: bool = False) -> None:
    """Bring the poll message up to date (debounced, unless ``now``)."""

    async def render() -> None:
        poll = await polls.get(rt.store, poll_id)
        if poll is None or poll.message_id is None:
            return
        chat = await chats.get(rt.store, poll.chat_id)
        t = rt.translator(chat)
        await edit_html(bot, poll.chat_id, poll.message_id, await _message_html(rt, t, poll),
                        _keyboard(t, poll, await polls.ballots(rt.store, poll.id), bot.username),
                        shown=rt.refresher.shown)

    await rt.refresher.show(("poll", poll_id), render, now)


# -- voting ----------------------------------------------------------------------------------------

async def _pressed_poll(turn: Turn) -> tuple[Poll, list[str]]:
    """The poll a button belongs to, refusing forged or stale presses."""
    query = turn.update.callback_query
    parts = (query.data or "").split(":")
    poll = await polls.get(turn.rt.store, int(parts[1])) if len(parts) > 1 and parts[1].isdigit() else None
    stale = Refused(turn.t.gettext("This button is no longer valid."))
    if poll is None or query.message is None:
        raise stale
    if turn.in_private:
        if not poll.secret:
            raise stale
    elif query.message.chat.id != poll.chat_id or query.message.message_id != poll.message_id:
        raise stale
    if not poll.is_open:
        raise Refused(turn.t.gettext("Voting has closed."))
    return poll, parts[2:]


async def _member_of(turn: Turn, chat_id: int) -> bool:
    try:
        member = await turn.context.bot.get_chat_member(chat_id, turn.person.id)
    except (BadRequest, Forbidden):
        return False
    return member.status in ("member", "administrator", "creator", "restricted")


@handler
async def vote(turn: Turn) -> None:
    poll, rest = await _pressed_poll(turn)
    t = turn.t
    if not rest or not rest[0].isdigit() or int(rest[0]) >= len(poll.options) or poll.kind == "chain":
        raise Refused(t.gettext("This button is no longer valid."))
    position = int(rest[0])
    source = turn.update.callback_query.id
    now = turn.rt.clock.now()
    label = option_label(t, poll, position)
    if poll.kind == "owner":
        mine = await _eligible_households(turn, poll)
        for h in mine:
            await polls.cast(turn.rt.store, poll.id, voter=f"h{h}", user_id=turn.person.id,
                             household_id=h, choices=(position,), note=None, source=f"{source}:{h}",
                             now=now)
        done = t.ngettext("You voted %(choice)s for your household.",
                          "You voted %(choice)s for your %(num)s households.", len(mine), choice=label)
    else:
        if turn.in_private and not await _member_of(turn, poll.chat_id):
            raise Refused(t.gettext("Only members of the group can vote on this."))
        voter = f"u{turn.person.id}"
        choices: tuple[int, ...] | None = (position,)
        if poll.kind == "multiple":
            current = await polls.ballot_of(turn.rt.store, poll.id, voter)
            choices = toggle(current.choices if current else (), position, poll.max_choices)
            if choices is None:
                raise Refused(t.ngettext("You can pick at most %(num)s option.",
                                         "You can pick at most %(num)s options.", poll.max_choices))
        await polls.cast(turn.rt.store, poll.id, voter=voter, user_id=turn.person.id, household_id=None,
                         choices=choices, note=None, source=source, now=now)
        if poll.kind != "multiple":
            done = t.gettext("You voted %(choice)s.", choice=label)
        elif choices:
            done = t.gettext("Your choices: %(choices)s.",
                             choices=", ".join(option_label(t, poll, p) for p in choices))
        else:
            done = t.gettext("You withdrew your vote.")
    if poll.visibility == "voted":
        await turn.answer(done + "\n\n" + await _tally_text(turn.rt, t, poll), alert=True)
    else:
        await turn.answer(t.gettext("%(done)s You can change it until voting closes.", done=done))
    await refresh(turn.rt, turn.context.bot, poll.id)


async def _eligible_households(turn: Turn, poll: Poll) -> list[int]:
    mine = await polls.households_of(turn.rt.store, poll.id, turn.person.id)
    if not mine:
        raise Refused(turn.t.gettext(
            "Only registered owners of the households in this vote can vote. To register, ask a "
            "convener for your household's code and send it to me in a private chat: /bind CODE"))
    return mine


async def _tally_text(rt: Runtime, t: Translator, poll: Poll) -> str:
    """A plain-text tally for a button's alert (results shown to voters only)."""
    view = await _view(rt, poll)
    if poll.kind == "owner":
        o = view["owner"]
        return t.gettext("Agree %(agree)s, disagree %(disagree)s, abstain %(abstain)s (owners).",
                         agree=o.agree_heads, disagree=o.disagree_heads, abstain=o.abstain_heads)
    lines = [t.labelled(option_label(t, poll, c.position), t.number(c.votes)) for c in view["tally"].options]
    return "\n".join(lines)[:180]


@handler
async def chain_pressed(turn: Turn) -> None:
    poll, _ = await _pressed_poll(turn)
    if poll.kind != "chain":
        raise Refused(turn.t.gettext("This button is no longer valid."))
    joining = turn.update.callback_query.data.startswith("pj:")
    await _chain_change(turn, poll, joining, note=None, source=turn.update.callback_query.id)


async def _chain_change(turn: Turn, poll: Poll, joining: bool, note: str | None, source: str) -> None:
    voter = f"u{turn.person.id}"
    current = await polls.ballot_of(turn.rt.store, poll.id, voter)
    t = turn.t
    if joining and current is None and poll.capacity is not None:
        taken = sum(1 for b in await polls.ballots(turn.rt.store, poll.id) if b.choices)
        if taken >= poll.capacity:
            raise Refused(t.gettext("Sorry, the chain is full."))
    if not joining and current is None:
        raise Refused(t.gettext("You are not on this list."))
    await polls.cast(turn.rt.store, poll.id, voter=voter, user_id=turn.person.id, household_id=None,
                     choices=(0,) if joining else (), note=note if joining else None, source=source,
                     now=turn.rt.clock.now())
    text = t.gettext("You are on the list.") if joining else t.gettext("You left the list.")
    if turn.update.callback_query is not None:
        await turn.answer(text)
    taken = sum(1 for b in await polls.ballots(turn.rt.store, poll.id) if b.choices)
    if joining and poll.capacity is not None and taken >= poll.capacity:
        await close(turn.rt, turn.context.bot, poll, full=True)
    else:
        await refresh(turn.rt, turn.context.bot, poll.id)


@handler
async def chain_reply(turn: Turn) -> None:
    """Replying to a chain's message joins it with the reply as one's note ("3栋 +2")."""
    message = turn.update.effective_message
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return
    poll = await polls.by_message(turn.rt.store, turn.chat_id, replied.message_id)
    if poll is None or poll.kind != "chain":
        return
    if not poll.is_open:
        raise Refused(turn.t.gettext("Voting has closed."))
    note = " ".join((message.text or "").split())
    if len(note) > MAX_NOTE:
        raise Refused(turn.t.gettext("A note can be at most %(most)s characters.", most=MAX_NOTE))
    await _chain_change(turn, poll, True, note=note or None, source=f"m{turn.update.update_id}")


# -- secret ballots in private -----------------------------------------------------------------

async def _private_ballot_link(turn: Turn, payload: str) -> None:
    """``/start v<poll>``: the ballot of a secret vote, in the voter's private chat."""
    poll = await polls.get(turn.rt.store, int(payload)) if payload.isdigit() else None
    if poll is None or not poll.secret:
        raise Refused(turn.t.gettext("This link is no longer valid."))
    if not poll.is_open:
        raise Refused(turn.t.gettext("Voting has closed."))
    if poll.kind == "owner":
        await _eligible_households(turn, poll)
    html_text = turn.rt.renderer.render("poll_private.html.j2", turn.t, **await _view(turn.rt, poll))
    await turn.reply(html_text, InlineKeyboardMarkup(_option_buttons(turn.t, poll, None)))


# -- closing, reopening, extending -------------------------------------------------------------

async def _target(turn: Turn) -> tuple[Poll, list[str]]:
    """The poll a follow-up command names by number, or whose message it replies to."""
    _group_only(turn)
    args = list(turn.context.args or [])
    poll = None
    if args and args[0].lstrip("#").isdigit():
        poll = await polls.by_number(turn.rt.store, turn.chat_id, int(args.pop(0).lstrip("#")))
    else:
        replied = turn.update.effective_message.reply_to_message
        if replied is not None:
            poll = await polls.by_message(turn.rt.store, turn.chat_id, replied.message_id)
    if poll is None:
        command = turn.update.effective_message.text.split()[0].split("@")[0]
        raise Refused(turn.t.gettext(
            "Which vote? Give its number, e.g. %(command)s 3, or reply to the vote's message. "
            "/polls lists them.", command=command))
    await _require_manager(turn, poll.scope)
    return poll, args


async def close(rt: Runtime, bot, poll: Poll, *, full: bool = False, outcome: str | None = None) -> None:
    """Close voting: the message shows the final state and the result is announced."""
    await polls.set_status(rt.store, poll.id, "closed", rt.clock.now(), outcome)
    for schedule in await _schedules(rt, poll):
        await rt.scheduler.cancel(schedule.id)
    await refresh(rt, bot, poll.id, now=True)
    poll = await polls.get(rt.store, poll.id)
    chat = await chats.get(rt.store, poll.chat_id)
    t = rt.translator(chat)
    view = await _view(rt, poll)
    if poll.kind not in ("owner", "chain"):
        view["participants"] = await _group_size(bot, poll.chat_id)
    text = rt.renderer.render("poll_result.html.j2", t, full=full, **view)
    await send_html(bot, poll.chat_id, text, reply_to=_reply_to(poll))


def _reply_to(poll: Poll) -> ReplyParameters | None:
    return ReplyParameters(poll.message_id, allow_sending_without_reply=True) if poll.message_id else None


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


# -- deadlines and reminders ---------------------------------------------------------------------

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
    the group otherwise. Returns (people reminded privately, entries listed in the group)."""
    chat = await chats.get(rt.store, poll.chat_id)
    t = rt.translator(chat)
    missing = await _not_voted(rt, poll)
    text = rt.renderer.render("poll_reminder.html.j2", t, poll=poll, private=True,
                              link=deep_link(bot.username, f"v{poll.id}") if poll.secret else None)
    told: set[int] = set()
    for user_id in {u for _, people in missing for u, started in people if started}:
        if await tell_privately(rt, bot, user_id, text):
            told.add(user_id)
    public = [label for label, people in missing if not any(u in told for u, _ in people)]
    if public:
        await send_html(bot, poll.chat_id, rt.renderer.render(
            "poll_reminder.html.j2", t, poll=poll, private=False, names=public,
            units=poll.kind == "owner"), reply_to=_reply_to(poll))
    return len(told), len(public)


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


# -- export --------------------------------------------------------------------------------------

@handler
async def export_command(turn: Turn) -> None:
    poll, _ = await _target(turn)
    await turn.require_private_chat()
    data = await export_csv(turn.rt, turn.t, poll)
    await turn.context.bot.send_document(
        turn.person.id, data, filename=f"vote-{poll.number}.csv",
        caption=turn.t.gettext("Result of #%(number)s: %(question)s", number=poll.number,
                               question=poll.question)[:1000])
    await turn.reply(html.escape(turn.t.gettext("I sent you the result privately.")))


async def export_csv(rt: Runtime, t: Translator, poll: Poll) -> bytes:
    """The result as CSV (UTF-8 with BOM, which spreadsheet programs in China open correctly):
    the tally, then each ballot; choices only where the ballot was named."""
    out = io.StringIO()
    w = csv.writer(out)
    view = await _view(rt, poll)
    w.writerow([t.gettext("Vote"), f"#{poll.number}", poll.question])
    w.writerow([t.gettext("Status"), t.gettext(STATUS_NAMES[poll.status]), poll.outcome or ""])
    named = poll.shows_names
    if poll.kind == "owner":
        o = view["owner"]
        w.writerow([t.gettext("Choice"), t.gettext("Owners"), t.gettext("Area (m²)")])
        for choice in owner_vote.CHOICES:
            w.writerow([option_label(t, poll, owner_vote.CHOICES.index(choice)),
                        getattr(o, f"{choice}_heads"), _m2(getattr(o, f"{choice}_area"))])
        w.writerow([t.gettext("Took part"), o.participating_heads, _m2(o.participating_area)])
        w.writerow([t.gettext("Eligible"), o.eligible_heads, _m2(o.eligible_area)])
        w.writerow([t.gettext("Passed"), t.gettext("yes") if o.passed else t.gettext("no")])
        w.writerow([])
        ballots = {b.household_id: b for b in await polls.ballots(rt.store, poll.id)}
        w.writerow([t.gettext("Household"), t.gettext("Area (m²)"), t.gettext("Took part"),
                    t.gettext("Choice") if named else ""])
        for h in await households.by_ids(rt.store, await polls.electorate(rt.store, poll.id)):
            b = ballots.get(h.id)
            w.writerow([h.label, _m2(h.area), t.gettext("yes") if b else t.gettext("no"),
                        option_label(t, poll, b.choices[0]) if b and named else ""])
    else:
        rows = await polls.ballots(rt.store, poll.id)
        if poll.kind != "chain":
            for c in view["tally"].options:
                w.writerow([option_label(t, poll, c.position), c.votes])
        w.writerow([])
        w.writerow([t.gettext("Member"), t.gettext("Choice") if named else "", t.gettext("Note")])
        for b in rows:
            if b.choices:
                shown = named and poll.kind != "chain"
                choice = ", ".join(option_label(t, poll, p) for p in b.choices) if shown else ""
                w.writerow([b.name, choice, b.note or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _m2(centi: int) -> str:
    return f"{centi / 100:.2f}"


def register(app: Application) -> list[Command]:
    for command in KIND_OF_COMMAND:
        app.add_handler(CommandHandler(command, create))
    app.add_handler(CommandHandler("close", close_command))
    app.add_handler(CommandHandler("extend", extend_command))
    app.add_handler(CommandHandler("reopen", reopen_command))
    app.add_handler(CommandHandler("final", final_command))
    app.add_handler(CommandHandler("remind", remind_command))
    app.add_handler(CommandHandler("notvoted", not_voted_command))
    app.add_handler(CommandHandler("polls", list_command))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CallbackQueryHandler(vote, pattern=r"^pv:"))
    app.add_handler(CallbackQueryHandler(chain_pressed, pattern=r"^p[jl]:"))
    app.add_handler(MessageHandler(tg_filters.REPLY & tg_filters.TEXT & ~tg_filters.COMMAND
                                   & tg_filters.ChatType.GROUPS, chain_reply))
    runtime(app).scheduler.register(SCHEDULE_KIND, deliver)
    runtime(app).refresher.replays("poll", functools.partial(refresh, runtime(app), app.bot))
    start_links(app)["v"] = _private_ballot_link
    return COMMANDS

