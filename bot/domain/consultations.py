"""Consultations (征求意见): an open question, short statements, and what the community makes of them.

A convener asks a question; residents write short statements (at most 140 characters) and vote
on them one at a time: agree, disagree or pass. The results show what the whole community
shares across buildings, what divides it, and the groups of opinion the votes fall into (as
Pol.is does; see ``bot.domain.opinion_groups``). Nobody is shown how anyone voted.

The rules, in words residents can read (a *group* is a building or an opinion group):

- Passing is not taking a side. A statement's share in a group is its agreeing votes over its
  agreeing and disagreeing votes; passes count only as taking part.
- A group *agrees* with a statement when at least 3 of its voters took a side and at least 70%
  of them agree; it *rejects* it when at least 3 took a side and at least 70% disagree.
  7 agreeing out of 10 is exactly 70%: that agrees.
- A group *stands in the way* of a statement when at least 3 of its voters disagree and fewer
  than 70% of those who took a side agree. Two dissenters never stand in the way, and more
  people agreeing can never make a new obstacle: a consensus only grows firmer with support.
- **Consensus** (共识): the whole community agrees (at least 3 took a side, at least 70% agree)
  and no building stands in the way. Voters whose building is unknown count for the whole
  community only.
- **Division** (分歧): at least one building agrees and at least one other building rejects. A
  statement the community agrees with but one building rejects is a division, not a consensus
  (a building that rejects always stands in the way).
- A building is shown on its own only when at least 3 of its residents voted; everyone else
  still counts for the whole community (shown as "unplaced").
- One vote per voter and statement: the current one. Hidden statements count for nothing.
- The next statement a voter is shown is one they have not voted on with the fewest votes so
  far (the lower number first), so later statements catch up with the early ones.

Arithmetic is exact (Fractions): 70% is 7/10, compared without rounding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from bot.domain.ideas import SIMILAR as SIMILAR  # a statement much like another one is shown it
from bot.domain.ideas import most_similar as most_similar
from bot.i18n import N_

AGREE, DISAGREE, PASS = 1, -1, 0
VOTES = (AGREE, DISAGREE, PASS)
MAX_QUESTION = 200  # characters
MAX_STATEMENT = 140  # characters
MAX_SEEDS = 10  # statements a convener may list with the question
HOURLY_LIMIT = 10  # statements one person may write to one consultation in an hour
MIN_GROUP = 3  # voters a group needs to be shown, to take a side, to stand in the way
THRESHOLD = Fraction(7, 10)
DEFAULT_DAYS = 14
MAX_DAYS = 92
TOP = 3  # statements shown per building

_SPACE = re.compile(r"\s+")
# "截止 12月20日", "截止时间：12月20日", "deadline: 20 Dec"; "范围 6栋、7栋", "scope: 6, 7"
_DEADLINE = re.compile(r"(?:(?:截止|截至)(?:日期|时间|時間|于|於|到)?|deadline\b)\s*[:：]?\s*", re.I)
_SCOPE = re.compile(r"(?:范围|範圍|scope\b)\s*[:：]?\s*", re.I)
# "1." "1、" "1)" "(1)" "-" "•" before a listed statement (not the "2." of "2.5米")
_MARKER = re.compile(r"(?:[(（][0-9０-９]{1,2}[)）]|[0-9０-９]{1,2}[.、．)）](?![0-9０-９])|[-•·*－])\s*")


class ConsultationError(ValueError):
    """Why a question, a statement or a command is refused: an English msgid and its parameters."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


# -- what conveners and residents write ----------------------------------------------------------

def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def check_statement(text: str) -> str:
    """The statement on one line, spaces collapsed; refused when empty or over MAX_STATEMENT."""
    text = _clean(text)
    if not text:
        raise ConsultationError(
            N_("Write the statement after the command, e.g. /statement 停车位不应占用绿地"))
    if len(text) > MAX_STATEMENT:
        raise ConsultationError(N_("A statement can be at most %(most)s characters; this one has %(count)s."),
                                most=MAX_STATEMENT, count=len(text))
    return text


def check_question(text: str) -> str:
    """The question on one line, spaces collapsed; refused when empty or over MAX_QUESTION."""
    text = _clean(text)
    if not text:
        raise ConsultationError(
            N_("Write the question after the command, e.g. /consult 小区停车位应该怎么分配？"))
    if len(text) > MAX_QUESTION:
        raise ConsultationError(N_("A question can be at most %(most)s characters; this one has %(count)s."),
                                most=MAX_QUESTION, count=len(text))
    return text


