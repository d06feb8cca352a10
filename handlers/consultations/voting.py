"""Taking part, in the private chat: one statement at a time with Agree / Disagree / Pass, the next
after each press (those the person has not seen first, the least voted first), a statement of
their own at any point, and their votes changed until the end."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import consultations as rules
from bot.domain import numbers
from bot.i18n import N_
from handlers.answers import awaited_answer
from handlers.base import Refused, Turn, edit_html, handler
from handlers.consultations.card import refresh
from handlers.consultations.common import (
    add_statement,
    may_write,
    out_of_scope,
    placed,
    refuse_closed,
    require_member,
)
from storage import consultations as store
from storage import drafts

VOTE_LABELS = {rules.AGREE: N_("✅ Agree"), rules.DISAGREE: N_("❌ Disagree"), rules.PASS: N_("⏭ Pass")}
VOTE_NAMES = {rules.AGREE: N_("agree"), rules.DISAGREE: N_("disagree"), rules.PASS: N_("pass")}
NONE = "x"  # the building answer "I'd rather not say"


async def _screen(turn: Turn, consultation: store.Consultation, *, review_after: int | None = None,
                  only: store.Statement | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """What the person sees now: the next statement to vote on (``review_after``: going through
    them all again, the one after that number; ``only``: that statement), or that they are done."""
    rt, t, c = turn.rt, turn.t, consultation
    shown = await store.statements(rt.store, c.id)
    mine = await store.votes_of(rt.store, c.id, turn.person.id)
    if only is not None:
        current = only
    elif review_after is not None:
        current = next((s for s in shown if s.number > review_after), None)
    else:
        counts = await store.counts(rt.store, c.id)
        chosen = rules.next_statement([s.id for s in shown], counts, set(mine))
        current = next((s for s in shown if s.id == chosen), None)
    voted = sum(1 for s in shown if s.id in mine)
    write = InlineKeyboardButton(t.gettext("✍️ Write a statement"), callback_data=f"cs:w:{c.id}")
    if current is None:
        text = turn.render("consultation_done.html.j2", c=c, total=len(shown), voted=voted)
        again = [InlineKeyboardButton(t.gettext("🔁 Go through them again"), callback_data=f"cs:r:{c.id}:0")]
        return text, InlineKeyboardMarkup([again, [write]] if shown else [[write]])
    review = review_after is not None or only is not None
    vote = mine.get(current.id)
    text = turn.render("consultation_statement.html.j2", c=c, statement=current, total=len(shown),
                       voted=voted, vote=t.gettext(VOTE_NAMES[vote]) if vote is not None else None)
    suffix = f":{current.number}" if review else ""
    row = [InlineKeyboardButton(("• " if vote == value else "") + t.gettext(label),
                                callback_data=f"cs:v:{current.id}:{value}{suffix}")
           for value, label in VOTE_LABELS.items()]
    return text, InlineKeyboardMarkup([row, [write]])


Screen = tuple[str, InlineKeyboardMarkup]


async def _buildings(turn: Turn, consultation: store.Consultation) -> list[str]:
    """The buildings one may answer: the consultation's, else all of the community's."""
    return list(consultation.scope) or await store.buildings(turn.rt.store, consultation.community_id)


async def _building_question(turn: Turn, consultation: store.Consultation) -> Screen:
    t = turn.t
    choices = await _buildings(turn, consultation)
    buttons = [InlineKeyboardButton(t.place(b), callback_data=f"cs:b:{consultation.id}:{b}") for b in choices
               if len(f"cs:b:{consultation.id}:{b}".encode()) <= 64]
    rows = [buttons[i:i + 4] for i in range(0, len(buttons), 4)]
    rows.append([InlineKeyboardButton(t.gettext("I don't live in these") if consultation.scope
                                      else t.gettext("I'd rather not say"),
                                      callback_data=f"cs:b:{consultation.id}:{NONE}")])
    return turn.render("consultation_building.html.j2", c=consultation), InlineKeyboardMarkup(rows)


async def _begin(turn: Turn, consultation: store.Consultation) -> tuple[str, InlineKeyboardMarkup]:
    """The person's first screen: where they live, when no one knows; else the next statement."""
    joined, _ = await placed(turn, consultation)
    if not joined:
        return await _building_question(turn, consultation)
    return await _screen(turn, consultation)


async def take_part_link(turn: Turn, payload: str) -> None:
    """``/start k<consultation>``: the first statement to vote on."""
    consultation = refuse_closed(turn, await store.get(turn.rt.store, numbers.whole(payload) or 0))
    await turn.reply(*await _begin(turn, consultation))


async def write_link(turn: Turn, payload: str) -> None:
    """``/start w<consultation>``: asked to write a statement."""
    consultation = refuse_closed(turn, await store.get(turn.rt.store, numbers.whole(payload) or 0))
    await _ask_statement(turn, consultation)


async def _ask_statement(turn: Turn, consultation: store.Consultation) -> None:
    await may_write(turn, consultation)
    await drafts.put(turn.rt.store, turn.person.id, store.STATEMENT_DRAFT,
                     {"consultation_id": consultation.id}, turn.rt.clock.now())
    await turn.reply(turn.render("consultation_write.html.j2", c=consultation, most=rules.MAX_STATEMENT))


async def _pressed_consultation(turn: Turn, consultation_id: int | None) -> store.Consultation:
    if not turn.in_private:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    return refuse_closed(turn, await store.get(turn.rt.store, consultation_id or 0))


