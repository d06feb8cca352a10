"""Notice delivered (送达) for owner votes: how much notice a vote gives, and which households its
notice reached.

The rule. The owners' assembly is called by a public notice of its matters, time and way of
voting 15 days before it meets (业主大会和业主委员会指导规则, 2009, art. 23; most compounds'
业主大会议事规则 repeat it). An owner vote here is that meeting held in writing: the notice is
the vote's opening, and the meeting ends when voting closes. So:

- ``notice_days(opened_at, closes_at)``: the whole days from opening to the close of voting,
  rounded down (14 days and 23 hours is 14 days); ``None`` when the vote has no deadline (the
  conveners close it when they like: no notice period is fixed). A close before the opening
  (which the commands do not allow) gives 0.
- ``short_notice``: less than ``NOTICE_DAYS`` days, or no deadline. The bot warns and records
  the period in the result; it does not refuse, since the convener may have given notice
  otherwise (a paper notice on the board) and the rules are the compound's to apply.
  (``bot/templates/_notice_period.html.j2`` shows the period with the same arithmetic:
  ``timedelta.days`` is the whole days rounded down.)

Delivery. The vote's notice goes privately to every bound owner of a household in the
electorate who may be written to; each notice lists the person's households in the vote and
carries a 收到 button. A household is *reached* when a notice was delivered to at least one of
its owners, and *confirmed* when one of them pressed 收到. Every other household is one to
visit in person, as the seeds' building convener did door to door, for one of three reasons,
each household under the first that applies: no owner is bound to it (``unbound``), no notice
reached any of its owners (``unreached``: they never started the bot, blocked it, or a crash
interrupted the sending), or its notice was not confirmed yet (``unconfirmed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

NOTICE_DAYS = 15
DAY = timedelta(days=1)


def notice_days(opened_at: datetime, closes_at: datetime | None) -> int | None:
    """Whole days of notice from opening to the close of voting (rounded down); None: no deadline."""
    if closes_at is None:
        return None
    return max((closes_at - opened_at) // DAY, 0)


def short_notice(opened_at: datetime, closes_at: datetime | None, needed: int = NOTICE_DAYS) -> bool:
    """Whether the vote gives less notice than the owners' assembly rules ask (or none fixed)."""
    days = notice_days(opened_at, closes_at)
    return days is None or days < needed


@dataclass(frozen=True)
class Notice:
    """One person's notice of one vote: recorded before it is sent, so it is never sent twice."""

    poll_id: int
    user_id: int
    household_ids: tuple[int, ...]
    claimed_at: datetime
    sent_at: datetime | None = None
    message_id: int | None = None
    confirmed_at: datetime | None = None
    failed: str | None = None

    @property
    def delivered(self) -> bool:
        return self.sent_at is not None


@dataclass(frozen=True)
class Delivery:
    """Where a vote's notice got to, household ids in the electorate's order."""

    households: tuple[int, ...]
    reached: tuple[int, ...]
    confirmed: tuple[int, ...]
    unbound: tuple[int, ...]
    unreached: tuple[int, ...]
    unconfirmed: tuple[int, ...]

    @property
    def to_visit(self) -> tuple[int, ...]:
        """Every household not confirmed, whatever the reason."""
        return self.unbound + self.unreached + self.unconfirmed


def delivery(electorate: Sequence[int], owners: Mapping[int, Iterable[int]],
             notices: Iterable[Notice]) -> Delivery:
    """Count a vote's delivery: ``owners`` maps a household to the people bound to it now; a
    notice counts for the households it was sent for, even if the binding changed since."""
    reached: set[int] = set()
    confirmed: set[int] = set()
    for notice in notices:
        if notice.delivered:
            reached.update(notice.household_ids)
            if notice.confirmed_at is not None:
                confirmed.update(notice.household_ids)
    unbound, unreached, unconfirmed = [], [], []
    for household in electorate:
        if household in confirmed:
            continue
        if household in reached:
            unconfirmed.append(household)
        elif not list(owners.get(household, ())):
            unbound.append(household)
        else:
            unreached.append(household)
    return Delivery(households=tuple(electorate),
                    reached=tuple(h for h in electorate if h in reached),
                    confirmed=tuple(h for h in electorate if h in confirmed),
                    unbound=tuple(unbound), unreached=tuple(unreached), unconfirmed=tuple(unconfirmed))
