"""Notices (公示): drafts and posted notices, every version of their text, the files they carry
and who has read them; read receipts counted by building through the bound households.

A notice belongs to its community (``OF_CHAT``); one started in the committee group is seen
there only (``seen_from``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import inbox
from storage.communities import OF_CHAT, seen_from
from storage.db import Database
from storage.times import from_db, to_db

MAX_PHOTOS = 10  # an album holds at most ten

_SELECT = """SELECT n.*, v.title, v.text, v.version AS versions,
                    CASE WHEN v.version > 1 THEN v.written_at END AS changed_at,
                    (SELECT count(*) FROM notice_reads r WHERE r.notice_id = n.id) AS reads
             FROM notices n JOIN notice_versions v ON v.notice_id = n.id
                  AND v.version = (SELECT max(version) FROM notice_versions WHERE notice_id = n.id)"""


@dataclass(frozen=True)
class Notice:
    id: int
    chat_id: int
    number: int | None  # None until posted
    title: str
    text: str
    status: str  # draft | posted | cancelled
    attaching: bool
    thread_id: int | None
    preview_id: int | None
    message_id: int | None
    pinned: bool
    created_by: int
    created_at: datetime
    posted_at: datetime | None
    changed_at: datetime | None  # when the current text was written, if it is not the first
    versions: int
    reads: int


@dataclass(frozen=True)
class File:
    kind: str  # photo | pdf
    file_id: str
    name: str | None


@dataclass(frozen=True)
class Version:
    number: int
    title: str
    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class BuildingReads:
    building: str
    readers: int  # people who read it and own a household there
    read: int  # bound households at least one of whose owners read it
    bound: int  # households with a bound owner


@dataclass(frozen=True)
class Reads:
    total: int
    buildings: tuple[BuildingReads, ...]
    unregistered: int  # readers with no bound household in the community


def _notice(row) -> Notice:
    return Notice(
        id=row["id"], chat_id=row["chat_id"], number=row["number"], title=row["title"], text=row["text"],
        status=row["status"], attaching=bool(row["attaching"]), thread_id=row["thread_id"],
        preview_id=row["preview_id"], message_id=row["message_id"], pinned=bool(row["pinned"]),
        created_by=row["created_by"], created_at=from_db(row["created_at"]),
        posted_at=from_db(row["posted_at"]) if row["posted_at"] else None,
        changed_at=from_db(row["changed_at"]) if row["changed_at"] else None,
        versions=row["versions"], reads=row["reads"],
    )


async def draft(db: Database, *, chat_id: int, user_id: int, title: str, text: str, thread: int | None,
                now: datetime, origin: str | None = None) -> Notice:
    """A new draft in ``chat_id``; the one ``origin`` made already, when it did. The author's
    earlier drafts in the chat stop taking files."""

    async def insert(conn) -> int:
        await conn.execute("UPDATE notices SET attaching = 0 WHERE chat_id = ? AND created_by = ? "
                           "AND status = 'draft'", (chat_id, user_id))
        cur = await conn.execute(
            f"""INSERT INTO notices (community_id, chat_id, thread_id, created_by, created_at)
                VALUES ({OF_CHAT}, ?, ?, ?, ?)""", (chat_id, chat_id, thread, user_id, to_db(now)))
        await conn.execute(
            """INSERT INTO notice_versions (notice_id, version, title, text, written_by, written_at)
               VALUES (?, 1, ?, ?, ?, ?)""", (cur.lastrowid, title, text, user_id, to_db(now)))
        return cur.lastrowid

    return await get(db, await inbox.keyed(db, origin, now, insert))  # type: ignore[return-value]


async def get(db: Database, notice_id: int) -> Notice | None:
    row = await db.fetchone(f"{_SELECT} WHERE n.id = ?", (notice_id,))
    return _notice(row) if row else None


async def by_number(db: Database, chat_id: int, number: int) -> Notice | None:
    """Posted notice #``number`` of the community of ``chat_id``, as that chat may see it."""
    row = await db.fetchone(f"{_SELECT} WHERE n.community_id = {OF_CHAT} AND {seen_from('n')} "
                            "AND n.status = 'posted' AND n.number = ?", (chat_id, chat_id, number))
    return _notice(row) if row else None


