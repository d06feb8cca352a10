"""Rating the property service (物业服务评价): the rules of a quarter's survey and its result.

Each quarter the residents rate the property company's services, one score from 1 (very
dissatisfied) to 5 (very satisfied) per dimension (cleaning, security, repairs, greenery,
attitude by default; a community may keep its own list). The Lu'an article in the seeds has
them rated quarterly onto a red and black list (红黑榜); the satisfaction figure the Linyi
article quotes (48% -> 98%) is a share of satisfied answers.

- A rater is a household (its owners' latest answer per dimension counts) or a resident, as the
  convener chose; a rater may rate some dimensions only.
- Satisfied means a score of 4 or 5. A dimension's figures: how many rated it, its average score
  and its share satisfied. The headline figure is the share satisfied over all answers of all
  dimensions (each answer weighs the same).
- The change against last quarter: the difference of the averages of the same dimension (and of
  the headline shares); nothing when the dimension was not rated then.
- Red list: dimensions whose average is below the threshold (default 3.5, a setting).
- Honour list: the dimensions at or above 4.5 on average; when none is, the best dimension (all
  tied for best) provided it is not on the red list. So a quarter always names what went best,
  unless everything went badly.
- Dimensions nobody rated are on neither list.

All arithmetic is exact (Fractions); rounding happens once, for display (``rounded``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import ClassVar

from bot.i18n import N_  # marks names for extraction only, as bot.domain.festivals does

SCORES = (1, 2, 3, 4, 5)
SATISFIED = 4  # 4 and 5 count as satisfied
DEFAULT_THRESHOLD = Fraction(7, 2)
HONOUR = Fraction(9, 2)
DEFAULT_DAYS = 14
MAX_DIMENSIONS = 10
MAX_LABEL = 12  # characters of a dimension written by a convener
# The default dimensions by key; their names are translated where shown (English msgids).
DEFAULTS = ("cleaning", "security", "repairs", "greenery", "attitude")
NAMES = {"cleaning": N_("Cleaning"), "security": N_("Security"), "repairs": N_("Repairs"),
         "greenery": N_("Greenery"), "attitude": N_("Service attitude")}
# What residents write for the default dimensions, in either script or English.
ALIASES = {
    "保洁": "cleaning", "保潔": "cleaning", "清洁": "cleaning", "清潔": "cleaning", "卫生": "cleaning",
    "衛生": "cleaning", "cleaning": "cleaning",
    "安保": "security", "保安": "security", "安全": "security", "security": "security",
    "维修": "repairs", "維修": "repairs", "报修": "repairs", "報修": "repairs", "repairs": "repairs",
    "绿化": "greenery", "綠化": "greenery", "greenery": "greenery",
    "服务态度": "attitude", "服務態度": "attitude", "态度": "attitude", "態度": "attitude",
    "attitude": "attitude",
}
_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")


class RatingError(ValueError):
    """Input a convener wrote that cannot be a setting (the message says which rule)."""


# -- quarters -------------------------------------------------------------------------------

def quarter_of(day: date | datetime) -> str:
    """The quarter a day falls in: 2026-12-02 -> "2026-Q4"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def parse_quarter(quarter: str) -> tuple[int, int]:
    found = _QUARTER.match(quarter)
    if found is None:
        raise ValueError(f"not a quarter: {quarter!r}")
    return int(found.group(1)), int(found.group(2))


def previous_quarter(quarter: str) -> str:
    """"2026-Q1" -> "2025-Q4"."""
    year, number = parse_quarter(quarter)
    return f"{year - 1}-Q4" if number == 1 else f"{year}-Q{number - 1}"


def next_quarter(quarter: str) -> str:
    year, number = parse_quarter(quarter)
    return f"{year + 1}-Q1" if number == 4 else f"{year}-Q{number + 1}"


def quarter_start(quarter: str) -> date:
    """The first day of the quarter: "2026-Q4" -> 2026-10-01."""
    year, number = parse_quarter(quarter)
    return date(year, 3 * number - 2, 1)


QUARTER_MONTHS = (1, 4, 7, 10)


def quarterly_rule(day: int) -> str:
    """RFC 5545: the ``day``-th of the first month of every quarter (at the first firing's time)."""
    return f"FREQ=YEARLY;BYMONTH={','.join(map(str, QUARTER_MONTHS))};BYMONTHDAY={day}"


def next_quarter_day(after: datetime, day: int, hour: int, minute: int) -> datetime:
    """The first moment (in ``after``'s zone) on the ``day``-th of a quarter's first month at
    hour:minute strictly after ``after``."""
    year = after.year
    for month in (*QUARTER_MONTHS, *(m + 12 for m in QUARTER_MONTHS)):
        moment = after.replace(year=year + (month - 1) // 12, month=(month - 1) % 12 + 1, day=day,
                               hour=hour, minute=minute, second=0, microsecond=0)
        if moment > after:
            return moment
    raise AssertionError("a quarter starts within a year")


# -- settings -------------------------------------------------------------------------------

