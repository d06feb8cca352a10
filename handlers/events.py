"""Evening talks and reception days: recurring events, reminders, RSVPs, agendas, the queue.

Callback data (all under 64 bytes):
  ev:s:<draft>  ev:x:<draft>           save / drop a previewed event
  ev:r:<event>:<minute>:<g|m|n>        RSVP going / maybe / not going to the occurrence whose
                                       original time is <minute> (minutes since the epoch, UTC)
  ev:c:<event>                         send the chat's calendar (.ics)
"""

from __future__ import annotations

import functools
import html
import logging
import re
from datetime import UTC, date, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.ext import Application, CallbackContext, CallbackQueryHandler, CommandHandler

from bot.domain import events as rules
from bot.domain.event_time import EndBeforeStart, describe_examples, parse_event_time
from bot.domain.events import ALL_WORDS, KIND_WORDS, Event, EventInputError, Occurrence
from bot.domain.models import Firing
from bot.domain.when import WhenError, parse_when
from bot.i18n import N_, Translator
from bot.runtime import Runtime, runtime
from handlers.base import Command, Refused, Turn, edit_html, handler, may_write, send_html, tell_privately
from handlers.roles import ROLE_NAMES
from storage import chats, ideas, roles, schedules
from storage import events as store
from storage.times import from_db, to_db

log = logging.getLogger(__name__)

COMMANDS = [
    Command("events", N_("Upcoming evening talks and reception days"), convener=False),
    Command("event", N_("Schedule an evening talk: title, then lines 时间, 地点, 主持"), convener=True),
    Command("reception", N_("Schedule a reception day (接待日)"), convener=True),
    Command("event_cancel", N_("Cancel one occurrence or the whole series, with a reason"), convener=True),
    Command("event_move", N_("Move one occurrence or the whole series, with a reason"), convener=True),
    Command("agenda", N_("The agenda of the next talk; conveners add items"), convener=False),
    Command("rsvps", N_("Who is coming to the next occurrence"), convener=True),
    Command("ask", N_("Queue a question for the next reception day"), convener=False, where="both"),
    Command("questions", N_("The reception day's question queue"), convener=True),
    Command("answer", N_("Answer a queued question, or carry it to the next reception day"), convener=True),
    Command("calendar", N_("This chat's events as a calendar file (.ics)"), convener=False),
]
KIND_NAMES = {"talk": N_("Evening talk"), "reception": N_("Reception day")}
ANSWER_NAMES = {"going": N_("Going"), "maybe": N_("Maybe"), "no": N_("Not going")}
ANSWER_CODES = {"g": "going", "m": "maybe", "n": "no"}
SCHEDULE_KIND = "event"
CARRY_WORDS = ("下次", "转下次", "轉下次", "next", "carry")
USAGE = N_("Usage: /event title, then one setting per line, e.g.\n/event 小区夜话\n时间 每周四 19:30\n"
           "地点 东门凉亭\n主持 张书记\n时长 2小时\n提醒 1天 1小时")


