"""What the consultation handlers share: which consultation a command or button names, who may take
part and in which building they are counted, and adding a statement (near-duplicates pointed out)."""

from __future__ import annotations

import html
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import consultations as rules
from bot.domain.ideas import most_similar
from bot.i18n import N_
from handlers.base import NO_GROUP, Refused, Turn, groups_of
from handlers.consultations.card import refresh
from storage import communities, drafts, members
from storage import consultations as store

USAGE = N_("Usage: /consult question, then optional lines: 截止 and a date, 范围 and buildings, and "
           "statements to start with, one per line, e.g.\n/consult 停车位和绿地怎么平衡？\n截止 12月20日\n"
           "范围 6栋,7栋\n不应占用绿地建车位\n可以建立体车库")


async def community_chat(turn: Turn) -> int:
    """The chat whose community a command acts for: this group, or privately the main group of
    the community the person acts for."""
    if not turn.in_private:
        return turn.chat_id
    places = await groups_of(turn)
    if not places:
        raise Refused(turn.t.gettext(NO_GROUP))
    return places[0][0]


async def pick(turn: Turn, number: int | None, chat_id: int | None = None) -> store.Consultation:
    """Consultation #number of the community (of ``chat_id``, default this chat), or its only
    open one."""
    rt, t = turn.rt, turn.t
    chat_id = chat_id or turn.chat_id
    if number is not None:
        found = await store.by_number(rt.store, chat_id, number)
        if found is None:
            raise Refused(t.gettext("There is no consultation #%(number)s. /consultations lists them.",
                                    number=number))
        return found
    current = await store.of_chat(rt.store, chat_id, open_only=True)
    if len(current) == 1:
        return current[0]
    if not current:
        raise Refused(t.gettext("No consultation is open. Conveners open one with /consult."))
    raise Refused(t.gettext("Several consultations are open (%(numbers)s): give the number, e.g. "
                            "/statement %(number)s and your statement.",
                            numbers=t.listing(f"#{c.number}" for c in current), number=current[0].number))


def refuse_closed(turn: Turn, consultation: store.Consultation | None) -> store.Consultation:
    if consultation is None:
        raise Refused(turn.t.gettext("This link is no longer valid."))
    if not consultation.is_open:
        raise Refused(turn.t.gettext("Consultation #%(number)s has ended.", number=consultation.number))
    return consultation


async def require_member(turn: Turn, consultation: store.Consultation) -> None:
    """Only people of the community take part (those the bot has seen in its groups, bound owners,
    people with a role; Telegram is asked about anyone else)."""
    community = await communities.get(turn.rt.store, consultation.community_id)
    main = {chat for chat, _, role, _ in (community.chats if community else ()) if role == "main"}
    if not any(chat in main for chat, _ in await members.groups_of(turn.rt.store, turn.person.id)):
        await groups_of(turn)  # asks Telegram about the groups the bot serves
        if not any(chat in main for chat, _ in await members.groups_of(turn.rt.store, turn.person.id)):
            raise Refused(turn.t.gettext("Only members of the community's groups can take part in its "
                                         "consultations."))


async def placed(turn: Turn, consultation: store.Consultation) -> tuple[bool, str | None]:
    """(whether the person takes part already or was placed now, their building). Someone the
    community cannot place (no bound household, no building group) is asked where they live."""
    rt = turn.rt
    joined, building = await store.participant(rt.store, consultation.id, turn.person.id)
    if joined:
        return True, building
    await require_member(turn, consultation)
    known = await store.known_buildings(rt.store, consultation.community_id, turn.person.id)
    if consultation.scope:
        known = [b for b in known if b in consultation.scope] or known
    if not known:
        return False, None
    if consultation.scope and known[0] not in consultation.scope:
        raise out_of_scope(turn, consultation)
    await store.join(rt.store, consultation.id, turn.person.id, known[0], rt.clock.now())
    return True, known[0]


async def may_write(turn: Turn, consultation: store.Consultation) -> None:
    """Anyone of the community writes statements (no building needed), except those it knows
    live outside the consultation's buildings."""
    await require_member(turn, consultation)
    if consultation.scope:
        known = await store.known_buildings(turn.rt.store, consultation.community_id, turn.person.id)
        if known and not set(known) & set(consultation.scope):
            raise out_of_scope(turn, consultation)


def out_of_scope(turn: Turn, consultation: store.Consultation) -> Refused:
    return Refused(turn.t.gettext("Consultation #%(number)s asks the residents of %(scope)s only.",
                                  number=consultation.number,
                                  scope=turn.t.listing(turn.t.place(b) for b in consultation.scope)))


async def add_statement(turn: Turn, consultation: store.Consultation, text: str, *,
                        anyway: bool = False) -> store.Statement | None:
    """Add the person's statement and tell them; None when it resembles one already there (they
    are shown it and asked, unless ``anyway``)."""
    rt, t = turn.rt, turn.t
    try:
        text = rules.check_statement(text)
    except rules.ConsultationError as problem:
        raise Refused(t.gettext(problem.message, **problem.params)) from None
    now = rt.clock.now()
    if await store.written_since(rt.store, consultation.id, turn.person.id, now - timedelta(hours=1)) \
            >= rules.HOURLY_LIMIT:
        raise Refused(t.gettext("You have written %(count)s statements in the last hour: please wait a "
                                "while before the next.", count=rules.HOURLY_LIMIT))
    shown = await store.statements(rt.store, consultation.id)
    similar = None if anyway else most_similar(text, [(s.id, s.text) for s in shown])
    if similar is not None and similar[1] >= rules.SIMILAR:
        match = next(s for s in shown if s.id == similar[0])
        await drafts.put(rt.store, turn.person.id, store.SIMILAR_DRAFT,
                         {"consultation_id": consultation.id, "text": text}, now)
        await turn.reply(turn.render("consultation_similar.html.j2", c=consultation, statement=match),
                         InlineKeyboardMarkup([[
                             InlineKeyboardButton(t.gettext("➕ Add mine anyway"),
                                                  callback_data=f"cs:a:{consultation.id}"),
                             InlineKeyboardButton(t.gettext("🗳 Vote on #%(number)s", number=match.number),
                                                  callback_data=f"cs:o:{match.id}")]]))
        return None
    added = await store.add_statement(rt.store, consultation.id, text, turn.person.id, now, turn.origin)
    buttons = [InlineKeyboardButton(t.gettext("👤 Show my name with it"), callback_data=f"cs:s:{added.id}:1")]
    if turn.in_private:
        buttons.append(InlineKeyboardButton(t.gettext("▶️ Vote on the statements"),
                                            callback_data=f"cs:n:{consultation.id}"))
    await turn.reply(html.escape(t.gettext(
        "Added as statement %(statement)s of consultation #%(number)s, without your name. Everyone "
        "taking part will be asked to agree or disagree with it.", statement=added.number,
        number=consultation.number)), InlineKeyboardMarkup([buttons]))
    await refresh(rt, turn.context.bot, consultation.id)
    return added
