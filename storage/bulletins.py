"""Bulletins published when owner votes close, the ballot log's chain sealed for them, and the
receipts households were given."""

from __future__ import annotations

import json
from datetime import datetime

from storage import chain
from storage.db import Database
from storage.times import to_db


async def seal(db: Database, poll_id: int) -> tuple[int, str]:
    """The vote's ballot log, every row hashed: (rows, final hash)."""
    async with db.transaction() as conn:
        return await chain.seal(conn, poll_id)


async def save(db: Database, poll_id: int, body: str, sha256: str, now: datetime) -> None:
    """Keep the bulletin as published (a vote reopened and closed again gets a new one)."""
    await db.execute(
        """INSERT INTO bulletins (poll_id, body, sha256, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (poll_id) DO UPDATE SET body = excluded.body, sha256 = excluded.sha256,
           created_at = excluded.created_at""", (poll_id, body, sha256, to_db(now)))


async def get(db: Database, poll_id: int) -> dict | None:
    row = await db.fetchone("SELECT body FROM bulletins WHERE poll_id = ?", (poll_id,))
    return json.loads(row["body"]) if row else None


async def with_receipt(db: Database, receipt: str) -> list[tuple[dict, dict]]:
    """(bulletin, its ballot) for each published bulletin counting ``receipt``."""
    rows = await db.fetchall(
        """SELECT b.body, j.value AS ballot FROM bulletins b, json_each(b.body, '$.ballots') j
           WHERE json_extract(j.value, '$.receipt') = ?""", (receipt,))
    return [(json.loads(r["body"]), json.loads(r["ballot"])) for r in rows]


async def receipt_rows(db: Database, poll_id: int) -> dict[int, str | None]:
    """The receipt of each row of the vote's ballot log, by row id (a ballot's ``seq``)."""
    rows = await db.fetchall("SELECT id, receipt FROM ballot_log WHERE poll_id = ?", (poll_id,))
    return {r["id"]: r["receipt"] for r in rows}


async def receipt_of(db: Database, source: str) -> str | None:
    """The receipt given for the ballot that ``source`` (a button press) cast."""
    row = await db.fetchone("SELECT receipt FROM ballot_log WHERE source = ?", (source,))
    return row["receipt"] if row else None


async def given_to(db: Database, user_id: int, limit: int = 20) -> list[dict]:
    """The receipts a person was given, newest first: vote, receipt, choice, when."""
    rows = await db.fetchall(
        """SELECT l.poll_id, l.receipt, l.choices, l.at, p.number, p.question, p.status, p.community_id
           FROM ballot_log l JOIN polls p ON p.id = l.poll_id
           WHERE l.user_id = ? AND l.receipt IS NOT NULL
                 AND l.id = (SELECT max(x.id) FROM ballot_log x
                             WHERE x.poll_id = l.poll_id AND x.receipt = l.receipt
                                   AND x.user_id = l.user_id)
           ORDER BY l.id DESC LIMIT ?""", (user_id, limit))
    return [dict(r) | {"choices": tuple(json.loads(r["choices"]))} for r in rows]
