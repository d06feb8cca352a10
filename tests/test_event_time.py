"""Event times as conveners type them: one-off or a rhythm, in either script, and how the
rhythms fall on real calendars (month ends, leap years, the 25th across a year)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.event_time import EXAMPLES, EndBeforeStart, parse_event_time
from bot.domain.models import Schedule
from bot.domain.recurrence import occurrences
from bot.domain.when import WhenError
from bot.i18n import Translator

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=TZ)  # a Wednesday


def at(month, day, hour, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


H2 = timedelta(hours=2)

CASES = [
    # weekly
    ("每周四 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("每週四 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("每周四19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("每星期四 晚上7点半", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("每星期四 晚上7點半", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("每礼拜四晚上七点半", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("每禮拜四晚上七點半", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("每周三 9:00", at(7, 22, 9), None, "FREQ=WEEKLY;BYDAY=WE"),  # today, but 9:00 has passed
    ("每周三 11:00", at(7, 15, 11), None, "FREQ=WEEKLY;BYDAY=WE"),  # today, still ahead
    ("每周二、四 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TU,TH"),
    ("每週二、四 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TU,TH"),
    ("每周二和四 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TU,TH"),
    ("每周二,四,六 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TU,TH,SA"),
    ("每周一至五 8:00", at(7, 16, 8), None, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("每週一到五 8:00", at(7, 16, 8), None, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("每周日 下午3点", at(7, 19, 15), None, "FREQ=WEEKLY;BYDAY=SU"),
    ("每週日 下午3點", at(7, 19, 15), None, "FREQ=WEEKLY;BYDAY=SU"),
    ("每周天 10:00", at(7, 19, 10), None, "FREQ=WEEKLY;BYDAY=SU"),
    ("每周六 上午九点到十一点", at(7, 18, 9), H2, "FREQ=WEEKLY;BYDAY=SA"),
    ("每週六 上午九點到十一點", at(7, 18, 9), H2, "FREQ=WEEKLY;BYDAY=SA"),
    ("每周四 19:30-21:00", at(7, 16, 19, 30), timedelta(minutes=90), "FREQ=WEEKLY;BYDAY=TH"),
    ("每周四 19:30~21:00", at(7, 16, 19, 30), timedelta(minutes=90), "FREQ=WEEKLY;BYDAY=TH"),
    ("every Thursday 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("every thu 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TH"),
    ("every tue, thu 19:30", at(7, 16, 19, 30), None, "FREQ=WEEKLY;BYDAY=TU,TH"),
    # daily
    ("每天 8:00", at(7, 16, 8), None, "FREQ=DAILY"),
    ("每日 晚上8点", at(7, 15, 20), None, "FREQ=DAILY"),
    ("每日 晚上8點", at(7, 15, 20), None, "FREQ=DAILY"),
    # monthly on a day
    ("每月25日 9:00-11:00", at(7, 25, 9), H2, "FREQ=MONTHLY;BYMONTHDAY=25"),
    ("每月25号 9:00-11:00", at(7, 25, 9), H2, "FREQ=MONTHLY;BYMONTHDAY=25"),
    ("每月25號 9:00-11:00", at(7, 25, 9), H2, "FREQ=MONTHLY;BYMONTHDAY=25"),
    ("每月二十五号上午九点到十一点", at(7, 25, 9), H2, "FREQ=MONTHLY;BYMONTHDAY=25"),
    ("每月二十五號上午九點到十一點", at(7, 25, 9), H2, "FREQ=MONTHLY;BYMONTHDAY=25"),
    ("每月1日 9:00", at(8, 1, 9), None, "FREQ=MONTHLY;BYMONTHDAY=1"),
    ("每月15日 9:00", at(8, 15, 9), None, "FREQ=MONTHLY;BYMONTHDAY=15"),  # today's has passed
    ("每月15日 11:00", at(7, 15, 11), None, "FREQ=MONTHLY;BYMONTHDAY=15"),
    ("每月31日 20:00", at(7, 31, 20), None, "FREQ=MONTHLY;BYMONTHDAY=31"),
    # monthly at the end
    ("每月最后一天 20:00", at(7, 31, 20), None, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ("每月最後一天 20:00", at(7, 31, 20), None, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ("每月底 20:00", at(7, 31, 20), None, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ("每月月底 晚上8点", at(7, 31, 20), None, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ("every month on the last day 20:00", at(7, 31, 20), None, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    # monthly on a weekday
    ("每月第二个周六 10:00", at(8, 8, 10), None, "FREQ=MONTHLY;BYDAY=+2SA"),
    ("每月第二個週六 10:00", at(8, 8, 10), None, "FREQ=MONTHLY;BYDAY=+2SA"),
    ("每月第三个星期三 19:30", at(7, 15, 19, 30), None, "FREQ=MONTHLY;BYDAY=+3WE"),
    ("每月第一个周一 9:00", at(8, 3, 9), None, "FREQ=MONTHLY;BYDAY=+1MO"),
    ("每月最后一个周五 19:00", at(7, 31, 19), None, "FREQ=MONTHLY;BYDAY=-1FR"),
    ("每月最後一個週五 19:00", at(7, 31, 19), None, "FREQ=MONTHLY;BYDAY=-1FR"),
    # one-off
    ("7月20日 19:30", at(7, 20, 19, 30), None, None),
    ("7月20號 晚上7點半", at(7, 20, 19, 30), None, None),
    ("下周三晚上七点", at(7, 22, 19), None, None),
    ("下週三晚上七點", at(7, 22, 19), None, None),
    ("明晚7点半", at(7, 16, 19, 30), None, None),
    ("明晚7點半", at(7, 16, 19, 30), None, None),
    ("周五 19:00-21:00", at(7, 17, 19), H2, None),
    ("2026-07-20 19:30", at(7, 20, 19, 30), None, None),
    ("2026-07-20 19:30-21:00", at(7, 20, 19, 30), timedelta(minutes=90), None),
    ("2026-08-25T09:00", at(8, 25, 9), None, None),
]


@pytest.mark.parametrize(("text", "start", "duration", "rule"), CASES)
def test_phrasings(text, start, duration, rule):
    found = parse_event_time(text, NOW)
    assert (found.start, found.duration, found.rrule) == (start, duration, rule)
    assert found.start.tzinfo is TZ


@pytest.mark.parametrize("text", [
    "", "每周八 19:30", "每周四", "每月32日 9:00", "每月0日 9:00", "每月第六个周六 10:00", "每月25日",
    "每周五至一 9:00", "blah", "every someday 19:30", "每月最后一天", "明晚",
])
def test_what_cannot_be_read(text):
    with pytest.raises(WhenError):
        parse_event_time(text, NOW)


@pytest.mark.parametrize("text", ["每月25日 11:00-9:00", "每周四 21:00-19:30", "2026-07-20 19:30-19:30"])
def test_an_end_before_the_start_is_refused(text):
    with pytest.raises(EndBeforeStart):
        parse_event_time(text, NOW)


@pytest.mark.parametrize("locale", ["en", "zh_Hans", "zh_Hant"])
def test_every_example_shown_to_users_reads(locale):
    examples = re.split(r", |、", Translator(locale, ZoneInfo("Asia/Shanghai")).gettext(EXAMPLES))
    assert len(examples) >= 7
    for example in examples:
        parse_event_time(example, NOW)


def _dates(text, until):
    found = parse_event_time(text, NOW)
    schedule = Schedule(1, -1, "event", None, found.start.astimezone(UTC), found.rrule, "Asia/Shanghai",
                        (0,), {}, True, NOW.astimezone(UTC))
    return [o.astimezone(TZ).date().isoformat() for o in occurrences(schedule, NOW, until)]


def test_the_31st_skips_short_months_and_last_day_follows_them():
    until = at(3, 1, 0, year=2027)
    assert _dates("每月31日 20:00", until) == ["2026-07-31", "2026-08-31", "2026-10-31", "2026-12-31",
                                               "2027-01-31"]
    assert _dates("每月最后一天 20:00", until) == ["2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31",
                                                 "2026-11-30", "2026-12-31", "2027-01-31", "2027-02-28"]


def test_the_last_day_of_february_in_a_leap_year():
    dates = _dates("每月最后一天 20:00", at(3, 1, 0, year=2028))
    assert "2028-02-29" in dates and "2027-02-28" in dates


def test_the_25th_runs_across_the_year_end():
    assert _dates("每月25日 9:00-11:00", at(2, 1, 0, year=2027)) == [
        "2026-07-25", "2026-08-25", "2026-09-25", "2026-10-25", "2026-11-25", "2026-12-25", "2027-01-25"]


def test_a_weekday_list_falls_on_those_days_only():
    dates = _dates("每周二、四 19:30", at(8, 1, 0))
    assert dates == ["2026-07-16", "2026-07-21", "2026-07-23", "2026-07-28", "2026-07-30"]


def test_the_second_saturday_of_each_month():
    assert _dates("每月第二个周六 10:00", at(12, 31, 0)) == [
        "2026-08-08", "2026-09-12", "2026-10-10", "2026-11-14", "2026-12-12"]


@given(st.integers(0, 6), st.integers(0, 23), st.integers(0, 59),
       st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)))
def test_a_weekly_time_is_the_next_such_moment(weekday, hour, minute, moment):
    now = moment.replace(tzinfo=TZ)
    text = f"每周{'一二三四五六日'[weekday]} {hour}:{minute:02d}"
    start = parse_event_time(text, now).start
    assert start > now and start - now <= timedelta(days=7)
    assert (start.weekday(), start.hour, start.minute) == (weekday, hour, minute)
