"""Creating an event: the convener's command is previewed, and stored only when Save is pressed."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import events as rules
from bot.domain import numbers, spans
from bot.domain.events import KIND_WORDS, Event, EventInputError
from bot.i18n import N_
from handlers.base import Refused, Turn, edit_html, handler, send_html
from handlers.events.card import _card
from handlers.events.common import KIND_NAMES, _group_only, _now, _parse_time, _reminders, repeat_text
from handlers.events.reminders import arm
from handlers.guide.entry import guided, offering_guide
from handlers.roles import ROLE_NAMES
from storage import events as store
from storage import roles
from storage.times import from_db, to_db

USAGE = N_("Usage: /event title, then one setting per line, e.g.\n/event 小区夜话\n时间 每周四 19:30\n"
           "地点 东门凉亭\n主持 张书记\n时长 2小时\n提醒 1天 1小时")


def _refuse(turn: Turn, problem: EventInputError, usage: str = USAGE) -> Refused:
    return Refused(turn.t.gettext(problem.message, **problem.params) + "\n\n" + turn.t.gettext(usage))


@handler
async def create(turn: Turn) -> None:
    command = turn.update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    if not turn.body.strip():  # the command alone: asked step by step instead
        await guided(turn, command)
        return
    _group_only(turn)
    data = await prepare(turn, command, turn.body)
    draft_id = await store.add_draft(turn.rt.store, turn.chat_id, turn.person.id, data, turn.rt.clock.now())
    await turn.reply(preview(turn, data), InlineKeyboardMarkup([[
        InlineKeyboardButton(turn.t.gettext("Save"), callback_data=f"ev:s:{draft_id}"),
        InlineKeyboardButton(turn.t.gettext("Cancel"), callback_data=f"ev:x:{draft_id}")]]))


async def prepare(turn: Turn, command: str, body: str) -> dict:
    """Read the typed event (``/event`` and what follows) and check it: what Save stores. A
    refusal comes with the button that asks it step by step instead."""
    await turn.require_convener()
    with offering_guide(turn, command):
        return await _read(turn, command, body)


async def _read(turn: Turn, command: str, body: str) -> dict:
    try:
        title, settings = rules.parse_body(body)
    except EventInputError as problem:
        raise _refuse(turn, problem) from None
    kind = "reception" if command == "reception" else KIND_WORDS.get(settings.get("kind", "").lower(), "talk")
    when = _parse_time(turn, settings["time"])
    if when.start <= _now(turn, turn.t):
        raise Refused(turn.t.gettext("%(when)s has already passed.", when=turn.t.datetime(when.start)))
    duration = when.duration
    if "duration" in settings:
        duration = spans.span(settings["duration"], longest=timedelta(days=30))
        if duration is None:
            raise Refused(turn.t.gettext("I cannot read the duration %(text)s, e.g. 时长 2小时 or 90分钟.",
                                         text=settings["duration"]))
    reminders = None
    if "reminders" in settings:
        reminders = spans.offsets(settings["reminders"], when.start.astimezone(turn.t.tz).time(),
                                  most=rules.MAX_REMINDERS)
        if reminders is None:
            raise Refused(turn.t.gettext(
                "I cannot read the reminders %(text)s, e.g. 提醒 1天 1小时, 提醒 30分钟, 提醒 当天12:00 "
                "or 提醒 无.", text=settings["reminders"]))
    return {"kind": kind, "title": title, "place": settings.get("place"),
            "hosts": await _hosts(turn, settings.get("hosts")), "start": to_db(when.start),
            "duration": int(duration.total_seconds()) if duration else None, "rrule": when.rrule,
            "tz": str(turn.t.tz), "reminders": list(reminders) if reminders is not None else None}


def preview(turn: Turn, data: dict) -> str:
    """The event as it will be, its next occurrences and its reminders, before it is saved."""
    event = _draft_event(turn.chat_id, data)
    return turn.render("event_preview.html.j2", event=event, kind_name=KIND_NAMES[event.kind],
                       occurrences=rules.upcoming(event, [], turn.rt.clock.now()),
                       repeat=repeat_text(turn.t, event.rrule), skipped_day=rules.skipped_day(event.rrule),
                       reminders=[timedelta(seconds=s) for s in _reminders(turn.chat, event)])


def _draft_event(chat_id: int, data: dict, event_id: int = 0, number: int = 0) -> Event:
    return Event(event_id, chat_id, number, data["kind"], data["title"], data["place"], data["hosts"],
                 from_db(data["start"]),
                 timedelta(seconds=data["duration"]) if data["duration"] is not None else None,
                 data["rrule"], data["tz"],
                 tuple(data["reminders"]) if data["reminders"] is not None else None,
                 "active", None, None, None)


async def _hosts(turn: Turn, text: str | None) -> str | None:
    """Hosts as written; a role's name ("property manager", "property_manager") becomes its holders."""
    if not text:
        return None
    grants = await roles.of_chat(turn.rt.store, turn.chat_id)
    names = []
    for word in re.split(r"[、,，/]\s*|\s{2,}", text):
        role = next((r for r, label in ROLE_NAMES.items()
                     if word.lower() in (r, label, turn.t.gettext(label).lower())), None)
        holders = [g.name for g in grants if g.role == role] if role else []
        names.append(", ".join(holders) if holders else word)
    return "、".join(n for n in names if n)


