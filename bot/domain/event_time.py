"""When an event happens: a one-off time or a rhythm, as conveners type it.

Recurring forms become an RFC 5545 rule evaluated in wall time (``recurrence``),
so "every Thursday 19:30" stays 19:30 local:

- weekly: "每周四 19:30", "每週二、四 19:30", "每周一至五 8:00", "every Thursday 19:30";
- daily: "每天 8:00";
- monthly on a day: "每月25日 9:00-11:00" (BYMONTHDAY=25). A day a month lacks is
  skipped: "每月31日" has no occurrence in April, June, September, November or
  February; "每月最后一天 20:00" (or 月底, "last day") is the month's last day;
- monthly on a weekday: "每月第二个周六 10:00", "每月最后一个周五 19:00";
- one-off: anything ``when.parse_when`` reads ("7月14日 19:30", "下周三晚上七点", ISO).

A time range ("9:00-11:00", "9点到11点") gives the duration; an end that is not
after the start is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from dateutil.rrule import rrulestr

from bot.domain.when import NUM, WhenError, cn_number, normalize, parse_clock, parse_weekday, parse_when
from bot.i18n import N_

RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Shown when a time cannot be read: a message like the others, so each script gets its own forms.
EXAMPLES = N_("every Thursday 19:30, 每周四19:30, 每周二和周四19:30, 每月25日9:00-11:00, 每月最后一天20:00, "
              "每月第二个周六10:00, 7月14日19:30, 下周三晚上七点")


class EndBeforeStart(WhenError):
    """The range's end is not after its start ("21:00-19:00")."""


@dataclass(frozen=True)
class EventTime:
    start: datetime  # the first occurrence, aware, in now's zone
    duration: timedelta | None
    rrule: str | None  # without DTSTART; None for a one-off


_RANGE = re.compile(r"^(?P<left>.+?)\s?(?:-|~|～|—|至|到)\s?(?P<end>[^-~～—至到]+)$")
_WEEKLY = re.compile(r"^(?:每周|每星期|每礼拜|every)\s?(?P<rest>.+)$", re.I)
_DAILY = re.compile(r"^(?:每天|每日|every day|daily)\s?(?P<clock>.+)$", re.I)
_MONTH_DAY = re.compile(rf"^每月\s?(?P<day>{NUM})\s?[日号]\s?(?P<clock>.+)$")
_MONTH_END = re.compile(r"^(?:每月\s?(?:最后一天|月底|末日)|每月底|every month on the last day|"
                        r"monthly on the last day)\s?(?P<clock>.+)$", re.I)
_MONTH_WEEKDAY = re.compile(
    rf"^每月\s?第?\s?(?P<nth>{NUM}|最后一)\s?个?\s?(?P<weekday>(?:周|星期|礼拜)[一二三四五六日天1-7])"
    r"\s?(?P<clock>.+)$")
_DAY_LIST = re.compile(r"[、,，/和及\s]+")


def parse_event_time(text: str, now: datetime) -> EventTime:
    """Read ``text`` seen from ``now`` (aware, in the chat's zone); raise WhenError."""
    s = normalize(text)
    if not s:
        raise WhenError(text)
    left, end = s, None
    m = _RANGE.match(s)
    if m and parse_clock(m["end"]) is not None and _ends_with_clock(m["left"]):
        left, end = m["left"], parse_clock(m["end"])
    rule, clock = _recurring(left)
    start = parse_when(left, now) if rule is None else _first(rule, clock, now)
    duration = None
    if end is not None:
        finish = datetime.combine(start.date(), end, tzinfo=start.tzinfo)
        if finish <= start:
            raise EndBeforeStart(text)
        duration = finish - start
    return EventTime(start, duration, rule)


def _ends_with_clock(text: str) -> bool:
    return bool(re.search(r"(?:\d{1,2}:\d{2}|[点时](?:半|整|[一三]刻)?)$", text))


def _recurring(s: str) -> tuple[str | None, time | None]:
    if m := _MONTH_END.match(s):
        return "FREQ=MONTHLY;BYMONTHDAY=-1", _clock(m["clock"])
    if m := _MONTH_WEEKDAY.match(s):
        nth = -1 if m["nth"] == "最后一" else cn_number(m["nth"])
        weekday = parse_weekday(m["weekday"])
        if nth is None or not (nth == -1 or 1 <= nth <= 5) or weekday is None:
            raise WhenError(s)
        return f"FREQ=MONTHLY;BYDAY={nth:+d}{RRULE_DAYS[weekday]}", _clock(m["clock"])
    if m := _MONTH_DAY.match(s):
        day = cn_number(m["day"])
        if day is None or not 1 <= day <= 31:
            raise WhenError(s)
        return f"FREQ=MONTHLY;BYMONTHDAY={day}", _clock(m["clock"])
    if m := _DAILY.match(s):
        return "FREQ=DAILY", _clock(m["clock"])
    if m := _WEEKLY.match(s):
        return _weekly(m["rest"])
    return None, None


def _weekly(rest: str) -> tuple[str, time]:
    """Split "二、四19:30" into the weekdays and the time of day, wherever that reads."""
    for cut in range(1, len(rest)):
        clock = parse_clock(rest[cut:].strip())
        if clock is None:
            continue
        try:
            days = _weekdays(rest[:cut])
        except WhenError:
            continue
        return f"FREQ=WEEKLY;BYDAY={','.join(RRULE_DAYS[d] for d in days)}", clock
    raise WhenError(rest)


def _clock(text: str) -> time:
    found = parse_clock(text)
    if found is None:
        raise WhenError(text)
    return found


_CN_DAYS = "一二三四五六日"


def _weekdays(text: str) -> list[int]:
    """"四", "二、四", "一至五", "thursday", "tue, thu" -> weekdays (0 = Monday), sorted."""
    text = text.strip().rstrip("的")
    span = re.fullmatch(r"([一二三四五六日天])\s?(?:至|到|-)\s?([一二三四五六日天])", text)
    if span:
        first, last = (_CN_DAYS.index(c if c != "天" else "日") for c in span.groups())
        if first > last:
            raise WhenError(text)
        return list(range(first, last + 1))
    days = set()
    for word in filter(None, _DAY_LIST.split(text)):
        if len(word) == 1 and word in _CN_DAYS + "天":
            days.add(_CN_DAYS.index(word if word != "天" else "日"))
            continue
        found = parse_weekday(word if word[0] not in _CN_DAYS else f"周{word}")
        if found is None:
            raise WhenError(text)
        days.add(found)
    if not days:
        raise WhenError(text)
    return sorted(days)


def _first(rule: str, clock: time, now: datetime) -> datetime:
    """The first occurrence of ``rule`` at ``clock`` strictly after ``now`` (wall time)."""
    local_now = now.replace(tzinfo=None)
    start = datetime.combine(local_now.date(), clock)
    found = rrulestr(rule, dtstart=start).after(local_now)
    if found is None:
        raise WhenError(rule)
    return found.replace(tzinfo=now.tzinfo)
