"""Pure rules of events: occurrences with their changes, RSVP counts, reminder offsets,
agendas with look-back, and the reception queue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.models import Schedule
from bot.domain.numbers import whole
from bot.domain.recurrence import occurrences
from bot.i18n import N_

KINDS = ("talk", "reception")
ANSWERS = ("going", "maybe", "no")
DEFAULT_REMINDERS = (24 * 3600, 3600)  # "the day before" = 24 hours before, then one hour before
MAX_REMINDERS = 4
HELD_FOR = timedelta(hours=12)  # an occurrence without a duration counts as "today's" this long
UNDER_WAY = timedelta(hours=2)  # ... and as under way (its agenda the one shown) this long


@dataclass(frozen=True)
class Event:
    id: int
    chat_id: int
    number: int
    kind: str
    title: str
    place: str | None
    hosts: str | None
    start: datetime  # the first occurrence (UTC)
    duration: timedelta | None
    rrule: str | None
    tz: str
    reminders: tuple[int, ...] | None  # None: the chat's default
    status: str
    reason: str | None
    message_id: int | None
    created_by: int | None
    uid: str = ""  # random, stable: the event's UID in calendar files

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class Change:
    occurrence: datetime  # the original time (UTC): the key
    new_at: datetime | None  # None: cancelled
    reason: str


@dataclass(frozen=True)
class Occurrence:
    key: datetime  # the original time: RSVPs, agenda and queue hang on it
    at: datetime  # when it takes place
    cancelled: bool = False
    reason: str | None = None

    @property
    def moved(self) -> bool:
        return self.at != self.key and not self.cancelled


def schedule_of(event: Event) -> Schedule:
    """A Schedule shape of the event, for evaluating its rule."""
    return Schedule(0, event.chat_id, "event", str(event.id), event.start, event.rrule, event.tz,
                    (0,), {}, True, event.start)


def apply_changes(originals: list[datetime], changes: list[Change], start: datetime,
                  end: datetime) -> list[Occurrence]:
    """Occurrences between start and end: the rule's, with cancelled ones marked and moved ones
    at their new time (a moved occurrence counts where it now is)."""
    by_key = {c.occurrence: c for c in changes}
    found = []
    for key in originals:
        change = by_key.get(key)
        if change is None:
            found.append(Occurrence(key, key))
        elif change.new_at is None:
            found.append(Occurrence(key, key, cancelled=True, reason=change.reason))
    found += [Occurrence(c.occurrence, c.new_at, reason=c.reason) for c in changes
              if c.new_at is not None and start <= c.new_at <= end]
    return sorted(found, key=lambda o: o.at)


def upcoming(event: Event, changes: list[Change], now: datetime, *, count: int = 3,
             horizon: timedelta = timedelta(days=400), include_cancelled: bool = False) -> list[Occurrence]:
    """The next ``count`` occurrences that have not started yet."""
    if not event.active:
        return []
    originals = occurrences(schedule_of(event), now, now + horizon)
    found = apply_changes(originals, changes, now, now + horizon)
    return [o for o in found if o.at >= now and (include_cancelled or not o.cancelled)][:count]


def ahead(event: Event, changes: list[Change], now: datetime, key: datetime) -> Occurrence | None:
    """The occurrence keyed ``key`` (its original time), if it is one of those still to come."""
    return next((o for o in upcoming(event, changes, now, count=60) if o.key == key), None)


def current(event: Event, changes: list[Change], now: datetime,
            held_for: timedelta = HELD_FOR) -> Occurrence | None:
    """The occurrence under way or held within ``held_for`` of its end, else the next."""
    length = event.duration or timedelta(0)
    back = now - length - held_for
    originals = occurrences(schedule_of(event), back - timedelta(days=1), now + timedelta(days=400))
    for o in apply_changes(originals, changes, back, now + timedelta(days=400)):
        if not o.cancelled and o.at + length + held_for >= now:
            return o
    return None


def find_on_date(event: Event, changes: list[Change], day, tz) -> Occurrence | None:
    """The occurrence (by its current time, or else its original time) on a local date."""
    start = datetime.combine(day, datetime.min.time(), tz)
    end = start + timedelta(days=1) - timedelta(seconds=1)
    wide = occurrences(schedule_of(event), start - timedelta(days=400), end + timedelta(days=400))
    found = apply_changes(wide, changes, start - timedelta(days=400), end + timedelta(days=400))
    for o in found:
        if start <= o.at <= end:
            return o
    return next((o for o in found if start <= o.key <= end), None)


def count_answers(answers: list[str]) -> dict[str, int]:
    return {a: sum(1 for x in answers if x == a) for a in ANSWERS}


def carry_by_position(old: list[datetime], new: list[datetime]) -> dict[datetime, datetime]:
    """When a whole series moves, the k-th upcoming occurrence's RSVPs go to the new k-th."""
    return {o: n for o, n in zip(old, new, strict=False) if o != n}


def skipped_day(rrule: str | None) -> int | None:
    """Monthly on day 29–31: months without that day are skipped (dateutil, RFC 5545). The day,
    so the preview can say so and suggest "the last day"."""
    if not rrule or "FREQ=MONTHLY" not in rrule:
        return None
    match = re.search(r"BYMONTHDAY=(\d+)(?:;|$)", rrule)
    return int(match.group(1)) if match and int(match.group(1)) >= 29 else None


@dataclass(frozen=True)
class AgendaLine:
    text: str
    source: str  # "item" (added by a convener), "idea" (marked for discussion), "action" (look-back)
    number: int | None = None


@dataclass(frozen=True)
class Agenda:
    items: list[AgendaLine] = field(default_factory=list)
    look_back: list[AgendaLine] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.items and not self.look_back