async def _pressed_draft(turn: Turn) -> tuple[int, dict]:
    parts = turn.update.callback_query.data.split(":")
    draft_id = numbers.whole(parts[2]) if len(parts) == 3 else None
    found = await store.draft(turn.rt.store, draft_id) if draft_id is not None else None
    if found is None or turn.update.callback_query.message is None or found[0] != turn.chat_id:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    if found[1] != turn.person.id:
        raise Refused(turn.t.gettext("Only the convener who wrote this event can save it."))
    return draft_id, found[2]


@handler
async def save_pressed(turn: Turn) -> None:
    draft_id, data = await _pressed_draft(turn)
    await turn.require_convener()
    event = await save(turn, data)
    await store.take_draft(turn.rt.store, draft_id)
    await turn.answer(turn.t.gettext("Saved."))
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, turn.chat_id, message.message_id, html.escape(turn.t.gettext(
        "Saved as #%(number)s.", number=event.number)))


async def save(turn: Turn, data: dict) -> Event:
    """Store the event read by ``prepare``, post its card where the turn speaks, arm its reminders."""
    start = from_db(data["start"])
    if start <= turn.rt.clock.now():
        raise Refused(turn.t.gettext("%(when)s has already passed.", when=turn.t.datetime(start)))
    event = await store.create(
        turn.rt.store, chat_id=turn.chat_id, kind=data["kind"], title=data["title"], place=data["place"],
        hosts=data["hosts"], start=from_db(data["start"]),
        duration=timedelta(seconds=data["duration"]) if data["duration"] is not None else None,
        rrule=data["rrule"], tz=data["tz"],
        reminders=tuple(data["reminders"]) if data["reminders"] is not None else None,
        created_by=turn.person.id, now=turn.rt.clock.now(), origin=turn.origin)
    await turn.keep_topic(f"event:{event.id}")
    if event.message_id is None:  # not posted yet (or handled again after a crash before it was)
        html_text, markup = await _card(turn.rt, turn.t, event)
        sent = await send_html(turn.context.bot, turn.chat_id, html_text, markup, thread=turn.thread)
        await store.set_message(turn.rt.store, event.id, sent.message_id)
    await arm(turn.rt, turn.chat, event)
    return event


@handler
async def drop_pressed(turn: Turn) -> None:
    draft_id, _ = await _pressed_draft(turn)
    await store.take_draft(turn.rt.store, draft_id)
    await turn.answer(turn.t.gettext("Nothing was saved."))
    await edit_html(turn.context.bot, turn.chat_id, turn.update.callback_query.message.message_id,
                    html.escape(turn.t.gettext("Cancelled: nothing was saved.")))
