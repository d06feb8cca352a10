"""Polls, sign-up chains and owner votes: what a convener typed, and how ballots add up.

A poll is written the way one types on a phone: the command and the question on
the first line, then one line per option (polls) or a few lines of explanation
(proposals, chains, owner votes), and setting lines anywhere, each a keyword in
English or either Chinese script, e.g.::

    /poll 自行车棚建在哪里？
    东门
    西门
    截止 周五 18:00
    匿名

Rules for ordinary polls (owner votes are counted in ``owner_vote``):
- a proposal passes when more than half of the ballots cast agree (abstentions are cast);
- a choice poll is won by the option with the most votes (a tie is reported as such);
- a multiple-choice voter may pick up to ``max_choices`` options (unlimited when None);
- a sign-up chain keeps its members in the order they first joined.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from bot.domain.numbers import whole
from bot.i18n import N_

KINDS = ("proposal", "single", "multiple", "chain", "owner")
VOTE_CHOICES = (N_("Agree"), N_("Disagree"), N_("Abstain"))  # proposals and owner votes
MAX_OPTIONS = 12
MAX_QUESTION = 200
MAX_OPTION = 60
MAX_DETAILS = 1000
MAX_NOTE = 40
MAX_CAPACITY = 10_000
VISIBILITY = ("live", "voted", "closed")
DEFAULT_VOTE_REMINDERS = (86400, 7200)  # seconds before a deadline: a day, and two hours

# Owner votes on these matters are major (art. 278 items 6-8) unless marked ordinary.
MAJOR_WORDS = ("电梯", "電梯", "elevator", "lift", "维修资金", "維修資金", "maintenance fund",
               "改建", "重建", "rebuild", "改变用途", "改變用途", "经营", "經營")


class PollInputError(ValueError):
    """What is wrong with a poll command: an English msgid and its parameters."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Poll:
    id: int
    chat_id: int
    number: int
    kind: str
    question: str
    details: str
    options: tuple[str, ...]
    max_choices: int | None
    capacity: int | None
    deadline: datetime | None
    anonymous: bool
    secret: bool
    visibility: str
    scope: tuple[str, ...]
    major: bool
    follow_majority: bool
    status: str
    outcome: str | None
    message_id: int | None
    created_by: int
    created_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def has_choices(self) -> bool:
        """Voted by pressing options (everything but a chain)."""
        return self.kind != "chain"

    @property
    def shows_names(self) -> bool:
        return not (self.anonymous or self.secret)


@dataclass
class Draft:
    """A poll as typed, before it is stored."""

    kind: str
    question: str
    options: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    deadline_text: str | None = None
    max_choices: int | None = None
    capacity: int | None = None
    anonymous: bool = False
    secret: bool = False
    visibility: str = "live"
    scope_text: str | None = None
    major: bool | None = None  # None: decided from the question
    follow_majority: bool = False


_SETTINGS = {
    "deadline": ("截止", "截止时间", "截止時間", "期限", "deadline", "until", "closes"),
    "multiple": ("多选", "多選", "可多选", "可多選", "multiple", "multi", "max"),
    "capacity": ("名额", "名額", "人数", "人數", "限额", "限額", "capacity", "limit"),
    "scope": ("范围", "範圍", "scope"),
    "results": ("结果", "結果", "results"),
}
_FLAGS = {
    "anonymous": ("匿名", "anonymous"),
    "secret": ("无记名", "無記名", "秘密投票", "secret"),
    "major": ("重大", "重大事项", "重大事項", "major"),
    "ordinary": ("一般", "一般事项", "一般事項", "普通", "ordinary"),
    "follow_majority": ("从众", "從眾", "未投票视为同意多数", "follow majority", "follow-majority"),
}
_RESULTS = {
    "live": ("实时", "實時", "live", "always"),
    "voted": ("投票后", "投票後", "投票后可见", "投票後可見", "voted", "after voting"),
    "closed": ("截止后", "截止後", "结束后", "結束後", "closed", "after close"),
}
_KEYED = sorted(((w, k) for k, words in _SETTINGS.items() for w in words), key=lambda p: -len(p[0]))
_FLAG_OF = {w.casefold(): k for k, words in _FLAGS.items() for w in words}
_RESULT_OF = {w.casefold(): k for k, words in _RESULTS.items() for w in words}
_BULLET = re.compile(r"^\s*(?:[-•*·]|\d{1,2}\s*[.、)）]|[A-La-l]\s*[.、)）])\s*")
_SEPARATOR = re.compile(r"^\s*[:：=]?\s*")


def parse_command(kind: str, text: str) -> Draft:
    """Read the text after the command (question first, then options and setting lines)."""
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise PollInputError(N_("The question is missing."))
    question, body = lines[0], lines[1:]
    if _setting(question) is not None:
        raise PollInputError(N_("The first line must be the question."))
    draft = Draft(kind=kind, question=question)
    for line in body:
        setting = _setting(line)
        if setting is None:
            (draft.options if kind in ("single", "multiple") else draft.details).append(
                _BULLET.sub("", line, count=1).strip())
            continue
        _apply(draft, *setting)
    _check(draft)
    return draft


def is_setting(line: str) -> bool:
    """Whether a line would be read as a setting (截止 …, 匿名) rather than as an option."""
    return _setting(line) is not None


