"""The consultation rules: the command, consensus and division by building, the next statement,
opinion groups, and the heat map."""

import io
import logging
import random
import warnings
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.consultations import (
    AGREE,
    DISAGREE,
    MAX_SEEDS,
    MAX_STATEMENT,
    PASS,
    Ballot,
    ConsultationError,
    Division,
    Tally,
    check_question,
    check_statement,
    natural,
    next_statement,
    overall,
    parse_command,
    summarize,
    tallies,
)
from bot.domain.opinion_groups import OpinionGroups, letter, opinion_groups

MISSING = ("glyph", "missing", "findfont")


# -- the command ---------------------------------------------------------------------------------

def test_a_question_alone():
    draft = parse_command("  小区停车位应该怎么分配？  \n\n")
    assert draft.question == "小区停车位应该怎么分配？"
    assert (draft.deadline_text, draft.scope_text, draft.seeds) == (None, None, ())


@pytest.mark.parametrize("line, deadline", [
    ("截止 12月20日", "12月20日"), ("截止：12月20日", "12月20日"), ("截至12月20日", "12月20日"),
    ("截止时间: 12月20日 18:00", "12月20日 18:00"), ("截止時間：12月20日", "12月20日"),
    ("Deadline: 20 Dec", "20 Dec"), ("deadline 下周五", "下周五"),
])
def test_the_deadline_line(line, deadline):
    draft = parse_command(f"停车位怎么分？\n{line}\n按楼栋轮换")
    assert draft.deadline_text == deadline
    assert draft.seeds == ("按楼栋轮换",)


@pytest.mark.parametrize("line, scope", [
    ("范围 6栋、7栋", "6栋、7栋"), ("範圍：6棟", "6棟"), ("范围6栋", "6栋"), ("scope: 6, 7", "6, 7"),
])
def test_the_scope_line(line, scope):
    assert parse_command(f"停车位怎么分？\n{line}").scope_text == scope


def test_seed_statements_lose_their_list_markers():
    draft = parse_command("停车位怎么分？\n1. 按楼栋轮换\n2、摇号分配\n- 先到先得\n• 停车位不应占用绿地\n"
                          "（5）租给外来车辆\n2.5米以下的车位给小车\n截止 12月20日")
    assert draft.seeds == ("按楼栋轮换", "摇号分配", "先到先得", "停车位不应占用绿地", "租给外来车辆",
                           "2.5米以下的车位给小车")
    assert draft.deadline_text == "12月20日"


def test_the_first_line_is_always_the_question():
    assert parse_command("范围内的车位怎么分？\n先到先得").question == "范围内的车位怎么分？"


def test_spaces_in_a_statement_collapse():
    assert check_statement("  停车位\t不应   占用\n绿地 ") == "停车位 不应 占用 绿地"
    assert check_question(" 车位 \n 怎么分？") == "车位 怎么分？"


def _refused(body: str) -> ConsultationError:
    with pytest.raises(ConsultationError) as caught:
        parse_command(body)
    return caught.value


def test_refusals():
    assert "question" in _refused("  \n ").message
    many = "\n".join(f"{n}. 意见{n}" for n in range(1, MAX_SEEDS + 2))
    assert _refused(f"问题\n{many}").params == {"most": MAX_SEEDS}
    assert parse_command("问题\n" + "\n".join(f"意见{n}" for n in range(MAX_SEEDS))).seeds[-1] == "意见9"
    too_long = _refused("问题\n1. " + "长" * (MAX_STATEMENT + 1))
    assert too_long.params == {"most": MAX_STATEMENT, "count": MAX_STATEMENT + 1}
    assert parse_command("问题\n" + "长" * MAX_STATEMENT).seeds == ("长" * MAX_STATEMENT,)
    assert _refused("问题\n1. 先到先得\n2. 摇号\n3. 先到先得").params == {"first": 1, "second": 3}
    assert _refused("问题\nA  b\na B").params == {"first": 1, "second": 2}  # spaces and case
    assert _refused("问题\n截止 明天\n截至 后天").message == "Give the deadline only once."
    assert _refused("问题\n范围 6栋\n範圍 7棟").message == "Give the scope only once."
    assert "deadline" in _refused("问题\n截止：").message
    with pytest.raises(ConsultationError) as long_question:
        parse_command("问" * 201)
    assert long_question.value.params == {"most": 200, "count": 201}
    with pytest.raises(ConsultationError):
        check_statement(" \n ")


# -- counting by hand ----------------------------------------------------------------------------

