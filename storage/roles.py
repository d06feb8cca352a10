"""Roles granted in a community (convener, deputy, building lead, ...), asked from any of its chats."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import RoleGrant
from storage.communities import OF_CHAT
from storage.db import Database, marks
from storage.times import to_db

_SELECT = """SELECT r.community_id, r.user_id, r.role, r.building,
                    trim(u.first_name || ' ' || coalesce(u.last_name, '')) AS name
             FROM roles r JOIN users u ON u.id = r.user_id"""


def _grant(row) -> RoleGrant:
    return RoleGrant(row["community_id"], row["user_id"], row["role"], row["building"], row["name"])


async def grant(db: Database, chat_id: int, user_id: int, role: str, building: str,
                granted_by: int, now: datetime) -> None:
    await db.execute(
        f"""INSERT INTO roles (community_id, user_id, role, building, granted_by, granted_at)
            VALUES ({OF_CHAT}, ?, ?, ?, ?, ?)
            ON CONFLICT (community_id, user_id, role) DO UPDATE SET building = excluded.building,
                granted_by = excluded.granted_by, granted_at = excluded.granted_at""",
        (chat_id, user_id, role, building, granted_by, to_db(now)),
    )


async def revoke(db: Database, chat_id: int, user_id: int, role: str) -> bool:
    rows = await db.fetchall(
        f"DELETE FROM roles WHERE community_id = {OF_CHAT} AND user_id = ? AND role = ? RETURNING role",
        (chat_id, user_id, role),
    )
    return bool(rows)


async def of_chat(db: Database, chat_id: int) -> list[RoleGrant]:
    rows = await db.fetchall(f"{_SELECT} WHERE r.community_id = {OF_CHAT} ORDER BY r.role, name",
                             (chat_id,))
    return [_grant(row) for row in rows]


async def of_user(db: Database, chat_id: int, user_id: int) -> list[RoleGrant]:
    rows = await db.fetchall(f"{_SELECT} WHERE r.community_id = {OF_CHAT} AND r.user_id = ?",
                             (chat_id, user_id))
    return [_grant(row) for row in rows]


async def communities_of(db: Database, user_id: int, held: tuple[str, ...]) -> list[tuple[int, str]]:
    """The communities in which the person holds any of the roles ``held``, as (main group id,
    community name), by name."""
    in_list = marks(held)
    rows = await db.fetchall(
        f"""SELECT DISTINCT main.id, coalesce(nullif(co.name, ''), main.title, '') AS name
            FROM roles r JOIN communities co ON co.id = r.community_id
            JOIN community_chats mc ON mc.community_id = co.id AND mc.role = 'main'
            JOIN chats main ON main.id = mc.chat_id
            WHERE r.user_id = ? AND r.role IN ({in_list}) AND main.active = 1
            ORDER BY name, main.id""", (user_id, *held))
    return [(row["id"], row["name"]) for row in rows]


async def holders(db: Database, chat_id: int, role: str) -> list[RoleGrant]:
    """Who holds ``role`` in the community of ``chat_id``."""
    return [grant for grant in await of_chat(db, chat_id) if grant.role == role]
