"""Reading poll commands, and adding up ballots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import spans
from bot.domain.polls import (
    MAX_OPTIONS,
    Entry,
    Poll,
    PollInputError,
    options_of,
    parse_command,
    tally,
    toggle,
)


def test_a_poll_reads_options_and_settings_in_either_script():
    draft = parse_command("single", "自行車棚建在哪裡？\n1. 東門\n2、西門\n- 地庫入口\n"
                                    "截止：週五 18:00\n匿名\n結果 投票後")
    assert draft.question == "自行車棚建在哪裡？"
    assert draft.options == ["東門", "西門", "地庫入口"]
    assert draft.deadline_text == "週五 18:00"
    assert draft.anonymous and draft.visibility == "voted" and draft.kind == "single"


def test_multiple_choice_with_a_cap_and_english_keywords():
    draft = parse_command("single", "Which repairs?\nLift\nRoof\nGate\nmax: 2\nresults after close")
    assert draft.kind == "multiple" and draft.max_choices == 2 and draft.visibility == "closed"
    assert parse_command("single", "Q\nA\nB\n多选").max_choices is None


def test_an_english_option_that_starts_with_a_keyword_stays_an_option():
    assert parse_command("single", "Q\nuntilled field\nlimited edition").options == [
        "untilled field", "limited edition"]


def test_owner_votes_are_major_on_elevators_unless_marked_ordinary():
    assert parse_command("owner", "6号楼更换电梯\n范围 6栋").major is True
    assert parse_command("owner", "6號樓加裝電梯").major is True
    assert parse_command("owner", "更换门禁\n无记名").major is False
    assert parse_command("owner", "电梯广告收益分配\n一般").major is False
    draft = parse_command("owner", "选聘物业\n重大\n從眾\n無記名")
    assert draft.major and draft.follow_majority and draft.secret


def test_chains_and_proposals_keep_extra_lines_as_explanation():
    draft = parse_command("chain", "周六大扫除\n带好手套\n名额 20人")
    assert draft.capacity == 20 and draft.details == ["带好手套"]
    assert options_of("proposal", []) == ("Agree", "Disagree", "Abstain")


@pytest.mark.parametrize(("kind", "text", "reason"), [
    ("single", "", "The question is missing."),
    ("single", "截止 明天 20:00\nA\nB", "The first line must be the question."),
    ("single", "Q\nA", "at least two options"),
    ("single", "Q\n" + "\n".join(f"o{i}" for i in range(MAX_OPTIONS + 1)), "at most %(most)s options"),
    ("single", "Q\n" + "x" * 61 + "\nB", "An option can be at most"),
    ("single", "Q\nA\na", "appears twice"),
    ("single", "Q\nA\nB\n多选 3", "One cannot pick"),
    ("single", "Q\nA\nB\n名额 3", "Only a sign-up chain has a capacity."),
    ("proposal", "Q\n范围 6栋", "Only an owner vote is limited to buildings."),
    ("chain", "Q\n名额 0", "capacity must be a number"),
    ("proposal", "Q\n结果 随便", "Results can be shown"),
    ("proposal", "Q\n截止", "Write the deadline"),
    ("proposal", "Q" * 201, "The question can be at most"),
])
def test_bad_commands_say_what_is_wrong(kind, text, reason):
    with pytest.raises(PollInputError) as raised:
        parse_command(kind, text)
    assert reason in raised.value.message


@given(st.lists(st.integers(0, 5), max_size=30), st.one_of(st.none(), st.integers(1, 6)))
def test_toggling_never_exceeds_the_cap_and_pressing_twice_undoes(presses, cap):
    current: tuple[int, ...] = ()
    for position in presses:
        after = toggle(current, position, cap)
        if after is None:
            assert cap is not None and len(current) == cap and position not in current
            continue
        assert cap is None or len(after) <= cap
        assert toggle(after, position, cap) == current
        current = after
    assert list(current) == sorted(set(current))


def _poll(kind: str, options: tuple[str, ...]) -> Poll:
    now = datetime(2026, 7, 15, tzinfo=UTC)
    return Poll(1, -1, 1, kind, "Q", "", options, None, None, None, False, False, "live", (), False, False,
                "open", None, None, 1, now, None)


@given(st.lists(st.lists(st.integers(0, 3), max_size=4, unique=True), max_size=40))
def test_a_tally_counts_each_pick_once_with_shares_of_the_voters(ballots):
    poll = _poll("multiple", ("a", "b", "c", "d"))
    result = tally(poll, [Entry(tuple(b), f"v{i}") for i, b in enumerate(ballots)])
    voters = sum(1 for b in ballots if b)
    assert result.voters == voters
    for count in result.options:
        picked = sum(1 for b in ballots if count.position in b)
        assert count.votes == picked
        assert count.share == (Fraction(picked, voters) if voters else 0)
    top = max((c.votes for c in result.options), default=0)
    assert set(result.leaders) == ({c.position for c in result.options if c.votes == top} if top else set())


@given(st.lists(st.sampled_from([0, 1, 2]), max_size=40))
def test_a_proposal_passes_with_more_than_half_of_the_ballots_cast(choices):
    poll = _poll("proposal", options_of("proposal", []))
    result = tally(poll, [Entry((c,), "v") for c in choices])
    assert result.passed == (choices.count(0) * 2 > len(choices))


def test_exactly_half_does_not_pass_a_proposal():
    poll = _poll("proposal", options_of("proposal", []))
    assert tally(poll, [Entry((0,), "a"), Entry((1,), "b")]).passed is False
    assert tally(poll, [Entry((0,), "a"), Entry((0,), "b"), Entry((2,), "c")]).passed is True


@pytest.mark.parametrize(("text", "seconds"), [
    ("24h 2h", (86400, 7200)), ("1天 2小时", (86400, 7200)), ("2小時、30分鐘", (7200, 1800)),
    ("90分钟", (5400,)), ("off", ()), ("关", ()), ("3d", (259200,)),
])
def test_reminder_times_read_in_either_script(text, seconds):
    assert spans.offsets(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "24", "0h", "40d", "1h 2h 3h 4h 5h 6h", "2h later"])
def test_unreadable_reminder_times_are_refused(text):
    assert spans.offsets(text) is None


@pytest.mark.parametrize(("text", "span"), [
    ("1d", timedelta(days=1)),
    ("2h 30m", timedelta(hours=2, minutes=30)),
    ("1天2小时", timedelta(days=1, hours=2)),
    ("90分钟", timedelta(minutes=90)),
    ("13d1m", timedelta(days=13, minutes=1)),
])
def test_a_span_adds_its_parts(text, span):
    assert spans.span(text) == span


@pytest.mark.parametrize("text", ["", "soon", "0h", "1d later", "400d"])
def test_a_span_that_is_not_one_is_refused(text):
    assert spans.span(text) is None
