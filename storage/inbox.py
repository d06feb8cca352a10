"""The inbox: updates kept from their arrival until they are handled, so a crash loses none."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from storage.db import Database
from storage.times import to_db

KEEP_HANDLED = timedelta(days=1)  # Telegram keeps an unconfirmed update for 24 hours
KEEP_ACTS = timedelta(days=30)  # longer than any stop an unhandled update could wait through


async def receive(db: Database, update_id: int, body: str, now: datetime) -> bool:
    """Keep an update that just arrived; False when it was here before (delivered again)."""
    rows = await db.fetchall(
        """INSERT INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)
           ON CONFLICT DO NOTHING RETURNING 1""",
        (update_id, body, to_db(now)),
    )
    return bool(rows)


async def handled(db: Database, update_id: int, now: datetime) -> None:
    await db.execute("UPDATE inbox SET handled_at = ? WHERE update_id = ? AND handled_at IS NULL",
                     (to_db(now), update_id))


async def unhandled(db: Database) -> list[tuple[int, str]]:
    """The updates that arrived but were not handled (the bot stopped first), oldest first."""
    rows = await db.fetchall("SELECT update_id, body FROM inbox WHERE handled_at IS NULL ORDER BY update_id")
    return [(row["update_id"], row["body"]) for row in rows]


async def prune(db: Database, now: datetime) -> int:
    """Forget updates handled more than a day ago, and what they created under their keys."""
    async with db.transaction() as conn:
        cur = await conn.execute("DELETE FROM inbox WHERE handled_at < ?", (to_db(now - KEEP_HANDLED),))
        await conn.execute("DELETE FROM acts WHERE at < ?", (to_db(now - KEEP_ACTS),))
        return cur.rowcount


async def recall(conn: aiosqlite.Connection, key: str | None) -> int | None:
    """Inside a transaction: what the update or press ``key`` created before, if it did."""
    if key is None:
        return None
    cur = await conn.execute("SELECT result FROM acts WHERE key = ?", (key,))
    row = await cur.fetchone()
    return None if row is None else int(row[0])


async def remember(conn: aiosqlite.Connection, key: str | None, result: int, now: datetime) -> None:
    """Inside the transaction that created it: ``key`` created ``result``."""
    if key is not None:
        await conn.execute("INSERT INTO acts (key, result, at) VALUES (?, ?, ?)", (key, result, to_db(now)))
