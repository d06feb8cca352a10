"""When a schedule fires: occurrences of a one-off or recurring time, minus offsets.

Recurrence is an RFC 5545 RRULE evaluated by dateutil in the schedule's wall
time, so "every Thursday 19:30" stays 19:30 local whatever UTC says.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.domain.models import Firing, Schedule

_SLACK = timedelta(days=2)  # wall time differs from UTC by at most a day


@lru_cache(maxsize=512)
def _rule(rule: str, dtstart_local: datetime) -> rrule:
    return rrulestr(rule, dtstart=dtstart_local)  # type: ignore[return-value]


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz).replace(tzinfo=None)


def occurrences(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """The schedule's occurrences (UTC) with start <= occurrence <= end."""
    if schedule.rrule is None:
        return [schedule.first_at] if start <= schedule.first_at <= end else []
    tz = ZoneInfo(schedule.tz)
    rule = _rule(schedule.rrule, _local(schedule.first_at, tz))
    found = rule.between(_local(start, tz) - _SLACK, _local(end, tz) + _SLACK, inc=True)
    utc = (local.replace(tzinfo=tz).astimezone(start.tzinfo) for local in found)
    return [when for when in utc if start <= when <= end]


def firings(schedule: Schedule, after: datetime, until: datetime) -> list[Firing]:
    """Every firing with after < fire_at <= until, in time order."""
    found = []
    for offset in schedule.offsets:
        delta = timedelta(seconds=offset)
        for occurrence in occurrences(schedule, after + delta, until + delta):
            fire_at = occurrence - delta
            if after < fire_at <= until:
                found.append(Firing(schedule, occurrence, offset, fire_at))
    found.sort(key=lambda f: (f.fire_at, -f.offset))
    return found


def next_firing(schedule: Schedule, after: datetime) -> Firing | None:
    """The first firing strictly after ``after``, or None when the schedule is over."""
    best: Firing | None = None
    for offset in schedule.offsets:
        delta = timedelta(seconds=offset)
        occurrence = _next_occurrence(schedule, after + delta)
        if occurrence is not None:
            firing = Firing(schedule, occurrence, offset, occurrence - delta)
            if best is None or firing.fire_at < best.fire_at:
                best = firing
    return best


def _next_occurrence(schedule: Schedule, after: datetime) -> datetime | None:
    if schedule.rrule is None:
        return schedule.first_at if schedule.first_at > after else None
    tz = ZoneInfo(schedule.tz)
    rule = _rule(schedule.rrule, _local(schedule.first_at, tz))
    cursor = _local(after, tz) - _SLACK
    while True:
        local = rule.after(cursor)
        if local is None:
            return None
        when = local.replace(tzinfo=tz).astimezone(after.tzinfo)
        if when > after:
            return when
        cursor = local