def _group_only(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Events belong to a group: use this command in the group."))


def _now(turn_or_rt, t: Translator) -> datetime:
    rt = turn_or_rt.rt if isinstance(turn_or_rt, Turn) else turn_or_rt
    return rt.clock.now().astimezone(t.tz)


def _minute(key: datetime) -> int:
    return int(key.timestamp()) // 60


def _parse_time(turn: Turn, text: str):
    try:
        return parse_event_time(text, _now(turn, turn.t))
    except EndBeforeStart:
        raise Refused(turn.t.gettext("The end of %(text)s is before its start.", text=text)) from None
    except WhenError:
        raise Refused(turn.t.gettext("I cannot read the time %(text)s. Examples that work: %(examples)s.",
                                     text=text, examples=", ".join(describe_examples()))) from None


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


def _refuse(turn: Turn, problem: EventInputError, usage: str = USAGE) -> Refused:
    return Refused(turn.t.gettext(problem.message, **problem.params) + "\n\n" + turn.t.gettext(usage))


# -- creating: preview, then Save ----------------------------------------------------------------

@handler
async def create(turn: Turn) -> None:
    _group_only(turn)
    await turn.require_convener()
    command = turn.update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    try:
        title, settings = rules.parse_body(turn.body)
    except EventInputError as problem:
        raise _refuse(turn, problem) from None
    kind = "reception" if command == "reception" else KIND_WORDS.get(settings.get("kind", "").lower(), "talk")
    when = _parse_time(turn, settings["time"])
    if when.start <= _now(turn, turn.t):
        raise Refused(turn.t.gettext("%(when)s has already passed.", when=turn.t.datetime(when.start)))
    duration = when.duration
    if "duration" in settings:
        duration = rules.parse_duration(settings["duration"])
        if duration is None:
            raise Refused(turn.t.gettext("I cannot read the duration %(text)s, e.g. 时长 2小时 or 90分钟.",
                                         text=settings["duration"]))
    reminders = None
    if "reminders" in settings:
        reminders = rules.parse_reminders(settings["reminders"])
        if reminders is None:
            raise Refused(turn.t.gettext(
                "I cannot read the reminders %(text)s, e.g. 提醒 1天 1小时, 提醒 30分钟 or 提醒 无.",
                text=settings["reminders"]))
    data = {"kind": kind, "title": title, "place": settings.get("place"),
            "hosts": await _hosts(turn, settings.get("hosts")), "start": to_db(when.start),
            "duration": int(duration.total_seconds()) if duration else None, "rrule": when.rrule,
            "tz": str(turn.t.tz), "reminders": list(reminders) if reminders is not None else None}
    draft_id = await store.add_draft(turn.rt.store, turn.chat_id, turn.person.id, data, turn.rt.clock.now())
    event = _draft_event(turn.chat_id, data)
    shown = rules.upcoming(event, [], turn.rt.clock.now())
    await turn.reply(turn.render("event_preview.html.j2", event=event, kind_name=KIND_NAMES[kind],
                                 occurrences=shown, repeat=repeat_text(turn.t, event.rrule),
                                 skipped_day=rules.skipped_day(event.rrule),
                                 reminders=[timedelta(seconds=s) for s in _reminders(turn.chat, event)]),
                     InlineKeyboardMarkup([[
                         InlineKeyboardButton(turn.t.gettext("Save"), callback_data=f"ev:s:{draft_id}"),
                         InlineKeyboardButton(turn.t.gettext("Cancel"), callback_data=f"ev:x:{draft_id}")]]))


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


def _reminders(chat, event: Event) -> tuple[int, ...]:
    if event.reminders is not None:
        return event.reminders
    configured = (chat.settings or {}).get("event_reminders") if chat else None
    return tuple(configured) if configured is not None else rules.DEFAULT_REMINDERS


async def _pressed_draft(turn: Turn) -> tuple[int, dict]:
    parts = turn.update.callback_query.data.split(":")
    found = None
    if len(parts) == 3 and parts[2].isdigit():
        found = await store.draft(turn.rt.store, int(parts[2]))
    if found is None or turn.update.callback_query.message is None or found[0] != turn.chat_id:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    if found[1] != turn.person.id:
        raise Refused(turn.t.gettext("Only the convener who wrote this event can save it."))
    return int(parts[2]), found[2]


@handler
async def save_pressed(turn: Turn) -> None:
    draft_id, data = await _pressed_draft(turn)
    await turn.require_convener()
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
    await store.take_draft(turn.rt.store, draft_id)
    await turn.answer(turn.t.gettext("Saved."))
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, turn.chat_id, message.message_id, html.escape(turn.t.gettext(
        "Saved as #%(number)s.", number=event.number)))
    if event.message_id is None:  # not posted yet (or handled again after a crash before it was)
        html_text, markup = await _card(turn.rt, turn.t, event)
        sent = await send_html(turn.context.bot, turn.chat_id, html_text, markup)
        await store.set_message(turn.rt.store, event.id, sent.message_id)
    await arm(turn.rt, turn.chat, event)


