"""Reading deadlines and meeting times as users type them, Simplified and Traditional Chinese alike."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.when import WhenError, cn_number, parse_clock, parse_clock_carry, parse_weekday, parse_when

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=SH)  # a Wednesday, 10:00


def at(month, day, hour, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def same(got: datetime, expected: datetime) -> bool:
    """Same wall time, same zone object: not merely the same instant."""
    return got.tzinfo is expected.tzinfo and got.replace(tzinfo=None) == expected.replace(tzinfo=None)


ACCEPTED = [
    # absolute dates
    ("2026-07-20 20:00", at(7, 20, 20)),
    ("2026-07-20T20:00", at(7, 20, 20)),
    ("2026/7/20 20:00", at(7, 20, 20)),
    ("２０２６－０７－２０　２０：００", at(7, 20, 20)),
    ("2026-07-20T20:00+00:00", at(7, 21, 4)),
    ("2027年1月5日 9:00", at(1, 5, 9, year=2027)),
    ("7月20日 20:00", at(7, 20, 20)),
    ("7月20日20:00", at(7, 20, 20)),
    ("7月20号晚上8点", at(7, 20, 20)),
    ("7月20號晚上8點", at(7, 20, 20)),
    ("1月5日 9:00", at(1, 5, 9, year=2027)),  # already behind us this year
    ("7月14日 9:00", at(7, 14, 9, year=2027)),
    ("7月15日 9:00", at(7, 15, 9)),  # today stays today: the caller reports it as past
    ("十二月一日 上午九点", at(12, 1, 9)),
    ("十二月一日 上午九點", at(12, 1, 9)),
    ("2026年12月31日 23:59", at(12, 31, 23, 59)),
    # relative to now
    ("3天后", at(7, 18, 10)),
    ("3天後", at(7, 18, 10)),
    ("两天后", at(7, 17, 10)),
    ("兩天後", at(7, 17, 10)),
    ("2小时后", at(7, 15, 12)),
    ("2小時後", at(7, 15, 12)),
    ("2個鐘頭後", at(7, 15, 12)),
    ("30分钟后", at(7, 15, 10, 30)),
    ("30分鐘後", at(7, 15, 10, 30)),
    ("半小时后", at(7, 15, 10, 30)),
    ("半個小時後", at(7, 15, 10, 30)),
    ("1周后", at(7, 22, 10)),
    ("1週後", at(7, 22, 10)),
    ("一个星期后", at(7, 22, 10)),
    ("一個星期後", at(7, 22, 10)),
    ("1个月后", at(8, 15, 10)),
    ("3天后 20:00", at(7, 18, 20)),
    # as residents write them
    ("下个月5号 20:00", at(8, 5, 20)),
    ("下個月5號 20:00", at(8, 5, 20)),
    ("下下个月1号 9:00", at(9, 1, 9)),
    ("本月20日 9:00", at(7, 20, 9)),
    ("月底 18:00", at(7, 31, 18)),
    ("下个月底 12:00", at(8, 31, 12)),
    ("本周末 10点", at(7, 18, 10)),
    ("下周末 10点", at(7, 25, 10)),
    ("周末晚上8点", at(7, 18, 20)),
    ("12-3 19:30", at(12, 3, 19, 30)),
    ("11.30 9:00", at(11, 30, 9)),
    ("12/24 18:00", at(12, 24, 18)),
    ("中秋节晚上7点", at(9, 25, 19)),
    ("中秋節晚上7點", at(9, 25, 19)),
    ("国庆节 9:00", at(10, 1, 9)),
    ("元旦 10:00", at(1, 1, 10, year=2027)),
    ("春节 10:00", at(2, 6, 10, year=2027)),
    ("除夕 20:00", at(2, 5, 20, year=2027)),
    ("端午节 9:00", at(6, 9, 9, year=2027)),  # 2026's fell on 19 June, before now
    ("3天後晚上8點", at(7, 18, 20)),
    ("in 3 days", at(7, 18, 10)),
    ("in 2 hours", at(7, 15, 12)),
    ("in an hour", at(7, 15, 11)),
    # day words and parts of the day
    ("明晚8点", at(7, 16, 20)),
    ("明晚8點", at(7, 16, 20)),
    ("明早8点", at(7, 16, 8)),
    ("明早8點", at(7, 16, 8)),
    ("明晨6点", at(7, 16, 6)),
    ("今晚7点半", at(7, 15, 19, 30)),
    ("今晚7點半", at(7, 15, 19, 30)),
    ("明天下午3点", at(7, 16, 15)),
    ("明天 下午 3 點", at(7, 16, 15)),
    ("后天中午12点", at(7, 17, 12)),
    ("後天中午12點", at(7, 17, 12)),
    ("大后天 9:00", at(7, 18, 9)),
    ("明日 20:00", at(7, 16, 20)),
    ("今晚12点", at(7, 16, 0)),  # the midnight that ends this evening
    ("今晚12點前", at(7, 16, 0)),  # a trailing 前 is a deadline's "before"
    ("周五晚12点之前", at(7, 18, 0)),
    ("tomorrow 20:00", at(7, 16, 20)),
    ("Tomorrow 8pm", at(7, 16, 20)),
    ("tonight 8:30 pm", at(7, 15, 20, 30)),
    # weekdays, today being Wednesday 10:00
    ("周五 18:00", at(7, 17, 18)),
    ("週五 18:00", at(7, 17, 18)),
    ("星期五18点", at(7, 17, 18)),
    ("礼拜五晚上6点", at(7, 17, 18)),
    ("禮拜五晚上6點", at(7, 17, 18)),
    ("周三 18:00", at(7, 15, 18)),  # today, still ahead
    ("周三 9:00", at(7, 22, 9)),  # today, already passed: next week
    ("週三 9:00", at(7, 22, 9)),
    ("周三 10:00", at(7, 22, 10)),  # exactly now is not ahead
    ("周日 10:00", at(7, 19, 10)),
    ("星期天 10:00", at(7, 19, 10)),
    ("禮拜天上午10點", at(7, 19, 10)),
    ("这周五 20:00", at(7, 17, 20)),
    ("這週五 20:00", at(7, 17, 20)),
    ("本周一 9:00", at(7, 13, 9)),  # this week's Monday, past: the caller says so
    ("下周三晚上七点", at(7, 22, 19)),
    ("下週三晚上七點", at(7, 22, 19)),
    ("下星期三 19:00", at(7, 22, 19)),
    ("下個星期一早上9點", at(7, 20, 9)),
    ("下周日 10:00", at(7, 26, 10)),
    ("下下周一 9:00", at(7, 27, 9)),
    ("fri 18:00", at(7, 17, 18)),
    ("Friday 6pm", at(7, 17, 18)),
    # a time of day alone: today if ahead, else tomorrow
    ("20:00", at(7, 15, 20)),
    ("２０：００", at(7, 15, 20)),
    ("9:00", at(7, 16, 9)),
    ("10:00", at(7, 16, 10)),
    ("晚上8点", at(7, 15, 20)),
    ("晚上8點", at(7, 15, 20)),
    ("8点半", at(7, 16, 8, 30)),
    ("8點一刻", at(7, 16, 8, 15)),
    ("8点三刻", at(7, 16, 8, 45)),
    ("11点15分", at(7, 15, 11, 15)),
    ("11點15", at(7, 15, 11, 15)),
    ("十一点零五", at(7, 15, 11, 5)),
    ("20时30分", at(7, 15, 20, 30)),
    ("20時30分", at(7, 15, 20, 30)),
    ("下午三点", at(7, 15, 15)),
    ("下午兩點", at(7, 15, 14)),
    ("下午15点", at(7, 15, 15)),
    ("中午12点", at(7, 15, 12)),
    ("中午1點", at(7, 15, 13)),
    ("凌晨1点", at(7, 16, 1)),
    ("凌晨1點", at(7, 16, 1)),
    ("晚上十一点半", at(7, 15, 23, 30)),
    ("傍晚6點", at(7, 15, 18)),
    ("早上7點鐘", at(7, 16, 7)),
    ("夜裡11點", at(7, 15, 23)),
    ("24:00", at(7, 16, 0)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_reads(text, expected):
    got = parse_when(text, NOW)
    assert same(got, expected), got


DATE_ONLY = [
    ("12月1日", at(12, 1, 9)),
    ("12月1號", at(12, 1, 9)),
    ("2026-07-20", at(7, 20, 9)),
    ("明天", at(7, 16, 9)),
    ("後天", at(7, 17, 9)),
    ("周五", at(7, 17, 9)),
    ("周三", at(7, 22, 9)),  # today at 9:00 has passed
    ("下週一", at(7, 20, 9)),
    ("月底", at(7, 31, 9)),
    ("月底前", at(7, 31, 9)),
    ("本周末", at(7, 18, 9)),
    ("国庆", at(10, 1, 9)),
    ("11.30", at(11, 30, 9)),
]


@pytest.mark.parametrize(("text", "expected"), DATE_ONLY, ids=[t for t, _ in DATE_ONLY])
def test_a_day_alone_takes_the_default_time(text, expected):
    assert same(parse_when(text, NOW, default_time=time(9, 0)), expected)
    with pytest.raises(WhenError):
        parse_when(text, NOW)


REJECTED = [
    "",
    "   ",
    "blah",
    "下下下周",
    "周八",
    "下周",
    "2月30日 10:00",
    "13月1日 10:00",
    "2026-02-30 20:00",
    "2026-07-20 25:00",
    "25点",
    "8:61",
    "8",  # a bare number is not a time
    "晚上1点",  # 1 a.m. or 1 p.m.?
    "早上20点",
    "明晚下午3点",
    "2小时后 20:00",
    "3天前",
    "半天后",
    "in 3 fortnights",
    "明天 blah",
    "9999年12月31日 晚上12点",  # no day after the last one
    "13-40 19:30",
    "下下个月31号 9:00",  # September has 30 days
    "下个月32号 9:00",
    "情人节 9:00",  # not a festival of this calendar
]


@pytest.mark.parametrize("text", REJECTED)
def test_rejects(text):
    with pytest.raises(WhenError):
        parse_when(text, NOW)


@pytest.mark.parametrize("text", ["明晚", "今晚", "明早", "tonight", "", " ", "前", "2小时后 9:00"])
def test_no_hour_even_with_a_default(text):
    with pytest.raises(WhenError):
        parse_when(text, NOW, default_time=time(9, 0))


def test_wall_time_and_elapsed_time_across_a_dst_change():
    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 3, 7, 22, 0, tzinfo=ny)  # clocks spring forward at 02:00 on 8 March
    assert same(parse_when("明天 9:00", now), datetime(2026, 3, 8, 9, 0, tzinfo=ny))
    assert same(parse_when("1天后", now), datetime(2026, 3, 8, 22, 0, tzinfo=ny))
    assert same(parse_when("12小时后", now), datetime(2026, 3, 8, 11, 0, tzinfo=ny))
    assert parse_when("12小时后", now).astimezone(UTC) == datetime(2026, 3, 8, 15, 0, tzinfo=UTC)


def test_component_helpers():
    assert [cn_number(t) for t in ("十", "十二", "二十五", "三十一", "两", "兩", "零五", "〇", "07")] == [
        10, 12, 25, 31, 2, 2, 5, 0, 7,
    ]  # fmt: skip
    assert cn_number("十十") is None
    assert parse_clock("晚上7点半") == time(19, 30)
    assert parse_clock("8点一刻") == time(8, 15)
    assert parse_clock("凌晨1點") == time(1, 0)
    assert parse_clock("明天") is None
    assert parse_clock_carry("晚上12点") == (time(0, 0), 1)
    assert parse_clock_carry("8点", part="晚上") == (time(20, 0), 0)
    assert [parse_weekday(t) for t in ("周四", "星期四", "禮拜天", "週日", "thu", "Thursday", "下周四")] == [
        3, 3, 6, 6, 3, 3, None,
    ]  # fmt: skip


MINUTES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=SH)
)


@given(MINUTES)
def test_iso_round_trip(d):
    assert same(parse_when(d.strftime("%Y-%m-%d %H:%M"), NOW), d)


@given(MINUTES)
def test_chinese_date_round_trip(d):
    assert same(parse_when(f"{d.year}年{d.month}月{d.day}日 {d.hour}点{d.minute}分", NOW), d)


PIECES = "0123456789:-/ Tinadysm年月日號号點点時分半刻一二兩三十零天後前週周星期下這今明晚上午凌晨個小鐘頭"


@given(st.text(alphabet=PIECES, max_size=12))
def test_garbage_is_a_when_error_or_a_moment(text):
    try:
        got = parse_when(text, NOW, default_time=time(9, 0))
    except WhenError:
        return
    assert got.tzinfo is SH


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_clock_reading(hour, minute):
    assert parse_clock(f"{hour}:{minute:02d}") == time(hour, minute)
    assert parse_clock(f"{hour}時{minute}分") == time(hour, minute)