def assemble_agenda(items: list[str], agenda_ideas: list, discussion_ideas: list,
                    actions: list[str]) -> Agenda:
    """Convener items first; then look-back: ideas put on the agenda or under discussion (each
    once, in that order) and open action items of earlier meetings."""
    seen: set[int] = set()
    ideas = []
    for idea in [*agenda_ideas, *discussion_ideas]:
        if idea.id not in seen:
            seen.add(idea.id)
            ideas.append(AgendaLine(idea.text, "idea", idea.number))
    return Agenda([AgendaLine(text, "item") for text in items],
                  ideas + [AgendaLine(text, "action") for text in actions])


def next_number(taken: list[int]) -> int:
    """Queue numbers on one reception day: 1, 2, 3 ... in the order asked."""
    return max(taken, default=0) + 1


@dataclass(frozen=True)
class Question:
    number: int
    name: str
    text: str
    state: str  # queued | answered | carried
    answer: str | None = None


def summary_ready(questions: list[Question]) -> bool:
    """The day's summary is posted once no question waits any more."""
    return bool(questions) and all(q.state != "queued" for q in questions)


# -- reading commands ------------------------------------------------------------------------------

class EventInputError(ValueError):
    """A command's text cannot be used; ``message`` is an English msgid with ``params``."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message, self.params = message, params


SETTING_KEYS = {
    "time": ("时间", "時間", "time", "when"),
    "place": ("地点", "地點", "place", "where"),
    "hosts": ("主持人", "主持", "hosts", "host"),
    "duration": ("时长", "時長", "duration"),
    "reminders": ("提醒", "reminders", "remind"),
    "kind": ("类型", "類型", "kind"),
    "reason": ("原因", "reason"),
}
KIND_WORDS = {"夜话": "talk", "夜話": "talk", "小区夜话": "talk", "小區夜話": "talk", "议事会": "talk",
              "議事會": "talk", "talk": "talk", "meeting": "talk", "接待日": "reception",
              "reception": "reception"}
ALL_WORDS = ("全部", "整个", "整個", "系列", "all", "series")
MAX_TITLE = 120
_KEYS = "|".join(sorted((re.escape(k) for keys in SETTING_KEYS.values() for k in keys),
                        key=len, reverse=True))
_SETTING = re.compile(rf"^({_KEYS})(?:\s*[:：]\s*|\s+)(.+)$", re.I)


def setting_of(line: str) -> tuple[str, str] | None:
    """("time", "每周四 19:30") for "时间 每周四 19:30" or "时间：每周四 19:30"."""
    match = _SETTING.match(line.strip())
    if not match:
        return None
    word = match.group(1).lower()
    name = next(n for n, keys in SETTING_KEYS.items() if word in keys)
    return name, match.group(2).strip()


def parse_body(body: str) -> tuple[str, dict[str, str]]:
    """The title (first line) and the setting lines of /event."""
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    if not lines or setting_of(lines[0]):
        raise EventInputError(N_("Write the title on the first line."))
    title, settings = lines[0], {}
    for line in lines[1:]:
        setting = setting_of(line)
        if setting is None or setting[0] == "reason":
            raise EventInputError(N_("I do not understand the line %(line)s."), line=line)
        settings[setting[0]] = setting[1]
    if len(title) > MAX_TITLE:
        raise EventInputError(N_("A title can be at most %(most)s characters."), most=MAX_TITLE)
    if "time" not in settings:
        raise EventInputError(N_("Give the time on a line of its own, e.g. 时间 每周四 19:30."))
    if "kind" in settings and settings["kind"].lower() not in KIND_WORDS:
        raise EventInputError(N_("The kind is 夜话 (talk) or 接待日 (reception)."))
    return title, settings


@dataclass(frozen=True)
class ChangeRequest:
    number: int | None
    which: str | None  # a date, an ALL word, or None (the next occurrence)
    reason: str
    time: str | None


def parse_change(body: str) -> ChangeRequest:
    """/event_cancel and /event_move: "[#]1 [7月16日|全部] [reason]", then 原因 / 时间 lines."""
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    words = lines[0].split() if lines else []
    number = whole(words[0]) if words else None
    if number is not None:
        words.pop(0)
    which = words.pop(0) if words else None
    reason, when = " ".join(words), None
    for line in lines[1:]:
        setting = setting_of(line)
        if setting and setting[0] == "reason":
            reason = setting[1]
        elif setting and setting[0] == "time":
            when = setting[1]
        else:
            reason = f"{reason} {line}".strip()
    return ChangeRequest(number, which, reason, when)


_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def describe_rule(rrule: str | None) -> tuple[str, dict] | None:
    """What the repeat is, for a template: ("weekly", {"days": [3]}), ("monthly_day", {"day": 25}),
    ("monthly_last", {}), ("monthly_nth", {"nth": 2, "day": 5}); None for a one-off."""
    if not rrule:
        return None
    parts = dict(p.split("=", 1) for p in rrule.split(";") if "=" in p)
    if parts.get("FREQ") == "WEEKLY" and "BYDAY" in parts:
        return "weekly", {"days": [_DAYS.index(d[-2:]) for d in parts["BYDAY"].split(",")]}
    if parts.get("FREQ") == "MONTHLY" and parts.get("BYMONTHDAY") == "-1":
        return "monthly_last", {}
    if parts.get("FREQ") == "MONTHLY" and "BYMONTHDAY" in parts:
        return "monthly_day", {"day": int(parts["BYMONTHDAY"])}
    match = re.fullmatch(r"([+-]?\d)(MO|TU|WE|TH|FR|SA|SU)", parts.get("BYDAY", ""))
    if parts.get("FREQ") == "MONTHLY" and match:
        return "monthly_nth", {"nth": int(match.group(1)), "day": _DAYS.index(match.group(2))}
    return "other", {"rule": rrule}
