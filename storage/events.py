"""Events, their changed occurrences, RSVPs, agenda items, drafts and reception questions."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from bot.domain.events import Change, Event, Question
from storage import inbox, posts
from storage.communities import OF_CHAT, seen_from
from storage.db import Database
from storage.times import from_db, to_db


def _event(row) -> Event:
    return Event(
        id=row["id"], chat_id=row["chat_id"], number=row["number"], kind=row["kind"],
        title=row["title"], place=row["place"], hosts=row["hosts"], start=from_db(row["start_at"]),
        duration=timedelta(seconds=row["duration_s"]) if row["duration_s"] is not None else None,
        rrule=row["rrule"], tz=row["tz"],
        reminders=tuple(json.loads(row["reminders"])) if row["reminders"] is not None else None,
        status=row["status"], reason=row["reason"], message_id=row["message_id"],
        created_by=row["created_by"], uid=row["uid"],
    )


async def create(db: Database, *, chat_id: int, kind: str, title: str, place: str | None,
                 hosts: str | None, start: datetime, duration: timedelta | None, rrule: str | None,
                 tz: str, reminders: tuple[int, ...] | None, created_by: int, now: datetime,
                 origin: str | None = None) -> Event:
    """A new event; the one ``origin`` created already, when it did."""

    async def insert(conn) -> int:
        cur = await conn.execute(
            f"""INSERT INTO events (community_id, chat_id, number, kind, title, place, hosts, start_at,
                duration_s,
                                   rrule, tz, reminders, created_by, created_at, uid)
               VALUES ({OF_CHAT}, ?, (SELECT coalesce(max(number), 0) + 1 FROM events
                                      WHERE community_id = {OF_CHAT}),
                       ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (chat_id, chat_id, chat_id, kind, title, place, hosts, to_db(start),
             int(duration.total_seconds()) if duration else None, rrule, tz,
             json.dumps(list(reminders)) if reminders is not None else None, created_by, to_db(now),
             uuid.uuid4().hex))
        return cur.lastrowid

    return await get(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get(db: Database, event_id: int) -> Event | None:
    row = await db.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))
    return _event(row) if row else None


async def by_message(db: Database, chat_id: int, message_id: int) -> Event | None:
    """The event whose card (first or posted later) is message ``message_id`` of ``chat_id``."""
    row = await db.fetchone(f"SELECT * FROM events e WHERE {posts.card_at('e', 'event')}",
                            (chat_id, message_id) * 2)
    return _event(row) if row else None


async def by_number(db: Database, chat_id: int, number: int) -> Event | None:
    row = await db.fetchone(
        f"SELECT * FROM events e WHERE community_id = {OF_CHAT} AND {seen_from('e', 'event')} AND number = ?",
        (chat_id, chat_id, chat_id, number))
    return _event(row) if row else None


async def of_chat(db: Database, chat_id: int, *, active_only: bool = True,
                  kind: str | None = None) -> list[Event]:
    rows = await db.fetchall(
        f"""SELECT * FROM events e WHERE community_id = {OF_CHAT} AND {seen_from('e', 'event')}
           AND (? = 0 OR status = 'active') AND (CAST(? AS TEXT) IS NULL OR kind = ?) ORDER BY number""",
        (chat_id, chat_id, chat_id, int(active_only), kind, kind))
    return [_event(r) for r in rows]


async def set_message(db: Database, event_id: int, message_id: int) -> None:
    await db.execute("UPDATE events SET message_id = ? WHERE id = ?", (message_id, event_id))


async def cancel_series(db: Database, event_id: int, reason: str) -> None:
    await db.execute("UPDATE events SET status = 'cancelled', reason = ? WHERE id = ?", (reason, event_id))


