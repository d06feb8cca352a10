"""Golden ideas (金点子) and micro-wishes (微心愿): their states, likeness and ranking.

States: new → discussion → accepted → in_progress → done; an idea still open may instead be
declined (a reason is required) and a new or discussed one merged into another open idea (its
endorsements are carried over, each person counted once). done, declined and merged are final.

Similarity: two texts are compared by the Dice coefficient of their sets of characters and
character bigrams, after NFKC folding and dropping everything but letters and digits and a few
filler words (建议, 希望 …) that every suggestion shares. Chinese needs no word segmentation for
this; single characters catch reordered phrasings ("换成木椅" / "木头椅子"), bigrams keep unrelated
texts that share characters apart. At SIMILAR (0.5) and above, a new idea is shown the open one
it resembles first (tuned on real phrasings in tests/test_ideas_domain.py: near-duplicates score
0.56-0.94, different topics 0-0.38). Traditional text is read as Simplified first (OpenCC), so
either script finds the other.

Ranking ("top ideas"): score = endorsements / (age in days + 2) ** 1.5, highest first; ties go to
the newer idea, then the lower number. An idea with 4 endorsements today (4/2.83 = 1.41) ranks
above one with 10 from a week ago (10/27 = 0.37): recent support counts for more.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol, TypeVar

from bot.domain.script import simplified
from bot.i18n import N_

KINDS = ("idea", "wish")
STATES = ("new", "discussion", "accepted", "in_progress", "done", "declined", "merged")
OPEN_STATES = ("new", "discussion", "accepted", "in_progress")
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"discussion", "accepted", "declined", "merged"}),
    "discussion": frozenset({"accepted", "declined", "merged"}),
    "accepted": frozenset({"in_progress", "declined"}),
    "in_progress": frozenset({"done", "declined"}),
    "done": frozenset(),
    "declined": frozenset(),
    "merged": frozenset(),
}
STATE_NAMES = {
    "new": N_("new"),
    "discussion": N_("under discussion"),
    "accepted": N_("accepted"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "declined": N_("declined"),
    "merged": N_("merged"),
}
KIND_NAMES = {"idea": N_("Golden idea"), "wish": N_("Micro-wish")}
MAX_TEXT = 500
MAX_REASON = 300
HOURLY_LIMIT = 5  # ideas one resident may submit in an hour
SIMILAR = 0.5
GRAVITY = 1.5
DIGEST_DAY = 6  # Sunday
DIGEST_TIME = time(20, 0)

# What residents type for states and kinds (both scripts, and English), e.g. /ideas 已采纳 微心愿
WORDS = {
    "new": ("new", "新", "新提交"),
    "discussion": ("discussion", "discussing", "讨论", "讨论中", "討論", "討論中"),
    "accepted": ("accepted", "accept", "采纳", "已采纳", "採納", "已採納"),
    "in_progress": ("in_progress", "progress", "doing", "进行中", "進行中", "办理中", "辦理中"),
    "done": ("done", "完成", "已完成", "已办结", "已辦結"),
    "declined": ("declined", "decline", "不采纳", "未采纳", "不採納", "未採納", "拒绝", "拒絕"),
    "merged": ("merged", "merge", "合并", "已合并", "合併", "已合併"),
    "idea": ("idea", "ideas", "金点子", "金點子", "点子", "點子"),
    "wish": ("wish", "wishes", "微心愿", "微心願", "心愿", "心願"),
    "open": ("open", "进行", "未结", "未結", "开放", "開放"),
    "all": ("all", "全部", "所有"),
}
_WORD_OF = {w.casefold(): key for key, words in WORDS.items() for w in words}


class IdeaError(ValueError):
    """Why an idea or a change is refused: an English msgid and its parameters."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Idea:
    id: int
    chat_id: int
    number: int
    kind: str
    text: str
    anonymous: bool
    author_id: int | None  # None for anonymous ideas: never stored
    author_name: str | None
    state: str
    reason: str | None
    merged_into: int | None  # the number of the idea it was merged into
    poll_id: int | None
    message_id: int | None
    created_at: datetime
    endorsements: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def word(text: str) -> str | None:
    """The state, kind or filter a typed word names, or None."""
    return _WORD_OF.get(text.strip().casefold())


