"""The event's message (its next occurrence and the answers so far) and the RSVPs."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import events as rules
from bot.domain.events import Event, Occurrence
from bot.i18n import Translator
from bot.refresh import Shown
from bot.runtime import Runtime
from handlers import cards
from handlers.base import Refused, Turn, handler
from handlers.events.common import (
    ANSWER_CODES,
    ANSWER_NAMES,
    KIND_NAMES,
    _group_only,
    _minute,
    _number_and_rest,
    _pick,
    _pressed_occurrence,
    repeat_text,
)
from storage import events as store


async def _card(rt: Runtime, t: Translator, event: Event) -> tuple[str, InlineKeyboardMarkup | None]:
    changes = await store.changes(rt.store, event.id)
    following = rules.upcoming(event, changes, rt.clock.now(), count=1)
    nxt = following[0] if following else None
    counts = {}
    if nxt is not None:
        counts = rules.count_answers([a for _, a in await store.answers(rt.store, event.id, nxt.key)])
    text = rt.renderer.render("event.html.j2", t, event=event, kind_name=KIND_NAMES[event.kind], next=nxt,
                              repeat=repeat_text(t, event.rrule), counts=counts, answer_names=ANSWER_NAMES)
    return text, (_buttons(t, event, nxt, counts) if nxt else None)


def card(rt: Runtime, event: Event) -> cards.Render:
    """How the event's card reads in a chat's language, wherever it is posted."""

    async def render(t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
        return await _card(rt, t, event)

    return render


def _buttons(t: Translator, event: Event, occurrence: Occurrence, counts: dict) -> InlineKeyboardMarkup:
    minute = _minute(occurrence.key)
    row = [InlineKeyboardButton(f"{t.gettext(ANSWER_NAMES[a])} · {t.number(counts.get(a, 0))}",
                                callback_data=f"ev:r:{event.id}:{minute}:{code}")
           for code, a in ANSWER_CODES.items()]
    rows = [row, [InlineKeyboardButton(t.gettext("📅 Add to calendar"), callback_data=f"ev:c:{event.id}")]]
    holiday = t.holiday(occurrence.at)
    if holiday:  # one press, for a convener, cancels this occurrence for the holiday
        rows.append([InlineKeyboardButton(t.gettext("🏮 Cancel this one: %(holiday)s", holiday=holiday),
                                          callback_data=f"ev:h:{event.id}:{minute}")])
    return InlineKeyboardMarkup(rows)


async def refresh(rt: Runtime, bot, event_id: int, *, now: bool = False) -> None:
    async def render() -> None:
        event = await store.get(rt.store, event_id)
        if event is not None:
            await cards.edit_all(rt, bot, "event", event, card(rt, event))

    await rt.refresher.show(("event", event_id), render, now)


@handler
async def rsvp_pressed(turn: Turn) -> None:
    event, key, rest = await _pressed_occurrence(turn)
    if len(rest) != 1 or rest[0] not in ANSWER_CODES:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    message = turn.update.callback_query.message
    changes = await store.changes(turn.rt.store, event.id)
    change = next((c for c in changes if c.occurrence == key), None)
    if not event.active or (change is not None and change.new_at is None):
        raise Refused(turn.t.gettext("This occurrence is cancelled."))
    if rules.ahead(event, changes, turn.rt.clock.now(), key) is None:
        raise Refused(turn.t.gettext("This occurrence is over."))
    answer = ANSWER_CODES[rest[0]]
    await store.answer(turn.rt.store, event.id, key, turn.person.id, turn.person.name, answer,
                       turn.rt.clock.now())
    await turn.answer(turn.t.gettext("Your answer: %(answer)s.", answer=turn.t.gettext(ANSWER_NAMES[answer])))
    await refresh(turn.rt, turn.context.bot, event.id)
    if not await cards.is_card(turn.rt, "event", event, message.chat.id, message.message_id):
        # a reminder's buttons: keep its counts right too
        counts = rules.count_answers([a for _, a in await store.answers(turn.rt.store, event.id, key)])
        await show_buttons(turn.rt, turn.context.bot, message.chat.id, message.message_id,
                           _buttons(turn.t, event, Occurrence(key, key), counts))


async def show_buttons(rt: Runtime, bot, chat_id: int, message_id: int, markup: InlineKeyboardMarkup) -> None:
    """Put ``markup`` on a reminder, unless it shows it already (the same answer pressed again):
    Telegram refuses an edit that changes nothing."""
    if await rt.refresher.shown.same(chat_id, message_id, _digest(markup)):
        return
    await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=markup)
    await shows_buttons(rt, chat_id, message_id, markup)


async def shows_buttons(rt: Runtime, chat_id: int, message_id: int, markup: InlineKeyboardMarkup) -> None:
    """Record that a reminder shows ``markup`` (its text is never edited: only its buttons count)."""
    await rt.refresher.shown.remember(chat_id, message_id, _digest(markup))


def _digest(markup: InlineKeyboardMarkup) -> str:
    return Shown.digest("", markup)


@handler
async def rsvps_command(turn: Turn) -> None:
    _group_only(turn)
    await turn.require_convener()
    number, _ = _number_and_rest(turn)
    event, nxt = await _pick(turn, number)
    if nxt is None:
        raise Refused(turn.t.gettext("Event #%(number)s has no occurrence ahead.", number=event.number))
    rows = await store.answers(turn.rt.store, event.id, nxt.key)
    by_answer = {a: [name for name, x in rows if x == a] for a in rules.ANSWERS}
    await turn.reply(turn.render("event_rsvps.html.j2", event=event, occurrence=nxt, by_answer=by_answer,
                                 answer_names=ANSWER_NAMES))
