"""Chats the bot is in, with their language and settings, and their community's name and time zone."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.models import Chat
from storage import communities
from storage.db import Database
from storage.times import to_db

_SELECT = """SELECT c.*, cc.community_id, cc.role, cc.buildings, co.tz,
                    co.name AS community, mc.chat_id AS main_chat_id
             FROM chats c LEFT JOIN community_chats cc ON cc.chat_id = c.id
             LEFT JOIN communities co ON co.id = cc.community_id
             LEFT JOIN community_chats mc ON mc.community_id = cc.community_id AND mc.role = 'main'"""


def _chat(row) -> Chat:
    return Chat(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        locale=row["locale"],
        tz=row["tz"],
        community=row["community"],
        active=bool(row["active"]),
        settings=json.loads(row["settings"]),
        community_id=row["community_id"],
        role=row["role"],
        buildings=tuple(json.loads(row["buildings"])) if row["buildings"] else (),
        main_chat_id=row["main_chat_id"],
    )


async def get(db: Database, chat_id: int) -> Chat | None:
    row = await db.fetchone(f"{_SELECT} WHERE c.id = ?", (chat_id,))
    return _chat(row) if row else None


async def seen(db: Database, chat_id: int, kind: str, title: str | None, now: datetime) -> None:
    """Record a chat the bot heard from (new, or with a new title or kind).

    A group that moved to a supergroup is not brought back by its late updates. A group met
    for the first time is the main group of a new community.
    """
    async with db.transaction() as conn:
        cur = await conn.execute(
            """INSERT INTO chats (id, kind, title, created_at, updated_at)
               SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM chat_moves WHERE old_id = ?)
               ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
                                              updated_at = excluded.updated_at
               RETURNING NOT EXISTS (SELECT 1 FROM community_chats WHERE chat_id = chats.id)""",
            (chat_id, kind, title, to_db(now), to_db(now), chat_id),
        )
        row = await cur.fetchone()
        if kind != "private" and row is not None and row[0]:
            await communities.found(conn, chat_id, now)


async def set_locale(db: Database, chat_id: int, locale: str, now: datetime) -> None:
    await db.execute("UPDATE chats SET locale = ?, updated_at = ? WHERE id = ?",
                     (locale, to_db(now), chat_id))


async def set_active(db: Database, chat_id: int, active: bool, now: datetime) -> None:
    await db.execute("UPDATE chats SET active = ?, updated_at = ? WHERE id = ?",
                     (int(active), to_db(now), chat_id))


async def active_groups(db: Database, limit: int) -> list[int]:
    """The groups the bot serves, the most recently active first."""
    rows = await db.fetchall("""SELECT id FROM chats WHERE active = 1 AND kind != 'private'
                                ORDER BY updated_at DESC, id LIMIT ?""", (limit,))
    return [row["id"] for row in rows]


async def active_ids(db: Database) -> list[int]:
    rows = await db.fetchall("SELECT id FROM chats WHERE active = 1 ORDER BY id")
    return [row["id"] for row in rows]


async def migrate(db: Database, old_id: int, new_id: int, kind: str, now: datetime) -> bool:
    """Move every row of ``old_id`` to ``new_id`` in one transaction (foreign keys cascade).

    The move is recorded, so ``seen`` never brings the old id back and a second notice finds
    nothing to move.

    The new chat may already have a bare row (its first update can arrive before
    the migration notice); the old chat's settings win. Returns False when there
    was nothing to move.
    """
    async with db.transaction() as conn:
        async with conn.execute("SELECT 1 FROM chats WHERE id = ?", (old_id,)) as cur:
            if await cur.fetchone() is None:
                return False
        cur = await conn.execute("SELECT community_id FROM community_chats WHERE chat_id = ?", (new_id,))
        bare = await cur.fetchone()
        await conn.execute("DELETE FROM chats WHERE id = ?", (new_id,))
        if bare is not None:  # the community of one the new id got with its first update
            await communities.drop_if_empty(conn, bare[0])
        await conn.execute(
            "UPDATE chats SET id = ?, kind = ?, updated_at = ? WHERE id = ?",
            (new_id, kind, to_db(now), old_id),
        )
        await conn.execute("INSERT INTO chat_moves (old_id, new_id, moved_at) VALUES (?, ?, ?)",
                           (old_id, new_id, to_db(now)))
    return True


async def set_setting(db: Database, chat_id: int, key: str, value: object, now: datetime) -> None:
    """One entry of the chat's feature settings (a JSON object)."""
    await db.execute("UPDATE chats SET settings = json_set(settings, ?, json(?)), updated_at = ? "
                     "WHERE id = ?", (f"$.{key}", json.dumps(value), to_db(now), chat_id))
