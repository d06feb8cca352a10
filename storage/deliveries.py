"""Owner votes' notices (送达): recorded before they are sent, then sent, failed or confirmed."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.delivery import Notice
from storage.db import Database
from storage.times import from_db, to_db


def _notice(row) -> Notice:
    def moment(column: str) -> datetime | None:
        return from_db(row[column]) if row[column] else None

    return Notice(poll_id=row["poll_id"], user_id=row["user_id"],
                  household_ids=tuple(json.loads(row["household_ids"])),
                  claimed_at=from_db(row["claimed_at"]), sent_at=moment("sent_at"),
                  message_id=row["message_id"], confirmed_at=moment("confirmed_at"), failed=row["failed"])


async def claim(db: Database, poll_id: int, user_id: int, household_ids: list[int], now: datetime) -> bool:
    """Record that the person's notice is about to be sent; False when it was recorded before
    (sent already, or interrupted by a crash: never sent twice)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            """INSERT INTO vote_notices (poll_id, user_id, household_ids, claimed_at) VALUES (?, ?, ?, ?)
               ON CONFLICT DO NOTHING""", (poll_id, user_id, json.dumps(household_ids), to_db(now)))
        return cur.rowcount == 1


async def sent(db: Database, poll_id: int, user_id: int, message_id: int, now: datetime) -> None:
    await db.execute("UPDATE vote_notices SET sent_at = ?, message_id = ? WHERE poll_id = ? AND user_id = ?",
                     (to_db(now), message_id, poll_id, user_id))


async def failed(db: Database, poll_id: int, user_id: int, reason: str) -> None:
    await db.execute("UPDATE vote_notices SET failed = ? WHERE poll_id = ? AND user_id = ?",
                     (reason[:200], poll_id, user_id))


async def confirm(db: Database, poll_id: int, user_id: int, message_id: int, now: datetime) -> bool:
    """The person pressed 收到 under message ``message_id``: True when this recorded it, False when
    it was confirmed before. A notice whose sending a crash interrupted is delivered after all
    when its button is pressed."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            """UPDATE vote_notices SET confirmed_at = ?, sent_at = coalesce(sent_at, claimed_at),
                   message_id = coalesce(message_id, ?)
               WHERE poll_id = ? AND user_id = ? AND failed IS NULL AND confirmed_at IS NULL""",
            (to_db(now), message_id, poll_id, user_id))
        return cur.rowcount == 1


async def get(db: Database, poll_id: int, user_id: int) -> Notice | None:
    row = await db.fetchone("SELECT * FROM vote_notices WHERE poll_id = ? AND user_id = ?",
                            (poll_id, user_id))
    return _notice(row) if row else None


async def of_poll(db: Database, poll_id: int) -> list[Notice]:
    rows = await db.fetchall("SELECT * FROM vote_notices WHERE poll_id = ? ORDER BY claimed_at, user_id",
                             (poll_id,))
    return [_notice(row) for row in rows]