@handler
async def drop_pressed(turn: Turn) -> None:
    draft_id, _ = await _pressed_draft(turn)
    await store.take_draft(turn.rt.store, draft_id)
    await turn.answer(turn.t.gettext("Nothing was saved."))
    await edit_html(turn.context.bot, turn.chat_id, turn.update.callback_query.message.message_id,
                    html.escape(turn.t.gettext("Cancelled: nothing was saved.")))


# -- the event's message ---------------------------------------------------------------------------

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


def _buttons(t: Translator, event: Event, occurrence: Occurrence, counts: dict) -> InlineKeyboardMarkup:
    minute = _minute(occurrence.key)
    row = [InlineKeyboardButton(f"{t.gettext(ANSWER_NAMES[a])} · {t.number(counts.get(a, 0))}",
                                callback_data=f"ev:r:{event.id}:{minute}:{code}")
           for code, a in ANSWER_CODES.items()]
    return InlineKeyboardMarkup([row, [InlineKeyboardButton(t.gettext("📅 Add to calendar"),
                                                            callback_data=f"ev:c:{event.id}")]])


async def refresh(rt: Runtime, bot, event_id: int, *, now: bool = False) -> None:
    async def render() -> None:
        event = await store.get(rt.store, event_id)
        if event is None or event.message_id is None:
            return
        t = rt.translator(await chats.get(rt.store, event.chat_id))
        await edit_html(bot, event.chat_id, event.message_id, *await _card(rt, t, event),
                        shown=rt.refresher.shown)

    await rt.refresher.show(("event", event_id), render, now)


# -- scheduling and reminders ------------------------------------------------------------------------

async def arm(rt: Runtime, chat, event: Event) -> None:
    """(Re)create the event's schedules: the series (offset 0 rolls the message on to the next
    occurrence; the others remind) and one for each occurrence moved to a time still ahead."""
    for schedule in await schedules.of_ref(rt.store, SCHEDULE_KIND, str(event.id)):
        if schedule.active:
            await rt.scheduler.cancel(schedule.id)
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
    chat = await chats.get(rt.store, event.chat_id)
    t = rt.translator(chat)
    occurrence = Occurrence(key, firing.occurrence, reason=change.reason if change else None)
    await send_html(context.bot, event.chat_id, await _reminder_html(rt, t, event, occurrence),
                    _buttons(t, event, occurrence, rules.count_answers(
                        [a for _, a in await store.answers(rt.store, event.id, key)])),
                    _reply_to(event))


async def _reminder_html(rt: Runtime, t: Translator, event: Event, occurrence: Occurrence) -> str:
    queued = await store.questions(rt.store, event.id, occurrence.key) if event.kind == "reception" else []
    return rt.renderer.render("event_reminder.html.j2", t, event=event, kind_name=KIND_NAMES[event.kind],
                              occurrence=occurrence, agenda=await agenda_of(rt, event, occurrence),
                              queued=len(queued))


def _reply_to(event: Event) -> ReplyParameters | None:
    return ReplyParameters(event.message_id, allow_sending_without_reply=True) if event.message_id else None


# -- agenda --------------------------------------------------------------------------------------------

async def open_action_items(rt: Runtime, chat_id: int) -> list[str]:
    """Open action items of earlier meetings, as look-back lines of the agenda."""
    from storage import minutes as minutes_store
    lines = []
    for item in await minutes_store.actions_of_chat(rt.store, chat_id):
        lines.append(f"#{item.number} {item.text} — {item.owner_name}")
    return lines


