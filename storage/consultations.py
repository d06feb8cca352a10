"""Consultations (征求意见): the question, residents' statements, each person's building and votes,
and what consensus statements were taken on to. No query for display reads an author or a voter:
votes leave this module only as opaque ballots and counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.domain.consultations import Ballot, natural
from storage import inbox
from storage.communities import OF_CHAT, seen_from
from storage.db import Database
from storage.times import from_db, to_db

STATEMENT_DRAFT = "consult_statement"  # {"consultation_id"}: the next private message is a statement
SIMILAR_DRAFT = "consult_similar"  # {"consultation_id", "text"}: a statement waiting for "add anyway"


@dataclass(frozen=True)
class Consultation:
    id: int
    community_id: int
    chat_id: int
    number: int
    question: str
    scope: tuple[str, ...]
    status: str
    thread_id: int | None
    message_id: int | None
    opened_by: int
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Statement:
    id: int
    consultation_id: int
    number: int
    text: str
    author_id: int  # to tell the author why it was hidden; never shown unless signed
    author_name: str | None  # only when signed
    seeded: bool
    hidden_reason: str | None
    hidden_at: datetime | None

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


@dataclass(frozen=True)
class Outcome:
    statement_id: int
    kind: str  # "poll" | "agenda"
    poll_number: int | None
    event_number: int | None
    occurrence: datetime | None


def _consultation(row) -> Consultation:
    return Consultation(row["id"], row["community_id"], row["chat_id"], row["number"], row["question"],
                        tuple(json.loads(row["scope"])), row["status"], row["thread_id"], row["message_id"],
                        row["opened_by"], from_db(row["opened_at"]), from_db(row["closes_at"]),
                        from_db(row["closed_at"]) if row["closed_at"] else None)


_STATEMENTS = """SELECT s.*, CASE WHEN s.signed <> 0
                        THEN trim(u.first_name || ' ' || coalesce(u.last_name, '')) END AS author_name
                 FROM consultation_statements s LEFT JOIN users u ON u.id = s.author_id"""


def _statement(row) -> Statement:
    return Statement(row["id"], row["consultation_id"], row["number"], row["text"], row["author_id"],
                     row["author_name"], bool(row["seeded"]), row["hidden_reason"],
                     from_db(row["hidden_at"]) if row["hidden_at"] else None)


async def create(db: Database, *, chat_id: int, question: str, scope: tuple[str, ...], seeds: tuple[str, ...],
                 opened_by: int, closes_at: datetime, now: datetime, thread: int | None = None,
                 origin: str | None = None) -> Consultation:
    """Open a consultation in the community of ``chat_id`` with its seed statements (once for
    ``origin``)."""

    async def insert(conn) -> int:
        cur = await conn.execute(f"SELECT coalesce(max(number), 0) + 1 FROM consultations "
                                 f"WHERE community_id = {OF_CHAT}", (chat_id,))
        number = (await cur.fetchone())[0]
        cur = await conn.execute(
            f"""INSERT INTO consultations (community_id, chat_id, number, question, scope, thread_id,
                   opened_by, opened_at, closes_at)
                VALUES ({OF_CHAT}, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (chat_id, chat_id, number, question, json.dumps(list(scope), ensure_ascii=False), thread,
             opened_by, to_db(now), to_db(closes_at)))
        consultation = cur.lastrowid
        for position, text in enumerate(seeds, start=1):
            await conn.execute(
                """INSERT INTO consultation_statements (consultation_id, number, text, author_id, seeded,
                       written_at) VALUES (?, ?, ?, ?, 1, ?)""",
                (consultation, position, text, opened_by, to_db(now)))
        return consultation

    return await get(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get(db: Database, consultation_id: int) -> Consultation | None:
    row = await db.fetchone("SELECT * FROM consultations WHERE id = ?", (consultation_id,))
    return _consultation(row) if row else None


async def by_number(db: Database, chat_id: int, number: int) -> Consultation | None:
    """Consultation #number of the community of ``chat_id``, as that chat may see it."""
    row = await db.fetchone(
        f"""SELECT * FROM consultations c WHERE c.community_id = {OF_CHAT} AND c.number = ?
            AND {seen_from('c', 'consultation')}""", (chat_id, number, chat_id, chat_id))
    return _consultation(row) if row else None


async def of_chat(db: Database, chat_id: int, *, open_only: bool = False) -> list[Consultation]:
    """The community's consultations the chat may see, the newest first."""
    rows = await db.fetchall(
        f"""SELECT * FROM consultations c WHERE c.community_id = {OF_CHAT}
            AND {seen_from('c', 'consultation')} {"AND c.status = 'open'" if open_only else ""}
            ORDER BY c.number DESC LIMIT 20""", (chat_id, chat_id, chat_id))
    return [_consultation(row) for row in rows]


async def set_message(db: Database, consultation_id: int, message_id: int) -> None:
    await db.execute("UPDATE consultations SET message_id = ? WHERE id = ?", (message_id, consultation_id))


async def close(db: Database, consultation_id: int, now: datetime) -> bool:
    """Close it; False when it was closed already."""
    row = await db.fetchone(
        "UPDATE consultations SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open' "
        "RETURNING id", (to_db(now), consultation_id))
    return row is not None


# -- statements ------------------------------------------------------------------------------

async def add_statement(db: Database, consultation_id: int, text: str, author_id: int, now: datetime,
                        origin: str | None = None) -> Statement:
    """Add a resident's statement (once for ``origin``), numbered after the last."""

    async def insert(conn) -> int:
        cur = await conn.execute(
            """INSERT INTO consultation_statements (consultation_id, number, text, author_id, written_at)
               VALUES (?, (SELECT coalesce(max(number), 0) + 1 FROM consultation_statements
                           WHERE consultation_id = ?), ?, ?, ?)""",
            (consultation_id, consultation_id, text, author_id, to_db(now)))
        return cur.lastrowid

    return await statement(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def statement(db: Database, statement_id: int) -> Statement | None:
    row = await db.fetchone(f"{_STATEMENTS} WHERE s.id = ?", (statement_id,))
    return _statement(row) if row else None


async def statement_of(db: Database, consultation_id: int, number: int) -> Statement | None:
    row = await db.fetchone(f"{_STATEMENTS} WHERE s.consultation_id = ? AND s.number = ?",
                            (consultation_id, number))
    return _statement(row) if row else None


async def statements(db: Database, consultation_id: int, *, hidden: bool = False) -> list[Statement]:
    """The statements shown (``hidden``: the hidden ones instead), in their order."""
    rows = await db.fetchall(
        f"{_STATEMENTS} WHERE s.consultation_id = ? AND s.hidden_at IS {'NOT ' if hidden else ''}NULL "
        "ORDER BY s.number", (consultation_id,))
    return [_statement(row) for row in rows]


async def written_since(db: Database, consultation_id: int, author_id: int, since: datetime) -> int:
    row = await db.fetchone(
        "SELECT count(*) AS n FROM consultation_statements WHERE consultation_id = ? AND author_id = ? "
        "AND seeded = 0 AND written_at >= ?", (consultation_id, author_id, to_db(since)))
    return row["n"]


async def sign(db: Database, statement_id: int, author_id: int, signed: bool) -> bool:
    row = await db.fetchone(
        "UPDATE consultation_statements SET signed = ? WHERE id = ? AND author_id = ? RETURNING id",
        (int(signed), statement_id, author_id))
    return row is not None


async def hide(db: Database, statement_id: int, by: int, reason: str, now: datetime) -> bool:
    """Hide a shown statement with its reason; False when it was hidden already."""
    row = await db.fetchone(
        """UPDATE consultation_statements SET hidden_at = ?, hidden_by = ?, hidden_reason = ?
           WHERE id = ? AND hidden_at IS NULL RETURNING id""", (to_db(now), by, reason, statement_id))
    return row is not None


async def unhide(db: Database, statement_id: int) -> bool:
    row = await db.fetchone(
        """UPDATE consultation_statements SET hidden_at = NULL, hidden_by = NULL, hidden_reason = NULL
           WHERE id = ? AND hidden_at IS NOT NULL RETURNING id""", (statement_id,))
    return row is not None


# -- participants and votes ------------------------------------------------------------------

async def participant(db: Database, consultation_id: int, user_id: int) -> tuple[bool, str | None]:
    """(taking part, their building)."""
    row = await db.fetchone("SELECT building FROM consultation_participants WHERE consultation_id = ? "
                            "AND user_id = ?", (consultation_id, user_id))
    return (row is not None, row["building"] if row else None)


async def join(db: Database, consultation_id: int, user_id: int, building: str | None, now: datetime) -> None:
    await db.execute(
        """INSERT INTO consultation_participants (consultation_id, user_id, building, joined_at)
           VALUES (?, ?, ?, ?) ON CONFLICT (consultation_id, user_id) DO UPDATE SET
               building = excluded.building""", (consultation_id, user_id, building, to_db(now)))


async def known_buildings(db: Database, community_id: int, user_id: int) -> list[str]:
    """Where the person lives as far as the community knows: the buildings of their bound
    households, else those of the building groups they are a member of."""
    rows = await db.fetchall(
        """SELECT DISTINCT h.building FROM household_owners o JOIN households h ON h.id = o.household_id
           WHERE o.user_id = ? AND h.community_id = ? AND h.active = 1 ORDER BY h.building""",
        (user_id, community_id))
    if rows:
        return [row["building"] for row in rows]
    rows = await db.fetchall(
        """SELECT cc.buildings FROM members m JOIN community_chats cc ON cc.chat_id = m.chat_id
           WHERE m.user_id = ? AND m.present = 1 AND cc.community_id = ? AND cc.role = 'building'""",
        (user_id, community_id))
    return sorted({b for row in rows for b in json.loads(row["buildings"])})


async def buildings(db: Database, community_id: int) -> list[str]:
    """The community's buildings: of its registry and of its building groups."""
    rows = await db.fetchall(
        """SELECT DISTINCT building FROM households WHERE community_id = ? AND active = 1""",
        (community_id,))
    found = {row["building"] for row in rows}
    for row in await db.fetchall("SELECT buildings FROM community_chats WHERE community_id = ? "
                                 "AND role = 'building'", (community_id,)):
        found.update(json.loads(row["buildings"]))
    return sorted(found, key=natural)


async def vote(db: Database, statement_id: int, user_id: int, value: int, now: datetime) -> None:
    await db.execute(
        """INSERT INTO consultation_votes (statement_id, user_id, vote, at) VALUES (?, ?, ?, ?)
           ON CONFLICT (statement_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at""",
        (statement_id, user_id, value, to_db(now)))


async def votes_of(db: Database, consultation_id: int, user_id: int) -> dict[int, int]:
    """The person's own votes: statement id -> vote."""
    rows = await db.fetchall(
        """SELECT v.statement_id, v.vote FROM consultation_votes v
           JOIN consultation_statements s ON s.id = v.statement_id
           WHERE s.consultation_id = ? AND v.user_id = ?""", (consultation_id, user_id))
    return {row["statement_id"]: row["vote"] for row in rows}


async def counts(db: Database, consultation_id: int) -> dict[int, int]:
    """Votes per shown statement (passes included)."""
    rows = await db.fetchall(
        """SELECT s.id, count(v.user_id) AS n FROM consultation_statements s
           LEFT JOIN consultation_votes v ON v.statement_id = s.id
           WHERE s.consultation_id = ? AND s.hidden_at IS NULL GROUP BY s.id""", (consultation_id,))
    return {row["id"]: row["n"] for row in rows}


async def ballots(db: Database, consultation_id: int) -> tuple[list[Ballot], dict[int, str | None]]:
    """Every vote as an opaque ballot (voters numbered 1, 2 … in no order a person could follow
    back), and each voter's building."""
    rows = await db.fetchall(
        """SELECT v.user_id, v.statement_id, v.vote, p.building FROM consultation_votes v
           JOIN consultation_statements s ON s.id = v.statement_id
           LEFT JOIN consultation_participants p ON p.consultation_id = s.consultation_id
               AND p.user_id = v.user_id
           WHERE s.consultation_id = ?""", (consultation_id,))
    voters: dict[int, int] = {}
    for user in sorted({row["user_id"] for row in rows}, key=lambda u: hash((consultation_id, u))):
        voters[user] = len(voters) + 1
    found = [Ballot(voters[row["user_id"]], row["statement_id"], row["vote"]) for row in rows]
    return found, {voters[row["user_id"]]: row["building"] for row in rows}


async def participation(db: Database, consultation_id: int) -> dict[str | None, int]:
    """People who voted at least once, per building."""
    rows = await db.fetchall(
        """SELECT p.building, count(DISTINCT v.user_id) AS n FROM consultation_votes v
           JOIN consultation_statements s ON s.id = v.statement_id
           LEFT JOIN consultation_participants p ON p.consultation_id = s.consultation_id
               AND p.user_id = v.user_id
           WHERE s.consultation_id = ? GROUP BY p.building""", (consultation_id,))
    return {row["building"]: row["n"] for row in rows}


# -- outcomes ----------------------------------------------------------------------------------

async def take(db: Database, statement_id: int, kind: str, by: int, now: datetime, *,
               poll_id: int | None = None, event_id: int | None = None,
               occurrence: datetime | None = None) -> None:
    await db.execute(
        """INSERT INTO consultation_outcomes (statement_id, kind, poll_id, event_id, occurrence, taken_by,
               taken_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (statement_id, kind) DO NOTHING""",
        (statement_id, kind, poll_id, event_id, to_db(occurrence) if occurrence else None, by, to_db(now)))


async def outcomes(db: Database, consultation_id: int) -> dict[int, list[Outcome]]:
    """statement id -> what it was taken on to."""
    rows = await db.fetchall(
        """SELECT o.statement_id, o.kind, p.number AS poll_number, e.number AS event_number, o.occurrence
           FROM consultation_outcomes o JOIN consultation_statements s ON s.id = o.statement_id
           LEFT JOIN polls p ON p.id = o.poll_id LEFT JOIN events e ON e.id = o.event_id
           WHERE s.consultation_id = ? ORDER BY o.taken_at""", (consultation_id,))
    found: dict[int, list[Outcome]] = {}
    for row in rows:
        found.setdefault(row["statement_id"], []).append(Outcome(
            row["statement_id"], row["kind"], row["poll_number"], row["event_number"],
            from_db(row["occurrence"]) if row["occurrence"] else None))
    return found
