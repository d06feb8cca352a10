"""Polls, their options and electorate, current ballots and the append-only ballot log."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.domain.polls import Draft, Poll
from storage import chain, inbox, posts
from storage.communities import OF_CHAT, seen_from
from storage.db import Database, marks
from storage.times import from_db, to_db


def _poll(row, options: list[str]) -> Poll:
    return Poll(
        id=row["id"], chat_id=row["chat_id"], number=row["number"], kind=row["kind"],
        question=row["question"], details=row["details"], options=tuple(options),
        max_choices=row["max_choices"], capacity=row["capacity"],
        deadline=from_db(row["deadline"]) if row["deadline"] else None,
        anonymous=bool(row["anonymous"]), secret=bool(row["secret"]), visibility=row["visibility"],
        scope=tuple(json.loads(row["scope"])), major=bool(row["major"]),
        follow_majority=bool(row["follow_majority"]), status=row["status"], outcome=row["outcome"],
        message_id=row["message_id"], created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
    )


_SELECT = """SELECT p.*, (SELECT json_group_array(label) FROM
                  (SELECT label FROM poll_options WHERE poll_id = p.id ORDER BY position)) AS labels
             FROM polls p"""


def _load(row) -> Poll | None:
    return _poll(row, json.loads(row["labels"])) if row is not None else None


async def create(db: Database, *, chat_id: int, draft: Draft, options: tuple[str, ...],
                 deadline: datetime | None, scope: tuple[str, ...], electorate: list[int],
                 created_by: int, now: datetime, origin: str | None = None) -> Poll:
    """A new vote; the one ``origin`` created already, when it did."""

    async def insert(conn) -> int:
        cur = await conn.execute(
            f"SELECT coalesce(max(number), 0) + 1 FROM polls WHERE community_id = {OF_CHAT}",
                                 (chat_id,))
        number = (await cur.fetchone())[0]
        cur = await conn.execute(
            f"""INSERT INTO polls (community_id, chat_id, number, kind, question, details, max_choices,
                   capacity,
                   deadline, anonymous, secret, visibility, scope, major, follow_majority,
                   created_by, created_at)
               VALUES ({OF_CHAT}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (chat_id, chat_id, number, draft.kind, draft.question, "\n".join(draft.details),
             draft.max_choices, draft.capacity, to_db(deadline) if deadline else None,
             int(draft.anonymous), int(draft.secret), draft.visibility,
             json.dumps(list(scope), ensure_ascii=False), int(bool(draft.major)),
             int(draft.follow_majority), created_by, to_db(now)),
        )
        poll_id = cur.lastrowid
        await conn.executemany("INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)",
                               [(poll_id, i, label) for i, label in enumerate(options)])
        await conn.executemany("INSERT INTO poll_households (poll_id, household_id) VALUES (?, ?)",
                               [(poll_id, h) for h in electorate])
        return poll_id

    return await get(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get(db: Database, poll_id: int) -> Poll | None:
    return _load(await db.fetchone(f"{_SELECT} WHERE p.id = ?", (poll_id,)))


async def by_number(db: Database, chat_id: int, number: int) -> Poll | None:
    return _load(await db.fetchone(
        f"{_SELECT} WHERE p.community_id = {OF_CHAT} AND {seen_from('p', 'poll')} AND p.number = ?",
        (chat_id, chat_id, chat_id, number)))


async def by_message(db: Database, chat_id: int, message_id: int) -> Poll | None:
    """The vote whose card (first or posted later) is message ``message_id`` of ``chat_id``."""
    return _load(await db.fetchone(f"{_SELECT} WHERE {posts.card_at('p', 'poll')}",
                                   (chat_id, message_id) * 2))


async def of_chat(db: Database, chat_id: int, statuses: tuple[str, ...]) -> list[Poll]:
    rows = await db.fetchall(
        f"""{_SELECT} WHERE p.community_id = {OF_CHAT} AND {seen_from('p', 'poll')}
            AND p.status IN ({marks(statuses)}) ORDER BY p.number""",
        (chat_id, chat_id, chat_id, *statuses))
    return [_load(row) for row in rows]  # type: ignore[misc]


async def set_message(db: Database, poll_id: int, message_id: int) -> None:
    await db.execute("UPDATE polls SET message_id = ? WHERE id = ?", (message_id, poll_id))


async def set_status(db: Database, poll_id: int, status: str, now: datetime | None,
                     outcome: str | None = None) -> None:
    await db.execute(
        """UPDATE polls SET status = ?, closed_at = ?, outcome = coalesce(?, outcome) WHERE id = ?""",
        (status, to_db(now) if now else None, outcome, poll_id))


async def set_deadline(db: Database, poll_id: int, deadline: datetime) -> None:
    await db.execute("UPDATE polls SET deadline = ?, status = 'open', closed_at = NULL WHERE id = ?",
                     (to_db(deadline), poll_id))


@dataclass(frozen=True)
class BallotRow:
    voter: str
    user_id: int
    household_id: int | None
    choices: tuple[int, ...]
    note: str | None
    seq: int
    joined_seq: int
    name: str


async def cast(db: Database, poll_id: int, *, voter: str, user_id: int, household_id: int | None,
               choices: tuple[int, ...], note: str | None, source: str | None, now: datetime,
               receipt: str | None = None) -> bool:
    """Append a ballot change (empty ``choices`` withdraws) to the log, chained to the vote's
    row before it; the current ballots follow by trigger. False when ``source`` was recorded
    before."""
    try:
        async with db.transaction() as conn:
            cur = await conn.execute(
                """INSERT INTO ballot_log (poll_id, voter, user_id, household_id, choices, note, source, at,
                                           receipt)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (poll_id, voter, user_id, household_id, json.dumps(list(choices)), note, source,
                 to_db(now), receipt))
            await chain.append(conn, poll_id, cur.lastrowid)
    except sqlite3.IntegrityError:
        return False
    return True


_BALLOTS = """SELECT b.*, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS name
               FROM ballots b LEFT JOIN users u ON u.id = b.user_id"""


def _ballot(r) -> BallotRow:
    return BallotRow(r["voter"], r["user_id"], r["household_id"], tuple(json.loads(r["choices"])),
                     r["note"], r["seq"], r["joined_seq"], r["name"])


async def ballots(db: Database, poll_id: int) -> list[BallotRow]:
    """Current ballots in the order their voters first took part."""
    rows = await db.fetchall(f"{_BALLOTS} WHERE b.poll_id = ? ORDER BY b.joined_seq", (poll_id,))
    return [_ballot(r) for r in rows]


async def ballot_of(db: Database, poll_id: int, voter: str) -> BallotRow | None:
    row = await db.fetchone(f"{_BALLOTS} WHERE b.poll_id = ? AND b.voter = ?", (poll_id, voter))
    return _ballot(row) if row else None


async def electorate(db: Database, poll_id: int) -> list[int]:
    rows = await db.fetchall("SELECT household_id FROM poll_households WHERE poll_id = ?", (poll_id,))
    return [r["household_id"] for r in rows]


async def households_of(db: Database, poll_id: int, user_id: int) -> list[int]:
    """The households of the vote's electorate that this person is bound to."""
    rows = await db.fetchall(
        """SELECT v.household_id FROM household_owners o
           JOIN poll_households v ON v.household_id = o.household_id AND v.poll_id = ?
           WHERE o.user_id = ? ORDER BY v.household_id""", (poll_id, user_id))
    return [r["household_id"] for r in rows]


async def log(db: Database, poll_id: int) -> list[dict]:
    """The audit log: every ballot change in order."""
    rows = await db.fetchall(
        """SELECT l.*, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS name
           FROM ballot_log l LEFT JOIN users u ON u.id = l.user_id
           WHERE l.poll_id = ? ORDER BY l.id""", (poll_id,))
    return [dict(r) | {"choices": tuple(json.loads(r["choices"]))} for r in rows]
