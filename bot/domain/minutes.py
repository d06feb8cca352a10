"""Minutes, pure: the entry log of a meeting becomes the minutes model; action input is read;
action items are grouped by owner; who spoke how often; the look-back of earlier meetings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("talk", "council", "reception", "briefing")
KIND_WORDS = {
    "talk": "talk",
    "夜话": "talk",
    "夜話": "talk",
    "evening": "talk",
    "council": "council",
    "议事会": "council",
    "議事會": "council",
    "会议": "council",
    "會議": "council",
    "reception": "reception",
    "接待日": "reception",
    "briefing": "briefing",
    "廉情": "briefing",
    "廉情发布会": "briefing",
    "廉情發佈會": "briefing",
    "发布会": "briefing",
    "發佈會": "briefing",
    "integrity": "briefing",
}
# The sections of a public integrity briefing, in order; look-back comes last from the action items.
SECTIONS = ("construction", "performance", "briefing")
SECTION_WORDS = {
    "construction": ("construction", "工程", "施工", "进度", "進度"),
    "performance": ("performance", "履职", "履職", "述职", "述職", "评议", "評議", "测评", "測評"),
    "briefing": ("briefing", "通报", "通報", "发布", "發佈", "公开", "公開"),
}
DUE_WORDS = ("截止", "截至", "due", "期限", "到期")
OPEN_STATUSES = ("open", "started", "blocked")  # not started, in progress, blocked: still to do
STATUSES = (*OPEN_STATUSES, "done")

DEFAULT_AUTOCLOSE_HOURS = 4  # a meeting left open closes itself after this long (a chat setting)


@dataclass(frozen=True)
class Meeting:
    id: int
    chat_id: int
    number: int
    kind: str
    title: str | None
    place: str | None
    event_id: int | None
    chair_id: int
    chair_name: str
    status: str
    closed_by: str | None
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str  # topic | note | decision | action | idea | chair
    text: str
    author_id: int
    author_name: str
    speaker_id: int | None = None
    speaker_name: str | None = None
    data: dict = field(default_factory=dict)
    undone: bool = False
    at: datetime | None = None

    @property
    def speaker(self) -> str:
        return self.speaker_name or self.author_name


@dataclass(frozen=True)
class ActionItem:
    id: int
    number: int
    meeting_id: int
    owner_id: int | None
    owner_role: str | None
    owner_name: str
    text: str
    due_at: datetime | None
    status: str  # open | done | blocked | dropped
    note: str | None
    updated_at: datetime | None = None
    chat_id: int | None = None  # the chat its meeting was held in


@dataclass
class Topic:
    title: str | None  # None: what was said before the first topic
    section: str | None = None
    notes: list[Entry] = field(default_factory=list)
    decisions: list[Entry] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    ideas: list[Entry] = field(default_factory=list)


@dataclass
class Minutes:
    meeting: Meeting
    community: str
    chair: str
    topics: list[Topic]
    actions: list[ActionItem]
    by_owner: list[tuple[str, list[ActionItem]]]
    speakers: list[tuple[str, int]]
    attendees: list[str]  # the chair, who spoke or was marked present, has an action item, said they'd come
    ideas: list[Entry]
    look_back: list[ActionItem]
    sections: list[tuple[str, list[Topic]]]  # briefing only: (section, topics)
    agenda: list[str] = field(default_factory=list)  # the agenda of the event occurrence it took the place of


def kind_of(word: str | None) -> str | None:
    return KIND_WORDS.get((word or "").strip().lower())


def section_of(title: str | None) -> str | None:
    low = (title or "").lower()
    for section, words in SECTION_WORDS.items():
        if any(w in low for w in words):
            return section
    return None


def split_due(text: str) -> tuple[str, str | None]:
    """The action text and its due expression: a line or a clause starting with 截止/due."""
    pattern = re.compile(r"(?:^|\n|[,，;；\s])(?:" + "|".join(DUE_WORDS) + r")[:：\s]*(.+)$", re.S | re.I)
    match = pattern.search(text)
    if match:
        return text[: match.start()].strip(" \n,，;；"), " ".join(match.group(1).split()) or None
    return text.strip(), None


def group_by_owner(items: list[ActionItem]) -> list[tuple[str, list[ActionItem]]]:
    grouped: dict[str, list[ActionItem]] = {}
    for item in items:
        grouped.setdefault(item.owner_name, []).append(item)
    return list(grouped.items())


def speakers(entries: list[Entry]) -> list[tuple[str, int]]:
    """Who spoke how often: notes counted by speaker (the quoted resident, else the recorder),
    most first, then by first appearance."""
    counts = Counter(e.speaker for e in entries if e.kind == "note")
    order = {name: i for i, name in reversed(list(enumerate(e.speaker for e in entries if e.kind == "note")))}
    return sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def look_back(earlier: list[ActionItem], since: datetime | None) -> list[ActionItem]:
    """Earlier meetings' items: all still open or blocked, and those settled since ``since``
    (the previous meeting's start)."""
    return [
        i
        for i in earlier
        if i.status in OPEN_STATUSES
        or (i.status == "done" and (since is None or i.updated_at is None or i.updated_at >= since))
    ]


def build(
    meeting: Meeting,
    entries: list[Entry],
    actions: list[ActionItem],
    *,
    community: str,
    earlier: list[ActionItem] = (),
    since: datetime | None = None,
    coming: Sequence[str] = (),
    agenda: Sequence[str] = (),
) -> Minutes:
    """The minutes model from the log (undone entries left out) and the meeting's action items;
    ``coming``: who said they would come to the event the meeting took the place of, ``agenda``
    its agenda."""
    live = [e for e in entries if not e.undone]
    by_number = {a.number: a for a in actions}
    topics = [Topic(None)]
    chair = meeting.chair_name
    people: list[str] = [meeting.chair_name]
    ideas: list[Entry] = []
    kept: list[ActionItem] = []
    for entry in live:
        topic = topics[-1]
        for name in (entry.author_name, entry.speaker_name):
            if name and name not in people:
                people.append(name)
        if entry.kind == "topic":
            topics.append(Topic(entry.text, section_of(entry.text)))
        elif entry.kind == "note":
            topic.notes.append(entry)
        elif entry.kind == "decision":
            topic.decisions.append(entry)
        elif entry.kind == "idea":
            topic.ideas.append(entry)
            ideas.append(entry)
        elif entry.kind == "action":
            item = by_number.get(entry.data.get("number"))
            if item is not None and item.status != "dropped":
                topic.actions.append(item)
                kept.append(item)
        elif entry.kind == "chair":
            chair = entry.data.get("name", chair)
            if chair not in people:
                people.append(chair)
        elif entry.kind == "present":
            people += [name for name in entry.data.get("names", []) if name not in people]
    for name in [*(a.owner_name for a in kept if a.owner_id is not None), *coming]:
        if name not in people:
            people.append(name)
    if not (topics[0].notes or topics[0].decisions or topics[0].actions or topics[0].ideas):
        topics.pop(0)
    sections = []
    if meeting.kind == "briefing":
        for section in SECTIONS:
            sections.append((section, [t for t in topics if t.section == section]))
        other = [t for t in topics if t.section is None]
        if other:
            sections.append(("other", other))
    return Minutes(
        meeting=meeting,
        community=community,
        chair=chair,
        topics=topics,
        actions=kept,
        by_owner=group_by_owner(kept),
        speakers=speakers(live),
        attendees=people,
        ideas=ideas,
        look_back=look_back(list(earlier), since),
        sections=sections,
        agenda=list(agenda),
    )


PLACE_WORDS = ("地点", "地點", "place")


def split_place(body: str) -> tuple[str, str | None]:
    """"/meeting 夜话 凉亭怎么办" and an optional line "地点 东门凉亭" -> (first line, place)."""
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    place = None
    for line in lines[1:]:
        for word in PLACE_WORDS:
            if line.casefold().startswith(word):
                place = line[len(word):].lstrip(" :：").strip() or None
    return (lines[0] if lines else ""), place
