"""Resident requests and their history."""

from __future__ import annotations

from datetime import datetime

from bot.domain.requests import Request
from storage import inbox
from storage.communities import OF_CHAT
from storage.db import Database, marks
from storage.times import from_db, to_db

_SELECT = """SELECT q.*, trim(r.first_name || ' ' || coalesce(r.last_name, '')) AS reporter_name,
                    trim(coalesce(a.first_name, '') || ' ' || coalesce(a.last_name, '')) AS assignee_name,
                    coalesce(nullif(co.name, ''),
                             (SELECT c.title FROM community_chats cc JOIN chats c ON c.id = cc.chat_id
                              WHERE cc.community_id = q.community_id AND cc.role = 'main'),
                             '') AS community_name
             FROM requests q JOIN users r ON r.id = q.reporter_id
             LEFT JOIN users a ON a.id = q.assignee_id
             LEFT JOIN communities co ON co.id = q.community_id"""


def _at(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def _request(row) -> Request:
    return Request(
        id=row["id"], chat_id=row["chat_id"], reporter_id=row["reporter_id"],
        category=row["category"], text=row["text"], photo=row["photo"], public=bool(row["public"]),
        state=row["state"], assignee_id=row["assignee_id"], assignee_role=row["assignee_role"],
        escalated=bool(row["escalated"]), escalation_note=row["escalation_note"],
        resolution=row["resolution"], rating=row["rating"], created_at=from_db(row["created_at"]),
        respond_by=from_db(row["respond_by"]), resolve_by=from_db(row["resolve_by"]),
        accepted_at=_at(row["accepted_at"]), resolved_at=_at(row["resolved_at"]),
        closed_at=_at(row["closed_at"]), reporter_name=row["reporter_name"],
        assignee_name=row["assignee_name"], number=row["number"], community_id=row["community_id"],
        community_name=row["community_name"],
    )


async def create(db: Database, *, chat_id: int, reporter_id: int, category: str, text: str,
                 photo: str | None, public: bool, now: datetime, respond_by: datetime,
                 resolve_by: datetime, origin: str | None = None) -> Request:
    """A new request; the one ``origin`` reported already, when it did."""

    async def insert(conn) -> int:
        async with conn.execute(
            f"""INSERT INTO requests (community_id, chat_id, number, reporter_id, category, text, photo,
                                      public, created_at, respond_by, resolve_by)
                VALUES ({OF_CHAT}, ?, (SELECT coalesce(max(number), 0) + 1 FROM requests
                                       WHERE community_id = {OF_CHAT}), ?, ?, ?, ?, ?, ?, ?, ?)
                RETURNING id""",
            (chat_id, chat_id, chat_id, reporter_id, category, text, photo, int(public), to_db(now),
             to_db(respond_by), to_db(resolve_by))) as cur:
            request_id = (await cur.fetchone())[0]
        await conn.execute(
            "INSERT INTO request_events (request_id, at, actor_id, action, state) VALUES (?, ?, ?, ?, ?)",
            (request_id, to_db(now), reporter_id, "report", "reported"))
        return request_id

    return await get(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get(db: Database, request_id: int) -> Request | None:
    row = await db.fetchone(f"{_SELECT} WHERE q.id = ?", (request_id,))
    return _request(row) if row else None


async def by_number(db: Database, chat_id: int, number: int) -> Request | None:
    """Request #``number`` of the community of ``chat_id``."""
    row = await db.fetchone(f"{_SELECT} WHERE q.community_id = {OF_CHAT} AND q.number = ?", (chat_id, number))
    return _request(row) if row else None


async def change(db: Database, request: Request, *, action: str, state: str, actor_id: int | None,
                 now: datetime, note: str | None = None, **fields: object) -> bool:
    """Move ``request`` to ``state`` (with other columns), if it is still in the state it was
    read in; the action is recorded. False when someone else changed it meanwhile."""
    columns = {"state": state, **{k: to_db(v) if isinstance(v, datetime) else v
                                  for k, v in fields.items()}}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    async with db.transaction() as conn:
        async with conn.execute(
                f"UPDATE requests SET {assignments} WHERE id = ? AND state = ? RETURNING id",
                (*columns.values(), request.id, request.state)) as cur:
            if await cur.fetchone() is None:
                return False
        await conn.execute(
            """INSERT INTO request_events (request_id, at, actor_id, action, state, note)
               VALUES (?, ?, ?, ?, ?, ?)""", (request.id, to_db(now), actor_id, action, state, note))
    return True


async def reported_since(db: Database, reporter_id: int, since: datetime) -> int:
    row = await db.fetchone(
        "SELECT count(*) AS n FROM requests WHERE reporter_id = ? AND created_at > ?",
        (reporter_id, to_db(since)))
    return row["n"]


async def of_chat(db: Database, chat_id: int, states: tuple[str, ...]) -> list[Request]:
    in_list = marks(states)
    rows = await db.fetchall(f"{_SELECT} WHERE q.community_id = {OF_CHAT} AND q.state IN ({in_list}) "
                             "ORDER BY q.created_at, q.id", (chat_id, *states))
    return [_request(row) for row in rows]


async def of_reporter(db: Database, reporter_id: int, limit: int = 30) -> list[Request]:
    rows = await db.fetchall(f"{_SELECT} WHERE q.reporter_id = ? ORDER BY q.id DESC LIMIT ?",
                             (reporter_id, limit))
    return [_request(row) for row in rows]


async def of_assignee(db: Database, assignee_id: int, states: tuple[str, ...]) -> list[Request]:
    in_list = marks(states)
    rows = await db.fetchall(f"{_SELECT} WHERE q.assignee_id = ? AND q.state IN ({in_list}) "
                             "ORDER BY q.created_at, q.id", (assignee_id, *states))
    return [_request(row) for row in rows]


async def received(db: Database, chat_id: int, start: datetime, end: datetime) -> list[Request]:
    rows = await db.fetchall(f"{_SELECT} WHERE q.community_id = {OF_CHAT} AND q.created_at >= ? "
                             "AND q.created_at < ? "
                             "ORDER BY q.id", (chat_id, to_db(start), to_db(end)))
    return [_request(row) for row in rows]
