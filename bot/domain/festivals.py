"""Festivals residents name as dates (中秋节, 国庆节, 元旦, 春节 …): the next day each falls on,
the lunar and solar-term ones by the Chinese calendar (lunar-python)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from lunar_python import Lunar

from bot.i18n import N_

# name (Simplified; Traditional text is read as Simplified first) -> how the day is found
_RULES: dict[str, tuple] = {
    "元旦": ("solar", 1, 1), "元旦节": ("solar", 1, 1), "春节": ("lunar", 1, 1), "农历新年": ("lunar", 1, 1),
    "元宵节": ("lunar", 1, 15), "元宵": ("lunar", 1, 15),
    "清明节": ("term", "清明"), "清明": ("term", "清明"), "劳动节": ("solar", 5, 1), "五一": ("solar", 5, 1),
    "端午节": ("lunar", 5, 5), "端午": ("lunar", 5, 5), "七夕": ("lunar", 7, 7), "中秋节": ("lunar", 8, 15),
    "中秋": ("lunar", 8, 15), "国庆节": ("solar", 10, 1), "国庆": ("solar", 10, 1), "重阳节": ("lunar", 9, 9),
    "重阳": ("lunar", 9, 9), "腊八": ("lunar", 12, 8), "腊八节": ("lunar", 12, 8), "冬至": ("term", "冬至"),
    "除夕": ("eve",), "儿童节": ("solar", 6, 1), "妇女节": ("solar", 3, 8), "教师节": ("solar", 9, 10),
}  # fmt: skip
NAMES = tuple(sorted(_RULES, key=len, reverse=True))  # longest first, for a regular expression


def _in_year(rule: tuple, year: int) -> list[date]:
    """The days the festival falls on in and around ``year`` (lunar years straddle two)."""
    kind = rule[0]
    if kind == "solar":
        return [date(year, rule[1], rule[2])]
    found = []
    for lunar_year in (year - 1, year):
        if kind == "lunar":
            solar = Lunar.fromYmd(lunar_year, rule[1], rule[2]).getSolar()
        elif kind == "term":
            solar = Lunar.fromYmd(lunar_year, 1, 1).getJieQiTable()[rule[1]]
        else:  # the eve of the next lunar new year
            solar = Lunar.fromYmd(lunar_year + 1, 1, 1).getSolar()
        day = date(solar.getYear(), solar.getMonth(), solar.getDay())
        found.append(day - timedelta(days=1) if kind == "eve" else day)
    return found


def next_day(name: str, today: date) -> date | None:
    """The next day (today included) the festival ``name`` falls on; None for a name not known."""
    rule = _RULES.get(name)
    if rule is None:
        return None
    return min(d for year in (today.year, today.year + 1) for d in _in_year(rule, year) if d >= today)


# The public holidays of the State Council's calendar (chinese-calendar), by their English names.
HOLIDAY_NAMES = {"New Year's Day": N_("New Year's Day"), "Spring Festival": N_("Spring Festival"),
                 "Tomb-sweeping Day": N_("Tomb-sweeping Day"), "Labour Day": N_("Labour Day"),
                 "Dragon Boat Festival": N_("Dragon Boat Festival"), "National Day": N_("National Day"),
                 "Mid-autumn Festival": N_("Mid-autumn Festival")}


def public_holiday(day: date) -> str | None:
    """The public holiday ``day`` is part of (English msgid), or None: a working day, a weekend, a
    make-up working day, or a year the calendar has not been published for yet."""
    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return HOLIDAY_NAMES.get(name) if off else None
