"""What the monthly report reads: plain SQL over the other aggregates, as residents see them.

Every query is of the community of the chat asked from and follows ``seen_from``: what was
started in the committee group is not counted in the residents' figures.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.monthly import Action, Idea
from storage.communities import OF_CHAT, seen_from
from storage.db import Database
from storage.times import from_db, to_db


async def closed_polls(db: Database, chat_id: int, start: datetime, end: datetime) -> list[dict]:
    """The votes (not sign-up chains) closed in [start, end): id, number, kind, voters."""
    rows = await db.fetchall(
        f"""SELECT p.id, p.number, p.kind, p.major, p.follow_majority,
                   (SELECT count(*) FROM ballots b WHERE b.poll_id = p.id AND b.choices <> '[]') AS voters
            FROM polls p WHERE p.community_id = {OF_CHAT} AND {seen_from('p', 'poll')}
              AND p.kind <> 'chain' AND p.status <> 'open' AND p.closed_at >= ? AND p.closed_at < ?
            ORDER BY p.closed_at, p.id""",
        (chat_id, chat_id, chat_id, to_db(start), to_db(end)))
    return [dict(row) for row in rows]


async def ideas(db: Database, chat_id: int) -> list[Idea]:
    """Every idea and wish of the community, with its endorsements, as it stands now."""
    rows = await db.fetchall(
        f"""SELECT i.number, i.text, i.state,
                   (SELECT count(*) FROM idea_endorsements e WHERE e.idea_id = i.id) AS endorsements
            FROM ideas i WHERE i.community_id = {OF_CHAT} AND {seen_from('i', 'idea')}
            ORDER BY i.number""", (chat_id, chat_id, chat_id))
    return [Idea(r["number"], r["text"], r["state"], r["endorsements"]) for r in rows]


async def ideas_created(db: Database, chat_id: int, start: datetime, end: datetime) -> int:
    row = await db.fetchone(
        f"""SELECT count(*) AS n FROM ideas i WHERE i.community_id = {OF_CHAT}
              AND {seen_from('i', 'idea')} AND i.created_at >= ? AND i.created_at < ?""",
        (chat_id, chat_id, chat_id, to_db(start), to_db(end)))
    return row["n"] if row else 0


async def questions_answered(db: Database, chat_id: int, start: datetime, end: datetime) -> int:
    """Reception-day questions answered in [start, end)."""
    row = await db.fetchone(
        f"""SELECT count(*) AS n FROM reception_questions q JOIN events e ON e.id = q.event_id
            WHERE e.community_id = {OF_CHAT} AND {seen_from('e', 'event')}
              AND q.state = 'answered' AND q.settled_at >= ? AND q.settled_at < ?""",
        (chat_id, chat_id, chat_id, to_db(start), to_db(end)))
    return row["n"] if row else 0


async def actions(db: Database, chat_id: int) -> list[Action]:
    rows = await db.fetchall(
        f"""SELECT a.status, a.due_at, a.created_at, a.updated_at FROM action_items a
            WHERE a.community_id = {OF_CHAT} AND {seen_from('a')}""", (chat_id, chat_id))
    return [Action(r["status"], from_db(r["due_at"]) if r["due_at"] else None,
                   from_db(r["updated_at"]), from_db(r["created_at"])) for r in rows]


async def committee_chats(db: Database, chat_id: int) -> set[int]:
    """The committee groups of the community of ``chat_id``."""
    rows = await db.fetchall(
        f"SELECT chat_id FROM community_chats WHERE community_id = {OF_CHAT} AND role = 'committee'",
        (chat_id,))
    return {r["chat_id"] for r in rows}

