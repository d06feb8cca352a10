"""The inbox: updates kept from their arrival until they are handled, so a crash loses none."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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


async def receive_all(db: Database, updates: list[tuple[int, str]], now: datetime) -> set[int]:
    """Keep a batch of updates in one transaction; the ids of those not here before."""
    async with db.transaction() as conn:
        ids = [update_id for update_id, _ in updates]
        cur = await conn.execute(
            f"SELECT update_id FROM inbox WHERE update_id IN ({','.join('?' * len(ids))})", ids)
        known = {row[0] for row in await cur.fetchall()}
        fresh = [(update_id, body, to_db(now)) for update_id, body in updates if update_id not in known]
        await conn.executemany("INSERT INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)", fresh)
        return {update_id for update_id, _, _ in fresh}


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


async def keyed(db: Database, origin: str | None, now: datetime,
                make: Callable[[aiosqlite.Connection], Awaitable[int]]) -> int:
    """Run ``make`` in one transaction once for ``origin`` (an update or a button press): its
    result, or, when the same update is handled again after a crash, the first run's result."""
    async with db.transaction() as conn:
        if origin is not None:
            cur = await conn.execute("SELECT result FROM acts WHERE key = ?", (origin,))
            row = await cur.fetchone()
            if row is not None:
                return int(row[0])
        result = await make(conn)
        if origin is not None:
            await conn.execute("INSERT INTO acts (key, result, at) VALUES (?, ?, ?)",
                               (origin, int(result), to_db(now)))
        return result

