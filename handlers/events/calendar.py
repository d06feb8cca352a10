"""The list of upcoming events, and the chat's events as an iCalendar file."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import events as rules
from bot.domain.events import Event
from handlers.base import Refused, Turn, handler, may_write, send_file
from handlers.events.common import KIND_NAMES, _group_only
from storage import events as store


@handler
async def list_command(turn: Turn) -> None:
    _group_only(turn)
    now = turn.rt.clock.now()
    rows = []
    for event in await store.of_chat(turn.rt.store, turn.chat_id):
        changes = await store.changes(turn.rt.store, event.id)
        rows += [(o, event) for o in rules.upcoming(event, changes, now, count=5, include_cancelled=True,
                                                    horizon=timedelta(days=45))]
    rows.sort(key=lambda r: r[0].at)
    await turn.reply(turn.render("event_list.html.j2", rows=rows[:15], kind_names=KIND_NAMES))


def calendar_file(events: list[tuple[Event, list[rules.Change]]], name: str, made: datetime) -> bytes:
    """The events as iCalendar: RRULE, EXDATE for cancelled occurrences, RECURRENCE-ID overrides
    for moved ones; times in the chat's zone (with VTIMEZONE) so phones show them right. Each
    event's UID is its own random one; DTSTAMP is ``made``, when the file was made."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, vRecur
    from icalendar import Event as VEvent

    cal = Calendar()
    cal.add("prodid", "-//Yishi//events//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for event, changes in events:
        tz = ZoneInfo(event.tz)
        length = event.duration or timedelta(hours=1)

        def base(start: datetime, event=event, tz=tz, length=length) -> VEvent:
            item = VEvent()
            item.add("uid", f"{event.uid}@yishi")
            item.add("summary", event.title)
            item.add("dtstamp", made)
            item.add("dtstart", start.astimezone(tz))
            item.add("dtend", (start + length).astimezone(tz))
            if event.place:
                item.add("location", event.place)
            if event.hosts:
                item.add("description", event.hosts)
            return item

        main = base(event.start)
        if not event.active:
            main.add("status", "CANCELLED")
        if event.rrule:
            main.add("rrule", vRecur.from_ical(event.rrule))
            cancelled = [c.occurrence.astimezone(tz) for c in changes if c.new_at is None]
            if cancelled:
                main.add("exdate", cancelled)
            cal.add_component(main)
            for c in changes:
                if c.new_at is not None:
                    moved = base(c.new_at)
                    moved.add("recurrence-id", c.occurrence.astimezone(tz))
                    cal.add_component(moved)
        else:
            change = changes[0] if changes else None
            if change is not None and change.new_at is None:
                main["status"] = "CANCELLED"
            elif change is not None:
                main = base(change.new_at)
            cal.add_component(main)
    cal.add_missing_timezones()
    return cal.to_ical()


async def _send_calendar(turn: Turn, to_chat: int) -> None:
    found = [(e, await store.changes(turn.rt.store, e.id))
             for e in await store.of_chat(turn.rt.store, turn.chat_id, active_only=False)]
    if not found:
        raise Refused(turn.t.gettext("There is no upcoming event. Conveners schedule one with /event."))
    title = (turn.chat.title if turn.chat else None) or "Yishi"
    await send_file(turn.context.bot, to_chat, calendar_file(found, title, turn.rt.clock.now()), "events.ics",
                    turn.thread if to_chat == turn.chat_id else None,
                    caption=turn.t.gettext("Open the file to add the events to your phone's calendar."))


@handler
async def calendar_command(turn: Turn) -> None:
    _group_only(turn)
    await _send_calendar(turn, turn.chat_id)


@handler
async def calendar_pressed(turn: Turn) -> None:
    """Sent privately when the presser has started the bot, else in the group."""
    if await may_write(turn.rt, turn.person.id):
        await _send_calendar(turn, turn.person.id)
        await turn.answer(turn.t.gettext("I sent you the calendar privately."))
    else:
        await _send_calendar(turn, turn.chat_id)
        await turn.answer()
