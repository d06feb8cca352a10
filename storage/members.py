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


async def groups_of(db: Database, user_id: int) -> list[tuple[int, str]]:
    """The communities the person belongs to, as (main group id, community name): by a bound
    household, a role, or as a present member of any of its active groups."""
    rows = await db.fetchall(
        """WITH mine (community_id) AS (
               SELECT h.community_id FROM household_owners o JOIN households h ON h.id = o.household_id
               WHERE o.user_id = ? AND h.active = 1
               UNION SELECT community_id FROM roles WHERE user_id = ?
               UNION SELECT cc.community_id FROM members m
                   JOIN community_chats cc ON cc.chat_id = m.chat_id JOIN chats c ON c.id = m.chat_id
                   WHERE m.user_id = ? AND m.present = 1 AND c.active = 1 AND c.kind != 'private')
           SELECT main.id, coalesce(nullif(co.name, ''), main.title, '') AS name
           FROM mine JOIN communities co ON co.id = mine.community_id
           JOIN community_chats mc ON mc.community_id = co.id AND mc.role = 'main'
           JOIN chats main ON main.id = mc.chat_id
           WHERE main.active = 1
           ORDER BY name, main.id""", (user_id, user_id, user_id))
    return [(row["id"], row["name"]) for row in rows]
