"""When schedules fire: one-off and recurring occurrences, offsets, wall time."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.models import Schedule
from bot.domain.recurrence import firings, next_firing, occurrences

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def schedule(first_at, rrule=None, offsets=(0,), tz="Asia/Shanghai", created=T0) -> Schedule:
    return Schedule(1, -1, "test", None, first_at, rrule, tz, tuple(offsets), {}, True, created)


def test_one_off_fires_once_at_each_offset():
    when = datetime(2026, 11, 20, 12, tzinfo=UTC)
    s = schedule(when, offsets=(0, 3600, 86400))
    fired = firings(s, T0, datetime(2026, 12, 1, tzinfo=UTC))
    assert [f.fire_at for f in fired] == [when - timedelta(days=1), when - timedelta(hours=1), when]
    assert all(f.occurrence == when for f in fired)
    assert next_firing(s, when) is None


def test_weekly_thursday_evening_stays_at_1930_shanghai():
    first = datetime(2026, 11, 26, 11, 30, tzinfo=UTC)  # Thursday 19:30 in Shanghai
    s = schedule(first, "FREQ=WEEKLY;BYDAY=TH")
    found = occurrences(s, T0, datetime(2027, 1, 31, tzinfo=UTC))
    assert len(found) == 10
    assert all(o.astimezone(s_tz()).strftime("%a %H:%M") == "Thu 19:30" for o in found)


def s_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_wall_time_survives_daylight_saving():
    # 19:30 in Berlin every Thursday: UTC shifts by an hour at the end of October.
    first = datetime(2026, 10, 1, 17, 30, tzinfo=UTC)
    s = schedule(first, "FREQ=WEEKLY;BYDAY=TH", tz="Europe/Berlin")
    found = occurrences(s, first, datetime(2026, 11, 30, tzinfo=UTC))
    from zoneinfo import ZoneInfo

    assert {o.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") for o in found} == {"19:30"}
    assert {o.hour for o in found} == {17, 18}


def test_monthly_25th_across_the_year_end():
    first = datetime(2026, 11, 25, 1, tzinfo=UTC)  # 09:00 Shanghai
    s = schedule(first, "FREQ=MONTHLY;BYMONTHDAY=25")
    found = occurrences(s, T0, datetime(2027, 3, 1, tzinfo=UTC))
    assert [o.strftime("%Y-%m-%d") for o in found] == [
        "2026-11-25", "2026-12-25", "2027-01-25", "2027-02-25"]


def test_next_firing_after_a_fire_moves_on():
    first = datetime(2026, 11, 26, 11, 30, tzinfo=UTC)
    s = schedule(first, "FREQ=WEEKLY;BYDAY=TH", offsets=(0, 7 * 3600))
    a = next_firing(s, T0)
    assert (a.fire_at, a.offset) == (first - timedelta(hours=7), 7 * 3600)
    b = next_firing(s, a.fire_at)
    assert (b.fire_at, b.offset) == (first, 0)
    c = next_firing(s, b.fire_at)
    assert c.occurrence == first + timedelta(days=7)


@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1)),
    days=st.integers(min_value=1, max_value=60),
    offsets=st.lists(st.integers(min_value=0, max_value=3 * 86400), min_size=1, max_size=3,
                     unique=True),
    rule=st.sampled_from([None, "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH",
                          "FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYDAY=+2WE"]),
)
def test_firings_and_next_firing_agree(start, days, offsets, rule):
    """Walking next_firing from any point visits exactly the firings of the window."""
    first = start.replace(tzinfo=UTC) + timedelta(hours=5)
    s = schedule(first, rule, offsets)
    after = start.replace(tzinfo=UTC)
    until = after + timedelta(days=days)
    expected = [(f.fire_at, f.offset) for f in firings(s, after, until)]
    walked, cursor = [], after
    while (f := next_firing(s, cursor)) is not None and f.fire_at <= until:
        walked.append((f.fire_at, f.offset))
        # several offsets may share one instant; collect them all
        same = [g for g in firings(s, cursor, f.fire_at) if g.fire_at == f.fire_at]
        walked[-1:] = [(g.fire_at, g.offset) for g in same]
        cursor = f.fire_at
    assert walked == expected
    assert all(after < at <= until for at, _ in expected)
