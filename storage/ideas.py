"""Ideas, their endorsements, volunteers, history, agenda links and drafts.

No query for display reads ``author_key``; an anonymous idea has no ``author_id`` at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.ideas import OPEN_STATES, Idea
from storage import inbox
from storage.communities import OF_CHAT, seen_from
from storage.db import Database, marks
from storage.times import from_db, to_db

_SELECT = """SELECT i.id, i.chat_id, i.number, i.kind, i.text, i.anonymous, i.author_id, i.state,
                    i.reason, i.poll_id, i.message_id, i.created_at,
                    CASE WHEN i.anonymous <> 0 THEN NULL ELSE
                        trim(u.first_name || ' ' || coalesce(u.last_name, '')) END AS author_name,
                    (SELECT number FROM ideas m WHERE m.id = i.merged_into) AS merged_number,
                    (SELECT count(*) FROM idea_endorsements e WHERE e.idea_id = i.id) AS endorsements
             FROM ideas i LEFT JOIN users u ON u.id = i.author_id AND i.anonymous = 0"""


def _idea(row) -> Idea:
    return Idea(
        id=row["id"], chat_id=row["chat_id"], number=row["number"], kind=row["kind"], text=row["text"],
        anonymous=bool(row["anonymous"]), author_id=row["author_id"], author_name=row["author_name"],
        state=row["state"], reason=row["reason"], merged_into=row["merged_number"],
        poll_id=row["poll_id"], message_id=row["message_id"], created_at=from_db(row["created_at"]),
        endorsements=row["endorsements"],
    )


@dataclass(frozen=True)
class Draft:
    id: int
    user_id: int
    kind: str
    text: str
    chat_id: int | None
    anonymous: bool


@dataclass(frozen=True)
class Change:
    number: int
    text: str
    from_state: str | None
    to_state: str
    reason: str | None
    at: datetime


async def author_key(db: Database, user_id: int) -> str:
    row = await db.fetchone("SELECT salt FROM idea_salt WHERE id = 1")
    return hashlib.sha256(f"{row['salt']}:{user_id}".encode()).hexdigest()


async def submitted_since(db: Database, user_id: int, since: datetime) -> int:
    """How many ideas the resident submitted since ``since`` (named or anonymous, any chat)."""
    row = await db.fetchone("SELECT count(*) AS n FROM ideas WHERE author_key = ? AND created_at > ?",
                            (await author_key(db, user_id), to_db(since)))
    return row["n"]


async def create(db: Database, *, chat_id: int, kind: str, text: str, anonymous: bool,
                 user_id: int, now: datetime, origin: str | None = None) -> Idea:
    """A new idea; the one ``origin`` created already, when it did."""
    key = await author_key(db, user_id)

    async def insert(conn) -> int:
        cur = await conn.execute(
            f"SELECT coalesce(max(number), 0) + 1 FROM ideas WHERE community_id = {OF_CHAT}",
                                 (chat_id,))
        number = (await cur.fetchone())[0]
        cur = await conn.execute(
            f"""INSERT INTO ideas (community_id, chat_id, number, kind, text, anonymous, author_id,
                                   author_key, created_at, updated_at)
                VALUES ({OF_CHAT}, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (chat_id, chat_id, number, kind, text, int(anonymous), None if anonymous else user_id, key,
             to_db(now), to_db(now)))
        await conn.execute("INSERT INTO idea_history (idea_id, to_state, at) VALUES (?, 'new', ?)",
                           (cur.lastrowid, to_db(now)))
        return cur.lastrowid

    return await get(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get(db: Database, idea_id: int) -> Idea | None:
    row = await db.fetchone(f"{_SELECT} WHERE i.id = ?", (idea_id,))
    return _idea(row) if row else None


async def by_number(db: Database, chat_id: int, number: int) -> Idea | None:
    row = await db.fetchone(f"{_SELECT} WHERE i.community_id = {OF_CHAT} AND {seen_from('i', 'idea')} "
                            "AND i.number = ?", (chat_id, chat_id, chat_id, number))
    return _idea(row) if row else None


async def of_chat(db: Database, chat_id: int, states: tuple[str, ...] = OPEN_STATES,
                  kind: str | None = None) -> list[Idea]:
    rows = await db.fetchall(
        f"""{_SELECT} WHERE i.community_id = {OF_CHAT} AND {seen_from('i', 'idea')}
            AND i.state IN ({marks(states)}) AND (CAST(? AS TEXT) IS NULL OR i.kind = ?)
            ORDER BY i.number""",
        (chat_id, chat_id, chat_id, *states, kind, kind))
    return [_idea(r) for r in rows]


async def created_between(db: Database, chat_id: int, start: datetime,
    end: datetime) -> list[Idea]:
    rows = await db.fetchall(f"{_SELECT} WHERE i.community_id = {OF_CHAT} AND {seen_from('i', 'idea')} "
                             "AND i.created_at > ? AND i.created_at <= ? ORDER BY i.number",
                             (chat_id, chat_id, chat_id, to_db(start), to_db(end)))
    return [_idea(r) for r in rows]


async def changes_between(db: Database, chat_id: int, start: datetime, end: datetime) -> list[Change]:
    rows = await db.fetchall(
        f"""SELECT i.number, i.text, h.from_state, h.to_state, h.reason, h.at FROM idea_history h
           JOIN ideas i ON i.id = h.idea_id
           WHERE i.community_id = {OF_CHAT} AND {seen_from('i', 'idea')} AND h.from_state IS NOT NULL
           AND h.at > ? AND h.at <= ? ORDER BY h.at, h.id""",
        (chat_id, chat_id, chat_id, to_db(start), to_db(end)))
    return [Change(r["number"], r["text"], r["from_state"], r["to_state"], r["reason"], from_db(r["at"]))
            for r in rows]


async def set_message(db: Database, idea_id: int, message_id: int) -> None:
    await db.execute("UPDATE ideas SET message_id = ? WHERE id = ?", (message_id, idea_id))


async def set_poll(db: Database, idea_id: int, poll_id: int) -> None:
    await db.execute("UPDATE ideas SET poll_id = ? WHERE id = ?", (poll_id, idea_id))


async def change_state(db: Database, idea: Idea, target: str, *, reason: str | None, by: int,
                       now: datetime, into: Idea | None = None) -> None:
    """Move the idea to ``target`` and record it; a merge carries its endorsements to ``into``
    (someone who endorsed both is counted once)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE ideas SET state = ?, reason = ?, merged_into = ?, updated_at = ? WHERE id = ?",
            (target, reason, into.id if into else None, to_db(now), idea.id))
        await conn.execute(
            """INSERT INTO idea_history (idea_id, from_state, to_state, reason, changed_by, at)
               VALUES (?, ?, ?, ?, ?, ?)""", (idea.id, idea.state, target, reason, by, to_db(now)))
        if into is not None:
            await conn.execute(
                """INSERT INTO idea_endorsements (idea_id, user_id, created_at)
                   SELECT ?, user_id, created_at FROM idea_endorsements WHERE idea_id = ?
                   ON CONFLICT DO NOTHING""", (into.id, idea.id))


async def endorsers(db: Database, idea_id: int) -> set[int]:
    rows = await db.fetchall("SELECT user_id FROM idea_endorsements WHERE idea_id = ?", (idea_id,))
    return {r["user_id"] for r in rows}


async def _toggle(db: Database, table: str, idea_id: int, user_id: int, now: datetime,
                  origin: str | None) -> bool:
    """Switch the person's row on or off; a press handled again after a crash switches nothing."""

    async def switch(conn) -> int:
        cur = await conn.execute(f"DELETE FROM {table} WHERE idea_id = ? AND user_id = ?", (idea_id, user_id))
        if cur.rowcount:
            return 0
        await conn.execute(f"INSERT INTO {table} (idea_id, user_id, created_at) VALUES (?, ?, ?)",
                           (idea_id, user_id, to_db(now)))
        return 1

    return bool(await inbox.keyed(db, origin, now, switch))


async def toggle_endorsement(db: Database, idea_id: int, user_id: int, now: datetime,
                             origin: str | None = None) -> bool:
    """Endorse, or take the endorsement back; True when the person now endorses the idea."""
    return await _toggle(db, "idea_endorsements", idea_id, user_id, now, origin)


async def endorse(db: Database, idea_id: int, user_id: int, now: datetime) -> None:
    await db.execute("""INSERT INTO idea_endorsements (idea_id, user_id, created_at) VALUES (?, ?, ?)
                        ON CONFLICT DO NOTHING""", (idea_id, user_id, to_db(now)))


async def toggle_volunteer(db: Database, idea_id: int, user_id: int, now: datetime,
                           origin: str | None = None) -> bool:
    """Offer to help, or withdraw the offer; True when the person now volunteers."""
    return await _toggle(db, "idea_volunteers", idea_id, user_id, now, origin)


async def volunteers(db: Database, idea_id: int) -> list[str]:
    rows = await db.fetchall(
        """SELECT trim(u.first_name || ' ' || coalesce(u.last_name, '')) AS name
           FROM idea_volunteers v JOIN users u ON u.id = v.user_id
           WHERE v.idea_id = ? ORDER BY v.created_at, u.id""", (idea_id,))
    return [r["name"] for r in rows]


async def put_on_agenda(db: Database, idea: Idea, by: int, now: datetime) -> bool:
    """False when the idea is on the agenda already."""
    rows = await db.fetchall(
        """INSERT INTO idea_agenda (idea_id, community_id, added_by, added_at)
           SELECT id, community_id, ?, ? FROM ideas WHERE id = ?
           ON CONFLICT DO NOTHING RETURNING 1""", (by, to_db(now), idea.id))
    return bool(rows)


async def agenda(db: Database, chat_id: int) -> list[Idea]:
    """Ideas waiting for the chat's next meeting (for the meetings feature)."""
    rows = await db.fetchall(
        f"""{_SELECT} JOIN idea_agenda a ON a.idea_id = i.id
            WHERE a.community_id = {OF_CHAT} AND a.meeting_id IS NULL ORDER BY a.added_at""", (chat_id,))
    return [_idea(r) for r in rows]


# -- drafts ---------------------------------------------------------------------------------------

def _draft(row) -> Draft:
    return Draft(row["id"], row["user_id"], row["kind"], row["text"], row["chat_id"], bool(row["anonymous"]))


async def add_draft(db: Database, *, user_id: int, kind: str, text: str, chat_id: int | None,
                    anonymous: bool, now: datetime) -> Draft:
    await db.execute("DELETE FROM idea_drafts WHERE created_at < ?", (to_db(now - timedelta(days=1)),))
    row = await db.fetchone(
        """INSERT INTO idea_drafts (user_id, kind, text, chat_id, anonymous, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING *""",
        (user_id, kind, text, chat_id, int(anonymous), to_db(now)))
    return _draft(row)


async def draft(db: Database, draft_id: int) -> Draft | None:
    row = await db.fetchone("SELECT * FROM idea_drafts WHERE id = ?", (draft_id,))
    return _draft(row) if row else None


async def place_draft(db: Database, draft_id: int, chat_id: int, anonymous: bool) -> None:
    await db.execute("UPDATE idea_drafts SET chat_id = ?, anonymous = ? WHERE id = ?",
                     (chat_id, int(anonymous), draft_id))


async def drop_draft(db: Database, draft_id: int) -> bool:
    rows = await db.fetchall("DELETE FROM idea_drafts WHERE id = ? RETURNING 1", (draft_id,))
    return bool(rows)
