"""Moving or cancelling one occurrence or the whole series, with the reason everyone is told."""

from __future__ import annotations

from datetime import datetime

from bot.domain import events as rules
from bot.domain.events import ALL_WORDS, Event, Occurrence
from bot.domain.when import WhenError, date_shaped, parse_when
from bot.i18n import N_
from handlers import cards
from handlers.base import Refused, Turn, handler
from handlers.events.card import refresh
from handlers.events.common import (
    KIND_NAMES,
    _group_only,
    _now,
    _parse_time,
    _pick,
    _pressed_occurrence,
    repeat_text,
    topic_of,
)
from handlers.events.reminders import arm
from storage import events as store

CHANGE_USAGE = {
    "event_cancel": N_("Usage: /event_cancel number, the date (or 全部 for the whole series), then the "
                       "reason, e.g.\n/event_cancel 1 7月16日 下雨暂停\n/event_cancel 1 全部\n原因 场地收回"),
    "event_move": N_("Usage: /event_move number and the date (or 全部), then lines 时间 and 原因, e.g.\n"
                     "/event_move 1 7月16日\n时间 7月17日 19:30\n原因 场地冲突"),
}


@handler
async def change_command(turn: Turn) -> None:
    _group_only(turn)
    await turn.require_convener()
    command = turn.update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    usage = turn.t.gettext(CHANGE_USAGE[command])
    request = rules.parse_change(turn.body)
    if request.number is None:
        raise Refused(usage)
    event, nxt = await _pick(turn, request.number)
    await turn.require_convener(event.chat_id)
    if not event.active:
        raise Refused(turn.t.gettext("Event #%(number)s is cancelled already.", number=event.number))
    whole = request.which is not None and request.which.lower() in ALL_WORDS
    reason = request.reason
    occurrence = None if whole else nxt
    if not whole and request.which is not None:
        try:
            day = parse_when(request.which, _now(turn, turn.t), default_time=datetime.min.time()).date()
        except WhenError:
            if date_shaped(request.which):
                raise Refused(turn.t.gettext("There is no day %(text)s in the calendar: nothing was changed.",
                                             text=request.which)) from None
            reason = f"{request.which} {reason}".strip()  # no date given: the next occurrence
        else:
            changes = await store.changes(turn.rt.store, event.id)
            occurrence = rules.find_on_date(event, changes, day, turn.t.tz)
            if occurrence is None:
                raise Refused(turn.t.gettext("Event #%(number)s does not take place on %(day)s.",
                                             number=event.number, day=turn.t.date(day)))
    if not whole and occurrence is None:
        raise Refused(turn.t.gettext("Event #%(number)s has no occurrence ahead.", number=event.number))
    if occurrence is not None and occurrence.at < turn.rt.clock.now():
        raise Refused(turn.t.gettext("That occurrence is over."))
    if occurrence is not None and occurrence.cancelled:
        raise Refused(turn.t.gettext("That occurrence is cancelled already."))
    if not reason:
        raise Refused(turn.t.gettext("Give the reason: everyone will be told.") + "\n\n" + usage)
    if command == "event_cancel":
        await _cancel(turn, event, occurrence, reason)
    else:
        if not request.time:
            raise Refused(usage)
        await _move(turn, event, occurrence, request.time, reason)


async def _cancel(turn: Turn, event: Event, occurrence: Occurrence | None, reason: str) -> None:
    rt = turn.rt
    if occurrence is None:
        await store.cancel_series(rt.store, event.id, reason)
    else:
        await store.change(rt.store, event.id, occurrence.key, None, reason, turn.person.id, rt.clock.now())
    await _told(turn, event, "cancelled", occurrence, None, reason)


async def _move(turn: Turn, event: Event, occurrence: Occurrence | None, text: str, reason: str) -> None:
    rt = turn.rt
    when = _parse_time(turn, text)
    if when.start <= _now(turn, turn.t):
        raise Refused(turn.t.gettext("%(when)s has already passed.", when=turn.t.datetime(when.start)))
    if occurrence is not None:
        if when.rrule is not None:
            raise Refused(turn.t.gettext(
                "Give one date and time for this occurrence, e.g. 时间 7月17日 19:30."))
        await store.change(rt.store, event.id, occurrence.key, when.start, reason, turn.person.id,
                           rt.clock.now())
        await _told(turn, event, "moved", occurrence, when.start, reason)
        return
    now = rt.clock.now()
    before = [o.key for o in rules.upcoming(event, await store.changes(rt.store, event.id), now, count=30)]
    moved = Event(**{**event.__dict__, "start": when.start, "rrule": when.rrule,
                     "duration": when.duration or event.duration})
    after = [o.key for o in rules.upcoming(moved, [], now, count=30)]
    await store.rekey(rt.store, event.id, rules.carry_by_position(before, after))
    await store.move_series(rt.store, event.id, when.start, when.duration, when.rrule, now)
    await _told(turn, event, "moved", None, when.start, reason, repeat=repeat_text(turn.t, when.rrule))


async def _told(turn: Turn, event: Event, what: str, occurrence: Occurrence | None, new_at: datetime | None,
                reason: str, repeat: str | None = None) -> None:
    """Everyone is told in the group; the event's message and schedules follow the change."""
    event = await store.get(turn.rt.store, event.id)
    await arm(turn.rt, turn.chat, event)
    await refresh(turn.rt, turn.context.bot, event.id, now=True)

    async def notice(t):
        return turn.rt.renderer.render(
            "event_changed.html.j2", t, event=event, kind_name=KIND_NAMES[event.kind], what=what,
            occurrence=occurrence, new_at=new_at, reason=reason, repeat=repeat), None

    told = await cards.tell_all(turn.rt, turn.context.bot, "event", event, notice,  # wherever it is shown
                                thread=await topic_of(turn.rt, event))
    if turn.chat_id not in {chat for chat, _ in told}:  # changed from another group of the community
        await turn.reply((await notice(turn.t))[0])


@handler
async def holiday_pressed(turn: Turn) -> None:
    """ev:h:<event>:<minute>, under an occurrence that falls on a public holiday: a convener
    cancels that occurrence, the holiday its reason."""
    event, key, _ = await _pressed_occurrence(turn)
    await turn.require_convener(event.chat_id)
    occurrence = rules.ahead(event, await store.changes(turn.rt.store, event.id), turn.rt.clock.now(), key)
    holiday = turn.t.holiday(occurrence.at) if occurrence is not None else ""
    if not holiday:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await turn.answer()
    await _cancel(turn, event, occurrence, holiday)
