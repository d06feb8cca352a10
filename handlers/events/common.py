"""What the event commands share: names, the time now in the chat's zone, reading an event's time,
how an event repeats, and which event a command names."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from bot.domain import events as rules
from bot.domain import numbers
from bot.domain.event_time import EXAMPLES, EndBeforeStart, parse_event_time
from bot.domain.events import Event, Occurrence
from bot.domain.when import WhenError
from bot.i18n import N_, Translator
from bot.runtime import Runtime
from handlers import cards
from handlers.base import Refused, Turn
from storage import events as store
from storage import topics

KIND_NAMES = {"talk": N_("Evening talk"), "reception": N_("Reception day")}
ANSWER_NAMES = {"going": N_("Going"), "maybe": N_("Maybe"), "no": N_("Not going")}
ANSWER_CODES = {"g": "going", "m": "maybe", "n": "no"}
SCHEDULE_KIND = "event"


def _group_only(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Events belong to a group: use this command in the group."))


def _now(turn_or_rt, t: Translator) -> datetime:
    rt = turn_or_rt.rt if isinstance(turn_or_rt, Turn) else turn_or_rt
    return rt.clock.now().astimezone(t.tz)


def _minute(key: datetime) -> int:
    return int(key.timestamp()) // 60


async def _pressed_occurrence(turn: Turn) -> tuple[Event, datetime, list[str]]:
    """The event and occurrence key a button ``ev:<x>:<event>:<minute>[:…]`` carries, and the
    data's remaining fields; a forged or foreign press is refused as stale."""
    parts = turn.update.callback_query.data.split(":")
    event_id, minute = (numbers.whole(p, most=2**40) for p in parts[2:4]) if len(parts) >= 4 else (None, None)
    event = await store.get(turn.rt.store, event_id) if event_id is not None else None
    message = turn.update.callback_query.message
    if event is None or minute is None or message is None or message.chat.id not in {  # its card or reminder
            event.chat_id, *(chat for chat, _ in await cards.of(turn.rt, "event", event))}:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    return event, datetime.fromtimestamp(minute * 60, UTC), parts[4:]


def _parse_time(turn: Turn, text: str):
    try:
        return parse_event_time(text, _now(turn, turn.t))
    except EndBeforeStart:
        raise Refused(turn.t.gettext("The end of %(text)s is before its start.", text=text)) from None
    except WhenError:
        raise Refused(turn.t.gettext("I cannot read the time %(text)s. Examples that work: %(examples)s.",
                                     text=text, examples=turn.t.gettext(EXAMPLES))) from None


def repeat_text(t: Translator, rrule: str | None) -> str:
    """How the event repeats, in the chat's language."""
    rule = rules.describe_rule(rrule)
    monday = date(2024, 1, 1)
    if rule is None:
        return t.gettext("Once")
    kind, params = rule
    if kind == "weekly":
        days = t.listing(t.weekday(monday + timedelta(days=d), "wide") for d in params["days"])
        return t.gettext("Every %(days)s", days=days)
    if kind == "monthly_day":
        return t.gettext("Monthly on day %(day)s", day=params["day"])
    if kind == "monthly_last":
        return t.gettext("Monthly on the last day")
    if kind == "monthly_nth":
        weekday = t.weekday(monday + timedelta(days=params["day"]), "wide")
        if params["nth"] < 0:
            return t.gettext("Monthly on the last %(weekday)s", weekday=weekday)
        return t.gettext("Monthly on %(weekday)s no. %(nth)s", weekday=weekday, nth=params["nth"])
    return params["rule"]


def _reminders(chat, event: Event) -> tuple[int, ...]:
    if event.reminders is not None:
        return event.reminders
    configured = (chat.settings or {}).get("event_reminders") if chat else None
    return tuple(configured) if configured is not None else rules.DEFAULT_REMINDERS


async def topic_of(rt: Runtime, event: Event) -> int | None:
    """The forum topic the event was saved in, where its reminders and changes go (None: General)."""
    return await topics.of(rt.store, event.chat_id, f"event:{event.id}")


async def _pick(turn: Turn, number: int | None, kind: str | None = None, *,
                under_way: bool = False) -> tuple[Event, Occurrence | None]:
    """The event named by number, or the chat's (of ``kind``) with the soonest next occurrence; and
    that occurrence (with ``under_way``: the one under way, if one is)."""
    now = turn.rt.clock.now()

    def soonest(event: Event, changes: list) -> Occurrence | None:
        if under_way:
            held = timedelta(0) if event.duration else rules.UNDER_WAY
            return rules.current(event, changes, now, held_for=held)
        found = rules.upcoming(event, changes, now, count=1)
        return found[0] if found else None

    if number is not None:
        event = await store.by_number(turn.rt.store, turn.chat_id, number)
        if event is None:
            raise Refused(turn.t.gettext("There is no event #%(number)s. /events lists them.", number=number))
    else:
        found = []
        for candidate in await store.of_chat(turn.rt.store, turn.chat_id, kind=kind):
            nxt = soonest(candidate, await store.changes(turn.rt.store, candidate.id))
            if nxt:
                found.append((nxt.at, candidate))
        if not found:
            raise Refused(turn.t.gettext("There is no upcoming event. Conveners schedule one with /event."))
        event = min(found, key=lambda f: f[0])[1]
    return event, soonest(event, await store.changes(turn.rt.store, event.id))


def _number_and_rest(turn: Turn) -> tuple[int | None, str]:
    body = turn.body.strip()
    match = re.match(r"(\S+)(?:\s+|$)(.*)$", body, re.S)
    number = numbers.whole(match.group(1)) if match else None
    return (number, match.group(2).strip()) if number is not None else (None, body)
