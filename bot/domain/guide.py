"""Guided creation: a command sent alone asks its questions one at a time, buttons wherever the
answer is a choice, and the answers are written out as the typed command would be, so both ways
make the same thing.

A ``Flow`` is a list of ``Step``s; ``State`` is where a person is in one (kept as JSON in their
draft). Which step comes next depends only on the answers so far, so Back simply forgets the last
answer, and Edit forgets one answer and asks it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.i18n import N_

Answers = dict[str, object]

# What a step asks for: pressed ("choice", "toggles", "group", "scope"), typed ("text", "list"),
# or either ("when": quick buttons, a month calendar or a typed time; "clock": a time of day;
# "number": buttons or typed).
KINDS = ("choice", "toggles", "group", "scope", "text", "list", "when", "clock", "number")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # msgid
    hint: str | None = None  # msgid: one line saying what it means (toggles)


@dataclass(frozen=True)
class Step:
    key: str
    kind: str
    label: str  # msgid: what Edit calls it ("Question", "Deadline")
    ask: str | Callable[[Answers], str]  # msgid, or one chosen from the answers so far
    hint: str | None = None  # msgid under the question
    choices: tuple[Choice, ...] = ()
    needed: Callable[[Answers], bool] = lambda answers: True
    skip: str | None = None  # msgid of the button that leaves it unanswered (None: required)
    most: int = 12  # items of a list, or the largest number
    least: int = 0  # items of a list or toggles pressed, or the smallest number
    length: int = 200  # characters of a text, or of one item of a list

    def question(self, answers: Answers) -> str:
        return self.ask(answers) if callable(self.ask) else self.ask


@dataclass(frozen=True)
class Flow:
    name: str  # also the command that starts it: "poll", "event" …
    title: str  # msgid, e.g. "New vote"
    steps: tuple[Step, ...]
    compose: Callable[[Answers], str]  # the text a typed command would carry after its name
    conveners: bool = True  # only a group's conveners start it (else: any member)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)


@dataclass
class State:
    flow: str
    chat_id: int | None = None  # the group it will be posted to, once known
    thread: int | None = None  # the forum topic it was asked from
    answers: Answers = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # keys in the order they were answered
    editing: bool = False  # Edit pressed: the list of answers to change is shown
    revision: int = 0  # buttons of an older question are stale
    message_id: int | None = None  # the question (or preview) shown now
    view: dict = field(default_factory=dict)  # the calendar's month and the day picked
    command: str = ""  # the command that started it (/wish, /reception …), to start it again

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict) -> State:
        return cls(**data)


def pending(flow: Flow, state: State) -> Step | None:
    """The next question to ask (None: everything is answered, show the preview)."""
    if state.editing:
        return None
    for step in flow.steps:
        if step.key not in state.answers and step.needed(state.answers):
            return step
    return None


def give(state: State, step: Step, value: object) -> None:
    state.answers[step.key] = value
    state.view = {}
    if step.key in state.order:
        state.order.remove(step.key)
    state.order.append(step.key)
    state.editing = False
    state.revision += 1


def back(flow: Flow, state: State) -> bool:
    """Forget the last answer given (False: nothing to go back to). Answers of steps that are no
    longer asked (another kind was chosen) go with it."""
    givable = [k for k in state.order if k in state.answers]
    if not givable:
        return False
    state.answers.pop(givable[-1])
    state.order = givable[:-1]
    for step in flow.steps:
        if step.key in state.answers and not step.needed(state.answers):
            state.answers.pop(step.key)
    state.editing = False
    state.revision += 1
    return True


def reopen(flow: Flow, state: State, key: str) -> bool:
    """Edit: ask ``key`` again, the other answers kept."""
    if key not in state.answers:
        return False
    state.answers.pop(key)
    state.revision += 1
    return True


def answered(flow: Flow, state: State) -> list[Step]:
    """The steps the person answered (not those the command or the group settled), in the flow's
    order: what Edit offers to change."""
    return [s for s in flow.steps if s.key in state.order and s.key in state.answers
            and s.needed(state.answers)]


# -- times: quick choices and a month calendar ---------------------------------------------------

QUICK_TIMES = (
    ("tonight", N_("Tonight 20:00")),
    ("tomorrow", N_("Tomorrow 20:00")),
    ("day_after", N_("The day after tomorrow")),
    ("monday", N_("Next Monday")),
    ("three_days", N_("In 3 days")),
    ("week", N_("In a week")),
)
SLOTS = ("09:00", "12:00", "15:00", "18:00", "19:30", "20:00")
EVENING = (20, 0)


def quick_time(choice: str, now: datetime) -> datetime | None:
    """The moment a quick button stands for (at 20:00 unless it says otherwise), None when it has
    passed (tonight, late in the evening)."""
    today = now.replace(hour=EVENING[0], minute=EVENING[1], second=0, microsecond=0)
    days = {"tonight": 0, "tomorrow": 1, "day_after": 2, "three_days": 3, "week": 7,
            "monday": 7 - now.weekday()}[choice]
    moment = today + timedelta(days=days)
    return moment if moment > now else None


def month_grid(month: date) -> list[list[date | None]]:
    """The weeks of ``month``, Monday first, None where a day belongs to another month."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    days = [first + timedelta(days=k) for k in range((following - first).days)]
    cells: list[date | None] = [None] * first.weekday() + days
    cells += [None] * (-len(cells) % 7)
    return [cells[k:k + 7] for k in range(0, len(cells), 7)]


def shift_month(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def typed_time(moment: datetime) -> str:
    """A moment as the typed grammar reads it, whatever the date: 2026年12月8日 19:30."""
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
