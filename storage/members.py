"""Who has been seen in which group, to tell conveners who has not voted yet."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Person
from storage.db import Database
from storage.times import to_db
from storage.users import _person


async def seen(db: Database, chat_id: int, user_id: int, now: datetime, present: bool = True) -> None:
    await db.execute(
        """INSERT INTO members (chat_id, user_id, present, seen_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (chat_id, user_id) DO UPDATE SET present = excluded.present,
               seen_at = excluded.seen_at""", (chat_id, user_id, int(present), to_db(now)))


async def present(db: Database, chat_id: int) -> list[Person]:
    rows = await db.fetchall(
        """SELECT u.* FROM members m JOIN users u ON u.id = m.user_id
           WHERE m.chat_id = ? AND m.present = 1 ORDER BY u.first_name, u.id""", (chat_id,))
    return [_person(r) for r in rows]
