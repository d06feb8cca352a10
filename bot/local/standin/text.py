"""Text utilities shared by the Telegram stand-in: UTF-16 offsets and entity detection."""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

_TRIM = " \t\r\n"

# Telegram marks commands anywhere in a message, as long as they are not glued to a word.
_COMMAND_RE = re.compile(r"(?<![\w/<>@])/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,32}))?(?![\w/@])")
_MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{4,32})(?![\w@])")
_URL_RE = re.compile(r"(?<![\w@/])(?:https?://)[^\s<>\"]+[^\s<>\"().,;:!?'\]]", re.IGNORECASE)
_HASHTAG_RE = re.compile(r"(?<![\w#])#(\w*[^\W\d_]\w*)")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram uses for offsets."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` covered by an entity given in UTF-16 code units."""
    raw = text.encode("utf-16-le")
    return raw[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def utf16_index(text: str) -> list[int]:
    """Map each character index (and the end) of ``text`` to its UTF-16 offset."""
    out = [0] * (len(text) + 1)
    pos = 0
    for i, ch in enumerate(text):
        out[i] = pos
        pos += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = pos
    return out


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def detect_entities(text: str, bot_username: str | None = None) -> list[Entity]:
    """Entities Telegram finds by itself in plain text: commands, mentions, URLs, hashtags."""
    idx = utf16_index(text)
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append({"type": kind, "offset": idx[start], "length": idx[end] - idx[start]})

    for m in _URL_RE.finditer(text):
        add("url", m.start(), m.end())
    for m in _COMMAND_RE.finditer(text):
        add("bot_command", m.start(), m.end())
    for m in _MENTION_RE.finditer(text):
        add("mention", m.start(), m.end())
    for m in _HASHTAG_RE.finditer(text):
        add("hashtag", m.start(), m.end())
    return sort_entities(found)


def merge_detected(text: str, entities: list[Entity]) -> list[Entity]:
    """Add automatically detected entities that do not overlap the given ones."""
    spans = [(e["offset"], e["offset"] + e["length"]) for e in entities]
    extra = [
        e
        for e in detect_entities(text)
        if not any(e["offset"] < end and start < e["offset"] + e["length"] for start, end in spans)
    ]
    return sort_entities([*entities, *extra])


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading and trailing whitespace like Telegram does, keeping entities aligned."""
    stripped_left = text.lstrip(_TRIM)
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip(_TRIM)
    total = utf16_len(result)
    out: list[Entity] = []
    for ent in entities:
        start = max(ent["offset"] - shift, 0)
        end = min(ent["offset"] + ent["length"] - shift, total)
        if end > start:
            out.append({**ent, "offset": start, "length": end - start})
    return result, out


def command_of(text: str | None, entities: list[Entity] | None) -> tuple[str, str | None] | None:
    """The (command, addressee) of a message starting with a bot command, if any."""
    if not text or not entities:
        return None
    for ent in entities:
        if ent["type"] == "bot_command" and ent["offset"] == 0:
            body = utf16_slice(text, 0, ent["length"])[1:]
            name, _, addressee = body.partition("@")
            return name, addressee or None
    return None
