"""Showing a vote: its message (the tally as its kind shows it) and its buttons, kept up to date."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import owner_vote
from bot.domain.polls import Entry, Poll, tally
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers import cards
from handlers.base import deep_link
from handlers.polls.common import KIND_NAMES
from storage import households, polls

SHOWN_ENTRIES = 60  # names listed in a message; beyond, counts only (everyone is in the export)


async def _owner_tally(rt: Runtime, poll: Poll, electorate: list[int] | None = None) -> owner_vote.OwnerTally:
    ids = electorate if electorate is not None else await polls.electorate(rt.store, poll.id)
    electorate = await households.by_ids(rt.store, ids)
    ballots = [owner_vote.Ballot(b.household_id, owner_vote.CHOICES[b.choices[0]], b.seq)
               for b in await polls.ballots(rt.store, poll.id) if b.choices and b.household_id]
    return owner_vote.count(electorate, ballots, owner_vote.Rule(poll.major, poll.follow_majority))


async def _view(rt: Runtime, poll: Poll, electorate: list[int] | None = None) -> dict:
    """What the templates show of a poll, whatever its kind (``electorate``: the households of
    an owner vote not stored yet)."""
    rows = await polls.ballots(rt.store, poll.id)
    view: dict = {"poll": poll, "kind_name": KIND_NAMES[poll.kind],
                  "visible": poll.visibility == "live" or not poll.is_open,
                  "shown_entries": SHOWN_ENTRIES,
                  "names_shown": poll.shows_names and len(rows) <= SHOWN_ENTRIES}
    if poll.kind == "owner":
        view["owner"] = await _owner_tally(rt, poll, electorate)
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


def card(rt: Runtime, poll: Poll, username: str) -> cards.Render:
    """How the vote's card reads and which buttons it has, in a chat's language."""

    async def render(t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
        return (await _message_html(rt, t, poll),
                _keyboard(t, poll, await polls.ballots(rt.store, poll.id), username))

    return render


async def refresh(rt: Runtime, bot, poll_id: int, *, now: bool = False) -> None:
    """Bring the poll message up to date (debounced, unless ``now``)."""

    async def render() -> None:
        poll = await polls.get(rt.store, poll_id)
        if poll is not None:
            await cards.edit_all(rt, bot, "poll", poll, card(rt, poll, bot.username))

    await rt.refresher.show(("poll", poll_id), render, now)
