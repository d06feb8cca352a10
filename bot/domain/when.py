"""Points in time as conveners type them: "明晚8点", "周五 18:00", "3天後", "2026-07-20 20:00".

``parse_when(text, now)`` reads one moment, seen from ``now`` (aware, in the chat's zone), and
returns an aware datetime in ``now.tzinfo``. Simplified and Traditional Chinese are both read
(Traditional characters are mapped to Simplified first), as are ISO and a little English.
Text is NFKC-normalised first, so full-width "２０：００" is "20:00".

A phrase is an optional *day* followed by an optional *time of day*:

- ISO date and time, "2026-07-20 20:00" or "2026-07-20T20:00:00+08:00": without an offset it is
  wall time in now's zone, with one it is converted to now's zone.
- Days: "2026-07-20", "2026/7/20", "2027年1月5日", "7月20日"/"7月20号"; "今天", "明天", "后天",
  "大后天", "今晚", "明早" (these two also fix the part of the day), "today", "tomorrow";
  weekdays "周五"/"星期五"/"礼拜五"/"fri" (0 = Monday, "周日"/"周天"/"星期日" = Sunday),
  "这周五"/"本周五" (this week's, weeks start on Monday), "下周三" (next week's),
  "下下周三" (the week after next).
- Relative: "3天后", "两天后", "1周后", "一个星期后", "1个月后" (now's time of day is kept, or
  "3天后 20:00" for that day at 20:00); "2小时后", "半小时后", "30分钟后" (exact elapsed time);
  "in 3 days", "in 2 hours".
- Time of day (see ``parse_clock``): "20:00", "8点", "8点半", "8点一刻", "8点三刻", "8点15分",
  "20时30分", "晚上7点半", "下午三点", "中午12点", "凌晨1点", "8pm", optionally after a part of
  the day (or followed by am/pm). Hours 1–11 after 下午/傍晚/晚上 add 12.

Choices:
- Month/day without a year is this year unless that day is already behind today, then next
  year. Today's date with a passed time stays today, so the caller reports it as past.
- A bare weekday is the next such day: today if the time is still ahead, else a week later.
  "这周X" may be in the past (the caller checks); a bare time is today if ahead, else tomorrow.
- "晚上12点"/"今晚12点" and "24:00"/"24点" are the midnight that *ends* that day, i.e. 00:00 of
  the next day. "晚上1点".."晚上5点" are ambiguous (1 a.m. or p.m.?) and rejected; so is any hour a
  part of the day cannot have ("早上8点" yes, "早上20点" no; "下午15点" is accepted as 15:00).
- A trailing "前"/"之前"/"以前" is ignored: a deadline "周五18点前" is "周五18点".
- A day without a time takes ``default_time``; with ``default_time=None`` it is an error. A part
  of the day without an hour ("明晚") is always an error: a deadline needs an hour.

Anything else raises ``WhenError``. Whether the moment is in the past is the caller's business.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

from bot.domain import festivals
from bot.domain.script import simplified
from bot.i18n import N_

# Shown when a deadline or due date cannot be read: translated, so each script shows its own forms.
DEADLINE_EXAMPLES = N_("7月20日 20:00, 明晚8点, 3天后, 周五 18:00, 月底, 下个月5号, 中秋节晚上7点, "
                       "2026-07-20 20:00")


class WhenError(ValueError):
    """The text is not a time we understand (the caller shows localized examples)."""




def normalize(text: str) -> str:
    """NFKC, Traditional -> Simplified for the characters we read, spaces collapsed and dropped
    next to Chinese characters ("明天 晚上 8 点" -> "明天晚上8点"), trailing "前"/"之前" removed."""
    text = simplified(unicodedata.normalize("NFKC", text))
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*([^\x00-\x7f])\s*", r"\1", text)
    return re.sub(r"(?:之前|以前|前)$", "", text)


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2, "兩": 2}
NUM = r"(?:[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3})"  # what cn_number reads, as a regex


def cn_number(text: str) -> int | None:
    """A small number written in ASCII digits or Chinese: "25", "十二", "二十五", "两", "零五"."""
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    if text and not text.strip("零〇"):
        return 0
    text = text.lstrip("零〇")  # "零五" is 5
    if "十" in text:
        tens, _, ones = text.partition("十")
        high = _DIGITS.get(tens) if tens else 1
        low = _DIGITS.get(ones) if ones else 0
        return None if not high or low is None else high * 10 + low
    return _DIGITS.get(text) if len(text) == 1 else None


# part of the day -> (first hour, last hour, hours to add) for the hours it accepts as typed
_PARTS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "凌晨": ((0, 6, 0), (12, 12, -12)),
    "早上": ((4, 11, 0),),
    "上午": ((0, 12, 0),),
    "中午": ((11, 12, 0), (1, 2, 12)),
    "下午": ((1, 11, 12), (12, 23, 0)),
    "傍晚": ((4, 7, 12), (16, 19, 0)),
    "晚上": ((6, 12, 12), (18, 23, 0)),  # 晚上12点 -> 24 -> midnight ending the evening
}
_PART_ALIASES = {"早晨": "早上", "清晨": "早上", "早": "早上", "晚": "晚上", "夜里": "晚上", "夜间": "晚上"}
_PART = "|".join(sorted([*_PARTS, *_PART_ALIASES], key=len, reverse=True))
_AMPM = {"am": ((1, 11, 0), (12, 12, -12)), "pm": ((1, 11, 12), (12, 12, 0))}  # "8am", "8:30 pm"
_QUARTERS = {"一": 15, "三": 45}

_CLOCK = re.compile(
    rf"(?P<part>{_PART})?\s?(?P<hour>{NUM})"
    rf"(?::(?P<minute>[0-9]{{2}})|[点时](?:钟|整|(?P<half>半)|(?P<quarter>[一三])刻|(?P<min>{NUM})分?)?)?"
    r"\s?(?P<ampm>am|pm)?",
    re.IGNORECASE,
)


def parse_clock_carry(text: str, part: str | None = None) -> tuple[time, int] | None:
    """A time of day and how many days it carries past its day: ("晚上12点") -> (00:00, 1).

    ``part`` is a part of the day implied by the words before (the 晚 of "明晚"); a part in
    ``text`` itself then is an error, but am/pm overrides it ("tonight 8pm")."""
    m = _CLOCK.fullmatch(normalize(text))
    if m is None or (m["part"] and (part or m["ampm"])):
        return None
    hour = cn_number(m["hour"])
    if m["minute"] or m["min"]:
        minute = cn_number(m["minute"] or m["min"])
    else:
        minute = 30 if m["half"] else _QUARTERS.get(m["quarter"], 0)
    if hour is None or minute is None or minute > 59 or m.group(0) == m["hour"]:
        return None  # a bare number is not a time
    part = (m["ampm"] or part or m["part"] or "").lower()
    if part:
        ranges = {**_PARTS, **_AMPM}[_PART_ALIASES.get(part, part)]
        add = next((a for low, high, a in ranges if low <= hour <= high), None)
        if add is None:
            return None
        hour += add
    elif hour == 24 and minute == 0:
        pass
    elif hour > 23:
        return None
    return time(hour % 24, minute), hour // 24


def parse_clock(text: str) -> time | None:
    """A time of day ("20:00", "8点一刻", "晚上7点半", "凌晨1点"), or None.

    "晚上12点" and "24:00" are 00:00; use ``parse_clock_carry`` to learn they belong to the next day."""
    found = parse_clock_carry(text)
    return found[0] if found else None


_WEEKDAY_CN = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6, "七": 6}
_WEEKDAY_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = re.compile(
    r"(?P<which>这个?|本|下下个?|下个?)?(?:周|星期|礼拜)(?P<cn>[一二三四五六日天1-7])"
    r"|(?P<en>mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?",
    re.IGNORECASE,
)


def parse_weekday(text: str) -> int | None:
    """The weekday (0 = Monday) named by "周四"/"星期四"/"礼拜天"/"週日"/"thu"/"Thursday", or None."""
    m = _WEEKDAY.fullmatch(normalize(text))
    return _weekday_of(m) if m and not m["which"] else None


def _weekday_of(m: re.Match[str]) -> int:
    if m["en"]:
        return _WEEKDAY_EN.index(m["en"].lower())
    return int(m["cn"]) - 1 if m["cn"].isdigit() else _WEEKDAY_CN[m["cn"]]


class _Day(NamedTuple):
    day: date | None  # None: only an exact moment ("2小时后"), no time of day may follow
    part: str | None = None  # part of the day fixed by the day word ("明晚")
    step: int = 0  # days to move on when the moment is not ahead of now (bare weekday, bare time)
    exact: datetime | None = None  # the moment when no time of day follows ("3天后")


def _weekday(m: re.Match[str], now: datetime) -> _Day:
    today = now.date()
    wd = _weekday_of(m)
    which = (m["which"] or "").rstrip("个")
    if not which:
        return _Day(today + timedelta(days=(wd - today.weekday()) % 7), step=7)
    weeks = {"这": 0, "本": 0, "下": 1, "下下": 2}[which]
    return _Day(today + timedelta(days=wd - today.weekday() + 7 * weeks))


def _month_day(m: re.Match[str], now: datetime) -> _Day:
    month, day = cn_number(m["m"]), cn_number(m["d"])
    if month is None or day is None:
        raise WhenError(m.group(0))
    given = m.groupdict().get("y")
    year = int(given) if given else now.year + ((month, day) < (now.month, now.day))
    return _Day(date(year, month, day))


_UNITS = {"分": "minutes", "分钟": "minutes", "小时": "hours", "钟头": "hours", "天": "days", "日": "days",
          "周": "weeks", "星期": "weeks", "礼拜": "weeks", "月": "months", "min": "minutes",
          "minute": "minutes", "hour": "hours", "hr": "hours", "day": "days", "week": "weeks",
          "month": "months"}  # fmt: skip


def _relative(m: re.Match[str], now: datetime) -> _Day:
    raw = m["n"].lower()
    unit = _UNITS[m["unit"].lower().removesuffix("s")]
    n = 0.5 if raw == "半" else 1 if raw in ("a", "an") else cn_number(raw)
    if n is None or (n == 0.5 and unit != "hours"):
        raise WhenError(m.group(0))
    if unit in ("hours", "minutes"):
        elapsed = timedelta(**{unit: n})
        return _Day(None, exact=(now.astimezone(UTC) + elapsed).astimezone(now.tzinfo))
    moved = now + relativedelta(**{unit: int(n)})  # wall-clock arithmetic: same time of day
    return _Day(moved.date(), exact=moved)


_MONTHS_ON = {"": 0, "本": 0, "这": 0, "这个": 0, "下": 1, "下个": 1, "下下": 2, "下下个": 2}


def _month_relative(m: re.Match[str], now: datetime) -> _Day:
    """"下个月5号", "本月20日", "下下个月1号"; "月底", "下个月底" (the month's last day)."""
    first = (now.date().replace(day=1) + relativedelta(months=_MONTHS_ON[m["rel"] or ""]))
    if m["end"]:
        return _Day(first + relativedelta(months=1) - timedelta(days=1))
    day = cn_number(m["d"])
    if day is None:
        raise WhenError(m.group(0))
    return _Day(first.replace(day=day))


def _weekend(m: re.Match[str], now: datetime) -> _Day:
    """"本周末", "下周末": that week's Saturday; "周末" alone: the coming one."""
    today = now.date()
    saturday = today + timedelta(days=5 - today.weekday())
    which = (m["which"] or "").rstrip("个")
    if not which:
        return _Day(saturday if saturday >= today else saturday + timedelta(days=7), step=7)
    return _Day(saturday + timedelta(days=7 * {"这": 0, "本": 0, "下": 1}[which]))


def _festival(m: re.Match[str], now: datetime) -> _Day:
    return _Day(festivals.next_day(m["f"], now.date()))


def _day_word(m: re.Match[str], now: datetime) -> _Day:
    days, part = _DAY_WORDS[m.group(0).lower()]
    return _Day(now.date() + timedelta(days=days), part)


_DAY_WORDS = {"今天": (0, None), "今日": (0, None), "今晚": (0, "晚上"), "今夜": (0, "晚上"),
              "今早": (0, "早上"), "明天": (1, None), "明日": (1, None), "明晚": (1, "晚上"),
              "明早": (1, "早上"), "明晨": (1, "早上"), "后天": (2, None), "大后天": (3, None),
              "today": (0, None), "tonight": (0, "晚上"), "tomorrow": (1, None)}  # fmt: skip
_DAY_WORD = "|".join(sorted(_DAY_WORDS, key=len, reverse=True))

# Readers of a day at the start of the text, tried in order; the first match wins.
_DAY_FORMS: list[tuple[str, Callable[[re.Match[str], datetime], _Day]]] = [
    (rf"(?P<n>{NUM}|半)个?(?P<unit>分钟|分|小时|钟头|天|日|周|星期|礼拜|月)(?:以后|之后|后)", _relative),
    (r"in (?P<n>\d{1,3}|an?) (?P<unit>(?:min(?:ute)?|hour|hr|day|week|month)s?)\b", _relative),
    (r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:t|\b)", _month_day),
    (rf"(?:(?P<y>\d{{4}})年)?(?P<m>{NUM})月(?P<d>{NUM})[日号]?", _month_day),
    (r"(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d:])", _month_day),  # 12-3, 11.30, 12/24
    (rf"(?P<rel>本|这个?|下下个?|下个?)?月(?:(?P<d>{NUM})[日号]|(?P<end>[底末尾]))", _month_relative),
    (r"(?P<which>本|这个?|下个?)?周末", _weekend),
    ("(?P<f>" + "|".join(festivals.NAMES) + ")", _festival),
    (_DAY_WORD, _day_word),
    (rf"(?:{_WEEKDAY.pattern})(?![a-z])", _weekday),
]
_DAYS = [(re.compile(pattern, re.IGNORECASE), read) for pattern, read in _DAY_FORMS]

_ISO = re.compile(r"\d{4}-\d\d-\d\d[t ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:z|[+-]\d\d(?::?\d\d)?)?", re.I)


_DATE_SHAPED = re.compile(r"(?:\d{4}[-/.年])?\d{1,2}(?:月|[-/.])\d{1,2}[日号]?")


def date_shaped(text: str) -> bool:
    """Whether ``text`` is written as a date (13月40日 included), whether or not that day exists."""
    return bool(_DATE_SHAPED.fullmatch(normalize(text)))


def end_of_day_after(now: datetime, days: int) -> datetime:
    """The last minute (23:59) of the day ``days`` days after ``now``, in now's zone: a default
    deadline (a survey, a consultation) that does not end in the middle of an afternoon."""
    day = (now + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, 23, 59, tzinfo=now.tzinfo)


def parse_when(text: str, now: datetime, default_time: time | None = None) -> datetime:
    """The moment ``text`` means, seen from ``now`` (an aware datetime in the chat's zone).
    Returns an aware datetime in now's tzinfo. A date given without a time of day takes
    ``default_time``; when that is None such text raises WhenError."""
    try:
        return _parse(normalize(text), now, default_time)
    except (ValueError, OverflowError) as e:  # 2月30日, 8:61, 9999-12-31 plus a day...
        raise WhenError(text) from e


def _parse(s: str, now: datetime, default_time: time | None) -> datetime:
    if not s:
        raise WhenError(s)
    if _ISO.fullmatch(s):
        moment = isoparse(s)
        return moment.astimezone(now.tzinfo) if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)
    for pattern, read in _DAYS:
        if m := pattern.match(s):
            day, rest = read(m, now), s[m.end() :].strip()
            break
    else:
        day, rest = _Day(now.date(), step=1), s
    if not rest and day.exact is not None:
        return day.exact
    if day.day is None:  # "2小时后" followed by more text
        raise WhenError(s)
    if not rest:
        if day.part is not None or default_time is None:  # "明晚" alone names no hour
            raise WhenError(s)
        clock, carry = default_time, 0
    elif found := parse_clock_carry(rest, day.part):
        clock, carry = found
    else:
        raise WhenError(s)
    at = datetime.combine(day.day + timedelta(days=carry), clock, tzinfo=now.tzinfo)
    if day.step and at <= now:
        at = datetime.combine(day.day + timedelta(days=carry + day.step), clock, tzinfo=now.tzinfo)
    return at
