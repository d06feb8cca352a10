"""The pure parts of minutes: log → model, owners, speakers, look-back, due parsing; and the
golden files of every template (regenerate with YISHI_REGEN_GOLDEN=1)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.domain import minutes as rules
from bot.domain.minutes import ActionItem, Entry, Meeting
from bot.i18n import Translator
from bot.render import Renderer
from handlers.minutes import render

GOLDEN = Path(__file__).parent / "golden" / "minutes"
START = datetime(2026, 6, 4, 11, 30, tzinfo=UTC)


def meeting(kind="talk", number=2):
    return Meeting(
        1,
        -1,
        number,
        kind,
        "凉亭怎么办",
        "东门凉亭",
        None,
        7,
        "张书记",
        "closed",
        "chair",
        START,
        START + timedelta(hours=1),
    )


def item(number, status="open", owner="物业", meeting_id=1, note=None):
    return ActionItem(
        number,
        number,
        meeting_id,
        None,
        "property_manager",
        owner,
        f"事项{number}",
        START + timedelta(days=14),
        status,
        note,
        START,
    )


ENTRIES = [
    Entry(1, "topic", "工程进度：凉亭漏雨", 7, "张书记"),
    Entry(2, "note", "顶棚漏雨 <b>", 7, "张书记", 9, "李强"),
    Entry(3, "note", "大家希望尽快修", 7, "张书记"),
    Entry(4, "note", "再说一次", 7, "张书记", 9, "李强"),
    Entry(5, "decision", "请物业两周内修好", 7, "张书记"),
    Entry(6, "action", "物业 事项1", 7, "张书记", data={"number": 1}),
    Entry(7, "note", "撤回", 7, "张书记", undone=True),
    Entry(8, "topic", "履职评议", 7, "张书记"),
    Entry(9, "idea", "装自行车棚", 7, "张书记", data={"number": 3}),
    Entry(10, "action", "赵敏 事项2", 7, "张书记", data={"number": 2}),
]
ACTIONS = [item(1), item(2, owner="赵敏")]
EARLIER = [item(5, "done", meeting_id=0, note="已修好"), item(6, "blocked", meeting_id=0, note="等材料")]


def model(kind="talk"):
    return rules.build(
        meeting(kind), ENTRIES, ACTIONS, community="翠苑", earlier=EARLIER, since=START - timedelta(days=7)
    )


def test_the_log_becomes_topics_without_undone_entries():
    m = model()
    assert [t.title for t in m.topics] == ["工程进度：凉亭漏雨", "履职评议"]
    assert [n.text for n in m.topics[0].notes] == ["顶棚漏雨 <b>", "大家希望尽快修", "再说一次"]
    assert m.topics[0].decisions[0].text == "请物业两周内修好"
    assert [a.number for a in m.topics[0].actions] == [1] and m.topics[1].ideas[0].data["number"] == 3
    assert m.attendees == ["张书记", "李强"]


def test_grouping_speakers_and_look_back():
    m = model()
    assert [(owner, [a.number for a in items]) for owner, items in m.by_owner] == [
        ("物业", [1]),
        ("赵敏", [2]),
    ]
    assert m.speakers == [("李强", 2), ("张书记", 1)]
    old_done = item(7, "done", meeting_id=0)
    old_done = ActionItem(**{**old_done.__dict__, "updated_at": START - timedelta(days=30)})
    assert [a.number for a in rules.look_back([*EARLIER, old_done], START - timedelta(days=7))] == [5, 6]


def test_briefing_sections():
    m = model("briefing")
    assert [(s, [t.title for t in topics]) for s, topics in m.sections] == [
        ("construction", ["工程进度：凉亭漏雨"]),
        ("performance", ["履职评议"]),
        ("briefing", []),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("修好凉亭顶棚\n截止 两周后", ("修好凉亭顶棚", "两周后")),
        ("修好凉亭顶棚，截止：明天 18:00", ("修好凉亭顶棚", "明天 18:00")),
        ("fix the roof due in 2 weeks", ("fix the roof", "in 2 weeks")),
        ("修好凉亭顶棚", ("修好凉亭顶棚", None)),
    ],
)
def test_due_is_split_from_the_text(text, expected):
    assert rules.split_due(text) == expected


def test_kind_words():
    assert rules.kind_of("廉情发布会") == "briefing" and rules.kind_of("夜话") == "talk"
    assert rules.kind_of("议事会") == "council" and rules.kind_of("凉亭") is None


@pytest.mark.parametrize("kind", rules.KINDS)
@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("locale", ["en", "zh_Hans", "zh_Hant"])
def test_golden(kind, fmt, locale):
    class Rt:
        renderer = Renderer()
        clock = SimpleNamespace(now=lambda: datetime(2026, 7, 30, 12, 0, tzinfo=UTC))  # some items overdue

    from zoneinfo import ZoneInfo

    t = Translator(locale, ZoneInfo("Asia/Shanghai"), date(2026, 7, 30))
    text = render(Rt, t, model(kind), fmt) + "\n"
    path = GOLDEN / f"{kind}.{locale}.{fmt}"
    if os.environ.get("YISHI_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"regenerate with YISHI_REGEN_GOLDEN=1 if intended: {path}"
    )


def test_a_meeting_may_name_its_place_on_a_line_of_its_own():
    assert rules.split_place("夜话 凉亭怎么办\n地点 东门凉亭") == ("夜话 凉亭怎么办", "东门凉亭")
    assert rules.split_place("夜話 涼亭\n地點：東門涼亭") == ("夜話 涼亭", "東門涼亭")
    assert rules.split_place("council") == ("council", None)
    assert rules.split_place("") == ("", None)