async def posted(db: Database, chat_id: int, offset: int, limit: int) -> tuple[list[Notice], int]:
    """A page of the posted notices ``chat_id`` may see, newest first, and how many there are."""
    where = f"n.community_id = {OF_CHAT} AND {seen_from('n')} AND n.status = 'posted'"
    rows = await db.fetchall(f"{_SELECT} WHERE {where} ORDER BY n.number DESC LIMIT ? OFFSET ?",
                             (chat_id, chat_id, limit, offset))
    total = await db.fetchone(f"SELECT count(*) AS n FROM notices n WHERE {where}", (chat_id, chat_id))
    return [_notice(r) for r in rows], total["n"]


async def set_preview(db: Database, notice_id: int, message_id: int) -> None:
    await db.execute("UPDATE notices SET preview_id = ? WHERE id = ?", (message_id, notice_id))


async def set_message(db: Database, notice_id: int, message_id: int) -> None:
    await db.execute("UPDATE notices SET message_id = ? WHERE id = ?", (message_id, notice_id))


async def set_pinned(db: Database, notice_id: int, pinned: bool) -> None:
    await db.execute("UPDATE notices SET pinned = ? WHERE id = ?", (int(pinned), notice_id))


async def set_attaching(db: Database, notice_id: int) -> bool:
    """The draft takes its author's next files; False when it is no longer a draft."""
    rows = await db.fetchall("UPDATE notices SET attaching = 1 WHERE id = ? AND status = 'draft' "
                             "RETURNING 1", (notice_id,))
    return bool(rows)


async def attaching(db: Database, chat_id: int, user_id: int, since: datetime) -> Notice | None:
    """The author's draft in the chat, written after ``since``, that takes the files they send
    now, if one does (a draft left aside takes nothing sent days later)."""
    row = await db.fetchone(f"{_SELECT} WHERE n.chat_id = ? AND n.created_by = ? AND n.status = 'draft' "
                            "AND n.attaching = 1 AND n.created_at > ? ORDER BY n.id DESC LIMIT 1",
                            (chat_id, user_id, to_db(since)))
    return _notice(row) if row else None