def dimension_key(word: str) -> str:
    """A default dimension's key for what a convener wrote, or the words as written."""
    word = word.strip()
    return ALIASES.get(word.casefold(), word)


def read_dimensions(words: list[str]) -> tuple[str, ...]:
    """The dimensions a convener lists, in order, repeats dropped."""
    found = tuple(dict.fromkeys(dimension_key(w) for w in words if w.strip()))
    if not found:
        raise RatingError("no dimensions")
    if len(found) > MAX_DIMENSIONS:
        raise RatingError("too many dimensions")
    if any(len(d) > MAX_LABEL or ":" in d for d in found):
        raise RatingError("a dimension's name is too long")
    return found


def read_threshold(text: str) -> Fraction:
    """A red-list threshold: a number from 1 to 5 ("3.5", "3,5", "４")."""
    try:
        value = Fraction(text.strip().replace(",", ".").translate(_WIDE))
    except (ValueError, ZeroDivisionError):
        raise RatingError("not a number") from None
    if not 1 <= value <= 5:
        raise RatingError("out of range")
    return value


_WIDE = str.maketrans("０１２３４５６７８９．", "0123456789.")


# -- counting -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    voter: str  # "h<household>" or "u<user>"
    dimension: str
    score: int


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    count: int  # answers
    total: int  # sum of the scores
    satisfied: int  # answers of 4 or 5
    change: Fraction | None = None  # average against last quarter's

    @property
    def average(self) -> Fraction | None:
        return Fraction(self.total, self.count) if self.count else None

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.satisfied, self.count) if self.count else None


@dataclass(frozen=True)
class RatingResult:
    """A quarter's figures; ``survey_id``/``chat_id``/``closed_at`` filled in by storage."""

    quarter: str
    raters: int
    answers: int
    satisfied: int
    dimensions: tuple[DimensionResult, ...]
    red: tuple[str, ...]
    honour: tuple[str, ...]
    threshold: Fraction
    change: Fraction | None = None  # headline share against last quarter's
    comments: int = 0
    total: int = 0  # the sum of all answers' scores
    survey_id: int | None = None
    chat_id: int | None = None
    closed_at: datetime | None = None
    scale: ClassVar[int] = len(SCORES)

    @property
    def share(self) -> Fraction | None:
        """The headline figure: the share of satisfied answers."""
        return Fraction(self.satisfied, self.answers) if self.answers else None

    def of(self, dimension: str) -> DimensionResult | None:
        return next((d for d in self.dimensions if d.dimension == dimension), None)


def red_list(dimensions: tuple[DimensionResult, ...], threshold: Fraction) -> tuple[str, ...]:
    return tuple(d.dimension for d in dimensions if d.average is not None and d.average < threshold)


def honour_list(dimensions: tuple[DimensionResult, ...], threshold: Fraction) -> tuple[str, ...]:
    rated = [d for d in dimensions if d.average is not None]
    high = tuple(d.dimension for d in rated if d.average >= HONOUR)
    if high or not rated:
        return high
    best = max(d.average for d in rated)
    return tuple(d.dimension for d in rated if d.average == best) if best >= threshold else ()


def result(quarter: str, dimensions: tuple[str, ...], answers: list[Answer], *,
           threshold: Fraction = DEFAULT_THRESHOLD, previous: RatingResult | None = None,
           comments: int = 0) -> RatingResult:
    """The quarter's figures from the current answers (one per voter and dimension)."""
    current: dict[tuple[str, str], int] = {}
    for answer in answers:
        if answer.score not in SCORES:
            raise ValueError(f"score out of range: {answer.score}")
        current[(answer.voter, answer.dimension)] = answer.score
    shown = []
    for dimension in dimensions:
        scores = [s for (_, d), s in current.items() if d == dimension]
        satisfied = sum(1 for s in scores if s >= SATISFIED)
        figures = DimensionResult(dimension, len(scores), sum(scores), satisfied)
        before = previous.of(dimension) if previous is not None else None
        if before is not None and before.average is not None and figures.average is not None:
            figures = DimensionResult(dimension, figures.count, figures.total, figures.satisfied,
                                      figures.average - before.average)
        shown.append(figures)
    counted = tuple(shown)
    kept = [s for (_, d), s in current.items() if d in dimensions]
    raters = len({voter for voter, d in current if d in dimensions})
    satisfied = sum(1 for s in kept if s >= SATISFIED)
    headline = Fraction(satisfied, len(kept)) if kept else None
    change = (headline - previous.share if headline is not None and previous is not None
              and previous.share is not None else None)
    return RatingResult(quarter, raters, len(kept), satisfied, counted, red_list(counted, threshold),
                        honour_list(counted, threshold), threshold, change, comments, sum(kept))


def rounded(value: Fraction, places: int = 1) -> Decimal:
    """A figure for display, rounded half up (2.25 -> 2.3) from the exact value."""
    step = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(step, rounding=ROUND_HALF_UP)


def arrow(change: Fraction) -> str:
    return "↑" if change > 0 else "↓" if change < 0 else "→"
