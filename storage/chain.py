"""The ballot log's hash chain (docs/bulletin.md): each row carries the SHA-256 of itself and
the hash of its vote's row before it."""

from __future__ import annotations

import hashlib
import json

COLUMNS = "id, poll_id, voter, household_id, choices, receipt, at, hash"


def link(previous: str, row) -> str:
    """The hash of ``row`` (with the columns above) following ``previous``."""
    payload = [previous, row["poll_id"], row["id"], row["voter"], row["household_id"], row["choices"],
               row["receipt"], row["at"]]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


async def seal(conn, poll_id: int) -> tuple[int, str]:
    """Give every row of the vote's log its hash (rows written before hashes existed, and the
    one just appended); returns (rows, final hash). Inside a transaction."""
    cur = await conn.execute(f"SELECT {COLUMNS} FROM ballot_log WHERE poll_id = ? ORDER BY id", (poll_id,))
    previous, rows = "", 0
    for row in await cur.fetchall():
        rows += 1
        digest = row["hash"]
        if digest is None:
            digest = link(previous, row)
            await conn.execute("UPDATE ballot_log SET hash = ? WHERE id = ?", (digest, row["id"]))
        previous = digest
    return rows, previous


async def append(conn, poll_id: int, row_id: int) -> None:
    """Hash the row just appended, after the vote's row before it (sealing older rows first)."""
    cur = await conn.execute(
        "SELECT hash FROM ballot_log WHERE poll_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
        (poll_id, row_id))
    before = await cur.fetchone()
    if before is not None and before["hash"] is None:
        await seal(conn, poll_id)
        return
    cur = await conn.execute(f"SELECT {COLUMNS} FROM ballot_log WHERE id = ?", (row_id,))
    row = await cur.fetchone()
    await conn.execute("UPDATE ballot_log SET hash = ? WHERE id = ?",
                       (link(before["hash"] if before else "", row), row_id))
