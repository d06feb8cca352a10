"""Resident requests (诉求): categories, targets, the state machine and the monthly figures.

A request is reported, accepted by the person it is assigned to, put in progress,
resolved with a note, then confirmed (and rated) by the resident, or reopened with a
reason; a resolution the resident leaves unconfirmed closes itself after some days.
Assigning and escalating (吹哨) do not change the state.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

K = TypeVar("K")

CATEGORIES = ("repairs", "fees", "parking", "noise", "safety", "greenery", "other")

# What residents type, in either script, for each category.
CATEGORY_ALIASES = {
    "repairs": ("维修", "維修", "报修", "報修", "repair"),
    "fees": ("物业费", "物業費", "收费", "收費", "费用", "費用", "fee"),
    "parking": ("停车", "停車"),
    "noise": ("噪音", "噪声", "噪聲"),
    "safety": ("安全",),
    "greenery": ("绿化", "綠化"),
    "other": ("其他", "其它"),
}
_CATEGORY = {alias.casefold(): key for key, names in CATEGORY_ALIASES.items()
             for alias in (key, *names)}

# Default targets in hours: (respond, resolve).
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    "repairs": (24, 72),
    "fees": (24, 168),
    "parking": (48, 168),
    "noise": (24, 72),
    "safety": (2, 24),
    "greenery": (48, 336),
    "other": (48, 168),
}
DEFAULT_CONFIRM_DAYS = 7
MAX_TEXT = 1000
MAX_NOTE = 500
HOURLY_LIMIT = 5
MAX_TARGET_HOURS = 24 * 90

STATES = ("reported", "accepted", "in_progress", "resolved", "closed")
OPEN_STATES = frozenset({"reported", "accepted", "in_progress"})
ACTIONS = ("assign", "accept", "start", "resolve", "confirm", "reopen", "expire", "escalate")
ACTORS = ("reporter", "assignee", "convener", "system")

_MOVES: dict[tuple[str, str], str] = {
    ("reported", "accept"): "accepted",
    ("accepted", "start"): "in_progress",
    ("accepted", "resolve"): "resolved",
    ("in_progress", "resolve"): "resolved",
    ("resolved", "confirm"): "closed",
    ("resolved", "reopen"): "in_progress",
    ("resolved", "expire"): "closed",
}
_STAYS = {  # actions that leave the state as it is
    "assign": OPEN_STATES,
    "escalate": OPEN_STATES | {"resolved"},
}
WHO: dict[str, frozenset[str]] = {
    "assign": frozenset({"convener"}),
    "escalate": frozenset({"convener"}),
    "accept": frozenset({"assignee", "convener"}),
    "start": frozenset({"assignee", "convener"}),
    "resolve": frozenset({"assignee", "convener"}),
    "confirm": frozenset({"reporter"}),
    "reopen": frozenset({"reporter"}),
    "expire": frozenset({"system"}),
}


@dataclass(frozen=True)
class Request:
    id: int
    chat_id: int
    reporter_id: int
    category: str
    text: str
    photo: str | None
    public: bool
    state: str
    assignee_id: int | None
    assignee_role: str | None
    escalated: bool
    escalation_note: str | None
    resolution: str | None
    rating: int | None
    created_at: datetime
    respond_by: datetime
    resolve_by: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reporter_name: str = ""
    assignee_name: str = ""
    number: int = 0  # #1, #2 ... within the community
    community_id: int | None = None
    community_name: str = ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def item(self) -> Item:
        standing = self.resolved_at if self.state in ("resolved", "closed") else None
        return Item(self.created_at, self.respond_by, self.resolve_by, self.accepted_at, standing,
                    self.rating)


class NotAllowed(Exception):
    """``reason`` is "state" (not from this state) or "actor" (not by this person)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decide(state: str, action: str, actors: Iterable[str]) -> str:
    """The state after ``action`` by someone who is ``actors`` (e.g. {"assignee"}); raises
    NotAllowed. The state is checked first: a move no one may make is refused as such."""
    if state not in STATES or action not in ACTIONS:
        raise NotAllowed("state")
    if (state, action) in _MOVES:
        after = _MOVES[state, action]
    elif state in _STAYS.get(action, ()):
        after = state
    else:
        raise NotAllowed("state")
    if WHO[action].isdisjoint(actors):
        raise NotAllowed("actor")
    return after


def parse_category(word: str) -> str | None:
    return _CATEGORY.get(word.strip().casefold())


_HOURS = re.compile(r"^(\d{1,5})\s*(h|d|小时|小時|时|時|天|日)?$", re.I)