def check_text(text: str) -> str:
    """The idea's text, trimmed; refused when empty or longer than MAX_TEXT."""
    text = text.strip()
    if not text:
        raise IdeaError(N_("Write the idea after the command, e.g. /idea 凉亭的石凳冬天太凉，换成木椅"))
    if len(text) > MAX_TEXT:
        raise IdeaError(N_("An idea can be at most %(most)s characters; this one has %(length)s."),
                        most=MAX_TEXT, length=len(text))
    return text


def check_change(current: str, target: str, reason: str | None = None, *,
                 into_state: str | None = None, into_self: bool = False) -> None:
    """Refuse a state change the rules do not allow (``into_*`` describe a merge's target)."""
    if target not in STATES:
        raise IdeaError(N_("Unknown state. States: new, discussion, accepted, in_progress, done, "
                           "declined, merged."))
    if target == current:
        raise IdeaError(N_("The idea is already in that state."))
    if target not in TRANSITIONS[current]:
        raise IdeaError(N_("An idea that is %(current)s cannot become %(target)s."),
                        current=STATE_NAMES[current], target=STATE_NAMES[target])
    if target == "declined" and not (reason or "").strip():
        raise IdeaError(N_("Declining needs a reason, e.g. /idea_state 3 declined 预算不足，明年再议"))
    if reason and len(reason) > MAX_REASON:
        raise IdeaError(N_("A reason can be at most %(most)s characters."), most=MAX_REASON)
    if target == "merged":
        if into_state is None:
            raise IdeaError(N_("Merge into which idea? e.g. /idea_state 5 merged 2"))
        if into_self:
            raise IdeaError(N_("An idea cannot be merged into itself."))
        if into_state not in OPEN_STATES:
            raise IdeaError(N_("An idea can only be merged into an open idea."))


def merged_endorsers(source: Iterable[int], target: Iterable[int]) -> set[int]:
    """Who endorses the merged idea: everyone who endorsed either, each once."""
    return set(target) | set(source)


def rate_limited(recent: int) -> bool:
    """Whether one more idea would exceed HOURLY_LIMIT, given ideas submitted in the last hour."""
    return recent >= HOURLY_LIMIT


# -- similarity ----------------------------------------------------------------------------------

_FILLERS = ("可不可以", "能不能", "建议", "建議", "希望", "可以", "我们", "我們", "大家", "一下",
            "一个", "一個", "请", "請", "的", "了", "吧", "呢", "啊")


def _folded(text: str) -> str:
    text = simplified(unicodedata.normalize("NFKC", text)).casefold()
    for filler in _FILLERS:
        text = text.replace(filler, "")
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def grams(text: str) -> set[str]:
    """The characters and character bigrams of the text, without punctuation and whitespace."""
    run = _folded(text)
    return set(run) | {run[i:i + 2] for i in range(len(run) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the gram sets: 1 for the same words, 0 for nothing shared."""
    x, y = grams(a), grams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def most_similar(text: str, candidates: Iterable[tuple[int, str]]) -> tuple[int, float] | None:
    """The candidate (key, text) most like ``text``, if at least SIMILAR; else None."""
    best = max(((key, similarity(text, other)) for key, other in candidates),
               key=lambda pair: pair[1], default=None)
    return best if best is not None and best[1] >= SIMILAR else None


# -- ranking -------------------------------------------------------------------------------------

class Rankable(Protocol):
    endorsements: int
    created_at: datetime
    number: int


R = TypeVar("R", bound=Rankable)


def score(endorsements: int, age: timedelta) -> float:
    days = max(age.total_seconds(), 0.0) / 86400
    return endorsements / (days + 2) ** GRAVITY


def rank(items: Sequence[R], now: datetime) -> list[R]:
    """Top ideas first (see the module docstring for the rule)."""
    return sorted(items, key=lambda i: (-score(i.endorsements, now - i.created_at),
                                        -i.created_at.timestamp(), i.number))


def page(items: Sequence[R], number: int, size: int) -> tuple[list[R], int]:
    """Items of page ``number`` (from 0, clamped) and how many pages there are (at least 1)."""
    pages = max((len(items) + size - 1) // size, 1)
    number = min(max(number, 0), pages - 1)
    return list(items[number * size:(number + 1) * size]), pages


# -- the weekly digest -------------------------------------------------------------------------------

def next_weekly(now_local: datetime, weekday: int, at: time) -> datetime:
    """The next moment (strictly after ``now_local``, same zone) on ``weekday`` at ``at``."""
    day = now_local.date() + timedelta(days=(weekday - now_local.weekday()) % 7)
    when = datetime.combine(day, at, tzinfo=now_local.tzinfo)
    return when if when > now_local else when + timedelta(days=7)
