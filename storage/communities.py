"""Communities (小区) and the chats linked to them; one-time link codes.

Every group the bot serves belongs to exactly one community: a group the bot meets is made
the main group of a new community of its own, until it is linked into another one. What a
community owns (registry, roles, votes, ideas, requests, events, meetings, action items) is
asked for from any of its chats: ``OF_CHAT`` is the community of the chat given.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from bot.domain.models import Community
from storage.db import Database
from storage.times import to_db

OF_CHAT = "(SELECT community_id FROM community_chats WHERE chat_id = ?)"
COMMITTEE_CHATS = "(SELECT chat_id FROM community_chats WHERE role = 'committee')"


def seen_from(alias: str, kind: str | None = None) -> str:
    """SQL: what the chat asked from may see of its community's ``alias`` rows (takes that chat
    once, twice with ``kind``). What was started in the committee group is seen there only, and
    where a convener shared it on purpose (posts of ``kind``)."""
    shared = (f" OR EXISTS (SELECT 1 FROM posts WHERE kind = '{kind}' AND item_id = {alias}.id "
              "AND chat_id = ?)") if kind else ""
    return f"({alias}.chat_id = ? OR {alias}.chat_id NOT IN {COMMITTEE_CHATS}{shared})"


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(days=2)


async def found(conn, chat_id: int, now: datetime) -> int:
    """Make the group ``chat_id`` the main group of a new community (inside a transaction)."""
    cur = await conn.execute("INSERT INTO communities (created_at, updated_at) VALUES (?, ?)",
                             (to_db(now), to_db(now)))
    community = cur.lastrowid
    await conn.execute("""INSERT INTO community_chats (chat_id, community_id, role, linked_at)
                          VALUES (?, ?, 'main', ?)""", (chat_id, community, to_db(now)))
    return community


async def get(db: Database, community_id: int) -> Community | None:
    row = await db.fetchone("SELECT * FROM communities WHERE id = ?", (community_id,))
    if row is None:
        return None
    rows = await db.fetchall(
        """SELECT cc.chat_id, coalesce(c.title, '') AS title, cc.role, cc.buildings
           FROM community_chats cc JOIN chats c ON c.id = cc.chat_id
           WHERE cc.community_id = ? AND c.active = 1
           ORDER BY cc.role != 'main', cc.role, cc.buildings, c.title NULLS FIRST, cc.chat_id""",
        (community_id,))
    linked = tuple((r["chat_id"], r["title"], r["role"], tuple(json.loads(r["buildings"]))) for r in rows)
    main_title = next((title for _, title, role, _ in linked if role == "main"), "")
    return Community(row["id"], row["name"] or main_title, row["tz"], linked)


async def of_chat(db: Database, chat_id: int) -> Community | None:
    row = await db.fetchone("SELECT community_id FROM community_chats WHERE chat_id = ?", (chat_id,))
    return await get(db, row["community_id"]) if row else None


async def set_name(db: Database, community_id: int, name: str, now: datetime) -> None:
    await db.execute("UPDATE communities SET name = ?, updated_at = ? WHERE id = ?",
                     (name, to_db(now), community_id))


async def set_tz(db: Database, community_id: int, tz: str, now: datetime) -> None:
    await db.execute("UPDATE communities SET tz = ?, updated_at = ? WHERE id = ?",
                     (tz, to_db(now), community_id))


async def new_code(db: Database, community_id: int, role: str, buildings: tuple[str, ...],
                   created_by: int, now: datetime) -> tuple[str, datetime]:
    """A one-time code linking a group as ``role`` (of ``buildings``), and when it expires."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + CODE_LIFETIME
    await db.execute(
        """INSERT INTO link_codes (code, community_id, role, buildings, created_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (code, community_id, role, json.dumps(list(buildings), ensure_ascii=False), created_by,
         to_db(now), to_db(expires)))
    return code, expires


OWNED = ("polls", "ideas", "requests", "events", "meetings", "households")


async def owns_anything(db: Database, chat_id: int) -> bool:
    """Whether the chat's own community keeps records (a registry, votes, ideas ...) of its own."""
    unions = " UNION ALL ".join(f"SELECT 1 FROM {table} WHERE community_id = {OF_CHAT}" for table in OWNED)
    row = await db.fetchone(f"SELECT EXISTS ({unions}) AS any_", (chat_id,) * len(OWNED))
    return bool(row["any_"])


async def use_code(db: Database, code: str, chat_id: int, user_id: int, now: datetime) -> int | None:
    """Link ``chat_id`` into the code's community as the code says; the community's id, or None
    when the code is unknown, used or expired. The chat's own community of one (empty: the
    caller checked ``owns_anything``) is dropped."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "SELECT * FROM link_codes WHERE code = ? AND used_at IS NULL AND expires_at > ?",
            (code.strip().upper(), to_db(now)))
        row = await cur.fetchone()
        if row is None:
            return None
        cur = await conn.execute("SELECT community_id FROM community_chats WHERE chat_id = ?", (chat_id,))
        before = await cur.fetchone()
        await conn.execute("DELETE FROM community_chats WHERE chat_id = ?", (chat_id,))
        await conn.execute(
            """INSERT INTO community_chats (chat_id, community_id, role, buildings, linked_by, linked_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (chat_id, row["community_id"], row["role"], row["buildings"], user_id, to_db(now)))
        await conn.execute("UPDATE link_codes SET used_at = ?, used_by_chat = ? WHERE code = ?",
                           (to_db(now), chat_id, row["code"]))
        if before is not None and before["community_id"] != row["community_id"]:
            await drop_if_empty(conn, before["community_id"])
    return row["community_id"]


async def drop_if_empty(conn, community_id: int) -> None:
    await conn.execute("""DELETE FROM communities WHERE id = ?
                          AND NOT EXISTS (SELECT 1 FROM community_chats WHERE community_id = ?)""",
                       (community_id, community_id))


async def unlink(db: Database, chat_id: int, now: datetime) -> bool:
    """The chat leaves its community (never its main group) and becomes a community of its own;
    what was started there stays with the community it was started in."""
    async with db.transaction() as conn:
        cur = await conn.execute("DELETE FROM community_chats WHERE chat_id = ? AND role != 'main' "
                                 "RETURNING community_id", (chat_id,))
        if await cur.fetchone() is None:
            return False
        await found(conn, chat_id, now)
    return True


async def choose(db: Database, user_id: int, chat_id: int | None) -> None:
    """Remember the community (of ``chat_id``; None: forget) a person acts for in private."""
    await db.execute(f"UPDATE users SET community_id = {OF_CHAT} WHERE id = ?", (chat_id, user_id))


async def chosen(db: Database, user_id: int) -> int | None:
    """The main group of the community the person chose to act for in private, if any."""
    row = await db.fetchone("""SELECT cc.chat_id FROM users u JOIN community_chats cc
                               ON cc.community_id = u.community_id AND cc.role = 'main' WHERE u.id = ?""",
                            (user_id,))
    return row["chat_id"] if row else None