def _setting(line: str) -> tuple[str, str] | None:
    flag = _FLAG_OF.get(line.casefold().strip(" .。!！"))
    if flag is not None:
        return flag, ""
    folded = line.casefold()
    for word, key in _KEYED:
        if folded.startswith(word.casefold()):
            rest = line[len(word):]
            if word.isascii() and rest and rest[0] not in " :：=":
                continue  # an English option that merely starts with a keyword
            return key, _SEPARATOR.sub("", rest, count=1).strip()
    return None


def _apply(draft: Draft, key: str, value: str) -> None:
    if key == "deadline":
        if not value:
            raise PollInputError(N_("Write the deadline after the keyword, e.g. 截止 周五 18:00"))
        draft.deadline_text = value
    elif key == "multiple":
        draft.kind = "multiple" if draft.kind == "single" else draft.kind
        draft.max_choices = _count(value, N_("How many options one may pick must be a number "
                                             "from 1 to %(most)s."), MAX_OPTIONS) if value else None
    elif key == "capacity":
        draft.capacity = _count(value, N_("The capacity must be a number from 1 to %(most)s."),
                                MAX_CAPACITY)
    elif key == "scope":
        draft.scope_text = value
    elif key == "results":
        visibility = _RESULT_OF.get(value.casefold())
        if visibility is None:
            raise PollInputError(N_("Results can be shown live, after voting or after close "
                                    "(结果 实时 / 投票后 / 截止后)."))
        draft.visibility = visibility
    elif key == "anonymous":
        draft.anonymous = True
    elif key == "secret":
        draft.secret = True
    elif key == "major":
        draft.major = True
    elif key == "ordinary":
        draft.major = False
    elif key == "follow_majority":
        draft.follow_majority = True


def _count(value: str, message: str, most: int) -> int:
    count = whole(value.strip().rstrip("人个個项項"), most=most)
    if count is None or count < 1:
        raise PollInputError(message, most=most)
    return count


def _check(draft: Draft) -> None:
    if len(draft.question) > MAX_QUESTION:
        raise PollInputError(N_("The question can be at most %(most)s characters."), most=MAX_QUESTION)
    if len("\n".join(draft.details)) > MAX_DETAILS:
        raise PollInputError(N_("The explanation can be at most %(most)s characters."), most=MAX_DETAILS)
    if draft.kind in ("single", "multiple"):
        if len(draft.options) < 2:
            raise PollInputError(N_("A poll needs at least two options, one per line."))
        if len(draft.options) > MAX_OPTIONS:
            raise PollInputError(N_("A poll can have at most %(most)s options."), most=MAX_OPTIONS)
        too_long = next((o for o in draft.options if len(o) > MAX_OPTION), None)
        if too_long is not None:
            raise PollInputError(N_("An option can be at most %(most)s characters: %(option)s"),
                                 most=MAX_OPTION, option=too_long)
        seen = set()
        for option in draft.options:
            if option.casefold() in seen:
                raise PollInputError(N_("The option %(option)s appears twice."), option=option)
            seen.add(option.casefold())
        if draft.max_choices is not None and draft.max_choices > len(draft.options):
            raise PollInputError(N_("One cannot pick %(most)s of %(count)s options."),
                                 most=draft.max_choices, count=len(draft.options))
    if draft.capacity is not None and draft.kind != "chain":
        raise PollInputError(N_("Only a sign-up chain has a capacity."))
    if draft.scope_text is not None and draft.kind != "owner":
        raise PollInputError(N_("Only an owner vote is limited to buildings."))
    if draft.kind == "owner" and draft.major is None:
        draft.major = any(word in draft.question.casefold() for word in MAJOR_WORDS)


def options_of(kind: str, options: Sequence[str]) -> tuple[str, ...]:
    """The options stored for a poll: proposals and owner votes vote agree/disagree/abstain."""
    if kind in ("proposal", "owner"):
        return VOTE_CHOICES
    return tuple(options)


def toggle(current: Sequence[int], position: int, max_choices: int | None) -> tuple[int, ...] | None:
    """A multiple-choice press: add or remove ``position``; None when that would exceed the cap."""
    if position in current:
        return tuple(p for p in current if p != position)
    if max_choices is not None and len(current) >= max_choices:
        return None
    return tuple(sorted((*current, position)))


@dataclass(frozen=True)
class Entry:
    """One current ballot as the tally needs it."""

    choices: tuple[int, ...]
    name: str
    note: str | None = None


@dataclass(frozen=True)
class OptionCount:
    position: int
    label: str
    votes: int
    share: Fraction  # of the voters
    names: tuple[str, ...]


@dataclass(frozen=True)
class Tally:
    options: tuple[OptionCount, ...]
    voters: int
    leaders: tuple[int, ...]  # positions with the most votes (several: a tie)
    passed: bool | None  # proposals only


def tally(poll: Poll, entries: Sequence[Entry]) -> Tally:
    voting = [e for e in entries if e.choices]
    counts = []
    for position, label in enumerate(poll.options):
        names = tuple(e.name for e in voting if position in e.choices)
        share = Fraction(len(names), len(voting)) if voting else Fraction(0)
        counts.append(OptionCount(position, label, len(names), share, names))
    top = max((c.votes for c in counts), default=0)
    leaders = tuple(c.position for c in counts if c.votes == top and top > 0)
    passed = None
    if poll.kind == "proposal":
        passed = 2 * counts[0].votes > len(voting)
    return Tally(tuple(counts), len(voting), leaders, passed)


