"""The monthly report (月报): the figures of one community's month, from plain inputs.

What counts, and where it is counted:

- Votes held: the votes that closed in the month (sign-up chains are no votes). Turnout of a
  vote: its voters out of those who could vote (an owner vote: the households taking part out
  of its electorate; any other vote: the people who voted out of the group's members, when the
  group's size is known). The month's turnout adds voters and electorates up, so it is never an
  average of rates. An owner vote passed or failed by its counting rules (``passed``).
- Golden ideas: every idea and wish of the community by its state now (new → done), and the
  most endorsed of those still moving (not declined or merged).
- Requests: the figures of the requests received in each of the last months
  (``bot.domain.requests.figures``), the report's month last; the trend is their sequence.
- Talks and reception days held: their occurrences that fell in the month (cancelled ones are
  not held); questions answered: reception questions answered in the month.
- Action items: done in the month; open (not done, not dropped) at the month's end; overdue:
  open at the month's end and due before it.
- The latest property rating, when one was published: a headline, optional.

Everything is computed by the caller's selection of the month; the functions here only count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.requests import Figures

IDEA_STATES = ("new", "discussion", "accepted", "in_progress", "done")  # shown in this order
TREND_MONTHS = 6


@dataclass(frozen=True)
class Vote:
    number: int
    owner: bool
    voters: int
    eligible: int | None  # None: not known (the group's size could not be read)
    passed: bool | None = None  # owner votes only

    @property
    def turnout(self) -> float | None:
        return self.voters / self.eligible if self.eligible else None


@dataclass(frozen=True)
class Idea:
    number: int
    text: str
    state: str
    endorsements: int


@dataclass(frozen=True)
class Rating:
    """The latest property rating: its score (out of ``scale``), how many rated, when."""

    score: float
    scale: int = 5
    responses: int = 0
    published: date | None = None
    title: str = ""


@dataclass(frozen=True)
class MonthFigures:
    month: date  # the first day of the month
    votes: tuple[Vote, ...]
    ideas_by_state: dict[str, int]
    top_idea: Idea | None
    requests: tuple[tuple[date, Figures], ...]  # the last months, oldest first, this month last
    talks: int
    receptions: int
    questions_answered: int
    actions_done: int
    actions_open: int
    actions_overdue: int
    rating: Rating | None = None
    ideas_new_this_month: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def votes_held(self) -> int:
        return len(self.votes)

    @property
    def turnout(self) -> float | None:
        known = [v for v in self.votes if v.eligible]
        eligible = sum(v.eligible for v in known)  # type: ignore[misc]
        return sum(v.voters for v in known) / eligible if eligible else None

    @property
    def owner_votes(self) -> tuple[Vote, ...]:
        return tuple(v for v in self.votes if v.owner)

    @property
    def owner_passed(self) -> int:
        return sum(1 for v in self.owner_votes if v.passed)

    @property
    def owner_failed(self) -> int:
        return sum(1 for v in self.owner_votes if v.passed is False)

    @property
    def this_month(self) -> Figures:
        return self.requests[-1][1]

    @property
    def median_hours(self) -> float | None:
        return self.this_month.median_hours

    @property
    def ideas(self) -> int:
        return sum(self.ideas_by_state.values())

    @property
    def empty(self) -> bool:
        """Nothing happened: no vote, idea, request, meeting, action item or rating."""
        return not (self.votes or self.ideas or self.this_month.received or self.talks or
                    self.receptions or self.actions_done or self.actions_open or self.rating)


def previous_months(month: date, count: int = TREND_MONTHS) -> list[date]:
    """The first days of the ``count`` months ending with ``month``, oldest first."""
    found, year, number = [], month.year, month.month
    for _ in range(count):
        found.append(date(year, number, 1))
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return found[::-1]


def previous_month(moment: datetime | date) -> date:
    """The month before the one ``moment`` falls in (what a report on the 1st is about)."""
    return previous_months(date(moment.year, moment.month, 1), 2)[0]


def ideas_by_state(states: Iterable[str]) -> dict[str, int]:
    counted = dict.fromkeys(IDEA_STATES, 0)
    for state in states:
        if state in counted:
            counted[state] += 1
    return counted


def top_idea(ideas: Iterable[Idea]) -> Idea | None:
    """The most endorsed idea still moving (the earliest first on a tie); None when none has any."""
    moving = [i for i in ideas if i.state in IDEA_STATES and i.endorsements > 0]
    return min(moving, key=lambda i: (-i.endorsements, i.number), default=None)


@dataclass(frozen=True)
class Action:
    status: str  # open | done | blocked | dropped
    due_at: datetime | None
    updated_at: datetime
    created_at: datetime


def actions(items: Iterable[Action], start: datetime, end: datetime) -> tuple[int, int, int]:
    """(done in the month, open at its end, overdue at its end) of the community's action items.
    An item done after the month's end was still open at it; one made after it is not counted."""
    done = still_open = overdue = 0
    for item in items:
        if item.created_at >= end or item.status == "dropped":
            continue
        finished = item.status == "done" and item.updated_at < end
        if item.status == "done" and start <= item.updated_at < end:
            done += 1
        if not finished:
            still_open += 1
            if item.due_at is not None and item.due_at < end:
                overdue += 1
    return done, still_open, overdue


def held(occurrences: Sequence[datetime], start: datetime, end: datetime) -> int:
    return sum(1 for moment in occurrences if start <= moment < end)


def month_figures(month: date, *, votes: Sequence[Vote], idea_list: Sequence[Idea],
                  requests: Sequence[tuple[date, Figures]], talks: int, receptions: int,
                  questions_answered: int, action_counts: tuple[int, int, int],
                  rating: Rating | None = None, ideas_new: int = 0) -> MonthFigures:
    done, still_open, overdue = action_counts
    return MonthFigures(
        month=month, votes=tuple(votes), ideas_by_state=ideas_by_state(i.state for i in idea_list),
        top_idea=top_idea(idea_list), requests=tuple(requests), talks=talks, receptions=receptions,
        questions_answered=questions_answered, actions_done=done, actions_open=still_open,
        actions_overdue=overdue, rating=rating, ideas_new_this_month=ideas_new)


def parse_month(text: str) -> tuple[int, int] | None:
    """'2026-11' (or '2026-1', '2026/11', '2026年11月') -> (2026, 11); None when unreadable."""
    match = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))