async def agenda_of(rt: Runtime, event: Event, occurrence: Occurrence) -> rules.Agenda:
    look_back = event.kind == "talk"
    return rules.assemble_agenda(
        await store.items(rt.store, event.id, occurrence.key),
        await ideas.agenda(rt.store, event.chat_id) if look_back else [],
        await ideas.of_chat(rt.store, event.chat_id, ("discussion",)) if look_back else [],
        await open_action_items(rt, event.chat_id) if look_back else [])


async def _pick(turn: Turn, number: int | None, kind: str | None = None) -> tuple[Event, Occurrence | None]:
    """The event named by number, or the chat's (of ``kind``) with the soonest next occurrence."""
    now = turn.rt.clock.now()
    if number is not None:
        event = await store.by_number(turn.rt.store, turn.chat_id, number)
        if event is None:
            raise Refused(turn.t.gettext("There is no event #%(number)s. /events lists them.", number=number))
    else:
        found = []
        for candidate in await store.of_chat(turn.rt.store, turn.chat_id, kind=kind):
            nxt = rules.upcoming(candidate, await store.changes(turn.rt.store, candidate.id), now, count=1)
            if nxt:
                found.append((nxt[0].at, candidate))
        if not found:
            raise Refused(turn.t.gettext("There is no upcoming event. Conveners schedule one with /event."))
        event = min(found, key=lambda f: f[0])[1]
    nxt = rules.upcoming(event, await store.changes(turn.rt.store, event.id), now, count=1)
    return event, (nxt[0] if nxt else None)


def _number_and_rest(turn: Turn) -> tuple[int | None, str]:
    body = turn.body.strip()
    match = re.match(r"#?(\d+)(?:\s+|$)(.*)$", body, re.S)
    return (int(match.group(1)), match.group(2).strip()) if match else (None, body)


@handler
async def agenda_command(turn: Turn) -> None:
    _group_only(turn)
    number, text = _number_and_rest(turn)
    event, nxt = await _pick(turn, number, None if number else "talk")
    if nxt is None:
        raise Refused(turn.t.gettext("Event #%(number)s has no occurrence ahead.", number=event.number))
    if text:
        await turn.require_convener()
        await store.add_item(turn.rt.store, event.id, nxt.key, text, turn.person.id, turn.rt.clock.now(),
                             turn.origin)
    await turn.reply(turn.render("event_agenda.html.j2", event=event, occurrence=nxt,
                                 agenda=await agenda_of(turn.rt, event, nxt), added=bool(text)))


# -- RSVPs ---------------------------------------------------------------------------------------------

@handler
async def rsvp_pressed(turn: Turn) -> None:
    parts = turn.update.callback_query.data.split(":")
    stale = Refused(turn.t.gettext("This button is no longer valid."))
    if len(parts) != 5 or not parts[2].isdigit() or not parts[3].isdigit() or parts[4] not in ANSWER_CODES:
        raise stale
    event = await store.get(turn.rt.store, int(parts[2]))
    message = turn.update.callback_query.message
    if event is None or message is None or message.chat.id != event.chat_id:
        raise stale
    key = datetime.fromtimestamp(int(parts[3]) * 60, UTC)
    changes = await store.changes(turn.rt.store, event.id)
    change = next((c for c in changes if c.occurrence == key), None)
    if not event.active or (change is not None and change.new_at is None):
        raise Refused(turn.t.gettext("This occurrence is cancelled."))
    known = rules.upcoming(event, changes, turn.rt.clock.now(), count=60)
    if not any(o.key == key for o in known):
        raise Refused(turn.t.gettext("This occurrence is over."))
    answer = ANSWER_CODES[parts[4]]
    await store.answer(turn.rt.store, event.id, key, turn.person.id, turn.person.name, answer,
                       turn.rt.clock.now())
    await turn.answer(turn.t.gettext("Your answer: %(answer)s.", answer=turn.t.gettext(ANSWER_NAMES[answer])))
    await refresh(turn.rt, turn.context.bot, event.id)
    if message.message_id != event.message_id:  # a reminder's buttons: keep its counts right too
        counts = rules.count_answers([a for _, a in await store.answers(turn.rt.store, event.id, key)])
        await turn.context.bot.edit_message_reply_markup(
            event.chat_id, message.message_id,
            reply_markup=_buttons(turn.t, event, Occurrence(key, key), counts))


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