def crowd(start: int, building: str | None, statement: int, agree=0, disagree=0, passed=0):
    """Voters numbered from ``start`` in ``building``, voting on ``statement``."""
    votes = [AGREE] * agree + [DISAGREE] * disagree + [PASS] * passed
    ballots = [Ballot(start + i, statement, vote) for i, vote in enumerate(votes)]
    return ballots, {b.voter: building for b in ballots}


def scene(*crowds):
    ballots, buildings, start = [], {}, 0
    for building, statement, agree, disagree, passed in crowds:
        more, where = crowd(start, building, statement, agree, disagree, passed)
        ballots += more
        buildings |= where
        start += len(more)
    return ballots, buildings


def test_two_dissenters_in_a_building_of_ten_do_not_block():
    ballots, buildings = scene(("6", 1, 2, 2, 6), ("7", 1, 10, 0, 0))
    result = summarize([1], ballots, buildings)
    assert result.by_building["6"][1] == Tally(2, 2, 6) and result.by_building["6"][1].share == Fraction(1, 2)
    assert result.overall[1].share == Fraction(12, 14)
    assert result.consensus == (1,) and result.divisions == ()


def test_three_dissenters_below_the_threshold_block():
    ballots, buildings = scene(("6", 1, 6, 3, 1), ("7", 1, 20, 0, 0))
    result = summarize([1], ballots, buildings)
    assert result.overall[1].share >= Fraction(7, 10)  # the community agrees ...
    assert result.consensus == ()  # ... but building 6 stands in the way
    assert result.divisions == ()  # 6 does not reject it either (1/3 disagree)


def test_exactly_seven_in_ten_agrees():
    ballots, buildings = scene(("6", 1, 7, 3, 0), ("6", 2, 6, 3, 0))
    result = summarize([1, 2], ballots, buildings)
    assert result.consensus == (1,)  # 7/10, and 3 dissenters at 70% do not stand in the way
    assert result.top_by_building == {"6": (1,)}  # 6/9 is short of 70%


def test_rejected_by_one_building_is_a_division_not_a_consensus():
    ballots, buildings = scene(("6", 1, 1, 3, 0), ("7", 1, 20, 0, 0), ("10", 1, 5, 0, 0))
    result = summarize([1], ballots, buildings)
    assert result.overall[1].share == Fraction(26, 29)
    assert result.consensus == ()
    assert result.divisions == (Division(1, ("7", "10"), ("6",)),)


def test_passes_are_not_sides():
    ballots, buildings = scene((None, 1, 2, 0, 10), (None, 2, 3, 0, 10))
    result = summarize([1, 2], ballots, buildings)
    assert result.overall[1] == Tally(2, 0, 10) and result.overall[1].sided == 2
    assert result.overall[1].votes == 12 and Tally(0, 0, 5).share is None
    assert result.consensus == (2,)


def test_who_is_shown_and_who_is_unplaced():
    ballots, buildings = scene(("6", 1, 3, 0, 0), ("7", 1, 2, 0, 0), (None, 1, 4, 0, 0))
    ballots.append(Ballot(99, 2, AGREE))  # a hidden statement: ignored
    result = summarize([1], ballots, buildings)
    assert result.participants == 9 and result.participation == {"6": 3} and result.unplaced == 6
    assert list(result.by_building) == ["6"] and list(result.overall) == [1]


def test_consensus_is_ordered_by_support():
    ballots, buildings = scene((None, 1, 8, 2, 0), (None, 2, 9, 1, 0), (None, 3, 18, 2, 0),
                               (None, 4, 9, 1, 0))
    assert summarize([4, 3, 2, 1], ballots, buildings).consensus == (3, 2, 4, 1)


def test_buildings_sort_naturally():
    assert sorted(["10", "6", "B10", "B2", "7"], key=natural) == ["6", "7", "10", "B2", "B10"]


def test_tallies_per_group_and_overall():
    ballots = [Ballot(1, 1, AGREE), Ballot(2, 1, DISAGREE), Ballot(3, 1, PASS), Ballot(1, 2, AGREE)]
    assert tallies(ballots, {1: "6", 2: "6"}) == {"6": {1: Tally(1, 1, 0), 2: Tally(1, 0, 0)},
                                                  None: {1: Tally(0, 0, 1)}}
    assert overall(ballots) == {1: Tally(1, 1, 1), 2: Tally(1, 0, 0)}
    with pytest.raises(ValueError):
        overall([Ballot(1, 1, AGREE), Ballot(1, 1, DISAGREE)])
    with pytest.raises(ValueError):
        Ballot(1, 1, 2)


# -- properties ----------------------------------------------------------------------------------