async def move_series(db: Database, event_id: int, start: datetime, duration: timedelta | None,
                      rrule: str | None, after: datetime) -> None:
    """A new time for the whole series; changes of occurrences still ahead no longer apply."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE events SET start_at = ?, rrule = ?, duration_s = coalesce(?, duration_s) WHERE id = ?",
            (to_db(start), rrule, int(duration.total_seconds()) if duration else None, event_id))
        await conn.execute("DELETE FROM event_changes WHERE event_id = ? AND occurrence >= ?",
                           (event_id, to_db(after)))


# -- changed occurrences -------------------------------------------------------------------------

async def changes(db: Database, event_id: int) -> list[Change]:
    rows = await db.fetchall("SELECT * FROM event_changes WHERE event_id = ? ORDER BY occurrence",
                             (event_id,))
    return [Change(from_db(r["occurrence"]), from_db(r["new_at"]) if r["new_at"] else None, r["reason"])
            for r in rows]


async def change(db: Database, event_id: int, occurrence: datetime, new_at: datetime | None,
                 reason: str, by: int, now: datetime) -> None:
    await db.execute(
        """INSERT INTO event_changes (event_id, occurrence, new_at, reason, changed_by, changed_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (event_id, occurrence) DO UPDATE SET new_at = excluded.new_at,
               reason = excluded.reason, changed_by = excluded.changed_by,
               changed_at = excluded.changed_at""",
        (event_id, to_db(occurrence), to_db(new_at) if new_at else None, reason, by, to_db(now)))


# -- RSVPs -----------------------------------------------------------------------------------------

async def answer(db: Database, event_id: int, occurrence: datetime, user_id: int, name: str,
                 reply: str, now: datetime) -> None:
    await db.execute(
        """INSERT INTO event_rsvps (event_id, occurrence, user_id, name, answer, at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (event_id, occurrence, user_id) DO UPDATE SET answer = excluded.answer,
               name = excluded.name, at = excluded.at""",
        (event_id, to_db(occurrence), user_id, name, reply, to_db(now)))


async def answers(db: Database, event_id: int, occurrence: datetime) -> list[tuple[str, str]]:
    """(name, answer) in the order answered."""
    rows = await db.fetchall(
        "SELECT name, answer FROM event_rsvps WHERE event_id = ? AND occurrence = ? ORDER BY at, user_id",
        (event_id, to_db(occurrence)))
    return [(r["name"], r["answer"]) for r in rows]


async def rekey(db: Database, event_id: int, moves: dict[datetime, datetime]) -> None:
    """RSVPs and agenda items follow occurrences to their new keys (a whole series moved)."""
    async with db.transaction() as conn:
        for old, new in sorted(moves.items(), reverse=True):
            for table, key in (("event_rsvps", "user_id"), ("event_agenda", None),
                               ("reception_questions", "number")):
                # a row whose key the new occurrence holds already stays where it was
                taken = (f" AND NOT EXISTS (SELECT 1 FROM {table} y WHERE y.event_id = {table}.event_id "
                         f"AND y.occurrence = ? AND y.{key} = {table}.{key})") if key else ""
                await conn.execute(f"UPDATE {table} SET occurrence = ? WHERE event_id = ? AND occurrence = ?"
                                   f"{taken}", (to_db(new), event_id, to_db(old), *[to_db(new)] * bool(key)))


# -- agenda ------------------------------------------------------------------------------------------

async def add_item(db: Database, event_id: int, occurrence: datetime, text: str, by: int,
                   now: datetime, origin: str | None = None) -> None:
    """Put an item on the occurrence's agenda (once for ``origin``)."""

    async def insert(conn) -> int:
        cur = await conn.execute(
            """INSERT INTO event_agenda (event_id, occurrence, text, added_by, added_at)
               VALUES (?, ?, ?, ?, ?)""",
            (event_id, to_db(occurrence), text, by, to_db(now)))
        return cur.lastrowid

    await inbox.keyed(db, origin, now, insert)


async def items(db: Database, event_id: int, occurrence: datetime) -> list[str]:
    rows = await db.fetchall(
        "SELECT text FROM event_agenda WHERE event_id = ? AND occurrence = ? ORDER BY id",
        (event_id, to_db(occurrence)))
    return [r["text"] for r in rows]


# -- drafts ------------------------------------------------------------------------------------------

async def add_draft(db: Database, chat_id: int, user_id: int, data: dict, now: datetime) -> int:
    await db.execute("DELETE FROM event_drafts WHERE created_at < ?", (to_db(now - timedelta(days=1)),))
    row = await db.fetchone(
        "INSERT INTO event_drafts (chat_id, user_id, data, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        (chat_id, user_id, json.dumps(data, ensure_ascii=False), to_db(now)))
    return row["id"]


async def take_draft(db: Database, draft_id: int) -> tuple[int, int, dict] | None:
    """The draft (chat, author, data), removed: it is saved or dropped once."""
    row = await db.fetchone("DELETE FROM event_drafts WHERE id = ? RETURNING *", (draft_id,))
    return (row["chat_id"], row["user_id"], json.loads(row["data"])) if row else None


async def draft(db: Database, draft_id: int) -> tuple[int, int, dict] | None:
    row = await db.fetchone("SELECT * FROM event_drafts WHERE id = ?", (draft_id,))
    return (row["chat_id"], row["user_id"], json.loads(row["data"])) if row else None


# -- reception questions ---------------------------------------------------------------------------

def _question(row) -> Question:
    return Question(row["number"], row["name"], row["text"], row["state"], row["answer"])


async def ask(db: Database, event_id: int, occurrence: datetime, user_id: int, name: str, text: str,
              now: datetime, origin: str | None = None) -> int:
    """Queue a question; returns its number on that day (the same number again for ``origin``)."""

    async def insert(conn) -> int:
        cur = await conn.execute(
            """INSERT INTO reception_questions (event_id, occurrence, number, user_id, name, text, asked_at)
               VALUES (?, ?, (SELECT coalesce(max(number), 0) + 1 FROM reception_questions
                              WHERE event_id = ? AND occurrence = ?), ?, ?, ?, ?) RETURNING number""",
            (event_id, to_db(occurrence), event_id, to_db(occurrence), user_id, name, text, to_db(now)))
        return (await cur.fetchone())[0]

    return await inbox.keyed(db, origin, now, insert)


async def questions(db: Database, event_id: int, occurrence: datetime) -> list[Question]:
    rows = await db.fetchall(
        "SELECT * FROM reception_questions WHERE event_id = ? AND occurrence = ? ORDER BY number",
        (event_id, to_db(occurrence)))
    return [_question(r) for r in rows]


async def question_row(db: Database, event_id: int, occurrence: datetime, number: int):
    return await db.fetchone(
        "SELECT * FROM reception_questions WHERE event_id = ? AND occurrence = ? AND number = ?",
        (event_id, to_db(occurrence), number))


async def settle(db: Database, question_id: int, state: str, answer_text: str | None, now: datetime) -> None:
    await db.execute("UPDATE reception_questions SET state = ?, answer = ?, settled_at = ? WHERE id = ?",
                     (state, answer_text, to_db(now), question_id))
