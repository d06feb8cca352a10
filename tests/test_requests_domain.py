"""Requests: the state machine (every state × action × actor), parsing, and the monthly figures."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.requests import (
    ACTIONS,
    ACTORS,
    DEFAULT_TARGETS,
    STATES,
    Item,
    NotAllowed,
    decide,
    figures,
    month_bounds,
    overdue,
    parse_category,
    parse_hours,
    targets_of,
)

# The whole table: (state, action) -> (state after, who may).
ALLOWED = {
    ("reported", "assign"): ("reported", {"convener"}),
    ("accepted", "assign"): ("accepted", {"convener"}),
    ("in_progress", "assign"): ("in_progress", {"convener"}),
    ("reported", "escalate"): ("reported", {"convener"}),
    ("accepted", "escalate"): ("accepted", {"convener"}),
    ("in_progress", "escalate"): ("in_progress", {"convener"}),
    ("resolved", "escalate"): ("resolved", {"convener"}),
    ("reported", "accept"): ("accepted", {"assignee", "convener"}),
    ("accepted", "start"): ("in_progress", {"assignee", "convener"}),
    ("accepted", "resolve"): ("resolved", {"assignee", "convener"}),
    ("in_progress", "resolve"): ("resolved", {"assignee", "convener"}),
    ("resolved", "confirm"): ("closed", {"reporter"}),
    ("resolved", "reopen"): ("in_progress", {"reporter"}),
    ("resolved", "expire"): ("closed", {"system"}),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", ACTORS)
def test_every_transition_is_allowed_or_refused_as_the_table_says(state, action, actor):
    expected = ALLOWED.get((state, action))
    if expected is None:
        with pytest.raises(NotAllowed) as refused:
            decide(state, action, {actor})
        assert refused.value.reason == "state"
    elif actor in expected[1]:
        assert decide(state, action, {actor}) == expected[0]
    else:
        with pytest.raises(NotAllowed) as refused:
            decide(state, action, {actor})
        assert refused.value.reason == "actor"


def test_no_one_and_unknown_words_are_refused():
    with pytest.raises(NotAllowed):
        decide("reported", "accept", set())
    with pytest.raises(NotAllowed):
        decide("lost", "accept", {"convener"})
    with pytest.raises(NotAllowed):
        decide("reported", "delete", {"convener"})
    assert decide("reported", "accept", {"reporter", "convener"}) == "accepted"  # a convener reporting


def test_closed_is_final():
    for action in ACTIONS:
        with pytest.raises(NotAllowed):
            decide("closed", action, set(ACTORS))


@pytest.mark.parametrize(("word", "category"), [
    ("维修", "repairs"), ("維修", "repairs"), ("Repairs", "repairs"), ("物业费", "fees"), ("收費", "fees"),
    ("费用", "fees"), ("費用", "fees"), ("停车", "parking"), ("停車", "parking"), ("噪音", "noise"),
    ("安全", "safety"), ("绿化", "greenery"), ("綠化", "greenery"), ("其他", "other"), ("fees", "fees"),
    ("水电", None), ("", None),
])
def test_categories_in_both_scripts(word, category):
    assert parse_category(word) == category


@pytest.mark.parametrize(("text", "hours"), [
    ("24h", 24), ("24", 24), ("3d", 72), ("3天", 72), ("12小时", 12), ("12小時", 12), ("2日", 48),
    ("0h", None), ("-3", None), ("soon", None), ("91d", None),
])
def test_hours(text, hours):
    assert parse_hours(text) == hours


def test_targets_default_and_chat_override():
    assert targets_of({})["repairs"] == (24, 72)
    assert targets_of({})["fees"] == (24, 168)
    assert targets_of({"request_targets": {"fees": [12, 48]}})["fees"] == (12, 48)
    assert set(targets_of({})) == set(DEFAULT_TARGETS)


T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def item(created_h, accepted_h=None, resolved_h=None, rating=None, respond=24, resolve=72):
    created = T0 + timedelta(hours=created_h)

    def at(h):
        return None if h is None else created + timedelta(hours=h)

    return Item(created, created + timedelta(hours=respond), created + timedelta(hours=resolve),
                at(accepted_h), at(resolved_h), rating)


def test_figures_by_hand():
    items = [
        item(0, accepted_h=2, resolved_h=10, rating=5),    # in time, in time
        item(1, accepted_h=30, resolved_h=100, rating=3),  # late response, late resolution
        item(2, accepted_h=5, resolved_h=50, rating=4),    # in time, in time
        item(3),                                          # never accepted: past both targets by now
        item(200),                                        # reported just now: inside both targets
    ]
    now = T0 + timedelta(hours=201)
    f = figures(items, now)
    assert f.received == 5
    assert (f.responded_in_time, f.response_due) == (2, 4)
    assert f.response_rate == 0.5
    assert (f.resolved, f.resolved_in_time, f.resolution_due) == (3, 2, 4)
    assert f.resolution_rate == 0.5
    assert f.median_hours == 50  # of 10, 99 and 48 hours
    assert (f.satisfied, f.rated) == (2, 3)
    assert f.satisfaction == pytest.approx(2 / 3)


def test_figures_of_nothing_have_no_rates():
    f = figures([], T0)
    assert f.received == 0 and f.response_rate is None and f.resolution_rate is None
    assert f.median_hours is None and f.satisfaction is None


@given(st.lists(st.tuples(st.integers(0, 500), st.one_of(st.none(), st.integers(0, 100)),
                          st.one_of(st.none(), st.integers(0, 400)),
                          st.one_of(st.none(), st.integers(1, 5))), max_size=30),
       st.integers(0, 1000))
def test_figures_stay_within_bounds(rows, now_h):
    items = [item(c, a, r, rating) for c, a, r, rating in rows]
    f = figures(items, T0 + timedelta(hours=now_h))
    assert f.received == len(items)
    assert 0 <= f.responded_in_time <= f.response_due <= f.received
    assert 0 <= f.resolved_in_time <= f.resolved <= f.resolution_due <= f.received
    assert 0 <= f.satisfied <= f.rated <= f.received
    for rate in (f.response_rate, f.resolution_rate, f.satisfaction):
        assert rate is None or 0 <= rate <= 1
    if f.median_hours is not None:
        spans = sorted((i.resolved_at - i.created_at).total_seconds() / 3600 for i in items
                       if i.resolved_at)
        assert spans[0] <= f.median_hours <= spans[-1]


def test_overdue_and_month_bounds():
    respond, resolve = T0 + timedelta(hours=24), T0 + timedelta(hours=72)
    assert overdue("reported", respond, resolve, T0) is None
    assert overdue("reported", respond, resolve, T0 + timedelta(hours=25)) == "respond"
    assert overdue("accepted", respond, resolve, T0 + timedelta(hours=25)) is None
    assert overdue("in_progress", respond, resolve, T0 + timedelta(hours=73)) == "resolve"
    assert overdue("resolved", respond, resolve, T0 + timedelta(hours=100)) is None
    assert month_bounds(2026, 12) == (datetime(2026, 12, 1), datetime(2027, 1, 1))
    assert month_bounds(2026, 7) == (datetime(2026, 7, 1), datetime(2026, 8, 1))
