"""Live messages: the digest of what each last showed, and the changes not shown yet."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.times import to_db


async def digest(db: Database, chat_id: int, message_id: int) -> str | None:
    row = await db.fetchone("SELECT digest FROM live_messages WHERE chat_id = ? AND message_id = ?",
                            (chat_id, message_id))
    return row["digest"] if row else None


async def record(db: Database, chat_id: int, message_id: int, digest: str, now: datetime) -> None:
    await db.execute(
        """INSERT INTO live_messages (chat_id, message_id, digest, shown_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (chat_id, message_id) DO UPDATE SET digest = excluded.digest,
               shown_at = excluded.shown_at""",
        (chat_id, message_id, digest, to_db(now)),
    )


async def forget(db: Database, chat_id: int, message_id: int) -> None:
    await db.execute("DELETE FROM live_messages WHERE chat_id = ? AND message_id = ?",
                     (chat_id, message_id))


async def mark_pending(db: Database, key: str, now: datetime) -> None:
    await db.execute("INSERT INTO live_pending (key, since) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     (key, to_db(now)))


async def clear_pending(db: Database, key: str) -> None:
    await db.execute("DELETE FROM live_pending WHERE key = ?", (key,))


async def pending(db: Database) -> list[str]:
    rows = await db.fetchall("SELECT key FROM live_pending ORDER BY since, key")
    return [row["key"] for row in rows]
