"""The registry review before a vote (业主信息公示).

A community convener publishes the registry of a scope (``/households review 6栋``): the
summary and the units, owners' names masked, in the chats the scope belongs to; every bound owner
gets their own unit's entry privately, with buttons to confirm or dispute it. A dispute asks for
a short note (the owner's next private message), is stored and told to the community's conveners
privately, never in a group; ``/disputes`` lists the open ones and ``/dispute_resolve`` resolves
one with a note the owner is told. What imports change afterwards is logged by storage and shown
at an owner vote's close: ``registry_changes_view``.
"""

from __future__ import annotations

import csv
import html
import io
import logging
from collections import Counter
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import numbers
from bot.domain.communities import announced_in
from bot.domain.owner_vote import Household, in_scope, parse_scope
from bot.domain.polls import Poll
from bot.domain.registry import (
    Dispute,
    ReviewEntry,
    review_entry,
    shown_change,
    summarize,
)
from bot.i18n import N_, Translator
from bot.runtime import Runtime
from handlers.answers import awaited_answer
from handlers.base import (
    ID,
    Command,
    Refused,
    Turn,
    handler,
    may_write,
    send_file,
    send_html,
    tell_privately,
)
from storage import chats, communities, drafts, households, members, reviews, roles, users

log = logging.getLogger(__name__)

COMMANDS = [
    Command("disputes", N_("Open disputes about the household registry (the list privately)"), convener=True),
    Command("dispute_resolve", N_("Resolve a dispute about the registry with a note"), convener=True),
]
NOTES = 1  # after the features' own private text (group 0): a dispute's note, when one is asked for
INLINE_UNITS = 150  # a longer list goes into a CSV file: a group gets two messages, not thirty
MAX_NOTE = 500
SHOWN_CHANGES = 30
REASON_NAMES = {"area": N_("wrong area"), "not_mine": N_("not my flat"), "co_owner": N_("missing co-owner"),
                "other": N_("other")}
BUTTONS = (("y", N_("✅ Correct")), ("a", N_("✏️ Wrong area")), ("n", N_("🚫 Not my flat")),
           ("c", N_("👥 Missing co-owner")))
REASON_OF = {"a": "area", "n": "not_mine", "c": "co_owner"}
ASK = {
    "area": N_("What is the right floor area of %(unit)s? Send it in a short message, e.g. "
               "“the deed says 98.20 m²”."),
    "not_mine": N_("%(unit)s is not your flat? Tell me in a short message which flat is yours, or "
                   "why you were bound to this one."),
    "co_owner": N_("Who is missing among the owners of %(unit)s? Send the name(s) in a short message, "
                   "e.g. “my wife 李梅 is a co-owner on the deed”."),
}
NOT_CONVENER = N_("Sorry, only the community's conveners (the main group's administrators and the "
                  "conveners it named) can do that.")
STALE = N_("This button is no longer valid.")


# -- publishing ----------------------------------------------------------------------------------

async def publish(turn: Turn, scope_text: str) -> None:
    """``/households review [scope]``: the caller checked that the speaker convenes the community."""
    scope = parse_scope(scope_text)
    if scope is None:
        raise Refused(turn.t.gettext("I cannot read the scope %(text)s. Write buildings or entrances, "
                                     "e.g. /households review 6栋 or /households review 6号楼2单元.",
                                     text=scope_text))
    rt, bot = turn.rt, turn.context.bot
    registry = await households.active(rt.store, turn.chat_id)
    if not registry:
        raise Refused(turn.t.gettext("There is no household registry yet: /households import"))
    units = [h for h in registry if in_scope(h, scope)]
    if not units:
        raise Refused(turn.t.gettext("The registry has no households in %(places)s.",
                                     places=_places(turn.t, scope)))
    review = await reviews.publish(rt.store, turn.chat_id, scope, turn.person.id, rt.clock.now(),
                                   turn.origin)
    community = await communities.of_chat(rt.store, turn.chat_id)
    name = community.name if community else ""
    where = announced_in(community.chats, turn.chat_id, scope) if community else [turn.chat_id]
    posted = 0
    for chat_id in where:
        posted += await _post(turn, review, units, name, chat_id)
    told, waiting = await _tell_owners(rt, bot, review, units, name)
    await turn.reply(html.escape(turn.t.gettext(
        "Review #%(number)s is posted in %(chats)s chats and was sent privately to %(told)s owners; "
        "%(waiting)s registered owners have not started a private chat with me, so they check it "
        "in the group.", number=review.number, chats=turn.t.number(posted), told=turn.t.number(told),
        waiting=turn.t.number(waiting))))


