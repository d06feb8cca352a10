"""Answers typed in a private chat to a question the bot asked there (a comment, a note)."""

from __future__ import annotations

from handlers.base import Refused, Turn
from storage import drafts


async def awaited_answer(turn: Turn, kind: str, most: int, too_long: str) -> tuple[dict, str] | None:
    """A plain private message answering what the draft ``kind`` waits for: (draft, text); None
    when it answers something else (nothing waits, or a request asked for its description since).
    ``too_long``: the msgid (with ``most`` and ``count``) refusing a text over ``most`` characters."""
    rt, person = turn.rt, turn.person.id
    draft = await drafts.get(rt.store, person, kind)
    text = (turn.update.effective_message.text or "").strip()
    if draft is None or not text:
        return None
    asked = await drafts.touched(rt.store, person, kind)
    request = await drafts.touched(rt.store, person, drafts.REQUEST)
    if request is not None and asked is not None and request > asked:
        return None  # the text was the request's description
    if len(text) > most:
        raise Refused(turn.t.gettext(too_long, most=most, count=len(text)))
    return draft, text