NAMES = ("1", "2", "6", "10", "B3")
LEANING = (AGREE, AGREE, AGREE, AGREE, DISAGREE, PASS, None)  # None: not voted


@st.composite
def scenarios(draw):
    statements = list(range(1, draw(st.integers(1, 4)) + 1))
    voters = draw(st.integers(0, 36))
    building_of = {v: draw(st.sampled_from((*NAMES, None))) for v in range(voters)}
    ballots = []
    for s in statements:
        lean = draw(st.sampled_from(((AGREE,) * 6 + (DISAGREE, PASS, None), LEANING,
                                     (AGREE, DISAGREE, PASS, None))))
        for v in range(voters):
            vote = draw(st.sampled_from(lean))
            if vote is not None:
                ballots.append(Ballot(v, s, vote))
    return statements, ballots, building_of


def reference(statements, ballots, building_of):
    """The rules written out with whole numbers: (consensus set, {statement: (agreeing, rejecting)})."""
    consensus, divided = set(), {}
    for s in statements:
        votes = [(building_of.get(b.voter), b.vote) for b in ballots if b.statement == s]
        a, d = sum(v == AGREE for _, v in votes), sum(v == DISAGREE for _, v in votes)
        places = {g for g, _ in votes if g is not None}
        count = {g: (sum(v == AGREE for h, v in votes if h == g),
                     sum(v == DISAGREE for h, v in votes if h == g)) for g in places}
        blocked = any(dg >= 3 and 10 * ag < 7 * (ag + dg) for ag, dg in count.values())
        if a + d >= 3 and 10 * a >= 7 * (a + d) and not blocked:
            consensus.add(s)
        yes = {g for g, (ag, dg) in count.items() if ag + dg >= 3 and 10 * ag >= 7 * (ag + dg)}
        no = {g for g, (ag, dg) in count.items() if ag + dg >= 3 and 10 * dg >= 7 * (ag + dg)}
        if yes and no:
            divided[s] = (yes, no)
    return consensus, divided


@given(scenarios())
def test_the_rules_match_the_reference(case):
    result = summarize(*case)
    consensus, divided = reference(*case)
    assert set(result.consensus) == consensus
    assert {d.statement: (set(d.agreeing), set(d.rejecting)) for d in result.divisions} == divided
    assert not set(result.consensus) & {d.statement for d in result.divisions}


@given(scenarios(), st.randoms(use_true_random=False))
def test_relabelling_voters_changes_nothing(case, rnd):
    statements, ballots, building_of = case
    ids = list(range(len(building_of)))
    new = dict(zip(ids, rnd.sample(range(1000, 1000 + 3 * len(ids) + 1), len(ids)), strict=True))
    moved = [Ballot(new[b.voter], b.statement, b.vote) for b in ballots]
    assert summarize(statements, moved, {new[v]: g for v, g in building_of.items()}) == summarize(*case)


@given(scenarios(), st.permutations(("1", "2", "6", "10", "B3", "7", "11", "C1")))
def test_relabelling_buildings_maps_the_result(case, names):
    statements, ballots, building_of = case
    rename = dict(zip(NAMES, names, strict=False))
    before = summarize(*case)
    after = summarize(statements, ballots, {v: rename.get(g) for v, g in building_of.items()})
    assert after.overall == before.overall and after.consensus == before.consensus
    assert (after.participants, after.unplaced) == (before.participants, before.unplaced)
    assert after.by_building == {rename[g]: t for g, t in before.by_building.items()}
    assert after.participation == {rename[g]: n for g, n in before.participation.items()}
    assert after.top_by_building == {rename[g]: s for g, s in before.top_by_building.items()}
    assert [(d.statement, set(d.agreeing), set(d.rejecting)) for d in after.divisions] == [
        (d.statement, {rename[g] for g in d.agreeing}, {rename[g] for g in d.rejecting})
        for d in before.divisions]


@given(scenarios(), st.randoms(use_true_random=False))
def test_the_order_of_ballots_changes_nothing(case, rnd):
    statements, ballots, building_of = case
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert summarize(statements, shuffled, building_of) == summarize(*case)


@given(scenarios(), st.data())
def test_more_agreement_never_undoes_a_consensus(case, data):
    statements, ballots, building_of = case
    before = summarize(*case)
    assume(before.consensus)
    s = data.draw(st.sampled_from(before.consensus))
    newcomers = data.draw(st.lists(st.sampled_from((*NAMES, "12", "D4", None)), min_size=1, max_size=30))
    more, where = list(ballots), dict(building_of)
    for i, building in enumerate(newcomers):
        voter = 10_000 + i
        where[voter] = building
        more.append(Ballot(voter, s, AGREE))
        for other in statements:  # whatever they think of the rest
            vote = data.draw(st.sampled_from((AGREE, DISAGREE, PASS, None)))
            if other != s and vote is not None:
                more.append(Ballot(voter, other, vote))
    assert s in summarize(statements, more, where).consensus


