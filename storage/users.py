"""People the bot has seen: name, Telegram language, whether they started the bot."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Person
from storage.db import Database
from storage.times import to_db


def _person(row) -> Person:
    return Person(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        language_code=row["language_code"],
        started=bool(row["started"]),
    )


async def seen(db: Database, person: Person, now: datetime, started: bool = False) -> None:
    """Record a person; ``started``: they wrote to the bot privately, so it may write to them."""
    await db.execute(
        """INSERT INTO users (id, first_name, last_name, username, language_code, started, seen_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name,
               last_name = excluded.last_name, username = excluded.username,
               language_code = excluded.language_code, seen_at = excluded.seen_at,
               started = CASE WHEN excluded.started > users.started THEN excluded.started
                              ELSE users.started END""",
        (person.id, person.first_name, person.last_name, person.username,
         person.language_code, int(started), to_db(now)),
    )


async def get(db: Database, user_id: int) -> Person | None:
    row = await db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
    return _person(row) if row else None


async def set_started(db: Database, user_id: int, started: bool) -> None:
    await db.execute("UPDATE users SET started = ? WHERE id = ?", (int(started), user_id))
