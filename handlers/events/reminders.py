"""The event's schedules: the message rolls on to the next occurrence, and reminders are sent
before each one."""

from __future__ import annotations

from telegram.ext import CallbackContext

from bot.domain import events as rules
from bot.domain.events import Event, Occurrence
from bot.domain.models import Firing
from bot.i18n import Translator
from bot.runtime import Runtime, runtime
from handlers import cards
from handlers.events.agenda import agenda_of
from handlers.events.card import _buttons, refresh, shows_buttons
from handlers.events.common import KIND_NAMES, SCHEDULE_KIND, _reminders, topic_of
from storage import chats
from storage import events as store
from storage.times import from_db, to_db


async def arm(rt: Runtime, chat, event: Event) -> None:
    """(Re)create the event's schedules: the series (offset 0 rolls the message on to the next
    occurrence; the others remind) and one for each occurrence moved to a time still ahead."""
    await rt.scheduler.cancel_ref(SCHEDULE_KIND, str(event.id))
    if not event.active:
        return
    offsets = (0, *_reminders(chat, event))
    await rt.scheduler.add(chat_id=event.chat_id, kind=SCHEDULE_KIND, first_at=event.start, tz=event.tz,
                           rrule=event.rrule, offsets=offsets, ref=str(event.id))
    for change in await store.changes(rt.store, event.id):
        if change.new_at is not None and change.new_at > rt.clock.now():
            await rt.scheduler.add(chat_id=event.chat_id, kind=SCHEDULE_KIND, first_at=change.new_at,
                                   tz=event.tz, offsets=offsets, ref=str(event.id),
                                   payload={"key": to_db(change.occurrence)})


async def deliver(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    event = await store.get(rt.store, int(firing.schedule.ref))
    if event is None or not event.active:
        return
    changes = {c.occurrence: c for c in await store.changes(rt.store, event.id)}
    key = from_db(firing.schedule.payload["key"]) if "key" in firing.schedule.payload else firing.occurrence
    change = changes.get(key)
    if (change.new_at if change else key) != firing.occurrence:
        return  # cancelled, or moved elsewhere: its own schedule reminds
    if firing.offset == 0:
        await refresh(rt, context.bot, event.id, now=True)
        return
    occurrence = Occurrence(key, firing.occurrence, reason=change.reason if change else None)
    counts = rules.count_answers([a for _, a in await store.answers(rt.store, event.id, key)])

    async def reminder(t: Translator):
        return await _reminder_html(rt, t, event, occurrence), _buttons(t, event, occurrence, counts)

    for chat_id, message_id in await cards.tell_all(rt, context.bot, "event", event, reminder,
                                                    thread=await topic_of(rt, event)):
        t = rt.translator(await chats.get(rt.store, chat_id))
        await shows_buttons(rt, chat_id, message_id, _buttons(t, event, occurrence, counts))


async def _reminder_html(rt: Runtime, t: Translator, event: Event, occurrence: Occurrence) -> str:
    queued = await store.questions(rt.store, event.id, occurrence.key) if event.kind == "reception" else []
    return rt.renderer.render("event_reminder.html.j2", t, event=event, kind_name=KIND_NAMES[event.kind],
                              occurrence=occurrence, agenda=await agenda_of(rt, t, event, occurrence),
                              queued=len(queued))
