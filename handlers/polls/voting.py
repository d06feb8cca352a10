"""Voting with the buttons: single and multiple choice, owner votes per household, sign-up chains
(by button or by a reply with a note), and secret ballots in the voter's private chat."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.domain import numbers
from bot.domain.bulletin import receipt_code
from bot.domain.polls import MAX_NOTE, Poll, toggle
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers import cards
from handlers.base import Refused, Turn, handler, tell_privately
from handlers.polls.closing import close
from handlers.polls.showing import _option_buttons, _view, option_label, refresh
from storage import bulletins, polls


async def _pressed_poll(turn: Turn) -> tuple[Poll, list[str]]:
    """The poll a button belongs to, refusing forged or stale presses."""
    query = turn.update.callback_query
    parts = (query.data or "").split(":")
    poll_id = numbers.whole(parts[1]) if len(parts) > 1 else None
    poll = await polls.get(turn.rt.store, poll_id) if poll_id is not None else None
    stale = Refused(turn.t.gettext("This button is no longer valid."))
    if poll is None or query.message is None:
        raise stale
    if turn.in_private:
        if not poll.secret:
            raise stale
    elif not await cards.is_card(turn.rt, "poll", poll, query.message.chat.id, query.message.message_id):
        raise stale
    if not poll.is_open and poll.kind == "chain" and poll.capacity is not None \
            and await _taken(turn.rt, poll) >= poll.capacity:
        raise Refused(turn.t.gettext("Sorry, the chain is full."))
    if not poll.is_open and poll.kind == "chain":
        raise Refused(turn.t.gettext("Sign-up closed."))
    if not poll.is_open:
        raise Refused(turn.t.gettext("Voting has closed."))
    return poll, parts[2:]


async def _taken(rt: Runtime, poll: Poll) -> int:
    return sum(1 for b in await polls.ballots(rt.store, poll.id) if b.choices)


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
    position = numbers.whole(rest[0]) if len(rest) == 1 else None
    if position is None or position >= len(poll.options) or poll.kind == "chain":
        raise Refused(t.gettext("This button is no longer valid."))
    source = turn.update.callback_query.id
    now = turn.rt.clock.now()
    label = option_label(t, poll, position)
    if poll.kind == "owner":
        mine = await _eligible_households(turn, poll)
        receipt = await _cast_for_households(turn, poll, mine, position, source)
        done = t.ngettext("You voted %(choice)s for your household.",
                          "You voted %(choice)s for your %(num)s households.", len(mine), choice=label)
        done += " " + t.gettext("Receipt: %(receipt)s", receipt=receipt)
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


async def _cast_for_households(turn: Turn, poll: Poll, mine: list[int], position: int, source: str) -> str:
    """One ballot per household of the voter, all under one receipt, told privately; a press
    handled again keeps the receipt it was given the first time."""
    receipt, fresh = receipt_code(), False
    for h in mine:
        if await polls.cast(turn.rt.store, poll.id, voter=f"h{h}", user_id=turn.person.id, household_id=h,
                            choices=(position,), note=None, source=f"{source}:{h}", now=turn.rt.clock.now(),
                            receipt=receipt):
            fresh = True
        else:
            receipt = await bulletins.receipt_of(turn.rt.store, f"{source}:{h}") or receipt
    if fresh and not turn.in_private:  # in private, the answer to the press is the record
        await tell_privately(turn.rt, turn.context.bot, turn.person.id, turn.render(
            "poll_receipt.html.j2", poll=poll, receipt=receipt, choice=option_label(turn.t, poll, position)))
    elif fresh:
        await turn.reply(turn.render("poll_receipt.html.j2", poll=poll, receipt=receipt,
                                     choice=option_label(turn.t, poll, position)))
    return receipt


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
    wants_place = joining and current is None and poll.capacity is not None
    if wants_place and await _taken(turn.rt, poll) >= poll.capacity:
        raise Refused(t.gettext("Sorry, the chain is full."))
    if not joining and current is None:
        raise Refused(t.gettext("You are not on this list."))
    await polls.cast(turn.rt.store, poll.id, voter=voter, user_id=turn.person.id, household_id=None,
                     choices=(0,) if joining else (), note=note if joining else None, source=source,
                     now=turn.rt.clock.now())
    text = t.gettext("You are on the list.") if joining else t.gettext("You left the list.")
    if turn.update.callback_query is not None:
        await turn.answer(text)
    if joining and poll.capacity is not None and await _taken(turn.rt, poll) >= poll.capacity:
        await close(turn.rt, turn.context.bot, poll, full=True)
    else:
        await refresh(turn.rt, turn.context.bot, poll.id)


@handler
async def chain_reply(turn: Turn) -> None:
    """Replying to a chain's message joins it with the reply as one's note ("3栋 +2")."""
    message = turn.update.effective_message
    replied = turn.quoted
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


async def _private_ballot_link(turn: Turn, payload: str) -> None:
    """``/start v<poll>``: the ballot of a secret vote, in the voter's private chat."""
    poll_id = numbers.whole(payload)
    poll = await polls.get(turn.rt.store, poll_id) if poll_id is not None else None
    if poll is None or not poll.secret:
        raise Refused(turn.t.gettext("This link is no longer valid."))
    if not poll.is_open:
        raise Refused(turn.t.gettext("Voting has closed."))
    if poll.kind == "owner":
        await _eligible_households(turn, poll)
    html_text = turn.rt.renderer.render("poll_private.html.j2", turn.t, **await _view(turn.rt, poll))
    await turn.reply(html_text, InlineKeyboardMarkup(_option_buttons(turn.t, poll, None)))
