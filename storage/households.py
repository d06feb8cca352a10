"""The household registry of a community, owners bound to households, one-time binding codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.domain.owner_vote import Household
from storage.communities import OF_CHAT
from storage.db import Database, marks
from storage.times import to_db

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8


def _household(row) -> Household:
    return Household(id=row["id"], building=row["building"], entrance=row["entrance"],
                     unit=row["unit"], area=row["area"], owner=row["owner"],
                     developer=bool(row["developer"]))


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int
    retired: int


async def import_registry(db: Database, chat_id: int, rows: list[Household], now: datetime,
                          by: int | None = None) -> ImportSummary:
    """Replace the registry with ``rows`` in one transaction, keeping ids (and bindings)
    of units that stay; units no longer listed are retired. Once the community has published
    a registry review, every change is logged (``registry_changes``, by ``by``)."""
    added = updated = unchanged = 0
    changes: list[tuple[int, str, str | None, str | None]] = []  # (household, field, old, new)
    async with db.transaction() as conn:
        cur = await conn.execute(f"SELECT * FROM households WHERE community_id = {OF_CHAT}", (chat_id,))
        existing = {(r["building"], r["entrance"], r["unit"]): r for r in await cur.fetchall()}
        for h in rows:
            key = (h.building, h.entrance, h.unit)
            old = existing.pop(key, None)
            values = (h.area, h.owner, int(h.developer))
            if old is None:
                added += 1
                cur = await conn.execute(
                    f"""INSERT INTO households (community_id, building, entrance, unit, area, owner,
                           developer, updated_at) VALUES ({OF_CHAT}, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                    (chat_id, *key, *values, to_db(now)))
                changes.append(((await cur.fetchone())[0], "added", None, str(h.area)))
            elif (old["area"], old["owner"], old["developer"], old["active"]) == (*values, 1):
                unchanged += 1
            else:
                updated += 1
                changes += _changes(old, h)
                await conn.execute(
                    """UPDATE households SET area = ?, owner = ?, developer = ?, active = 1,
                           updated_at = ? WHERE id = ?""", (*values, to_db(now), old["id"]))
        retire = [r for r in existing.values() if r["active"]]
        changes += [(r["id"], "retired", str(r["area"]), None) for r in retire]
        await conn.executemany("UPDATE households SET active = 0, updated_at = ? WHERE id = ?",
                               [(to_db(now), r["id"]) for r in retire])
        cur = await conn.execute(f"SELECT EXISTS (SELECT 1 FROM registry_reviews WHERE community_id = "
                                 f"{OF_CHAT}) AS reviewed", (chat_id,))
        if (await cur.fetchone())["reviewed"]:
            await conn.executemany(
                f"""INSERT INTO registry_changes (community_id, household_id, field, old, new, by, at)
                    VALUES ({OF_CHAT}, ?, ?, ?, ?, ?, ?)""",
                [(chat_id, *change, by, to_db(now)) for change in changes])
    return ImportSummary(added, updated, unchanged, len(retire))


def _changes(old, h: Household) -> list[tuple[int, str, str | None, str | None]]:
    """What an import changes in a unit it lists already: a retired unit listed again is added
    (with its area), and its owner and developer changes are told beside."""
    found = [] if old["active"] else [(old["id"], "added", None, str(h.area))]
    if old["active"] and old["area"] != h.area:
        found.append((old["id"], "area", str(old["area"]), str(h.area)))
    if old["owner"] != h.owner:
        found.append((old["id"], "owner", old["owner"], h.owner))
    if bool(old["developer"]) != h.developer:
        found.append((old["id"], "developer", str(old["developer"]), str(int(h.developer))))
    return found


# Units in the order people count them: 6-1-201 before 6-1-1001 (numbers compare by length first).
_IN_ORDER = ("ORDER BY length(building), building, length(entrance), entrance, length(unit), unit")


async def active(db: Database, chat_id: int) -> list[Household]:
    rows = await db.fetchall(f"SELECT * FROM households WHERE community_id = {OF_CHAT} AND active = 1 "
                             f"{_IN_ORDER}",
                             (chat_id,))
    return [_household(r) for r in rows]


async def by_ids(db: Database, ids: list[int]) -> list[Household]:
    if not ids:
        return []
    rows = await db.fetchall(f"SELECT * FROM households WHERE id IN ({marks(ids)}) {_IN_ORDER}", ids)
    return [_household(r) for r in rows]


@dataclass(frozen=True)
class BuildingSummary:
    building: str
    households: int
    area: int
    bound: int


async def summary(db: Database, chat_id: int) -> list[BuildingSummary]:
    rows = await db.fetchall(
        f"""SELECT h.building, count(*) AS households, CAST(sum(h.area) AS BIGINT) AS area,
                  sum(CASE WHEN EXISTS (SELECT 1 FROM household_owners o WHERE o.household_id = h.id)
                      THEN 1 ELSE 0 END) AS bound
           FROM households h WHERE h.community_id = {OF_CHAT} AND h.active = 1
           GROUP BY h.building ORDER BY length(h.building), h.building""", (chat_id,))
    return [BuildingSummary(r["building"], r["households"], r["area"], r["bound"]) for r in rows]


async def owners(db: Database, household_ids: list[int]) -> dict[int, list[tuple[int, bool]]]:
    """Household id -> [(user id, has started the bot)] for the given households."""
    if not household_ids:
        return {}
    rows = await db.fetchall(
        f"""SELECT o.household_id, o.user_id, u.started FROM household_owners o
           JOIN users u ON u.id = o.user_id
           WHERE o.household_id IN ({marks(household_ids)})""", household_ids)
    found: dict[int, list[tuple[int, bool]]] = {}
    for r in rows:
        found.setdefault(r["household_id"], []).append((r["user_id"], bool(r["started"])))
    return found


async def new_codes(db: Database, household_ids: list[int], created_by: int,
                    now: datetime) -> dict[int, str]:
    """A fresh one-time code per household; the unused codes handed out before are void."""
    codes = {h: "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
             for h in household_ids}
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE bind_codes SET void = 1 WHERE household_id = ? AND used_by IS NULL",
            [(h,) for h in household_ids])
        await conn.executemany(
            "INSERT INTO bind_codes (code, household_id, created_by, created_at) VALUES (?, ?, ?, ?)",
            [(code, h, created_by, to_db(now)) for h, code in codes.items()])
    return codes


async def bind(db: Database, code: str, user_id: int, now: datetime) -> tuple[int, Household] | None:
    """Use a one-time code: the person becomes an owner of its household. None: no such
    unused code (or its unit was retired)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            """SELECT h.*, (SELECT chat_id FROM community_chats WHERE community_id = h.community_id
                            AND role = 'main') AS main_chat_id
               FROM bind_codes c JOIN households h ON h.id = c.household_id
               WHERE c.code = ? AND c.used_by IS NULL AND c.void = 0 AND h.active = 1""",
            (code.strip().upper(),))
        row = await cur.fetchone()
        if row is None:
            return None
        await conn.execute("UPDATE bind_codes SET used_by = ?, used_at = ? WHERE code = ?",
                           (user_id, to_db(now), code.strip().upper()))
        await conn.execute(
            """INSERT INTO household_owners (household_id, user_id, bound_at) VALUES (?, ?, ?)
               ON CONFLICT DO NOTHING""", (row["id"], user_id, to_db(now)))
    return row["main_chat_id"], _household(row)
