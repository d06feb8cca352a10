"""Owner votes (业主表决) counted as PRC Civil Code art. 278 requires.

Art. 278 para. 2: a matter decided by the owners needs owners holding at least two
thirds of the floor area of the exclusive parts AND at least two thirds of the owners
by headcount to take part (the quorum). Then:

- major matters (items 6-8: using or raising the maintenance fund, rebuilding,
  changing the use of common parts or running a business on them; this bot also
  configures elevator replacement or addition as major) need the agreement of at
  least three quarters of the participating area AND of the participating owners;
- other matters need more than half of the participating area AND of the
  participating owners ("more than half": exactly half fails).

How this module counts:

- Areas are integers in hundredths of a square metre; every comparison is exact
  integer cross-multiplication, never floats.
- Each owner counts once by headcount, with the areas of all their units summed
  (``owner_key``): the developer's unsold units are one owner; units with the same
  owner label are one owner; any other unit is its own owner.
- An owner's choice is their latest ballot (highest ``seq``; ties broken by household
  id, then choice, so the result never depends on the order ballots arrive) over all
  their units. Abstentions take part but do not agree.
- Ballots for households outside the given list are ignored: the caller passes the
  vote's eligible, in-scope units.
- A vote nobody has taken part in meets no quorum and approves nothing.
- "Non-voters follow the majority" (从众), where the management rules allow it, is
  reported beside the raw count as ``deemed``, never instead of it: the non-voters are
  deemed to vote with the choice that leads the participants by both headcount and
  area. When no choice leads on both, there is no deemed tally (``deemed_unclear``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import accumulate

from bot.domain.roles import normalize_building

CHOICES = ("agree", "disagree", "abstain")
QUORUM = Fraction(2, 3)
MAJOR_APPROVAL = Fraction(3, 4)
ORDINARY_APPROVAL = Fraction(1, 2)
DEVELOPER_KEY = "developer"


@dataclass(frozen=True)
class Household:
    """One unit of the registry; ``area`` in centi-m² (89.50 m² = 8950)."""

    id: int
    building: str
    entrance: str
    unit: str
    area: int
    owner: str = ""
    developer: bool = False

    @property
    def label(self) -> str:
        return "-".join(part for part in (self.building, self.entrance, self.unit) if part)


def owner_key(h: Household) -> str:
    """Who the household belongs to, for counting heads."""
    if h.developer:
        return DEVELOPER_KEY
    owner = "".join(h.owner.split()).casefold()
    return f"owner:{owner}" if owner else f"unit:{h.label}"


def in_scope(h: Household, scope: Sequence[str]) -> bool:
    """Scope items are "6" (building 6) or "6-2" (its entrance 2); empty means everyone."""
    if not scope:
        return True
    for item in scope:
        building, dash, entrance = item.partition("-")
        if h.building == building and (not dash or h.entrance == entrance):
            return True
    return False


# Commas split items; so does a space, unless an entrance, a suffix or a dash follows it.
_SCOPE_SPLIT = re.compile(
    r"[,，、;；]+|(?<![-－\s])\s+(?![-－\s]|\d+\s*(?:单元|單元)|单元|單元|号楼|號樓|栋|棟|幢|座)")
_SCOPE_ITEM = re.compile(
    r"(?P<b>[0-9A-Za-z]+)(?P<s>\s*(?:号楼|號樓|栋|棟|幢|座))?"
    r"(?:\s*[-－]\s*(?P<e>\d+)(?:\s*(?:单元|單元))?|(?(s)\s*|\s+)(?P<f>\d+)\s*(?:单元|單元))?"
)
_EVERYONE = {"all", "全部", "全体", "全體"}


def parse_scope(text: str) -> tuple[str, ...] | None:
    """ "6栋" -> ("6",); "6号楼 2单元" -> ("6-2",); "6、7栋" -> ("6", "7"); None if unreadable.

    An empty text (or "all", "全部", "全体") is the empty scope: everyone.
    """
    text = text.strip()
    if not text or text.casefold() in _EVERYONE:
        return ()
    items: list[str] = []
    for piece in filter(None, _SCOPE_SPLIT.split(text)):
        match = _SCOPE_ITEM.fullmatch(piece.strip())
        if not match:
            return None
        building = normalize_building(match["b"])
        entrance = match["e"] or match["f"]
        item = f"{building}-{int(entrance)}" if entrance else building
        if item not in items:
            items.append(item)
    return tuple(items) or None


@dataclass(frozen=True)
class Ballot:
    household: int
    choice: str
    seq: int

    def __post_init__(self) -> None:
        if self.choice not in CHOICES:
            raise ValueError(f"unknown choice {self.choice!r}")


@dataclass(frozen=True)
class Rule:
    major: bool = False
    follow_majority: bool = False


def _reaches(part: int, whole: int, threshold: Fraction, inclusive: bool = True) -> bool:
    """part/whole >= threshold (or > when not inclusive), exactly."""
    left, right = part * threshold.denominator, whole * threshold.numerator
    return left >= right if inclusive else left > right


def _share(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


@dataclass(frozen=True)
class OwnerTally:
    """The count of one owner vote: heads are owners, areas centi-m², shares exact Fractions."""

    rule: Rule
    eligible_heads: int
    eligible_area: int
    participating_heads: int
    participating_area: int
    agree_heads: int
    agree_area: int
    disagree_heads: int
    disagree_area: int
    abstain_heads: int
    abstain_area: int
    quorum_heads_met: bool
    quorum_area_met: bool
    approve_heads_met: bool
    approve_area_met: bool
    majority: str | None          # the choice leading participants on both heads and area
    more_for_quorum: int | None   # fewest further owners whose taking part meets the quorum
    more_to_pass: int | None      # fewest further owners who, all agreeing, make the vote pass
    pending: tuple[int, ...]      # ids of the households whose owner has not voted
    deemed: OwnerTally | None = None  # the count with non-voters following the majority
    deemed_unclear: bool = False      # follow_majority is on, but no choice leads on both

    @property
    def quorum_threshold(self) -> Fraction:
        return QUORUM

    @property
    def approval_threshold(self) -> Fraction:
        return MAJOR_APPROVAL if self.rule.major else ORDINARY_APPROVAL

    @property
    def approval_inclusive(self) -> bool:
        """True: "at least" the threshold (major); False: "more than" it (ordinary)."""
        return self.rule.major

    @property
    def quorum_met(self) -> bool:
        return self.quorum_heads_met and self.quorum_area_met

    @property
    def approved(self) -> bool:
        return self.approve_heads_met and self.approve_area_met

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.approved

    def heads_of(self, choice: str) -> int:
        return getattr(self, f"{choice}_heads") if choice in CHOICES else 0

    def area_of(self, choice: str) -> int:
        return getattr(self, f"{choice}_area") if choice in CHOICES else 0

    @property
    def heads_participation(self) -> Fraction:
        return _share(self.participating_heads, self.eligible_heads)

    @property
    def area_participation(self) -> Fraction:
        return _share(self.participating_area, self.eligible_area)

    def heads_share(self, choice: str) -> Fraction:
        """Share of the participating owners who chose ``choice``."""
        return _share(self.heads_of(choice), self.participating_heads)

    def area_share(self, choice: str) -> Fraction:
        return _share(self.area_of(choice), self.participating_area)

    @property
    def agree_heads_share(self) -> Fraction:
        return self.heads_share("agree")

    @property
    def agree_area_share(self) -> Fraction:
        return self.area_share("agree")


def owners_of(households: Sequence[Household]) -> dict[str, list[Household]]:
    """The eligible units grouped by owner (``owner_key``), each owner counted once."""
    owners: dict[str, list[Household]] = {}
    seen: set[int] = set()
    for h in households:
        if h.id in seen:
            raise ValueError(f"household {h.id} listed twice")
        seen.add(h.id)
        owners.setdefault(owner_key(h), []).append(h)
    return owners


def latest_by_owner(owners: Mapping[str, list[Household]], ballots: Iterable[Ballot]) -> dict[str, Ballot]:
    """Each owner's ballot that counts: their latest over all their units."""
    key_of = {h.id: key for key, units in owners.items() for h in units}
    latest: dict[str, Ballot] = {}
    for ballot in ballots:
        key = key_of.get(ballot.household)
        if key is None:
            continue
        held = latest.get(key)
        if held is None or _order(ballot) > _order(held):
            latest[key] = ballot
    return latest


