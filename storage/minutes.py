"""Meetings, their entry log and their action items."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.minutes import OPEN_STATUSES, ActionItem, Entry, Meeting
from storage import inbox
from storage.communities import OF_CHAT, seen_from
from storage.db import Database, marks
from storage.times import from_db, to_db


def _meeting(row) -> Meeting:
    return Meeting(
        id=row["id"],
        chat_id=row["chat_id"],
        number=row["number"],
        kind=row["kind"],
        title=row["title"],
        place=row["place"],
        event_id=row["event_id"],
        chair_id=row["chair_id"],
        chair_name=row["chair_name"],
        status=row["status"],
        closed_by=row["closed_by"],
        started_at=from_db(row["started_at"]),
        ended_at=from_db(row["ended_at"]) if row["ended_at"] else None,
    )


def _entry(row) -> Entry:
    return Entry(
        id=row["id"],
        kind=row["kind"],
        text=row["text"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        speaker_id=row["speaker_id"],
        speaker_name=row["speaker_name"],
        data=json.loads(row["data"]),
        undone=bool(row["undone"]),
        at=from_db(row["at"]),
    )


def _item(row) -> ActionItem:
    return ActionItem(
        id=row["id"],
        number=row["number"],
        meeting_id=row["meeting_id"],
        owner_id=row["owner_id"],
        owner_role=row["owner_role"],
        owner_name=row["owner_name"],
        text=row["text"],
        due_at=from_db(row["due_at"]) if row["due_at"] else None,
        status=row["status"],
        note=row["note"],
        updated_at=from_db(row["updated_at"]),
        chat_id=row["chat_id"],
    )


async def start(
    db: Database,
    *,
    chat_id: int,
    kind: str,
    title: str | None,
    place: str | None,
    event_id: int | None,
    chair_id: int,
    chair_name: str,
    now: datetime,
    origin: str | None = None,
) -> Meeting | None:
    """A new open meeting, or None when one is open in the chat already; the one ``origin``
    started already, when it did."""

    async def insert(conn) -> int:
        cur = await conn.execute(
            f"""INSERT INTO meetings (community_id, chat_id, number, kind, title, place, event_id,
                chair_id, chair_name,
                                     started_at)
               VALUES ({OF_CHAT}, ?, (SELECT coalesce(max(number), 0) + 1 FROM meetings
                                      WHERE community_id = {OF_CHAT}),
                       ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT DO NOTHING RETURNING id""",
            (chat_id, chat_id, chat_id, kind, title, place, event_id, chair_id, chair_name, to_db(now)),
        )
        row = await cur.fetchone()
        return row[0] if row else 0

    return await get(db, await inbox.keyed(db, origin, now, insert))


async def get(db: Database, meeting_id: int) -> Meeting | None:
    row = await db.fetchone("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
    return _meeting(row) if row else None


async def open_of(db: Database, chat_id: int) -> Meeting | None:
    row = await db.fetchone("SELECT * FROM meetings WHERE chat_id = ? AND status = 'open'", (chat_id,))
    return _meeting(row) if row else None


async def by_number(db: Database, chat_id: int, number: int) -> Meeting | None:
    row = await db.fetchone(
        f"SELECT * FROM meetings m WHERE community_id = {OF_CHAT} AND {seen_from('m')} AND number = ?",
        (chat_id, chat_id, number))
    return _meeting(row) if row else None


async def of_chat(db: Database, chat_id: int, closed_only: bool = True) -> list[Meeting]:
    rows = await db.fetchall(
        f"SELECT * FROM meetings m WHERE community_id = {OF_CHAT} AND {seen_from('m')} "
        "AND (? = 0 OR status = 'closed') ORDER BY number",
        (chat_id, chat_id, int(closed_only)),
    )
    return [_meeting(r) for r in rows]


async def close(db: Database, meeting_id: int, by: str, now: datetime) -> bool:
    rows = await db.fetchall(
        """UPDATE meetings SET status = 'closed', closed_by = ?, ended_at = ?
           WHERE id = ? AND status = 'open' RETURNING 1""",
        (by, to_db(now), meeting_id),
    )
    return bool(rows)


async def set_chair(db: Database, meeting_id: int, user_id: int, name: str) -> None:
    await db.execute(
        "UPDATE meetings SET chair_id = ?, chair_name = ? WHERE id = ?", (user_id, name, meeting_id)
    )


async def record(
    db: Database,
    meeting_id: int,
    *,
    kind: str,
    text: str,
    author_id: int,
    author_name: str,
    now: datetime,
    speaker_id: int | None = None,
    speaker_name: str | None = None,
    data: dict | None = None,
    origin: str | None = None,
) -> int:
    """A new entry (its id); the one ``origin`` recorded already, when it did."""

    async def insert(conn) -> int:
        cur = await conn.execute(SQL_ENTRY, (
            meeting_id,
            kind,
            text,
            author_id,
            author_name,
            speaker_id,
            speaker_name,
            json.dumps(data or {}, ensure_ascii=False),
            to_db(now),
        ))
        return cur.lastrowid

    return await inbox.keyed(db, origin, now, insert)


SQL_ENTRY = """INSERT INTO minute_entries (meeting_id, kind, text, author_id, author_name, speaker_id,
                                           speaker_name, data, at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"""


async def entries(db: Database, meeting_id: int, include_undone: bool = False) -> list[Entry]:
    rows = await db.fetchall(
        "SELECT * FROM minute_entries WHERE meeting_id = ? AND (? = 1 OR undone = 0) ORDER BY id",
        (meeting_id, int(include_undone)),
    )
    return [_entry(r) for r in rows]


async def undo_last(db: Database, meeting_id: int, now: datetime, origin: str | None = None) -> Entry | None:
    """Take back the last entry; the one ``origin`` took back already, when it did."""

    async def undo(conn) -> int:
        cur = await conn.execute(
            """UPDATE minute_entries SET undone = 1 WHERE id =
                 (SELECT max(id) FROM minute_entries WHERE meeting_id = ? AND undone = 0 AND kind != 'chair')
               RETURNING id""",
            (meeting_id,),
        )
        row = await cur.fetchone()
        return row[0] if row else 0

    entry_id = await inbox.keyed(db, origin, now, undo)
    row = await db.fetchone("SELECT * FROM minute_entries WHERE id = ?", (entry_id,))
    return _entry(row) if row else None


async def add_action(
    db: Database,
    *,
    chat_id: int,
    meeting_id: int,
    owner_id: int | None,
    owner_role: str | None,
    owner_name: str,
    text: str,
    due_at: datetime | None,
    now: datetime,
    origin: str | None = None,
) -> ActionItem:
    """A new action item; the one ``origin`` created already, when it did."""

    async def insert(conn) -> int:
        cur = await conn.execute(
            f"""INSERT INTO action_items (community_id, chat_id, number, meeting_id, owner_id, owner_role,
                                          owner_name,
                                         text, due_at, created_at, updated_at)
               VALUES ({OF_CHAT}, ?, (SELECT coalesce(max(number), 0) + 1 FROM action_items
                                      WHERE community_id = {OF_CHAT}),
                       ?, ?, ?, ?, ?, ?, ?, ?)""",
            (chat_id, chat_id, chat_id, meeting_id, owner_id, owner_role, owner_name, text,
             to_db(due_at) if due_at else None, to_db(now), to_db(now)),
        )
        return cur.lastrowid

    return await action_by_id(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def action(db: Database, chat_id: int, number: int) -> ActionItem | None:
    row = await db.fetchone(
        f"SELECT * FROM action_items a WHERE community_id = {OF_CHAT} AND {seen_from('a')} AND number = ?",
        (chat_id, chat_id, number))
    return _item(row) if row else None


async def action_by_id(db: Database, item_id: int) -> ActionItem | None:
    row = await db.fetchone("SELECT * FROM action_items WHERE id = ?", (item_id,))
    return _item(row) if row else None


async def set_status(db: Database, item_id: int, status: str, note: str | None, now: datetime) -> None:
    await db.execute(
        "UPDATE action_items SET status = ?, note = ?, updated_at = ? WHERE id = ?",
        (status, note, to_db(now), item_id),
    )


async def actions_of_chat(
    db: Database, chat_id: int, statuses: tuple[str, ...] = OPEN_STATUSES
) -> list[ActionItem]:
    in_list = marks(statuses)
    rows = await db.fetchall(
        f"""SELECT * FROM action_items a WHERE community_id = {OF_CHAT} AND {seen_from('a')}
            AND status IN ({in_list}) ORDER BY number""",
        (chat_id, chat_id, *statuses),
    )
    return [_item(r) for r in rows]


async def actions_of_meeting(db: Database, meeting_id: int) -> list[ActionItem]:
    rows = await db.fetchall("SELECT * FROM action_items WHERE meeting_id = ? ORDER BY number", (meeting_id,))
    return [_item(r) for r in rows]


async def actions_before(db: Database, chat_id: int, meeting_number: int) -> list[ActionItem]:
    """Action items of the chat's meetings before meeting ``meeting_number`` (not undone)."""
    rows = await db.fetchall(
        f"""SELECT a.* FROM action_items a JOIN meetings m ON m.id = a.meeting_id
           WHERE a.community_id = {OF_CHAT} AND {seen_from('a')} AND m.number < ? AND a.status != 'dropped'
           ORDER BY a.number""",
        (chat_id, chat_id, meeting_number),
    )
    return [_item(r) for r in rows]
