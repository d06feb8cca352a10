"""Registry reviews (业主信息公示), owners' disputes of their entries, and the log of what imports
changed in a community's registry after its first review (written by ``storage.households``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.domain.owner_vote import Household, in_scope
from bot.domain.registry import Dispute, RegistryChange, Review
from storage import inbox
from storage.communities import OF_CHAT
from storage.db import Database
from storage.times import from_db, to_db

DISPUTE_DRAFT = "registry_dispute"  # a draft of this kind: {"review_id", "household_id", "reason"}
MAIN_OF = "(SELECT chat_id FROM community_chats WHERE community_id = {} AND role = 'main')"


def _label(row) -> str:
    return Household(0, row["building"], row["entrance"], row["unit"], 0).label


def _review(row) -> Review:
    return Review(id=row["id"], chat_id=row["chat_id"], number=row["number"],
                  scope=tuple(json.loads(row["scope"])), published_by=row["published_by"],
                  published_at=from_db(row["published_at"]))


async def publish(db: Database, chat_id: int, scope: Sequence[str], by: int, now: datetime,
                  origin: str | None = None) -> Review:
    """A new review of the community of ``chat_id``, numbered within it; the one ``origin``
    published already, when the same update is handled again."""

    async def insert(conn) -> int:
        async with conn.execute(
            f"""INSERT INTO registry_reviews (community_id, chat_id, number, scope, published_by,
                                              published_at)
                VALUES ({OF_CHAT}, ?, (SELECT coalesce(max(number), 0) + 1 FROM registry_reviews
                                       WHERE community_id = {OF_CHAT}), ?, ?, ?)
                RETURNING id""",
            (chat_id, chat_id, chat_id, json.dumps(list(scope), ensure_ascii=False), by,
             to_db(now))) as cur:
            return (await cur.fetchone())[0]

    return await get(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get(db: Database, review_id: int) -> Review | None:
    row = await db.fetchone("SELECT * FROM registry_reviews WHERE id = ?", (review_id,))
    return _review(row) if row else None


async def latest(db: Database, chat_id: int, before: datetime | None = None) -> Review | None:
    """The community's latest review (published no later than ``before``, when given)."""
    row = await db.fetchone(
        f"""SELECT * FROM registry_reviews WHERE community_id = {OF_CHAT} AND published_at <= ?
            ORDER BY published_at DESC, id DESC LIMIT 1""",
        (chat_id, to_db(before) if before else "9999"))
    return _review(row) if row else None


async def owned_unit(db: Database, review_id: int, household_id: int, user_id: int) -> Household | None:
    """The unit, when it is an active unit of the review's community and scope and the person is
    bound to it; None otherwise (a forged or stale button, a unit retired or rebound since)."""
    row = await db.fetchone(
        """SELECT h.*, r.scope FROM households h
           JOIN registry_reviews r ON r.community_id = h.community_id
           JOIN household_owners o ON o.household_id = h.id AND o.user_id = ?
           WHERE r.id = ? AND h.id = ? AND h.active = 1""", (user_id, review_id, household_id))
    if row is None:
        return None
    unit = Household(row["id"], row["building"], row["entrance"], row["unit"], row["area"], row["owner"],
                     bool(row["developer"]))
    return unit if in_scope(unit, json.loads(row["scope"])) else None


_DISPUTES = f"""SELECT d.*, r.number AS review_number, h.building, h.entrance, h.unit,
                       u.first_name, u.last_name, {MAIN_OF.format("r.community_id")} AS main_chat_id
                FROM registry_disputes d JOIN registry_reviews r ON r.id = d.review_id
                JOIN households h ON h.id = d.household_id JOIN users u ON u.id = d.user_id"""


def _dispute(row) -> Dispute:
    name = f"{row['first_name']} {row['last_name']}" if row["last_name"] else row["first_name"]
    return Dispute(id=row["id"], review_id=row["review_id"], review_number=row["review_number"],
                   household_id=row["household_id"], label=_label(row), user_id=row["user_id"],
                   name=name, reason=row["reason"], note=row["note"], state=row["state"],
                   resolution=row["resolution"], created_at=from_db(row["created_at"]),
                   main_chat_id=row["main_chat_id"])


async def add_dispute(db: Database, *, review_id: int, household_id: int, user_id: int, reason: str,
                      note: str, now: datetime, origin: str | None = None) -> Dispute:
    """Store an owner's dispute and drop the draft that asked for its note, in one transaction."""

    async def insert(conn) -> int:
        async with conn.execute(
            """INSERT INTO registry_disputes (review_id, household_id, user_id, reason, note, created_at)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
            (review_id, household_id, user_id, reason, note, to_db(now))) as cur:
            dispute_id = (await cur.fetchone())[0]
        await conn.execute("DELETE FROM drafts WHERE user_id = ? AND kind = ?", (user_id, DISPUTE_DRAFT))
        return dispute_id

    return await get_dispute(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get_dispute(db: Database, dispute_id: int) -> Dispute | None:
    row = await db.fetchone(f"{_DISPUTES} WHERE d.id = ?", (dispute_id,))
    return _dispute(row) if row else None


async def open_disputes(db: Database, chat_id: int) -> list[Dispute]:
    """The open disputes of the community of ``chat_id``, oldest first."""
    rows = await db.fetchall(f"{_DISPUTES} WHERE r.community_id = {OF_CHAT} AND d.state = 'open' "
                             "ORDER BY d.id", (chat_id,))
    return [_dispute(r) for r in rows]


async def resolve(db: Database, dispute_id: int, resolution: str, by: int, now: datetime) -> bool:
    """Resolve an open dispute with a note; False when it was not open (any more)."""
    rows = await db.fetchall(
        """UPDATE registry_disputes SET state = 'resolved', resolution = ?, resolved_by = ?,
               resolved_at = ? WHERE id = ? AND state = 'open' RETURNING id""",
        (resolution, by, to_db(now), dispute_id))
    return bool(rows)


async def changes_since(db: Database, chat_id: int, since: datetime, scope: Sequence[str] = (),
                        until: datetime | None = None) -> list[RegistryChange]:
    """What imports changed in the registry of the community of ``chat_id`` from ``since`` (a
    review's publication; times are kept to the second) up to ``until``, in the units of
    ``scope`` (empty: all), in the order it happened."""
    rows = await db.fetchall(
        f"""SELECT c.*, h.building, h.entrance, h.unit FROM registry_changes c
            JOIN households h ON h.id = c.household_id
            WHERE c.community_id = {OF_CHAT} AND c.at >= ? AND c.at <= ? ORDER BY c.at, c.id""",
        (chat_id, to_db(since), to_db(until) if until else "9999"))
    return [RegistryChange(household_id=r["household_id"], label=_label(r), building=r["building"],
                           entrance=r["entrance"], field=r["field"], old=r["old"], new=r["new"],
                           by=r["by"], at=from_db(r["at"]))
            for r in rows
            if in_scope(Household(0, r["building"], r["entrance"], r["unit"], 0), scope)]
