"""Lengths of time people type: a span ("2小时", "7小时30分钟", "1d 2h" added up) and the reminder
offsets of votes and events ("24h 2h", "1天、3小时" are two; "7小时30分钟" is one; "当天12:00")."""

from __future__ import annotations

import re
from datetime import time, timedelta

_UNITS = {"d": 86400, "day": 86400, "days": 86400, "天": 86400, "日": 86400,
          "h": 3600, "hour": 3600, "hours": 3600, "小时": 3600, "小時": 3600, "时": 3600, "時": 3600,
          "钟头": 3600, "鐘頭": 3600, "m": 60, "min": 60, "minute": 60, "minutes": 60,
          "分钟": 60, "分鐘": 60, "分": 60}  # fmt: skip
_PART = re.compile(r"(\d{1,3})\s*(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
                   + r")(?![a-z])", re.I)
_SEPARATOR = re.compile(r"[\s,，、;；]+|和|及|\band\b")
_AT_TIME = re.compile(r"(当天|當天|当日|當日|前一天|前1天)(\d{1,2})(?:[:：](\d{2})|[点點](半)?)")
OFF = ("off", "none", "0", "关", "關", "关闭", "關閉", "无", "無", "不提醒")
LONGEST = 30 * 86400  # no reminder more than 30 days ahead


def span(text: str, longest: timedelta = timedelta(days=366)) -> timedelta | None:
    """One length of time, its parts added up ("2h 30m", "1天2小时"); None when it is not one."""
    seconds = _seconds(re.sub(r"\s+", "", text.casefold()))
    return timedelta(seconds=seconds) if seconds and seconds <= longest.total_seconds() else None


def offsets(text: str, start: time | None = None, most: int = 5) -> tuple[int, ...] | None:
    """Reminders as seconds before, largest first: "1天 1小时" (two), "7小时30分钟" (one: a span
    written without a separator), "当天12:00" or "前一天20:00" (a time of day before ``start``),
    "off" (none). None when unreadable."""
    words = text.strip().casefold()
    if words in OFF:
        return ()
    words = re.sub(r"(\d)\s+(?=[^\d\s,，、;；])", r"\1", words)  # "1 day" is "1day"
    found = set()
    for chunk in filter(None, _SEPARATOR.split(words)):
        at = _AT_TIME.fullmatch(chunk) if start is not None else None
        seconds = _before(at, start) if at else _seconds(chunk)
        if not seconds:
            return None
        found.add(seconds)
    if not found or len(found) > most or max(found) > LONGEST:
        return None
    return tuple(sorted(found, reverse=True))


def _seconds(chunk: str) -> int | None:
    parts = _PART.findall(chunk)
    if not parts or _PART.sub("", chunk):
        return None
    return sum(int(n) * _UNITS[unit.casefold()] for n, unit in parts)


def _before(match: re.Match[str], start: time) -> int | None:
    """"当天12:00" before a 19:30 start: 7½ hours; "前一天20:00": 23½ hours."""
    hour, minute = int(match[2]), 30 if match[4] else int(match[3] or 0)
    if hour > 23 or minute > 59:
        return None
    seconds = (start.hour * 60 + start.minute - hour * 60 - minute) * 60 + 86400 * match[1].startswith("前")
    return seconds if seconds > 0 else None
