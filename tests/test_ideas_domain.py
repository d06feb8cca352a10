"""The idea rules: every state change, merging endorsements, similarity, ranking, the digest day."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.ideas import (
    MAX_TEXT,
    OPEN_STATES,
    SIMILAR,
    STATES,
    TRANSITIONS,
    IdeaError,
    check_change,
    check_text,
    merged_endorsers,
    most_similar,
    next_weekly,
    page,
    rank,
    rate_limited,
    score,
    similarity,
    word,
)

ALLOWED = {
    ("new", "discussion"), ("new", "accepted"), ("new", "declined"), ("new", "merged"),
    ("discussion", "accepted"), ("discussion", "declined"), ("discussion", "merged"),
    ("accepted", "in_progress"), ("accepted", "declined"),
    ("in_progress", "done"), ("in_progress", "declined"),
}


def attempt(current, target):
    check_change(current, target, "理由" if target == "declined" else None,
                 into_state="new" if target == "merged" else None)


@pytest.mark.parametrize(("current", "target"), [(a, b) for a in STATES for b in STATES])
def test_every_transition_is_allowed_or_refused_as_specified(current, target):
    if (current, target) in ALLOWED:
        attempt(current, target)
    else:
        with pytest.raises(IdeaError):
            attempt(current, target)


def test_the_table_is_the_specification():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert all(not TRANSITIONS[s] for s in STATES if s not in OPEN_STATES)


def test_refusals_say_why():
    with pytest.raises(IdeaError, match="reason"):
        check_change("new", "declined", None)
    with pytest.raises(IdeaError, match="reason"):
        check_change("discussion", "declined", "   ")
    with pytest.raises(IdeaError, match="at most"):
        check_change("new", "declined", "x" * 301)
    with pytest.raises(IdeaError, match="already"):
        check_change("accepted", "accepted")
    with pytest.raises(IdeaError, match="Unknown"):
        check_change("new", "finished")
    with pytest.raises(IdeaError, match="which idea"):
        check_change("new", "merged")
    with pytest.raises(IdeaError, match="itself"):
        check_change("new", "merged", into_state="new", into_self=True)
    for closed in ("done", "declined", "merged"):
        with pytest.raises(IdeaError, match="open idea"):
            check_change("new", "merged", into_state=closed)
    with pytest.raises(IdeaError) as refused:
        check_change("new", "done")
    assert refused.value.params == {"current": "new", "target": "done"}


def test_text_limits():
    assert check_text("  换木椅 \n") == "换木椅"
    assert check_text("长" * MAX_TEXT) == "长" * MAX_TEXT
    for bad in ("", "   \n", "长" * (MAX_TEXT + 1)):
        with pytest.raises(IdeaError):
            check_text(bad)


def test_rate_limit_is_five_an_hour():
    assert not rate_limited(4) and rate_limited(5) and rate_limited(9)


def test_words_in_both_scripts():
    assert word("已采纳") == word("已採納") == word("Accepted") == "accepted"
    assert word("微心愿") == word("微心願") == "wish"
    assert word("進行中") == "in_progress" and word("合併") == "merged"
    assert word("banana") is None


@given(st.sets(st.integers(1, 50)), st.sets(st.integers(1, 50)))
def test_merge_counts_everyone_once(source, target):
    merged = merged_endorsers(source, target)
    assert merged == source | target
    assert len(merged) == len(target) + len(source - target)


def test_merge_of_someone_who_endorsed_both():
    assert merged_endorsers({1, 2}, {2, 3}) == {1, 2, 3}


NEAR_DUPLICATES = [
    ("凉亭的石凳冬天太凉了，建议换成木椅", "建议把凉亭石凳换成木头椅子"),
    ("小区东门加装自行车棚", "东门建一个自行车棚吧"),
    ("6号楼的水表太旧了，希望更换新水表", "6号楼更换水表"),
    ("地下车库照明太暗，建议加装灯", "地下车库灯太暗了，能不能多装几盏灯"),
    ("小区东门加装自行车棚", "东门加装自行车棚，顺便装个灯"),
    ("Replace the pavilion's stone seats", "replace the stone seats in the pavilion"),
]
DIFFERENT = [
    ("凉亭石凳换木椅", "6号楼更换水表"),
    ("东门建自行车棚", "西门建垃圾分类亭"),
    ("增加快递柜", "小区东门加装自行车棚"),
    ("增设路灯", "增设快递柜"),
    ("每月25日接待日请物业经理到场", "后山周六大扫除需要志愿者"),
    ("6号楼更换电梯", "凉亭石凳换成木椅"),
]


def test_the_same_idea_in_the_other_script_is_the_same_idea():
    assert similarity("东门加装自行车棚", "東門加裝自行車棚") == 1.0
    assert similarity("小区东门加装自行车棚", "東門建一個自行車棚吧") >= SIMILAR


@pytest.mark.parametrize(("a", "b"), NEAR_DUPLICATES)
def test_near_duplicates_match(a, b):
    assert similarity(a, b) >= SIMILAR, similarity(a, b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_topics_do_not(a, b):
    assert similarity(a, b) < SIMILAR, similarity(a, b)


def test_similarity_ignores_punctuation_width_and_fillers():
    assert similarity("换木椅！", "  换 木椅") == 1.0
    assert similarity("ＡＢＣ１２", "abc12") == 1.0
    assert similarity("建议换木椅", "希望换木椅吧") == 1.0
    assert similarity("", "换木椅") == 0.0 and similarity("，。", "！") == 0.0


@given(st.text(max_size=30), st.text(max_size=30))
def test_similarity_is_symmetric_and_bounded(a, b):
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0


def test_most_similar_picks_the_closest_above_the_threshold():
    candidates = [(1, "6号楼更换水表"), (2, "凉亭石凳换成木头椅子"), (3, "凉亭加盖顶棚")]
    assert most_similar("凉亭的石凳太凉，建议换成木椅", candidates)[0] == 2
    assert most_similar("增设快递柜", candidates) is None
    assert most_similar("任何", []) is None


@dataclass
class Item:
    number: int
    endorsements: int
    created_at: datetime


NOW = datetime(2026, 7, 20, 12, tzinfo=UTC)
ages = st.integers(0, 60 * 86400).map(lambda s: timedelta(seconds=s))


def test_ranking_rule_examples():
    assert score(4, timedelta(0)) == pytest.approx(4 / 2 ** 1.5)
    assert score(10, timedelta(days=7)) == pytest.approx(10 / 27)
    fresh, old = Item(1, 4, NOW), Item(2, 10, NOW - timedelta(days=7))
    assert rank([old, fresh], NOW) == [fresh, old]
    a, b = Item(1, 0, NOW - timedelta(hours=1)), Item(2, 0, NOW)
    assert rank([a, b], NOW) == [b, a]  # no endorsements: the newer first
    c, d = Item(3, 2, NOW), Item(4, 2, NOW)
    assert rank([d, c], NOW) == [c, d]  # a full tie: the lower number


@given(st.integers(0, 1000), st.integers(0, 1000), ages)
def test_more_endorsements_never_rank_lower(e1, e2, age):
    low, high = sorted((e1, e2))
    assert score(low, age) <= score(high, age)


@given(st.integers(1, 1000), ages, ages)
def test_older_ideas_score_lower_with_the_same_endorsements(e, a1, a2):
    young, old = sorted((a1, a2))
    assert score(e, old) <= score(e, young)


@given(st.lists(st.tuples(st.integers(0, 50), ages), max_size=20))
def test_rank_is_a_sorted_permutation(rows):
    items = [Item(i + 1, e, NOW - age) for i, (e, age) in enumerate(rows)]
    ranked = rank(items, NOW)
    assert sorted(i.number for i in ranked) == [i.number for i in items]
    scores = [score(i.endorsements, NOW - i.created_at) for i in ranked]
    assert scores == sorted(scores, reverse=True)


@given(st.lists(st.integers(), max_size=40), st.integers(-3, 10), st.integers(1, 9))
def test_pages_cover_everything_once(items, number, size):
    shown, pages = page(items, number, size)
    assert pages >= 1 and len(shown) <= size
    assert [x for p in range(pages) for x in page(items, p, size)[0]] == items


def test_next_weekly_is_strictly_ahead():
    tz = ZoneInfo("Asia/Shanghai")
    sunday_8pm = datetime(2026, 7, 19, 20, 0, tzinfo=tz)
    assert next_weekly(sunday_8pm - timedelta(minutes=1), 6, time(20)) == sunday_8pm
    assert next_weekly(sunday_8pm, 6, time(20)) == sunday_8pm + timedelta(days=7)
    assert next_weekly(datetime(2026, 7, 20, 9, tzinfo=tz), 4, time(19, 30)) == \
        datetime(2026, 7, 24, 19, 30, tzinfo=tz)
