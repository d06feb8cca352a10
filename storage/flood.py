"""The messages sent within the last minute when the bot stopped, for its flood-control windows."""

from __future__ import annotations

from storage.db import Database


async def keep(db: Database, sends: list[tuple[str, float]]) -> None:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM recent_sends")
        await conn.executemany("INSERT INTO recent_sends (chat_id, at) VALUES (?, ?)", sends)


async def take(db: Database) -> list[tuple[str, float]]:
    rows = await db.fetchall("DELETE FROM recent_sends RETURNING chat_id, at")
    return [(row["chat_id"], row["at"]) for row in rows]
