"""Roles in a chat and what they allow."""

from __future__ import annotations

from collections.abc import Iterable

ROLES = ("convener", "deputy", "building_lead", "property_manager", "committee", "grid_worker")
CONVENING = frozenset({"convener", "deputy"})
NEEDS_BUILDING = frozenset({"building_lead"})

# What conveners type, in either script, for each role.
ALIASES = {
    "convener": ("召集人",),
    "deputy": ("副召集人",),
    "building_lead": ("楼长", "樓長", "楼栋召集人", "樓棟召集人", "lead"),
    "property_manager": ("物业", "物業", "物业经理", "物業經理", "property"),
    "committee": ("业委会", "業委會", "业主委员会", "業主委員會"),
    "grid_worker": ("网格员", "網格員", "grid"),
}
_LOOKUP = {alias.lower(): role for role, names in ALIASES.items() for alias in (role, *names)}


def parse_role(word: str) -> str | None:
    return _LOOKUP.get(word.strip().lower().replace("-", "_"))


# What a group is in its community (the main group is the one that founded it), as conveners type it.
CHAT_ROLE_WORDS = {
    "building": ("building", "楼栋", "樓棟", "楼栋群", "樓棟群", "楼", "樓"),
    "committee": ("committee", "工作群", "工作", "业委会", "業委會", "议事", "議事", "议事群", "議事群"),
}


def parse_chat_role(word: str) -> str | None:
    """'楼栋群' -> 'building', '議事' -> 'committee'; None for anything else."""
    return next((role for role, words in CHAT_ROLE_WORDS.items() if word.strip().casefold() in words), None)


def is_convener(is_chat_admin: bool, roles: Iterable[str]) -> bool:
    """Telegram administrators of a chat and holders of convener roles convene it."""
    return is_chat_admin or not CONVENING.isdisjoint(roles)


def normalize_building(text: str) -> str:
    """'6栋', '6 棟', '6号楼', 'B6' -> a comparable label ('6', 'B6')."""
    label = text.strip().upper()
    for suffix in ("号楼", "號樓", "栋", "棟", "幢", "座"):
        if label.endswith(suffix):
            label = label[: -len(suffix)].strip()
    return label


def leads_scope(lead_buildings: Iterable[str], scope: Iterable[str]) -> bool:
    """A building lead manages a vote scoped to their buildings (or entrances of them, "6-2")."""
    items = list(scope)
    buildings = set(lead_buildings)
    return bool(items) and all(item.split("-")[0] in buildings for item in items)
