"""Pure rules of events: occurrences with changes, reminders, agendas, the reception queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain import events as rules
from bot.domain import spans
from bot.domain.events import Change, Event, EventInputError, Question


def event(rrule="FREQ=WEEKLY;BYDAY=TH", start=datetime(2026, 7, 2, 11, 30, tzinfo=UTC), **kw) -> Event:
    base = dict(id=1, chat_id=-1, number=1, kind="talk", title="小区夜话", place=None, hosts=None,
                start=start, duration=None, rrule=rrule, tz="Asia/Shanghai", reminders=None,
                status="active", reason=None, message_id=None, created_by=None)
    return Event(**{**base, **kw})


NOW = datetime(2026, 7, 1, tzinfo=UTC)


def test_upcoming_skips_cancelled_and_shows_moved_occurrences_at_their_new_time():
    week = timedelta(weeks=1)
    first = event().start
    moved_to = first + timedelta(days=1)
    changes = [Change(first, moved_to, "场地冲突"), Change(first + week, None, "下雨")]
    shown = rules.upcoming(event(), changes, NOW)
    assert [o.at for o in shown] == [moved_to, first + 2 * week, first + 3 * week]
    assert shown[0].moved and shown[0].key == first
    with_cancelled = rules.upcoming(event(), changes, NOW, include_cancelled=True)
    assert with_cancelled[1].cancelled and with_cancelled[1].reason == "下雨"
    assert rules.upcoming(event(status="cancelled"), [], NOW) == []


def test_an_occurrence_is_found_by_its_key_while_it_is_ahead():
    first = event().start
    moved_to = first + timedelta(days=1)
    changes = [Change(first, moved_to, "场地冲突"), Change(first + timedelta(weeks=1), None, "下雨")]
    assert rules.ahead(event(), changes, NOW, first).at == moved_to  # by its original time
    assert rules.ahead(event(), changes, NOW, first + timedelta(weeks=1)) is None  # cancelled
    assert rules.ahead(event(), changes, moved_to + timedelta(minutes=1), first) is None  # over
    assert rules.ahead(event(), changes, NOW, first + timedelta(hours=1)) is None  # no such occurrence


def test_monthly_on_the_31st_skips_short_months_and_the_last_day_does_not():
    start = datetime(2026, 7, 31, 12, tzinfo=UTC)
    on_31 = rules.upcoming(event("FREQ=MONTHLY;BYMONTHDAY=31", start), [], NOW, count=3)
    assert [o.at.month for o in on_31] == [7, 8, 10]
    last = rules.upcoming(event("FREQ=MONTHLY;BYMONTHDAY=-1", start), [], NOW, count=3)
    assert [(o.at.month, o.at.day) for o in last] == [(7, 31), (8, 31), (9, 30)]
    assert rules.skipped_day("FREQ=MONTHLY;BYMONTHDAY=31") == 31
    assert rules.skipped_day("FREQ=MONTHLY;BYMONTHDAY=-1") is None


def test_current_is_the_day_under_way_or_just_held_else_the_next():
    e = event(duration=timedelta(hours=2))
    first = e.start
    assert rules.current(e, [], first + timedelta(hours=1)).at == first
    after = first + timedelta(hours=3)
    assert rules.current(e, [], after, held_for=timedelta(0)).at == first + timedelta(weeks=1)
    assert rules.current(e, [], first + timedelta(hours=3)).at == first


def test_rsvp_counts_and_carry_over_by_position():
    assert rules.count_answers(["going", "maybe", "going"]) == {"going": 2, "maybe": 1, "no": 0}
    a, b, c = (datetime(2026, 7, d, tzinfo=UTC) for d in (2, 9, 16))
    assert rules.carry_by_position([a, b], [a + timedelta(days=1), b]) == {a: a + timedelta(days=1)}
    assert rules.carry_by_position([a, b, c], [b]) == {a: b}


@pytest.mark.parametrize(("text", "seconds"), [
    ("1天 1小时", (86400, 3600)), ("30分钟", (1800,)), ("2h, 10m", (7200, 600)), ("不提醒", ()),
    ("1 day and 1 hour", (86400, 3600)), ("7小时30分钟", (27000,)), ("1天2小时、30分钟", (93600, 1800)),
    ("2h10m", (7800,)), ("当天12:00", (27000,)), ("前一天20:00", (84600,)),
    ("當天12點半 1小時", (25200, 3600)),
])
def test_reminder_offsets(text, seconds):
    assert spans.offsets(text, time(19, 30), most=rules.MAX_REMINDERS) == seconds


@pytest.mark.parametrize("text", ["明天", "0分钟", "99天", "1天 2天 3天 4天 5天", "当天20:00", "当天25:00",
                                  "7小时30"])
def test_unreadable_reminders(text):
    assert spans.offsets(text, time(19, 30), most=rules.MAX_REMINDERS) is None


def test_body_has_a_title_and_setting_lines_in_both_scripts():
    title, settings = rules.parse_body("小區夜話\n時間：每週四 19:30\n地點 東門涼亭\n主持人 張書記")
    assert title == "小區夜話"
    assert settings == {"time": "每週四 19:30", "place": "東門涼亭", "hosts": "張書記"}
    for bad in ("", "时间 每周四 19:30", "夜话", "夜话\n时间 每周四 19:30\n随便写写",
                "夜话\n时间 x\n类型 派对"):
        with pytest.raises(EventInputError):
            rules.parse_body(bad)


def test_change_requests():
    assert rules.parse_change("1 7月16日 下雨暂停") == rules.ChangeRequest(1, "7月16日", "下雨暂停", None)
    assert rules.parse_change("#2 全部\n时间 每周五 19:30\n原因 场地收回") == rules.ChangeRequest(
        2, "全部", "场地收回", "每周五 19:30")
    assert rules.parse_change("") == rules.ChangeRequest(None, None, "", None)


def test_rules_described():
    assert rules.describe_rule("FREQ=WEEKLY;BYDAY=TU,TH") == ("weekly", {"days": [1, 3]})
    assert rules.describe_rule("FREQ=MONTHLY;BYDAY=+2SA") == ("monthly_nth", {"nth": 2, "day": 5})
    assert rules.describe_rule("FREQ=MONTHLY;BYMONTHDAY=-1") == ("monthly_last", {})
    assert rules.describe_rule(None) is None


@dataclass
class FakeIdea:
    id: int
    number: int
    text: str


def test_agenda_lists_items_then_look_back_without_repeating_an_idea():
    marked, discussed = FakeIdea(1, 4, "车棚"), FakeIdea(2, 7, "路灯")
    agenda = rules.assemble_agenda(["停车位"], [marked], [marked, discussed], ["修好单元门"])
    assert [line.text for line in agenda.items] == ["停车位"]
    assert [(line.source, line.number) for line in agenda.look_back] == [
        ("idea", 4), ("idea", 7), ("action", None)]
    assert rules.assemble_agenda([], [], [], []).empty


def test_queue_numbers_and_summary():
    assert rules.next_number([]) == 1 and rules.next_number([1, 2, 5]) == 6
    assert not rules.summary_ready([])
    answered = Question(1, "Li", "?", "answered", "ok")
    assert not rules.summary_ready([answered, Question(2, "Zhao", "?", "queued")])
    assert rules.summary_ready([answered, Question(2, "Zhao", "?", "carried")])