def count(households: Sequence[Household], ballots: Iterable[Ballot], rule: Rule = Rule()) -> OwnerTally:
    """Count an owner vote over ``households`` (the eligible units) and ``ballots``."""
    owners = owners_of(households)
    choices = {key: ballot.choice for key, ballot in latest_by_owner(owners, ballots).items()}
    raw = _tally(owners, choices, rule)
    if not rule.follow_majority or not raw.participating_heads:
        return raw
    if raw.majority is None:
        return replace(raw, deemed_unclear=True)
    everyone = {key: choices.get(key, raw.majority) for key in owners}
    return replace(raw, deemed=_tally(owners, everyone, rule))


def _order(ballot: Ballot) -> tuple[int, int, int]:
    return ballot.seq, ballot.household, CHOICES.index(ballot.choice)


def _tally(owners: Mapping[str, list[Household]], choices: Mapping[str, str], rule: Rule) -> OwnerTally:
    area = {key: sum(h.area for h in units) for key, units in owners.items()}
    heads_by = dict.fromkeys(CHOICES, 0)
    area_by = dict.fromkeys(CHOICES, 0)
    for key, choice in choices.items():
        heads_by[choice] += 1
        area_by[choice] += area[key]
    eligible_heads, eligible_area = len(owners), sum(area.values())
    heads, part_area = len(choices), sum(area_by.values())
    approval, inclusive = (MAJOR_APPROVAL, True) if rule.major else (ORDINARY_APPROVAL, False)

    def quorum(h: int, a: int) -> tuple[bool, bool]:
        return h > 0 and _reaches(h, eligible_heads, QUORUM), h > 0 and _reaches(a, eligible_area, QUORUM)

    def approve(agree_h: int, agree_a: int, h: int, a: int) -> tuple[bool, bool]:
        return (h > 0 and _reaches(agree_h, h, approval, inclusive),
                h > 0 and _reaches(agree_a, a, approval, inclusive))

    # For a fixed number k of further owners, taking part helps the quorum more the larger
    # their area, and agreeing helps approval more the larger their area (agree_a + x against
    # threshold * (a + x) with threshold < 1). So the k largest non-voters are always the best
    # k to add, and scanning k upwards over them finds the fewest owners needed.
    waiting = sorted((area[key] for key in owners if key not in choices), reverse=True)
    added = list(accumulate(waiting, initial=0))
    more_for_quorum = more_to_pass = None
    for k, x in enumerate(added):
        if more_for_quorum is None and all(quorum(heads + k, part_area + x)):
            more_for_quorum = k
        if all(quorum(heads + k, part_area + x)) and all(
                approve(heads_by["agree"] + k, area_by["agree"] + x, heads + k, part_area + x)):
            more_to_pass = k  # passing implies the quorum, so more_for_quorum is set by now
            break

    majority = next((c for c in CHOICES if all(
        heads_by[c] > heads_by[o] and area_by[c] > area_by[o] for o in CHOICES if o != c)), None)
    quorum_heads, quorum_area = quorum(heads, part_area)
    approve_heads, approve_area = approve(heads_by["agree"], area_by["agree"], heads, part_area)
    return OwnerTally(
        rule=rule,
        eligible_heads=eligible_heads, eligible_area=eligible_area,
        participating_heads=heads, participating_area=part_area,
        agree_heads=heads_by["agree"], agree_area=area_by["agree"],
        disagree_heads=heads_by["disagree"], disagree_area=area_by["disagree"],
        abstain_heads=heads_by["abstain"], abstain_area=area_by["abstain"],
        quorum_heads_met=quorum_heads, quorum_area_met=quorum_area,
        approve_heads_met=approve_heads, approve_area_met=approve_area,
        majority=majority, more_for_quorum=more_for_quorum, more_to_pass=more_to_pass,
        pending=tuple(sorted(h.id for key, units in owners.items() if key not in choices for h in units)),
    )