def parse_hours(text: str) -> int | None:
    """'24h', '24小时', '3d', '3天', '12' (hours) -> hours; None when unreadable or zero."""
    match = _HOURS.match(text.strip())
    if not match:
        return None
    value = int(match.group(1))
    unit = (match.group(2) or "h").lower()
    hours = value * 24 if unit in ("d", "天", "日") else value
    return hours if 0 < hours <= MAX_TARGET_HOURS else None


def targets_of(settings: dict) -> dict[str, tuple[int, int]]:
    """Each category's (respond, resolve) hours: the chat's settings over the defaults."""
    chosen = settings.get("request_targets") or {}
    return {c: tuple(chosen.get(c, DEFAULT_TARGETS[c])) for c in CATEGORIES}  # type: ignore[misc]


# -- monthly figures -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """What the figures need of one request."""

    created_at: datetime
    respond_by: datetime
    resolve_by: datetime
    accepted_at: datetime | None = None
    resolved_at: datetime | None = None  # the latest resolution, when it stands
    rating: int | None = None


@dataclass(frozen=True)
class Figures:
    received: int
    response_due: int  # accepted, or past the response target
    responded_in_time: int
    resolution_due: int  # resolved, or past the resolution target
    resolved: int
    resolved_in_time: int
    median_hours: float | None
    rated: int
    satisfied: int  # rated 4 or 5
    overdue: int = 0  # still open and past a target now

    @property
    def response_rate(self) -> float | None:
        return self.responded_in_time / self.response_due if self.response_due else None

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved_in_time / self.resolution_due if self.resolution_due else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def figures(items: Iterable[Item], now: datetime) -> Figures:
    """The figures of the requests received in a period (the caller selects them).

    Response rate: accepted within the response target, out of those accepted or past it.
    Resolution rate: resolved within the resolution target, out of those resolved or past it.
    Requests still inside a target are not counted against it yet. Median time: from
    reporting to (the latest) resolution, of the resolved. Satisfaction: ratings 4–5 out
    of all ratings (resolutions that closed themselves unrated are left out). Overdue: not
    resolved yet and past the resolution target, or not accepted yet and past the response
    target (what ``overdue`` says of an open request).
    """
    items = list(items)
    response_due = [i for i in items if i.accepted_at is not None or now > i.respond_by]
    resolution_due = [i for i in items if i.resolved_at is not None or now > i.resolve_by]
    resolved = [i for i in items if i.resolved_at is not None]
    hours = [(i.resolved_at - i.created_at).total_seconds() / 3600 for i in resolved]  # type: ignore[operator]
    rated = [i.rating for i in items if i.rating is not None]
    return Figures(
        received=len(items),
        response_due=len(response_due),
        responded_in_time=sum(1 for i in response_due
                              if i.accepted_at is not None and i.accepted_at <= i.respond_by),
        resolution_due=len(resolution_due),
        resolved=len(resolved),
        resolved_in_time=sum(1 for i in resolved if i.resolved_at <= i.resolve_by),  # type: ignore[operator]
        median_hours=statistics.median(hours) if hours else None,
        rated=len(rated),
        satisfied=sum(1 for r in rated if r >= 4),
        overdue=sum(1 for i in items if is_overdue(i, now)),
    )


def is_overdue(item: Item, now: datetime) -> bool:
    """Whether a request, not resolved yet, has missed a target (see ``overdue``): an unresolved
    request has no standing resolution, and an unaccepted one is still reported."""
    if item.resolved_at is not None:
        return False
    return (item.accepted_at is None and now > item.respond_by) or now > item.resolve_by


def figures_across(groups: Iterable[tuple[K, Iterable[Item]]], now: datetime
                   ) -> tuple[list[tuple[K, Figures]], Figures]:
    """Each group's figures (a community's, keyed as the caller likes) and the total: the figures
    of all their requests together, so a rate of the total is never an average of rates."""
    each, everything = [], []
    for key, items in groups:
        items = list(items)
        each.append((key, figures(items, now)))
        everything.extend(items)
    return each, figures(everything, now)


def overdue(state: str, respond_by: datetime, resolve_by: datetime, now: datetime) -> str | None:
    """"respond" or "resolve" when an open request has missed that target, else None."""
    if state == "reported" and now > respond_by:
        return "respond"
    if state in OPEN_STATES and now > resolve_by:
        return "resolve"
    return None


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """Naive first instants of the month and of the next (the caller adds the zone)."""
    start = datetime(year, month, 1)
    end = datetime(year + month // 12, month % 12 + 1, 1)
    return start, end