def _places(t: Translator, scope) -> str:
    return t.listing(t.place(item) for item in scope)


async def _post(turn: Turn, review, units: list[Household], community: str, chat_id: int) -> bool:
    """The review in one chat, in its language: the list inline, or as a CSV file when long."""
    rt, bot = turn.rt, turn.context.bot
    t = rt.translator(await chats.get(rt.store, chat_id))
    entries = [review_entry(h) for h in units]
    inline = len(entries) <= INLINE_UNITS
    text = rt.renderer.render("registry_review.html.j2", t, review=review, summary=summarize(units),
                              entries=entries if inline else None, community=community,
                              places=_places(t, review.scope) if review.scope else "")
    thread = turn.thread if chat_id == turn.chat_id else None
    try:
        await send_html(bot, chat_id, text, thread=thread)
        if not inline:
            await send_file(bot, chat_id, _csv(t, entries), f"registry-review-{review.number}.csv", thread,
                            caption=t.gettext("Registry review #%(number)s: %(count)s households.",
                                              number=review.number, count=t.number(len(entries))))
    except (BadRequest, Forbidden) as error:
        if chat_id == turn.chat_id:
            raise
        log.warning("registry review %s not posted in chat %s: %s", review.id, chat_id, error)
        return False
    return True


def _csv(t: Translator, entries: list[ReviewEntry]) -> bytes:
    """The published list for spreadsheets (UTF-8 with a byte-order mark, as Excel in China wants)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t.gettext("Household"), t.gettext("Area (m²)"), t.gettext("Owners (masked)")])
    for e in entries:
        owner = t.gettext("developer (unsold)") if e.developer else e.owner or "—"
        writer.writerow([e.label, f"{Decimal(e.area) / 100:.2f}", owner])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


async def _private_translator(rt: Runtime, user_id: int) -> Translator:
    return rt.translator(await chats.get(rt.store, user_id), await users.get(rt.store, user_id))


async def _tell_owners(rt: Runtime, bot, review, units: list[Household], community: str) -> tuple[int, int]:
    """Each bound owner's own entry, privately: (told, not reachable)."""
    owners = await households.owners(rt.store, [h.id for h in units])
    told = waiting = 0
    for h in units:
        for user_id, _ in owners.get(h.id, []):
            t = await _private_translator(rt, user_id)
            text = rt.renderer.render("registry_review_entry.html.j2", t, review=review,
                                      entry=review_entry(h), community=community)
            buttons = [InlineKeyboardButton(t.gettext(label), callback_data=f"rr:{code}:{review.id}:{h.id}")
                       for code, label in BUTTONS]
            markup = InlineKeyboardMarkup([buttons[:2], buttons[2:]])
            if await tell_privately(rt, bot, user_id, text, markup):
                told += 1
            else:
                waiting += 1
    return told, waiting


# -- an owner's answer ---------------------------------------------------------------------------