async def _statement_pressed(turn: Turn,
                             statement_id: int | None) -> tuple[store.Consultation, store.Statement]:
    found = await store.statement(turn.rt.store, statement_id or 0)
    if found is None:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    consultation = await _pressed_consultation(turn, found.consultation_id)
    if found.hidden:
        raise Refused(turn.t.gettext("A convener has hidden this statement."))
    return consultation, found


async def _show(turn: Turn, screen: tuple[str, InlineKeyboardMarkup]) -> None:
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id, *screen,
                    shown=turn.rt.refresher.shown)


@handler
async def pressed(turn: Turn) -> None:
    """cs:v:<statement>:<vote>[:<number>] a vote (going through again after statement <number>);
    cs:b:<c>:<building> where one lives; cs:w:<c> write; cs:r:<c>:0 again; cs:n:<c> go on;
    cs:o:<statement> vote on that one; cs:a:<c> add the similar statement anyway."""
    rt, t = turn.rt, turn.t
    parts = turn.update.callback_query.data.split(":")
    verb = parts[1]
    if verb == "v":
        consultation, statement = await _statement_pressed(turn, numbers.whole(parts[2]))
        joined, _ = await placed(turn, consultation)
        if not joined:
            await _show(turn, await _building_question(turn, consultation))
            await turn.answer()
            return
        value = int(parts[3])
        await store.vote(rt.store, statement.id, turn.person.id, value, rt.clock.now())
        await turn.answer(t.gettext("Saved: %(vote)s.", vote=t.gettext(VOTE_NAMES[value])))
        after = numbers.whole(parts[4]) if len(parts) > 4 else None
        await _show(turn, await _screen(turn, consultation, review_after=after))
        await refresh(rt, turn.context.bot, consultation.id)
        return
    if verb == "o":
        consultation, statement = await _statement_pressed(turn, numbers.whole(parts[2]))
        await turn.answer()
        await turn.reply(*await _screen(turn, consultation, only=statement))
        return
    consultation = await _pressed_consultation(turn, numbers.whole(parts[2]))
    if verb == "b":
        await _building(turn, consultation, parts[3])
    elif verb == "w":
        await turn.answer()
        await _ask_statement(turn, consultation)
    elif verb == "r":
        await turn.answer()
        await _show(turn, await _screen(turn, consultation, review_after=0))
    elif verb == "n":
        await turn.answer()
        await turn.reply(*await _begin(turn, consultation))
    elif verb == "a":
        draft = await drafts.pop(rt.store, turn.person.id, store.SIMILAR_DRAFT)
        if draft is None or draft.get("consultation_id") != consultation.id:
            raise Refused(t.gettext("This button is no longer valid."))
        await turn.answer()
        await add_statement(turn, consultation, draft["text"], anyway=True)


async def _building(turn: Turn, consultation: store.Consultation, answer: str) -> None:
    rt = turn.rt
    joined, _ = await store.participant(rt.store, consultation.id, turn.person.id)
    if joined:  # answered already (a second press)
        await turn.answer()
        await _show(turn, await _screen(turn, consultation))
        return
    await require_member(turn, consultation)
    if answer == NONE and consultation.scope:
        raise out_of_scope(turn, consultation)
    if answer != NONE and answer not in await _buildings(turn, consultation):
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await store.join(rt.store, consultation.id, turn.person.id, None if answer == NONE else answer,
                     rt.clock.now())
    await turn.answer()
    await _show(turn, await _screen(turn, consultation))


@handler
async def written(turn: Turn) -> None:
    """A plain private message after "Write a statement": the statement."""
    answered = await awaited_answer(turn, store.STATEMENT_DRAFT, rules.MAX_STATEMENT, N_(
        "A statement can be at most %(most)s characters; yours has %(count)s. Keep to one idea."))
    if answered is None:
        return
    draft, text = answered
    await drafts.pop(turn.rt.store, turn.person.id, store.STATEMENT_DRAFT)
    consultation = refuse_closed(turn, await store.get(turn.rt.store, draft["consultation_id"]))
    await add_statement(turn, consultation, text)


@handler
async def signed(turn: Turn) -> None:
    """cs:s:<statement>:<1|0>: the author shows their name with their statement, or hides it again."""
    parts = turn.update.callback_query.data.split(":")
    statement = await store.statement(turn.rt.store, numbers.whole(parts[2]) or 0)
    if statement is None or statement.author_id != turn.person.id or statement.seeded:
        raise Refused(turn.t.gettext("Only the statement's author can do this."))
    show = parts[3] == "1"
    await store.sign(turn.rt.store, statement.id, turn.person.id, show)
    await turn.answer(turn.t.gettext("Your name is shown with it.") if show
                      else turn.t.gettext("Shown without your name again."))
    message = turn.update.callback_query.message
    flip = InlineKeyboardButton(turn.t.gettext("🙈 Without my name") if show
                                else turn.t.gettext("👤 Show my name with it"),
                                callback_data=f"cs:s:{statement.id}:{0 if show else 1}")
    rows = [[flip, *message.reply_markup.inline_keyboard[0][1:]]] if message.reply_markup else [[flip]]
    await turn.context.bot.edit_message_reply_markup(message.chat.id, message.message_id,
                                                     reply_markup=InlineKeyboardMarkup(rows))
