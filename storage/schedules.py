"""Schedules (what fires when) and deliveries (what fired, keyed so it fires once)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from bot.domain.models import Firing, Schedule
from storage import inbox
from storage.db import Database
from storage.times import from_db, to_db


def _schedule(row) -> Schedule:
    return Schedule(
        id=row["id"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        ref=row["ref"],
        first_at=from_db(row["first_at"]),
        rrule=row["rrule"],
        tz=row["tz"],
        offsets=tuple(json.loads(row["offsets"])),
        payload=json.loads(row["payload"]),
        active=bool(row["active"]),
        created_at=from_db(row["created_at"]),
    )


async def add(db: Database, *, chat_id: int, kind: str, ref: str | None, first_at: datetime,
              rrule: str | None, tz: str, offsets: tuple[int, ...], payload: dict,
              now: datetime, origin: str | None = None) -> Schedule:
    """A new schedule; the one ``origin`` made already, when it did."""

    async def insert(conn) -> int:
        cur = await conn.execute(
            """INSERT INTO schedules (chat_id, kind, ref, first_at, rrule, tz, offsets, payload,
                                      created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (chat_id, kind, ref, to_db(first_at), rrule, tz, json.dumps(list(offsets)),
             json.dumps(payload, ensure_ascii=False), to_db(now)),
        )
        return cur.lastrowid

    return await get(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get(db: Database, schedule_id: int) -> Schedule | None:
    row = await db.fetchone("SELECT * FROM schedules WHERE id = ?", (schedule_id,))
    return _schedule(row) if row else None


async def of_ref(db: Database, kind: str, ref: str) -> list[Schedule]:
    rows = await db.fetchall("SELECT * FROM schedules WHERE kind = ? AND ref = ? ORDER BY id",
                             (kind, ref))
    return [_schedule(row) for row in rows]


_ARMABLE = """SELECT s.*, (SELECT max(d.fire_at) FROM deliveries d WHERE d.schedule_id = s.id) AS last_fire
               FROM schedules s JOIN chats c ON c.id = s.chat_id
               WHERE s.active = 1 AND c.active = 1"""


async def armable(db: Database, chat_id: int | None = None, *,
                  schedule_id: int | None = None) -> Iterator[tuple[Schedule, datetime | None]]:
    """Active schedules of active chats (of one chat, or the one schedule, when given), each with
    its last recorded firing, in one query. Rows become schedules one at a time, as iterated."""
    sql, params = _ARMABLE, []
    if chat_id is not None:
        sql += " AND s.chat_id = ?"
        params.append(chat_id)
    if schedule_id is not None:
        sql += " AND s.id = ?"
        params.append(schedule_id)
    rows = await db.fetchall(sql + " ORDER BY s.id", params)
    return ((_schedule(row), from_db(row["last_fire"]) if row["last_fire"] else None) for row in rows)


async def ids_of_chat(db: Database, chat_id: int) -> list[int]:
    rows = await db.fetchall("SELECT id FROM schedules WHERE chat_id = ?", (chat_id,))
    return [row["id"] for row in rows]


async def finish(db: Database, schedule_ids: list[int]) -> None:
    """Schedules with no firing left (a deadline that has fired) are no longer armed."""
    for start in range(0, len(schedule_ids), 500):
        chunk = schedule_ids[start:start + 500]
        await db.execute(f"UPDATE schedules SET active = 0 WHERE id IN ({','.join('?' * len(chunk))})",
                         chunk)


async def of_chat(db: Database, chat_id: int) -> list[Schedule]:
    rows = await db.fetchall("SELECT * FROM schedules WHERE chat_id = ? ORDER BY id", (chat_id,))
    return [_schedule(row) for row in rows]


async def set_active(db: Database, schedule_id: int, active: bool) -> None:
    await db.execute("UPDATE schedules SET active = ? WHERE id = ?", (int(active), schedule_id))


async def last_fire(db: Database, schedule_id: int) -> datetime | None:
    row = await db.fetchone("SELECT max(fire_at) AS last FROM deliveries WHERE schedule_id = ?",
                            (schedule_id,))
    return from_db(row["last"]) if row and row["last"] else None


def _key(firing: Firing) -> tuple:
    return (firing.schedule.id, to_db(firing.occurrence), firing.offset)


async def claim(db: Database, firing: Firing, now: datetime) -> bool:
    """Take a firing for sending; False if it was already sent, skipped or being sent."""
    rows = await db.fetchall(
        """INSERT INTO deliveries (schedule_id, occurrence, offset_s, fire_at, status, recorded_at)
           VALUES (?, ?, ?, ?, 'sending', ?) ON CONFLICT DO NOTHING RETURNING 1""",
        (*_key(firing), to_db(firing.fire_at), to_db(now)),
    )
    return bool(rows)


async def settle(db: Database, firing: Firing, now: datetime) -> None:
    await db.execute(
        """UPDATE deliveries SET status = 'sent', recorded_at = ?
           WHERE schedule_id = ? AND occurrence = ? AND offset_s = ?""",
        (to_db(now), *_key(firing)),
    )


async def release(db: Database, firing: Firing) -> None:
    await db.execute(
        """DELETE FROM deliveries WHERE schedule_id = ? AND occurrence = ? AND offset_s = ?
           AND status = 'sending'""",
        _key(firing),
    )


async def skip(db: Database, firing: Firing, now: datetime) -> None:
    await db.execute(
        """INSERT INTO deliveries (schedule_id, occurrence, offset_s, fire_at, status, recorded_at)
           VALUES (?, ?, ?, ?, 'skipped', ?) ON CONFLICT DO NOTHING""",
        (*_key(firing), to_db(firing.fire_at), to_db(now)),
    )


async def release_interrupted(db: Database) -> int:
    """Claims left by a process that stopped mid-send are freed, so they are sent again."""
    rows = await db.fetchall("DELETE FROM deliveries WHERE status = 'sending' RETURNING 1")
    return len(rows)


async def deliveries(db: Database, schedule_id: int) -> list[tuple[datetime, int, str]]:
    rows = await db.fetchall(
        """SELECT occurrence, offset_s, status FROM deliveries WHERE schedule_id = ?
           ORDER BY fire_at""",
        (schedule_id,),
    )
    return [(from_db(r["occurrence"]), r["offset_s"], r["status"]) for r in rows]