@handler
async def pressed(turn: Turn) -> None:
    """rr:<y|a|n|c>:<review>:<household>, under an owner's entry in their private chat."""
    _, code, review_id, household_id = turn.update.callback_query.data.split(":")
    unit = await reviews.owned_unit(turn.rt.store, int(review_id), int(household_id), turn.person.id) \
        if turn.in_private else None
    if unit is None:
        raise Refused(turn.t.gettext(STALE))
    if code == "y":
        await turn.answer(turn.t.gettext("Thank you for checking your entry."))
        return
    reason = REASON_OF[code]
    db, person = turn.rt.store, turn.person.id
    # the newest question is the one answered: a guided flow or a request waiting for its text yields
    await drafts.pop(db, person, drafts.GUIDE)
    request = await drafts.get(db, person, drafts.REQUEST)
    if request is not None and not request.get("text"):
        await drafts.pop(db, person, drafts.REQUEST)
    await drafts.put(db, person, reviews.DISPUTE_DRAFT,
                     {"review_id": int(review_id), "household_id": unit.id, "reason": reason},
                     turn.rt.clock.now())
    await turn.answer()
    await turn.reply(html.escape(turn.t.gettext(ASK[reason], unit=unit.label)))


@handler
async def noted(turn: Turn) -> None:
    """A plain private message while a dispute waits for its note."""
    rt, person = turn.rt, turn.person.id
    answered = await awaited_answer(turn, reviews.DISPUTE_DRAFT, MAX_NOTE, N_(
        "A note can be at most %(most)s characters; yours has %(count)s."))
    if answered is None:
        return
    draft, text = answered
    unit = await reviews.owned_unit(rt.store, draft["review_id"], draft["household_id"], person)
    if unit is None:
        await drafts.pop(rt.store, person, reviews.DISPUTE_DRAFT)
        raise Refused(turn.t.gettext("This household is no longer yours in the registry, so I did not "
                                     "pass the note on."))
    dispute = await reviews.add_dispute(
        rt.store, review_id=draft["review_id"], household_id=unit.id, user_id=person,
        reason=draft["reason"], note=text, now=rt.clock.now(), origin=turn.origin)
    await turn.reply(html.escape(turn.t.gettext(
        "Thank you. Your dispute #%(id)s about %(unit)s (%(reason)s) was passed to the community's "
        "conveners; I will tell you here when it is resolved.", id=dispute.id, unit=dispute.label,
        reason=turn.t.gettext(REASON_NAMES[dispute.reason]))))
    await _tell_conveners(rt, turn.context.bot, dispute)


async def conveners_of(rt: Runtime, bot, main_chat_id: int) -> list[int]:
    """The community's conveners: its main group's administrators and the conveners it named."""
    grants = [g.user_id for role in ("convener", "deputy")
              for g in await roles.holders(rt.store, main_chat_id, role)]
    admins = sorted(await rt.admins.ids(bot, main_chat_id))
    return [user for user in dict.fromkeys([*admins, *grants]) if user != bot.id]


async def _tell_conveners(rt: Runtime, bot, dispute: Dispute) -> None:
    """Privately, each convener who started the bot; never in a group."""
    if dispute.main_chat_id is None:
        return
    community = await communities.of_chat(rt.store, dispute.main_chat_id)
    for user_id in await conveners_of(rt, bot, dispute.main_chat_id):
        t = await _private_translator(rt, user_id)
        await tell_privately(rt, bot, user_id, rt.renderer.render(
            "registry_review_dispute.html.j2", t, d=dispute, reason_name=REASON_NAMES[dispute.reason],
            community=community.name if community else ""))


# -- the conveners' commands ---------------------------------------------------------------------

@handler
async def disputes_command(turn: Turn) -> None:
    """In a group: how many disputes are open (no names), the list sent privately. In private: the
    list for every community the convener convenes."""
    rt = turn.rt
    if turn.in_private:
        mine = [(chat_id, name) for chat_id, name in await members.groups_of(rt.store, turn.person.id)
                if await turn.convenes_community(chat_id)]
        if not mine:
            raise Refused(turn.t.gettext(NOT_CONVENER))
        await turn.reply(await _listing(turn, turn.t, mine))
        return
    await turn.require_community_convener()
    found = await reviews.open_disputes(rt.store, turn.chat_id)
    counts = Counter(d.reason for d in found)
    reasons = turn.t.listing(f"{turn.t.gettext(REASON_NAMES[r])} {turn.t.number(counts[r])}"
                             for r in REASON_NAMES if counts[r])
    privately = bool(found) and await may_write(rt, turn.person.id)
    if privately:
        community = await communities.of_chat(rt.store, turn.chat_id)
        t = await _private_translator(rt, turn.person.id)
        await send_html(turn.context.bot, turn.person.id, await _listing(
            turn, t, [(turn.chat_id, community.name if community else "")]))
    await turn.reply(turn.render("registry_review_disputes.html.j2", total=len(found), reasons=reasons,
                                 privately=privately))