async def add_file(db: Database, notice_id: int, kind: str, file_id: str, unique_id: str,
                   name: str | None, now: datetime) -> str:
    """Attach a photo or the PDF: "added", "again" (attached already), "full" (ten photos, or a
    PDF already) or "gone" (no longer a draft)."""
    async with db.transaction() as conn:
        cur = await conn.execute("SELECT status FROM notices WHERE id = ?", (notice_id,))
        row = await cur.fetchone()
        if row is None or row[0] != "draft":
            return "gone"
        cur = await conn.execute("SELECT 1 FROM notice_files WHERE notice_id = ? AND file_unique_id = ?",
                                 (notice_id, unique_id))
        if await cur.fetchone() is not None:
            return "again"
        cur = await conn.execute("SELECT count(*) FROM notice_files WHERE notice_id = ? AND kind = ?",
                                 (notice_id, kind))
        count = (await cur.fetchone())[0]
        if count >= (MAX_PHOTOS if kind == "photo" else 1):
            return "full"
        cur = await conn.execute("SELECT coalesce(max(position), 0) + 1 FROM notice_files "
                                 "WHERE notice_id = ?", (notice_id,))
        position = (await cur.fetchone())[0]
        await conn.execute(
            """INSERT INTO notice_files (notice_id, position, kind, file_id, file_unique_id, file_name,
                                         added_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (notice_id, position, kind, file_id, unique_id, name, to_db(now)))
    return "added"


async def files(db: Database, notice_id: int) -> list[File]:
    rows = await db.fetchall("SELECT kind, file_id, file_name FROM notice_files WHERE notice_id = ? "
                             "ORDER BY position", (notice_id,))
    return [File(r["kind"], r["file_id"], r["file_name"]) for r in rows]


async def post(db: Database, notice_id: int, pinned: bool, now: datetime, origin: str | None = None) -> bool:
    """Give the draft its number and make it posted; False when it was no longer a draft (posted
    or cancelled by another press). The same press handled again answers as the first time."""

    async def publish(conn) -> int:
        cur = await conn.execute(
            """UPDATE notices SET status = 'posted', attaching = 0, pinned = ?, posted_at = ?,
                   number = (SELECT coalesce(max(m.number), 0) + 1 FROM notices m
                             WHERE m.community_id = notices.community_id)
               WHERE id = ? AND status = 'draft'""", (int(pinned), to_db(now), notice_id))
        return cur.rowcount

    return bool(await inbox.keyed(db, origin, now, publish))


async def cancel(db: Database, notice_id: int) -> bool:
    rows = await db.fetchall("UPDATE notices SET status = 'cancelled', attaching = 0 "
                             "WHERE id = ? AND status = 'draft' RETURNING 1", (notice_id,))
    return bool(rows)


async def revise(db: Database, notice_id: int, *, title: str, text: str, by: int, now: datetime,
                 origin: str | None = None) -> int:
    """Keep a new version of the text (the earlier ones stay); its number."""

    async def insert(conn) -> int:
        cur = await conn.execute("SELECT max(version) + 1 FROM notice_versions WHERE notice_id = ?",
                                 (notice_id,))
        version = (await cur.fetchone())[0]
        await conn.execute(
            """INSERT INTO notice_versions (notice_id, version, title, text, written_by, written_at)
               VALUES (?, ?, ?, ?, ?, ?)""", (notice_id, version, title, text, by, to_db(now)))
        return version

    return await inbox.keyed(db, origin, now, insert)


async def versions(db: Database, notice_id: int) -> list[Version]:
    """Every version of the text, the first first, with who wrote it and when."""
    rows = await db.fetchall(
        """SELECT v.version, v.title, v.text, v.written_at,
                  trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) AS name
           FROM notice_versions v LEFT JOIN users u ON u.id = v.written_by
           WHERE v.notice_id = ? ORDER BY v.version""", (notice_id,))
    return [Version(r["version"], r["title"], r["text"], r["name"], from_db(r["written_at"])) for r in rows]


async def mark_read(db: Database, notice_id: int, user_id: int, now: datetime) -> bool:
    """Record that the person read the notice; False when they had already."""
    rows = await db.fetchall("INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES (?, ?, ?) "
                             "ON CONFLICT DO NOTHING RETURNING 1", (notice_id, user_id, to_db(now)))
    return bool(rows)


async def reads(db: Database, notice_id: int) -> Reads:
    """Who read the notice, by building: readers through the households bound to them in the
    notice's community (someone owning in two buildings counts in each), readers bound to none,
    and per building how many of the bound households have read it."""
    readers = await db.fetchall(
        """SELECT r.user_id, h.building FROM notice_reads r JOIN notices n ON n.id = r.notice_id
           LEFT JOIN (household_owners o JOIN households h ON h.id = o.household_id AND h.active = 1)
                ON o.user_id = r.user_id AND h.community_id = n.community_id
           WHERE r.notice_id = ?""", (notice_id,))
    bound = await db.fetchall(
        """SELECT h.building, count(*) AS bound,
                  sum(CASE WHEN EXISTS (SELECT 1 FROM household_owners o JOIN notice_reads r
                                        ON r.user_id = o.user_id
                                        WHERE o.household_id = h.id AND r.notice_id = n.id)
                      THEN 1 ELSE 0 END) AS read
           FROM households h JOIN notices n ON n.community_id = h.community_id
           WHERE n.id = ? AND h.active = 1
                 AND EXISTS (SELECT 1 FROM household_owners o WHERE o.household_id = h.id)
           GROUP BY h.building""", (notice_id,))
    people: dict[str, set[int]] = {}
    everyone, placed = set(), set()
    for row in readers:
        everyone.add(row["user_id"])
        if row["building"] is not None:
            placed.add(row["user_id"])
            people.setdefault(row["building"], set()).add(row["user_id"])
    counts = {row["building"]: (row["bound"], row["read"]) for row in bound}
    buildings = sorted(set(people) | set(counts), key=lambda b: (len(b), b))  # 6 before 10, as counted
    return Reads(len(everyone), tuple(BuildingReads(b, len(people.get(b, ())), counts.get(b, (0, 0))[1],
                                                    counts.get(b, (0, 0))[0]) for b in buildings),
                 len(everyone - placed))


async def is_member(db: Database, chat_id: int, user_id: int) -> bool:
    """Whether the person has been seen in the chat (and not seen leaving it)."""
    row = await db.fetchone("SELECT 1 FROM members WHERE chat_id = ? AND user_id = ? AND present = 1",
                            (chat_id, user_id))
    return row is not None
