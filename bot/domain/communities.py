"""Which of a community's chats a vote is announced in and reminded in.

A community's chats are (chat id, title, role, buildings): one main group, building groups
tied to buildings of the registry, perhaps a committee group.
"""

from __future__ import annotations

from collections.abc import Sequence

Linked = tuple[int, str, str, tuple[str, ...]]


def building_groups(chats: Sequence[Linked], scope: Sequence[str]) -> list[int]:
    """The building groups of the buildings a scope ("6", "6-2") reaches; none for everyone."""
    buildings = {item.split("-")[0] for item in scope}
    return [chat for chat, _, role, tied in chats if role == "building" and buildings & set(tied)]


def announced_in(chats: Sequence[Linked], started: int, scope: Sequence[str]) -> list[int]:
    """Where an owner vote is posted: the chat it was started in, the main group and the
    building groups of its scope (a vote started in the committee group stays there)."""
    if _role(chats, started) == "committee":
        return [started]
    main = [chat for chat, _, role, _ in chats if role == "main"]
    return list(dict.fromkeys([started, *main, *building_groups(chats, scope)]))


def reminded_in(chats: Sequence[Linked], started: int, scope: Sequence[str]) -> list[int]:
    """Where who has not voted is listed: the building groups of the scope, else where it started."""
    if _role(chats, started) == "committee":
        return [started]
    return building_groups(chats, scope) or [started]


def _role(chats: Sequence[Linked], chat_id: int) -> str | None:
    return next((role for chat, _, role, _ in chats if chat == chat_id), None)
