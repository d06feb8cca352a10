"""Plain records shared by storage, the scheduler and the handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Chat:
    """A chat the bot is in, with what it takes from its community (a group's community: its name
    or the main group's title, its time zone; ``role``: main, building or committee)."""

    id: int
    kind: str
    title: str | None
    locale: str | None
    tz: str | None
    community: str | None
    active: bool
    settings: dict = field(default_factory=dict)
    community_id: int | None = None
    role: str | None = None
    buildings: tuple[str, ...] = ()
    main_chat_id: int | None = None

    @property
    def is_main(self) -> bool:
        return self.main_chat_id == self.id


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    started: bool = False

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass(frozen=True)
class Community:
    """A compound (小区) and its chats: (chat id, title, role, buildings), the main group first."""

    id: int
    name: str
    tz: str | None
    chats: tuple[tuple[int, str, str, tuple[str, ...]], ...] = ()

    @property
    def main_chat_id(self) -> int | None:
        return next((chat for chat, _, role, _ in self.chats if role == "main"), None)


@dataclass(frozen=True)
class RoleGrant:
    community_id: int
    user_id: int
    role: str
    building: str
    name: str


@dataclass(frozen=True)
class Schedule:
    """Something that fires at each occurrence of a (possibly recurring) time, minus offsets.

    ``first_at`` is the first occurrence (UTC); ``rrule`` an RFC 5545 rule evaluated
    in ``tz`` wall time (so 19:30 stays 19:30); ``offsets`` how many seconds
    before each occurrence to fire (0 = at it).
    """

    id: int
    chat_id: int
    kind: str
    ref: str | None
    first_at: datetime
    rrule: str | None
    tz: str
    offsets: tuple[int, ...]
    payload: dict
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Firing:
    """One moment a schedule fires: an occurrence and the offset before it."""

    schedule: Schedule
    occurrence: datetime
    offset: int
    fire_at: datetime
