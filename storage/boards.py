"""The public board's links: one working token per community, rotated by its conveners."""

from __future__ import annotations

import secrets
from datetime import datetime

from storage.db import Database
from storage.times import to_db

TOKEN_BYTES = 18  # secrets.token_urlsafe(18): 144 random bits, 24 characters


async def link(db: Database, community_id: int, user_id: int | None, now: datetime,
               rotate: bool = False) -> str:
    """The community's working token, made on first use; with ``rotate`` the old one is revoked
    and a new one made (one transaction: there is never a moment with two or none)."""
    async with db.transaction() as conn:
        if rotate:
            await conn.execute("UPDATE board_links SET revoked_at = ? WHERE community_id = ? "
                               "AND revoked_at IS NULL", (to_db(now), community_id))
        else:
            cur = await conn.execute("SELECT token FROM board_links WHERE community_id = ? "
                                     "AND revoked_at IS NULL", (community_id,))
            row = await cur.fetchone()
            if row is not None:
                return row["token"]
        token = secrets.token_urlsafe(TOKEN_BYTES)
        await conn.execute("INSERT INTO board_links (token, community_id, created_by, created_at) "
                           "VALUES (?, ?, ?, ?)", (token, community_id, user_id, to_db(now)))
        return token


async def community_of(db: Database, token: str) -> int | None:
    """The community whose working link ``token`` is; None for an unknown or revoked one."""
    row = await db.fetchone("SELECT community_id FROM board_links WHERE token = ? AND revoked_at IS NULL",
                            (token,))
    return row["community_id"] if row else None