@dataclass(frozen=True)
class Draft:
    question: str
    deadline_text: str | None
    scope_text: str | None
    seeds: tuple[str, ...]


def parse_command(body: str) -> Draft:
    """What follows /consult: the question on the first line; then, on lines of their own, in any
    order, "截止 …" (截至, deadline) and "范围 …" (範圍, scope), and up to MAX_SEEDS statements to
    start with, one a line, list markers ("1.", "1、", "-", "•") dropped. The deadline and scope
    are returned as written, for the date and scope readers."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    question = check_question(lines[0] if lines else "")
    deadline = scope = None
    seeds: list[str] = []
    folded: dict[str, int] = {}
    for line in lines[1:]:
        if found := _DEADLINE.match(line):
            if deadline is not None:
                raise ConsultationError(N_("Give the deadline only once."))
            deadline = line[found.end():].strip()
            if not deadline:
                raise ConsultationError(N_("Write the deadline after 截止, e.g. 截止 12月20日"))
        elif found := _SCOPE.match(line):
            if scope is not None:
                raise ConsultationError(N_("Give the scope only once."))
            scope = line[found.end():].strip()
            if not scope:
                raise ConsultationError(N_("Write the buildings after 范围, e.g. 范围 6栋、7栋"))
        else:
            marker = _MARKER.match(line)
            seed = check_statement(line[marker.end():] if marker else line)
            key = unicodedata.normalize("NFKC", seed).casefold()
            if key in folded:
                raise ConsultationError(
                    N_("Statements %(first)s and %(second)s are the same; list each once."),
                    first=folded[key] + 1, second=len(seeds) + 1)
            folded[key] = len(seeds)
            seeds.append(seed)
            if len(seeds) > MAX_SEEDS:
                raise ConsultationError(N_("At most %(most)s statements can be listed with the question; "
                                           "residents add more with /statement."), most=MAX_SEEDS)
    return Draft(question, deadline, scope, tuple(seeds))


# -- counting ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ballot:
    voter: int  # opaque ids
    statement: int
    vote: int

    def __post_init__(self) -> None:
        if self.vote not in VOTES:
            raise ValueError(f"unknown vote {self.vote!r}")


@dataclass(frozen=True)
class Tally:
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def sided(self) -> int:
        """Votes that took a side."""
        return self.agree + self.disagree

    @property
    def votes(self) -> int:
        return self.agree + self.disagree + self.passed

    @property
    def share(self) -> Fraction | None:
        """Agreeing over sided votes; None when nobody took a side."""
        return Fraction(self.agree, self.sided) if self.sided else None

    @property
    def disagree_share(self) -> Fraction | None:
        return Fraction(self.disagree, self.sided) if self.sided else None


def agrees(tally: Tally) -> bool:
    """At least MIN_GROUP took a side and at least THRESHOLD of them agree."""
    return tally.sided >= MIN_GROUP and tally.agree >= THRESHOLD * tally.sided


def rejects(tally: Tally) -> bool:
    """At least MIN_GROUP took a side and at least THRESHOLD of them disagree."""
    return tally.sided >= MIN_GROUP and tally.disagree >= THRESHOLD * tally.sided


def stands_in_the_way(tally: Tally) -> bool:
    """At least MIN_GROUP disagree and fewer than THRESHOLD of the sided votes agree."""
    return tally.disagree >= MIN_GROUP and tally.agree < THRESHOLD * tally.sided


def is_consensus(everyone: Tally, buildings: Iterable[Tally]) -> bool:
    """The whole community agrees and no building stands in the way."""
    return agrees(everyone) and not any(stands_in_the_way(t) for t in buildings)


def current(ballots: Iterable[Ballot]) -> list[Ballot]:
    """The ballots, each (voter, statement) once; two different votes of one voter on one
    statement are the caller's mistake (pass the current vote only)."""
    held: dict[tuple[int, int], Ballot] = {}
    for ballot in ballots:
        key = (ballot.voter, ballot.statement)
        if held.setdefault(key, ballot).vote != ballot.vote:
            raise ValueError(f"two votes of voter {ballot.voter} on statement {ballot.statement}")
    return list(held.values())


def _tally(counts: list[int]) -> Tally:
    return Tally(counts[0], counts[1], counts[2])


_SLOT = {AGREE: 0, DISAGREE: 1, PASS: 2}


