"""Numbers people type or buttons carry: 3, #3 or ３ (full width), read one way everywhere, and
never larger than a database key can hold."""

from __future__ import annotations

import re
import unicodedata

MOST = 10**9  # any poll, idea, request or meeting number; page; rating
_WHOLE = re.compile(r"#?([0-9]{1,10})")
_CHAT = re.compile(r"-?[0-9]{1,16}")


def whole(word: str | None, most: int = MOST) -> int | None:
    """The whole number ``word`` is (0 to ``most``), or None."""
    if not word:
        return None
    match = _WHOLE.fullmatch(unicodedata.normalize("NFKC", word).strip())
    if match is None or int(match[1]) > most:
        return None
    return int(match[1])


def chat_id(word: str | None) -> int | None:
    """A Telegram chat id (negative for groups) carried by a link or a button, or None."""
    return int(word) if word and _CHAT.fullmatch(word) else None
