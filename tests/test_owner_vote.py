"""Owner votes under Civil Code art. 278: hand-computed cases, building 6, and properties."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.owner_vote import (
    CHOICES,
    Ballot,
    Household,
    OwnerTally,
    Rule,
    count,
    in_scope,
    owner_key,
    parse_scope,
)

MAJOR, ORDINARY = Rule(major=True), Rule()


def units(*areas: int, **kwargs) -> list[Household]:
    """Households 1..n in building 6 entrance 1 with the given centi-m² areas."""
    return [Household(i, "6", "1", f"{100 + i}", area, **kwargs) for i, area in enumerate(areas, 1)]


def votes(*choices: str | None) -> list[Ballot]:
    """One ballot per household 1..n; None leaves that household silent."""
    return [Ballot(i, c, i) for i, c in enumerate(choices, 1) if c]


# --- registry helpers ---------------------------------------------------------------------------

def test_labels_and_owner_keys():
    assert Household(1, "6", "2", "301", 8950).label == "6-2-301"
    assert Household(1, "6", "", "301", 8950).label == "6-301"
    a = Household(1, "6", "1", "101", 8950, owner="Zhang Wei")
    b = Household(2, "7", "", "502", 12035, owner=" zhang  wei ")
    c = Household(3, "6", "1", "102", 8950, owner="张 伟")
    d = Household(4, "6", "1", "103", 8950, owner="张伟")
    assert owner_key(a) == owner_key(b) != owner_key(c) == owner_key(d)
    dev1 = Household(5, "6", "1", "1501", 8950, developer=True)
    dev2 = Household(6, "7", "", "1502", 8950, owner="Some Company", developer=True)
    assert owner_key(dev1) == owner_key(dev2)
    plain = [Household(7, "6", "1", "201", 8950), Household(8, "6", "1", "202", 8950)]
    assert len({owner_key(h) for h in [*plain, a, dev1]}) == 4
    assert owner_key(Household(9, "6", "1", "201", 1, owner="developer")) != owner_key(dev1)


def test_scope():
    h = Household(1, "6", "2", "301", 8950)
    assert in_scope(h, ())
    assert in_scope(h, ("6",)) and in_scope(h, ("6-2",)) and in_scope(h, ("7", "6-2"))
    assert not in_scope(h, ("6-1",)) and not in_scope(h, ("7",)) and not in_scope(h, ("16",))
    assert in_scope(Household(2, "6", "", "301", 1), ("6",))
    assert not in_scope(Household(2, "6", "", "301", 1), ("6-2",))


@pytest.mark.parametrize(("text", "scope"), [
    ("6栋", ("6",)), ("6號樓", ("6",)), ("6幢", ("6",)), ("6", ("6",)),
    ("6号楼 2单元", ("6-2",)), ("6棟2單元", ("6-2",)), ("6-2", ("6-2",)), ("6 - 02", ("6-2",)),
    ("6,7", ("6", "7")), ("6，7", ("6", "7")), ("6、7栋", ("6", "7")), ("6栋 7栋", ("6", "7")),
    ("6 7", ("6", "7")), ("6-1、6-2", ("6-1", "6-2")), ("b6座", ("B6",)), ("6,6栋", ("6",)),
    ("", ()), ("全部", ()), ("all", ()),
    ("六栋", None), ("2单元", None), ("6栋/后山", None), ("62单元", None), (",", None),
])
def test_parse_scope(text, scope):
    assert parse_scope(text) == scope


def test_ballot_choice_is_checked():
    with pytest.raises(ValueError):
        Ballot(1, "yes", 1)


def test_a_household_listed_twice_is_an_error():
    h = Household(1, "6", "1", "101", 8950)
    with pytest.raises(ValueError):
        count([h, h], [], MAJOR)


# --- hand-computed cases ------------------------------------------------------------------------

def test_quorum_at_exactly_two_thirds_and_one_centi_below():
    at = count(units(10000, 10000, 10000), votes("agree", "agree", None), ORDINARY)
    assert (at.participating_heads, at.participating_area) == (2, 20000)
    assert at.quorum_heads_met and at.quorum_area_met and at.quorum_met and at.passed
    below = count(units(10000, 9999, 10001), votes("agree", "agree", None), ORDINARY)
    assert below.quorum_heads_met and not below.quorum_area_met and not below.quorum_met
    assert below.approved and not below.passed
    # by headcount: 4 of 6 owners is exactly two thirds, 3 of 6 is not
    big_area = units(1, 1, 100, 100, 1, 1)
    four = count(big_area, votes("agree", "agree", "agree", "agree", None, None), ORDINARY)
    assert four.quorum_heads_met and four.quorum_area_met
    three = count(big_area, votes(None, "agree", "agree", "agree", None, None), ORDINARY)
    assert not three.quorum_heads_met and three.quorum_area_met and not three.passed
    assert three.more_for_quorum == 1


def test_major_passes_at_exactly_three_quarters():
    tally = count(units(2500, 2500, 2500, 2500), votes("agree", "agree", "agree", "disagree"), MAJOR)
    assert tally.agree_heads_share == tally.agree_area_share == Fraction(3, 4)
    assert tally.approve_heads_met and tally.approve_area_met and tally.passed
    assert tally.approval_threshold == Fraction(3, 4) and tally.approval_inclusive
    # one centi-m² short of three quarters of the area
    short = count(units(2500, 2500, 2499, 2501), votes("agree", "agree", "agree", "disagree"), MAJOR)
    assert short.approve_heads_met and not short.approve_area_met and not short.passed
    # two of three owners agreeing is short by heads, whatever their area
    heads = count(units(9000, 9000, 1), votes("agree", "agree", "disagree"), MAJOR)
    assert heads.approve_area_met and not heads.approve_heads_met and not heads.passed


def test_ordinary_needs_more_than_half():
    half = count(units(2500, 2500, 2500, 2500), votes("agree", "agree", "disagree", "disagree"), ORDINARY)
    assert half.agree_heads_share == half.agree_area_share == Fraction(1, 2)
    assert not half.approve_heads_met and not half.approve_area_met and not half.passed
    assert half.approval_threshold == Fraction(1, 2) and not half.approval_inclusive
    area_half = count(units(3000, 2000, 5000), votes("agree", "agree", "disagree"), ORDINARY)
    assert area_half.approve_heads_met and not area_half.approve_area_met and not area_half.passed
    just_over = count(units(3001, 2000, 5000), votes("agree", "agree", "disagree"), ORDINARY)
    assert just_over.agree_area_share == Fraction(5001, 10001)
    assert just_over.approve_area_met and just_over.passed
    # and the same just-over-half would fail a major matter
    assert not count(units(3001, 2000, 5000), votes("agree", "agree", "disagree"), MAJOR).passed


def test_one_owner_of_three_units_counts_once_with_summed_area():
    registry = [
        Household(1, "6", "1", "101", 8950, owner="张伟"),
        Household(2, "6", "1", "102", 12035, owner="张 伟"),
        Household(3, "7", "", "301", 10000, owner=" 张伟"),
        Household(4, "6", "1", "201", 8950),
        Household(5, "6", "1", "202", 12035),
    ]
    tally = count(registry, [Ballot(2, "agree", 1)], MAJOR)
    assert (tally.eligible_heads, tally.eligible_area) == (3, 8950 + 12035 + 10000 + 8950 + 12035)
    assert (tally.participating_heads, tally.participating_area) == (1, 30985)
    assert tally.pending == (4, 5)
    # voting again through another of the units replaces, never adds
    again = count(registry, [Ballot(2, "agree", 1), Ballot(3, "disagree", 2), Ballot(1, "agree", 3)], MAJOR)
    assert (again.participating_heads, again.agree_heads, again.agree_area) == (1, 1, 30985)
    changed = count(registry, [Ballot(2, "agree", 1), Ballot(3, "disagree", 2)], MAJOR)
    assert (changed.agree_heads, changed.disagree_heads, changed.disagree_area) == (0, 1, 30985)


def test_developer_unsold_units_count_once_together():
    registry = [
        *units(8950, 8950, 8950),
        Household(4, "6", "2", "1501", 8950, developer=True),
        Household(5, "6", "2", "1502", 12035, developer=True, owner="某某置业"),
        Household(6, "7", "", "1601", 10000, developer=True),
    ]
    tally = count(registry, votes("agree", "agree", None, "disagree"), MAJOR)
    assert (tally.eligible_heads, tally.eligible_area) == (4, 3 * 8950 + 8950 + 12035 + 10000)
    assert (tally.disagree_heads, tally.disagree_area) == (1, 30985)
    assert tally.pending == (3,)


def test_co_owners_latest_ballot_wins_whatever_the_order():
    registry = units(8950, 8950, 8950)
    ballots = [Ballot(1, "agree", 1), Ballot(1, "disagree", 5), Ballot(1, "abstain", 3),
               Ballot(2, "agree", 2)]
    for order in (ballots, ballots[::-1]):
        tally = count(registry, order, ORDINARY)
        assert (tally.agree_heads, tally.disagree_heads, tally.abstain_heads) == (1, 1, 0)
    # two ballots cast at the same seq for one owner: the higher household id, then choice, wins
    shared = [Household(1, "6", "1", "101", 8950, owner="Li"),
              Household(2, "6", "1", "102", 8950, owner="li")]
    tie = [Ballot(2, "agree", 7), Ballot(1, "disagree", 7), Ballot(2, "abstain", 7)]
    for order in (tie, tie[::-1]):
        assert count(shared, order, ORDINARY).abstain_heads == 1


def test_ballots_outside_the_list_are_ignored():
    registry = units(8950, 8950, 8950)
    tally = count(registry, [Ballot(1, "agree", 1), Ballot(99, "disagree", 2), Ballot(0, "agree", 3)], MAJOR)
    assert (tally.participating_heads, tally.agree_heads, tally.disagree_heads) == (1, 1, 0)


def test_abstentions_take_part_but_do_not_agree():
    registry = units(2500, 2500, 2500, 2500)
    with_abstain = count(registry, votes("agree", "agree", "disagree", "abstain"), ORDINARY)
    assert with_abstain.quorum_met
    assert (with_abstain.participating_heads, with_abstain.abstain_heads, with_abstain.abstain_area) == (
        4, 1, 2500)
    assert not with_abstain.approved  # 2 of 4 is not more than half
    assert count(registry, votes("agree", "agree", "disagree", None), ORDINARY).passed
    assert with_abstain.heads_share("abstain") == Fraction(1, 4)


def test_zero_participation():
    registry = units(8950, 12035, 8950)
    for rule in (MAJOR, ORDINARY, Rule(major=True, follow_majority=True)):
        tally = count(registry, [], rule)
        assert tally.participating_heads == tally.participating_area == 0
        assert not tally.quorum_met and not tally.approve_heads_met and not tally.approve_area_met
        assert not tally.approved and not tally.passed
        assert tally.heads_participation == tally.agree_area_share == 0
        assert tally.more_for_quorum == 2 and tally.more_to_pass == 2
        assert tally.deemed is None and not tally.deemed_unclear and tally.majority is None
        assert tally.pending == (1, 2, 3)
    empty = count([], [Ballot(1, "agree", 1)], MAJOR)
    assert empty.eligible_heads == 0 and not empty.quorum_heads_met and not empty.passed
    assert empty.more_for_quorum is None and empty.more_to_pass is None


def test_more_to_pass_is_none_when_too_many_disagree():
    tally = count(units(1000, 1000, 1000, 1000, 1000), votes("disagree", "disagree", None, None, None), MAJOR)
    assert tally.more_for_quorum == 2 and tally.more_to_pass is None
    ordinary = count(units(1000, 1000, 1000, 1000, 1000), votes("disagree", "disagree", None, None, None))
    assert ordinary.more_to_pass == 3


def test_follow_majority_with_a_clear_majority():
    rule = Rule(major=True, follow_majority=True)
    tally = count(units(1000, 1000, 1000, 1000, 1000, 1000), votes("agree", "agree", "disagree"), rule)
    assert not tally.quorum_met and not tally.passed and tally.majority == "agree"
    deemed = tally.deemed
    assert isinstance(deemed, OwnerTally) and not tally.deemed_unclear
    assert (deemed.participating_heads, deemed.agree_heads, deemed.agree_area) == (6, 5, 5000)
    assert deemed.passed and deemed.pending == () and deemed.deemed is None
    # the same ballots without the rule: no deemed count
    plain = count(units(1000, 1000, 1000, 1000, 1000, 1000), votes("agree", "agree", "disagree"), MAJOR)
    assert plain.deemed is None and not plain.deemed_unclear and plain.majority == "agree"


def test_follow_majority_with_an_unclear_majority():
    rule = Rule(major=True, follow_majority=True)
    # agree leads by heads (2 to 1), disagree by area (5000 to 2000)
    split = count(units(1000, 1000, 5000, 1000), votes("agree", "agree", "disagree"), rule)
    assert split.majority is None and split.deemed is None and split.deemed_unclear
    # a tie on both is no lead either
    tie = count(units(1000, 1000, 1000), votes("agree", "disagree"), rule)
    assert tie.majority is None and tie.deemed is None and tie.deemed_unclear
    # abstaining can be the majority: non-voters are then deemed to abstain
    abstain = count(units(1000, 1000, 1000, 1000), votes("abstain", "abstain", "agree"), rule)
    assert abstain.majority == "abstain" and abstain.deemed is not None
    assert abstain.deemed.abstain_heads == 3 and not abstain.deemed.passed


# --- building 6: sixty households, hand-computed ----------------------------------------------

def building_6() -> list[Household]:
    """Entrances 1 and 2, floors 1-15, units x01 (89.50 m²) and x02 (120.35 m²).

    Zhang Wei owns 6-1-301 and 6-1-302; the developer has not sold 6-2-1501 and 6-2-1502.
    """
    registry = []
    for entrance in ("1", "2"):
        for floor in range(1, 16):
            for unit, area in (("01", 8950), ("02", 12035)):
                number = f"{floor}{unit}"
                hid = len(registry) + 1
                registry.append(Household(
                    hid, "6", entrance, number, area,
                    owner="张伟" if (entrance, floor) == ("1", 3) else "",
                    developer=(entrance, floor) == ("2", 15)))
    return registry


def building_6_ballots(agree_floors_2: range, extra: list[Household] = ()) -> list[Ballot]:
    """Entrance 1 agrees; entrance 2 floors in agree_floors_2 agree, the rest of floors 1-8
    disagree, floors 9-10 abstain; floors 11-15 of entrance 2 have not voted."""
    ballots = []
    for h in building_6():
        floor = int(h.unit[:-2])
        if h.entrance == "1" or floor in agree_floors_2:
            ballots.append(Ballot(h.id, "agree", h.id))
        elif floor <= 8:
            ballots.append(Ballot(h.id, "disagree", h.id))
        elif floor <= 10:
            ballots.append(Ballot(h.id, "abstain", h.id))
    ballots += [Ballot(h.id, "agree", 1000 + h.id) for h in extra]
    return ballots


def test_building_6_elevator_replacement():
    registry = building_6()
    assert len(registry) == 60 and registry[0].label == "6-1-101" and registry[-1].label == "6-2-1502"
    floor_pair = 8950 + 12035  # 20985: the two units of one floor
    tally = count(registry, building_6_ballots(range(1, 4)), MAJOR)
    # 60 units, but Zhang Wei's two and the developer's two are one owner each
    assert (tally.eligible_heads, tally.eligible_area) == (58, 30 * floor_pair)
    assert tally.eligible_area == 629550
    # entrance 1: 29 owners, 15 floors; entrance 2 floors 1-10: 20 owners
    assert (tally.participating_heads, tally.participating_area) == (49, 25 * floor_pair)
    assert (tally.agree_heads, tally.agree_area) == (29 + 6, 18 * floor_pair)
    assert (tally.disagree_heads, tally.disagree_area) == (10, 5 * floor_pair)
    assert (tally.abstain_heads, tally.abstain_area) == (4, 2 * floor_pair)
    # quorum: 49 * 3 = 147 >= 58 * 2 = 116; 25/30 of the area >= 2/3
    assert tally.quorum_met
    # approval: 35 * 4 = 140 < 49 * 3 = 147; 18/25 of the area < 3/4
    assert not tally.approve_heads_met and not tally.approve_area_met and not tally.passed
    assert tally.heads_participation == Fraction(49, 58) and tally.agree_area_share == Fraction(18, 25)
    # (35 + k) * 4 >= (49 + k) * 3 needs k >= 7; the 7 largest non-voters (the developer's
    # 209.85 m², four x02 units, two x01 units) add 870.25 m²:
    # 4 * (377730 + 87025) = 1859020 >= 3 * (524625 + 87025) = 1834950
    assert tally.more_to_pass == 7 and tally.more_for_quorum == 0
    waiting = [h for h in registry if h.entrance == "2" and int(h.unit[:-2]) >= 11]
    assert tally.pending == tuple(h.id for h in waiting)

    # the building convener goes door to door: the developer and six more households agree
    by_label = {h.label: h for h in waiting}
    persuaded = [by_label[label] for label in (
        "6-2-1501", "6-2-1102", "6-2-1202", "6-2-1302", "6-2-1402", "6-2-1101", "6-2-1201")]
    after = count(registry, building_6_ballots(range(1, 4), persuaded), MAJOR)
    assert (after.agree_heads, after.participating_heads) == (42, 56)
    assert after.agree_area == 377730 + 87025 and after.participating_area == 524625 + 87025
    assert after.passed and after.more_to_pass == 0
    # exactly three quarters by heads: 42 * 4 = 168 = 56 * 3
    # six are one too few by headcount: 41 * 4 = 164 < 55 * 3 = 165
    six = count(registry, building_6_ballots(range(1, 4), persuaded[:6]), MAJOR)
    assert not six.approve_heads_met and not six.passed and six.more_to_pass == 1

    # had floors 1-6 of entrance 2 agreed, it passes without them: 41 of 49, 21/25 of the area
    early = count(registry, building_6_ballots(range(1, 7)), MAJOR)
    assert (early.agree_heads, early.agree_area) == (41, 21 * floor_pair) and early.passed


# --- properties against an independent reference ----------------------------------------------

def ref_key(h: Household):
    if h.developer:
        return ("developer",)
    name = h.owner.replace(" ", "").lower()
    return ("owner", name) if name else ("unit", h.id)


def ref_choices(households, ballots):
    """Owner -> area, and owner -> choice of their latest ballot."""
    area, ids = {}, {}
    for h in households:
        area[ref_key(h)] = area.get(ref_key(h), 0) + h.area
        ids.setdefault(ref_key(h), set()).add(h.id)
    choice = {}
    for owner, theirs in ids.items():
        mine = [b for b in ballots if b.household in theirs]
        if mine:
            latest = max(mine, key=lambda b: (b.seq, b.household, CHOICES.index(b.choice)))
            choice[owner] = latest.choice
    return area, choice


def ref_outcome(area, choice, major):
    eligible_heads, eligible_area = len(area), sum(area.values())
    voters = list(choice)
    heads, part_area = len(voters), sum(area[o] for o in voters)
    agree = [o for o in voters if choice[o] == "agree"]
    agree_heads, agree_area = len(agree), sum(area[o] for o in agree)
    quorum_heads = heads > 0 and Fraction(heads, eligible_heads) >= Fraction(2, 3)
    quorum_area = heads > 0 and Fraction(part_area, eligible_area) >= Fraction(2, 3)
    if heads == 0:
        approve_heads = approve_area = False
    elif major:
        approve_heads = Fraction(agree_heads, heads) >= Fraction(3, 4)
        approve_area = Fraction(agree_area, part_area) >= Fraction(3, 4)
    else:
        approve_heads = Fraction(agree_heads, heads) > Fraction(1, 2)
        approve_area = Fraction(agree_area, part_area) > Fraction(1, 2)
    out = {
        "eligible_heads": eligible_heads, "eligible_area": eligible_area,
        "participating_heads": heads, "participating_area": part_area,
        "quorum_heads_met": quorum_heads, "quorum_area_met": quorum_area,
        "approve_heads_met": approve_heads, "approve_area_met": approve_area,
        "passed": quorum_heads and quorum_area and approve_heads and approve_area,
    }
    for c in CHOICES:
        out[f"{c}_heads"] = sum(1 for o in voters if choice[o] == c)
        out[f"{c}_area"] = sum(area[o] for o in voters if choice[o] == c)
    return out


def ref_majority(area, choice):
    for c in CHOICES:
        mine = [o for o in choice if choice[o] == c]
        if all(
            len(mine) > len(theirs) and sum(area[o] for o in mine) > sum(area[o] for o in theirs)
            for theirs in ([o for o in choice if choice[o] == d] for d in CHOICES if d != c)
        ):
            return c
    return None


def fewest(area, choice, major, goal):
    """Brute force: the fewest non-voters who, all agreeing, reach goal(outcome); else None."""
    waiting = [o for o in area if o not in choice]
    for k in range(len(waiting) + 1):
        for group in combinations(waiting, k):
            if goal(ref_outcome(area, {**choice, **dict.fromkeys(group, "agree")}, major)):
                return k
    return None


def fields(tally: OwnerTally) -> dict:
    return {name: getattr(tally, name) for name in ref_outcome({}, {}, False)}


areas = st.one_of(st.integers(1, 6), st.integers(1, 40_000))
owner_labels = st.sampled_from(["", "", "", "", "Li", "li ", "Wang", "王 芳", "王芳"])


@st.composite
def registries(draw, max_size=7):
    n = draw(st.integers(1, max_size))
    return [
        Household(i, "6", draw(st.sampled_from(["", "1", "2"])), f"{i}01", draw(areas),
                  owner=draw(owner_labels), developer=draw(st.sampled_from([False, False, False, True])))
        for i in range(1, n + 1)
    ]


@st.composite
def cases(draw, max_size=7):
    registry = draw(registries(max_size))
    ballot = st.builds(Ballot, household=st.integers(0, len(registry) + 1),
                       choice=st.sampled_from(CHOICES), seq=st.integers(0, 12))
    ballots = draw(st.lists(ballot, max_size=12))
    return registry, ballots, Rule(major=draw(st.booleans()), follow_majority=draw(st.booleans()))


@settings(max_examples=400)
@given(cases())
def test_count_agrees_with_the_reference(case):
    registry, ballots, rule = case
    tally = count(registry, ballots, rule)
    area, choice = ref_choices(registry, ballots)
    expected = ref_outcome(area, choice, rule.major)
    assert fields(tally) == expected
    assert tally.quorum_met == (expected["quorum_heads_met"] and expected["quorum_area_met"])
    assert tally.approved == (expected["approve_heads_met"] and expected["approve_area_met"])
    assert tally.majority == ref_majority(area, choice)
    voted = {h.id for h in registry if ref_key(h) in choice}
    assert tally.pending == tuple(sorted(h.id for h in registry if h.id not in voted))
    if not rule.follow_majority or not choice:
        assert tally.deemed is None and not tally.deemed_unclear
    elif tally.majority is None:
        assert tally.deemed is None and tally.deemed_unclear
    else:
        everyone = {o: choice.get(o, tally.majority) for o in area}
        assert fields(tally.deemed) == ref_outcome(area, everyone, rule.major)


@settings(max_examples=300)
@given(cases(max_size=8))
def test_more_for_quorum_and_more_to_pass_are_minimal_and_sufficient(case):
    """The greedy answers against every subset of the non-voters."""
    registry, ballots, rule = case
    tally = count(registry, ballots, rule)
    area, choice = ref_choices(registry, ballots)

    def quorum(o):
        return o["quorum_heads_met"] and o["quorum_area_met"]

    assert tally.more_for_quorum == fewest(area, choice, rule.major, quorum)
    assert tally.more_to_pass == fewest(area, choice, rule.major, lambda o: o["passed"])
    assert (tally.more_to_pass == 0) == tally.passed
    assert (tally.more_for_quorum == 0) == tally.quorum_met


@given(cases(), st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(case, rng):
    registry, ballots, rule = case
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert count(registry, shuffled, rule) == count(registry, ballots, rule)


@given(cases(), st.data())
def test_an_extra_agree_from_a_non_voter_never_undoes_a_pass(case, data):
    registry, ballots, rule = case
    before = count(registry, ballots, rule)
    if not before.pending:
        return
    newcomer = data.draw(st.sampled_from(before.pending))
    seq = max((b.seq for b in ballots), default=0) + 1
    after = count(registry, [*ballots, Ballot(newcomer, "agree", seq)], rule)
    assert after.participating_heads == before.participating_heads + 1
    assert after.agree_heads == before.agree_heads + 1
    if before.passed:
        assert after.passed
    if before.quorum_met:
        assert after.quorum_met


@given(cases())
def test_the_deemed_count_never_replaces_the_raw_one(case):
    registry, ballots, rule = case
    on = count(registry, ballots, replace(rule, follow_majority=True))
    off = count(registry, ballots, replace(rule, follow_majority=False))
    assert off.deemed is None and not off.deemed_unclear
    assert replace(on, rule=off.rule, deemed=None, deemed_unclear=False) == off
