"""Where an item's card was posted besides its first message: a vote announced in building
groups too, a chain or a talk shared in other chats of its community."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.times import to_db


def card_at(alias: str, kind: str) -> str:
    """SQL: row ``alias`` is the item whose card (first or further) is a given message; takes
    (chat, message) twice."""
    return f"""(({alias}.chat_id = ? AND {alias}.message_id = ?) OR {alias}.id = (SELECT item_id
               FROM posts WHERE kind = '{kind}' AND chat_id = ? AND message_id = ?))"""


async def add(db: Database, kind: str, item_id: int, chat_id: int, message_id: int, now: datetime) -> None:
    await db.execute(
        """INSERT INTO posts (kind, item_id, chat_id, message_id, posted_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (kind, item_id, chat_id) DO UPDATE SET message_id = excluded.message_id""",
        (kind, item_id, chat_id, message_id, to_db(now)))


async def of(db: Database, kind: str, item_id: int) -> list[tuple[int, int]]:
    """(chat, message) of each further card of the item, in the order they were posted."""
    rows = await db.fetchall(
        """SELECT p.chat_id, p.message_id FROM posts p JOIN chats c ON c.id = p.chat_id
           WHERE p.kind = ? AND p.item_id = ? AND c.active = 1 ORDER BY p.posted_at, p.chat_id""",
        (kind, item_id))
    return [(row["chat_id"], row["message_id"]) for row in rows]


async def item_at(db: Database, kind: str, chat_id: int, message_id: int) -> int | None:
    """The item whose further card is message ``message_id`` of ``chat_id``."""
    row = await db.fetchone("SELECT item_id FROM posts WHERE kind = ? AND chat_id = ? AND message_id = ?",
                            (kind, chat_id, message_id))
    return row["item_id"] if row else None