# -- the next statement --------------------------------------------------------------------------

def test_the_least_voted_statement_comes_next():
    counts = {1: 5, 2: 3, 3: 3, 4: 9}
    assert next_statement([1, 2, 3, 4], counts, set()) == 2
    assert next_statement([1, 2, 3, 4], counts, {2}) == 3
    assert next_statement([1, 2, 3, 4], counts, {2, 3}) == 1
    assert next_statement([1, 2, 3, 4, 7], counts, {2, 3}) == 7  # new: no votes yet
    assert next_statement([1, 2], counts, {1, 2}) is None
    assert next_statement([], {}, ()) is None


# -- opinion groups ------------------------------------------------------------------------------

def two_camps():
    """60 voters: even ids agree with 5-9 and reject 10-14, odd ids the opposite; all agree with
    1 and 2; every seventh voter passes on one statement."""
    ballots = []
    for v in range(60):
        for s in (1, 2):
            ballots.append(Ballot(v, s, AGREE))
        for s in range(5, 15):
            mine = (s < 10) == (v % 2 == 0)
            vote = PASS if v % 7 == 0 and s == 5 + v % 10 else AGREE if mine else DISAGREE
            ballots.append(Ballot(v, s, vote))
    return [1, 2, *range(5, 15)], ballots


def test_two_planted_camps_are_found():
    statements, ballots = two_camps()
    found = opinion_groups(statements, ballots)
    assert found.groups == (frozenset(range(0, 60, 2)), frozenset(range(1, 60, 2)))
    assert found.agrees_on == ((5, 6, 7, 8, 9), (10, 11, 12, 13, 14))
    assert found.group_of(4) == 0 and found.group_of(7) == 1 and found.group_of(99) is None
    assert found.by_voter()[3] == "B"
    rnd = random.Random(7)
    for _ in range(3):
        rnd.shuffle(ballots)
        assert opinion_groups(list(reversed(statements)), ballots) == found


def test_uniform_votes_give_no_groups_or_stable_ones():
    statements = list(range(1, 11))
    assert opinion_groups(statements, [Ballot(v, s, AGREE) for v in range(30) for s in statements]) \
        == OpinionGroups()
    rnd = random.Random(3)
    ballots = [Ballot(v, s, rnd.choice((AGREE, DISAGREE, PASS))) for v in range(40) for s in statements]
    found = opinion_groups(statements, ballots)
    for _ in range(3):
        rnd.shuffle(ballots)
        assert opinion_groups(statements, ballots) == found


def test_too_few_voters_or_votes_give_no_groups():
    statements, ballots = two_camps()
    assert opinion_groups(statements, [b for b in ballots if b.voter < 5]) == OpinionGroups()
    assert opinion_groups([5], ballots) == OpinionGroups()
    few = [b for b in ballots if b.voter >= 6 or b.statement in (1, 2, 5)]  # voters 0-5: 3 votes
    found = opinion_groups(statements, few)
    assert len(found.groups) == 2 and not any(found.group_of(v) is not None for v in range(6))


def test_group_letters():
    assert [letter(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


# -- the heat map --------------------------------------------------------------------------------

def test_the_heat_map_renders_in_chinese(caplog):
    from PIL import Image

    from bot import charts
    from bot.i18n import Translator

    t = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    rnd = random.Random(1)
    rows = [(f"#{n} 停车位不应占用绿地，应该优先保留儿童游乐场{n}",
             [None if rnd.random() < 0.15 else rnd.random() for _ in range(5)]) for n in range(1, 16)]
    columns = ["全体", "6栋", "7栋", "观点组A", "观点组B"]
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG, "matplotlib"):
        warnings.simplefilter("always")
        png = charts.render_consultation_png(rows, columns, "征求意见 #2：停车位怎么分？", t)
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records
                                              if r.levelno >= logging.WARNING]
    assert not [s for s in said if any(word in s.lower() for word in MISSING)], said
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = Image.open(io.BytesIO(png)).size
    assert width == charts.WIDTH and 600 < height < 1200
    tall = charts.render_consultation_png(rows * 4, columns, "标题", t)
    assert Image.open(io.BytesIO(tall)).size[1] <= 200 + 46 * charts.HEAT_ROWS