# -- changes -------------------------------------------------------------------------------------------

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
    if not event.active:
        raise Refused(turn.t.gettext("Event #%(number)s is cancelled already.", number=event.number))
    whole = request.which is not None and request.which.lower() in ALL_WORDS
    reason = request.reason
    occurrence = None if whole else nxt
    if not whole and request.which is not None:
        try:
            day = parse_when(request.which, _now(turn, turn.t), default_time=datetime.min.time()).date()
        except WhenError:
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
    await send_html(turn.context.bot, turn.chat_id, turn.render(
        "event_changed.html.j2", event=event, kind_name=KIND_NAMES[event.kind], what=what,
        occurrence=occurrence, new_at=new_at, reason=reason, repeat=repeat), reply_to=_reply_to(event))


# -- lists and the calendar ----------------------------------------------------------------------------

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


def calendar_file(events: list[tuple[Event, list[rules.Change]]], name: str) -> bytes:
    """The events as iCalendar: RRULE, EXDATE for cancelled occurrences, RECURRENCE-ID overrides
    for moved ones; times in the chat's zone (with VTIMEZONE) so phones show them right."""
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
            item.add("uid", f"yishi-event-{event.id}@yishi")
            item.add("summary", event.title)
            item.add("dtstamp", event.start)
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
    await turn.context.bot.send_document(
        to_chat, calendar_file(found, title), filename="events.ics",
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


# -- the reception queue -------------------------------------------------------------------------------

async def _reception(rt: Runtime, chat_id: int, now: datetime,
                     held_for: timedelta) -> tuple[Event, Occurrence]:
    """The chat's reception day under way (or held within ``held_for``), else the next one."""
    found = []
    for event in await store.of_chat(rt.store, chat_id, kind="reception"):
        occurrence = rules.current(event, await store.changes(rt.store, event.id), now, held_for=held_for)
        if occurrence is not None:
            found.append((occurrence.at, event, occurrence))
    if not found:
        raise LookupError
    _, event, occurrence = min(found, key=lambda f: f[0])
    return event, occurrence


@handler
async def ask_command(turn: Turn) -> None:
    t = turn.t
    text = " ".join(turn.body.split())
    if not text:
        raise Refused(t.gettext("Write your question after the command, e.g. /ask 3栋电梯什么时候修好？"))
    chat_id = turn.chat_id
    if turn.in_private:
        groups = [g for g, _ in await ideas.groups_of(turn.rt.store, turn.person.id)
                  if await store.of_chat(turn.rt.store, g, kind="reception")]
        if len(groups) != 1:
            raise Refused(t.gettext("Ask in your group's chat: /ask and your question."))
        chat_id = groups[0]
    try:
        event, day = await _reception(turn.rt, chat_id, turn.rt.clock.now(), timedelta(0))
    except LookupError:
        raise Refused(t.gettext("No reception day is scheduled.")) from None
    number = await store.ask(turn.rt.store, event.id, day.key, turn.person.id, turn.person.name, text,
                             turn.rt.clock.now(), turn.origin)
    await turn.reply(html.escape(t.gettext(
        "Your question is number %(number)s in the queue for the reception day on %(when)s.",
        number=number, when=t.datetime(day.at))))


async def _host_day(turn: Turn) -> tuple[Event, Occurrence]:
    _group_only(turn)
    await turn.require_convener()
    try:
        return await _reception(turn.rt, turn.chat_id, turn.rt.clock.now(), rules.HELD_FOR)
    except LookupError:
        raise Refused(turn.t.gettext("No reception day is scheduled.")) from None


@handler
async def questions_command(turn: Turn) -> None:
    event, day = await _host_day(turn)
    await turn.reply(turn.render("reception_queue.html.j2", event=event, occurrence=day,
                                 questions=await store.questions(turn.rt.store, event.id, day.key)))


@handler
async def answer_command(turn: Turn) -> None:
    event, day = await _host_day(turn)
    t = turn.t
    number, text = _number_and_rest(turn)
    row = await store.question_row(turn.rt.store, event.id, day.key, number) if number else None
    if row is None or not text:
        raise Refused(t.gettext("Usage: /answer queue number and the answer, or 下次 to carry the question "
                                "to the next reception day, e.g.\n/answer 2 本周五前修好\n/answer 3 下次"))
    if row["state"] != "queued":
        raise Refused(t.gettext("Question %(number)s is settled already.", number=number))
    now = turn.rt.clock.now()
    if text.lower() in CARRY_WORDS:
        ahead = rules.upcoming(event, await store.changes(turn.rt.store, event.id), now, count=3)
        following = [o for o in ahead if o.key != day.key]
        if not following:
            raise Refused(t.gettext("There is no later reception day to carry it to."))
        await store.settle(turn.rt.store, row["id"], "carried", None, now)
        new_number = await store.ask(turn.rt.store, event.id, following[0].key, row["user_id"], row["name"],
                                     row["text"], now, turn.origin)
        note = t.gettext("Question %(number)s is carried to %(when)s as number %(new)s.", number=number,
                         when=t.datetime(following[0].at), new=new_number)
    else:
        await store.settle(turn.rt.store, row["id"], "answered", text, now)
        note = t.gettext("Question %(number)s is answered.", number=number)
    await turn.reply(html.escape(note))
    await _tell_asker(turn, row["user_id"], row["text"], note if text.lower() in CARRY_WORDS else text)
    settled = await store.questions(turn.rt.store, event.id, day.key)
    if rules.summary_ready(settled):
        await send_html(turn.context.bot, turn.chat_id, turn.render(
            "reception_summary.html.j2", event=event, occurrence=day, questions=settled))


async def _tell_asker(turn: Turn, user_id: int, question: str, answer: str) -> None:
    chat = await chats.get(turn.rt.store, user_id)
    t = turn.rt.translator(chat) if chat else turn.t
    await tell_privately(turn.rt, turn.context.bot, user_id, html.escape(t.gettext(
        "About your question “%(question)s”: %(answer)s", question=question, answer=answer)))


def register(app: Application) -> list[Command]:
    for command in ("event", "talk", "reception"):
        app.add_handler(CommandHandler(command, create))
    app.add_handler(CommandHandler("events", list_command))
    app.add_handler(CommandHandler(["event_cancel", "event_move"], change_command))
    app.add_handler(CommandHandler("agenda", agenda_command))
    app.add_handler(CommandHandler("rsvps", rsvps_command))
    app.add_handler(CommandHandler("ask", ask_command))
    app.add_handler(CommandHandler(["questions", "reception_queue"], questions_command))
    app.add_handler(CommandHandler("answer", answer_command))
    app.add_handler(CommandHandler("calendar", calendar_command))
    app.add_handler(CallbackQueryHandler(save_pressed, pattern=r"^ev:s:"))
    app.add_handler(CallbackQueryHandler(drop_pressed, pattern=r"^ev:x:"))
    app.add_handler(CallbackQueryHandler(rsvp_pressed, pattern=r"^ev:r:"))
    app.add_handler(CallbackQueryHandler(calendar_pressed, pattern=r"^ev:c:"))
    runtime(app).scheduler.register(SCHEDULE_KIND, deliver)
    runtime(app).refresher.replays("event", functools.partial(refresh, runtime(app), app.bot))
    return COMMANDS
