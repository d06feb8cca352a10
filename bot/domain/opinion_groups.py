"""Opinion groups (观点组) of a consultation: residents who tend to vote alike, found as Pol.is does.

- Each voter is a row of votes, one column per statement: agree 1, disagree -1, pass or not
  seen 0. Only voters who voted on at least 5 statements (all of them, when there are fewer)
  are grouped; with fewer than 6 such voters, or fewer than 2 statements, there are no groups.
- The rows are projected onto their two main directions (PCA) and split by k-means into 2 to 5
  groups; the split whose groups stand apart best in the votes themselves (silhouette score
  over the full rows) is kept, and none if even that one scores below 0.2: then the votes show
  no groups. Scoring the split on the two projected directions instead would favour splitting
  one camp into the tight clumps its few distinct voting patterns make there (a building's own
  statement, say), though those residents vote alike on almost everything.
- Groups of fewer than 3 voters are dropped (their voters are in no group); if fewer than two
  groups are left there are none. Groups are named A, B, … by size, largest first (ties: the
  group of the lowest voter id first).
- What a group stands for: the statements it agrees with (the rule of
  ``bot.domain.consultations.agrees``) that set it apart (its share minus the share of all other
  voters is at least 30 points) or that it shares with everyone else (both shares at least
  70%); the most distinctive first, at most 5. A statement no other voter took a side on is
  left out: nothing to compare it with.

Voters and statements are sorted before anything is computed and k-means is seeded, so the
same votes give the same groups whatever order they arrive in. Floats are used inside the
clustering only; the shares are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from bot.domain.consultations import MIN_GROUP, THRESHOLD, Ballot, Tally, agrees, current, tallies

MIN_VOTES = 5  # statements a voter must have voted on to be grouped
MOST_GROUPS = 5
MIN_SILHOUETTE = 0.2
DISTINCT = Fraction(3, 10)  # how far a group's share must stand above the others'
MOST_SHOWN = 5  # statements shown per group


def letter(index: int) -> str:
    """A group's name: 0 -> "A", 1 -> "B", … 25 -> "Z", 26 -> "AA"."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


@dataclass(frozen=True)
class OpinionGroups:
    groups: tuple[frozenset[int], ...] = ()  # voter ids: for tallies only, never shown
    agrees_on: tuple[tuple[int, ...], ...] = ()  # per group: the statements it stands for

    def group_of(self, voter: int) -> int | None:
        """The index of the voter's group, or None."""
        return next((i for i, group in enumerate(self.groups) if voter in group), None)

    def by_voter(self) -> dict[int, str]:
        """Each grouped voter's group letter, e.g. for ``tallies(ballots, groups.by_voter())``."""
        return {voter: letter(i) for i, group in enumerate(self.groups) for voter in group}


def opinion_groups(statements: Sequence[int], ballots: Iterable[Ballot], *, seed: int = 0) -> OpinionGroups:
    """The opinion groups among the votes on ``statements`` (see the module docstring)."""
    columns = sorted(set(statements))
    visible = set(columns)
    kept = [b for b in current(ballots) if b.statement in visible]
    votes_of: dict[int, dict[int, int]] = {}
    for ballot in kept:
        votes_of.setdefault(ballot.voter, {})[ballot.statement] = ballot.vote
    needed = min(MIN_VOTES, len(columns))
    voters = sorted(v for v, votes in votes_of.items() if len(votes) >= needed)
    if len(columns) < 2 or len(voters) < 2 * MIN_GROUP:
        return OpinionGroups()
    labels = _cluster([[votes_of[v].get(s, 0) for s in columns] for v in voters], seed)
    if labels is None:
        return OpinionGroups()
    found: dict[int, set[int]] = {}
    for voter, label in zip(voters, labels, strict=True):
        found.setdefault(label, set()).add(voter)
    groups = sorted((frozenset(g) for g in found.values() if len(g) >= MIN_GROUP),
                    key=lambda g: (-len(g), min(g)))
    if len(groups) < 2:
        return OpinionGroups()
    return OpinionGroups(tuple(groups), tuple(_stands_for(g, columns, kept) for g in groups))


def _cluster(rows: list[list[int]], seed: int) -> list[int] | None:
    """k-means labels of the rows projected by PCA, for the k of the best silhouette; None when
    no split is good enough."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    matrix = np.asarray(rows, dtype=float)
    if len(np.unique(matrix, axis=0)) < 2:
        return None  # everyone voted alike
    points = PCA(n_components=2, svd_solver="full").fit_transform(matrix)
    distinct = len(np.unique(points.round(9), axis=0))
    best: tuple[float, list[int]] | None = None
    for k in range(2, min(MOST_GROUPS, len(rows) - 1, distinct) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(points)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(matrix, labels))  # judged on the votes, not the projection
        if best is None or score > best[0]:
            best = score, [int(label) for label in labels]
    return best[1] if best is not None and best[0] >= MIN_SILHOUETTE else None


def _stands_for(group: frozenset[int], columns: list[int], ballots: list[Ballot]) -> tuple[int, ...]:
    counted = tallies(ballots, {b.voter: "in" if b.voter in group else "out" for b in ballots})
    inside, outside = counted.get("in", {}), counted.get("out", {})
    chosen: list[tuple[Fraction, int]] = []
    for s in columns:
        mine, theirs = inside.get(s, Tally()), outside.get(s, Tally())
        if not agrees(mine) or mine.share is None or theirs.share is None:
            continue
        gap = mine.share - theirs.share
        if gap >= DISTINCT or theirs.share >= THRESHOLD:
            chosen.append((gap, s))
    chosen.sort(key=lambda pair: (-pair[0], pair[1]))
    return tuple(s for _, s in chosen[:MOST_SHOWN])