def tallies(ballots: Iterable[Ballot],
            group_of: Mapping[int, str | None]) -> dict[str | None, dict[int, Tally]]:
    """Per group (a voter's building, None when unknown), per statement voted on: the tally."""
    counts: dict[str | None, dict[int, list[int]]] = {}
    for ballot in current(ballots):
        per = counts.setdefault(group_of.get(ballot.voter), {}).setdefault(ballot.statement, [0, 0, 0])
        per[_SLOT[ballot.vote]] += 1
    return {group: {s: _tally(c) for s, c in per.items()} for group, per in counts.items()}


def overall(ballots: Iterable[Ballot]) -> dict[int, Tally]:
    """Per statement voted on: the whole community's tally."""
    return tallies(ballots, {}).get(None, {})


def natural(name: str) -> tuple:
    """A sort key that puts "6" before "10" and "B2" before "B10"."""
    parts = re.split(r"([0-9]+)", name)  # text, digits, text, digits, …
    return tuple((0, int(p), "") if i % 2 else (1, 0, p.casefold())
                 for i, p in enumerate(parts) if p), name


def ranked(statements: Iterable[int], tally_of: Mapping[int, Tally]) -> tuple[int, ...]:
    """Best supported first: higher share, then more sided votes, then the lower id."""
    def key(s: int) -> tuple:
        t = tally_of.get(s, Tally())
        return -(t.share or 0), -t.sided, s
    return tuple(sorted(statements, key=key))


@dataclass(frozen=True)
class Division:
    statement: int
    agreeing: tuple[str, ...]  # buildings, in natural order
    rejecting: tuple[str, ...]


def division(statement: int, buildings: Mapping[str, Tally]) -> Division | None:
    """The statement divides the buildings when one agrees and another rejects; else None."""
    agreeing = tuple(sorted((b for b, t in buildings.items() if agrees(t)), key=natural))
    rejecting = tuple(sorted((b for b, t in buildings.items() if rejects(t)), key=natural))
    return Division(statement, agreeing, rejecting) if agreeing and rejecting else None


@dataclass(frozen=True)
class Summary:
    overall: dict[int, Tally]  # every statement, in the order given
    by_building: dict[str, dict[int, Tally]]  # buildings with >= MIN_GROUP voters, natural order
    participants: int  # voters who voted on any statement (passes too)
    participation: dict[str, int]  # voters per shown building
    unplaced: int  # voters whose building is unknown or too small to show
    consensus: tuple[int, ...]  # best supported first (see ``ranked``)
    divisions: tuple[Division, ...]  # most buildings taking a side first, then by id
    top_by_building: dict[str, tuple[int, ...]]  # up to TOP statements each shown building agrees on


def summarize(statements: Sequence[int], ballots: Iterable[Ballot],
              building_of: Mapping[int, str | None]) -> Summary:
    """The results over the shown ``statements`` (others' ballots are ignored); a voter's
    building is ``building_of.get(voter)`` (None or empty: unknown)."""
    shown = tuple(dict.fromkeys(statements))
    visible = set(shown)
    kept = [b for b in current(ballots) if b.statement in visible]
    group_of = {b.voter: building_of.get(b.voter) or None for b in kept}
    by_group = tallies(kept, group_of)
    members: dict[str, int] = {}
    for building in group_of.values():
        if building is not None:
            members[building] = members.get(building, 0) + 1
    everyone = overall(kept)
    known = {b: per for b, per in by_group.items() if b is not None}
    big = sorted((b for b, n in members.items() if n >= MIN_GROUP), key=natural)
    consensus, divisions = [], []
    for s in shown:
        sides = {b: per[s] for b, per in known.items() if s in per}
        if is_consensus(everyone.get(s, Tally()), sides.values()):
            consensus.append(s)
        if (split := division(s, sides)) is not None:
            divisions.append(split)
    divisions.sort(key=lambda d: (-len(d.agreeing) - len(d.rejecting), d.statement))
    return Summary(
        overall={s: everyone.get(s, Tally()) for s in shown},
        by_building={b: {s: known[b].get(s, Tally()) for s in shown} for b in big},
        participants=len(group_of),
        participation={b: members[b] for b in big},
        unplaced=len(group_of) - sum(members[b] for b in big),
        consensus=ranked(consensus, everyone),
        divisions=tuple(divisions),
        top_by_building={b: ranked((s for s in shown if agrees(known[b].get(s, Tally()))), known[b])[:TOP]
                         for b in big},
    )


def next_statement(statements: Sequence[int], counts: Mapping[int, int], seen: Collection[int]) -> int | None:
    """The statement to show a voter next: one not in ``seen`` with the fewest votes so far
    (``counts``), the lower id first; None when they have voted on them all."""
    return min((s for s in statements if s not in seen), key=lambda s: (counts.get(s, 0), s), default=None)