async def _listing(turn: Turn, t: Translator, places: list[tuple[int, str]]) -> str:
    listed = [(name, await reviews.open_disputes(turn.rt.store, chat_id)) for chat_id, name in places]
    return turn.rt.renderer.render("registry_review_disputes.html.j2", t, listed=listed,
                                   reason_names=REASON_NAMES)


@handler
async def resolve_command(turn: Turn) -> None:
    """``/dispute_resolve N note``: in a group of the dispute's community, or privately."""
    rt, t = turn.rt, turn.t
    number, _, note = turn.body.strip().partition(" ")
    number, note = numbers.whole(number), note.strip()
    if not turn.in_private:
        await turn.require_community_convener()
    if number is None or not note:
        raise Refused(t.gettext("Usage: /dispute_resolve number note, e.g. /dispute_resolve 3 "
                                "面积已按房产证更正. /disputes lists the open ones."))
    if len(note) > MAX_NOTE:
        raise Refused(t.gettext("A note can be at most %(most)s characters; yours has %(count)s.",
                                most=MAX_NOTE, count=len(note)))
    dispute = await reviews.get_dispute(rt.store, number)
    if turn.in_private:
        if dispute is None or dispute.main_chat_id is None or \
                not await turn.convenes_community(dispute.main_chat_id):
            raise Refused(t.gettext("There is no dispute #%(id)s in a community you convene. /disputes "
                                    "lists the open ones.", id=number))
    elif dispute is None or dispute.main_chat_id != turn.chat.main_chat_id:
        raise Refused(t.gettext("There is no dispute #%(id)s in this community. /disputes lists the "
                                "open ones.", id=number))
    if not await reviews.resolve(rt.store, dispute.id, note, turn.person.id, rt.clock.now()):
        raise Refused(t.gettext("Dispute #%(id)s is resolved already.", id=dispute.id))
    owner_t = await _private_translator(rt, dispute.user_id)
    told = await tell_privately(rt, turn.context.bot, dispute.user_id, rt.renderer.render(
        "registry_review_dispute.html.j2", owner_t, d=dispute, resolved=True, resolution=note,
        reason_name=REASON_NAMES[dispute.reason]))
    await turn.reply(html.escape(
        t.gettext("Dispute #%(id)s is resolved; its owner was told privately.", id=dispute.id) if told else
        t.gettext("Dispute #%(id)s is resolved; I could not tell its owner privately (they blocked me).",
                  id=dispute.id)))


# -- at an owner vote's close --------------------------------------------------------------------

async def registry_changes_view(rt: Runtime, poll: Poll) -> dict:
    """What the vote's result shows of the registry's changes (``_registry_changes.html.j2``):
    the community's latest review published before the vote closed, and what imports changed in
    the vote's scope since, owners' names masked. Empty for other kinds and without a review."""
    if poll.kind != "owner":
        return {}
    until = poll.closed_at or rt.clock.now()
    review = await reviews.latest(rt.store, poll.chat_id, before=until)
    if review is None:
        return {}
    changes = await reviews.changes_since(rt.store, poll.chat_id, review.published_at, poll.scope, until)
    return {"registry_review": review, "registry_changes": [shown_change(c) for c in changes],
            "registry_changes_shown": SHOWN_CHANGES}


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("disputes", disputes_command))
    app.add_handler(CommandHandler("dispute_resolve", resolve_command))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^rr:[yanc]:{ID}:{ID}$"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, noted),
                    group=NOTES)
    return COMMANDS

