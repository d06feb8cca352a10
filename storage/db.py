"""The SQLite connection: pragmas, migrations and transactions.

One aiosqlite connection per process. Every statement runs under one asyncio
lock, so concurrent updates never interleave inside a transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# The first line of a migration that makes tables again: it runs with foreign keys off.
FOREIGN_KEYS_OFF = "-- yishi: foreign keys off"


def marks(values) -> str:
    """The placeholders of an ``IN (…)`` list for ``values`` (one or more)."""
    return ", ".join("?" for _ in values)


class StorageError(Exception):
    """The database cannot be used; the message is one line for the operator."""


def migrations() -> list[tuple[int, str]]:
    """The numbered migrations shipped with the package, in order."""
    found = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        match = MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    if [n for n, _ in found] != list(range(1, len(found) + 1)):
        raise StorageError("migrations are not numbered 0001, 0002, ... without gaps")
    return found


class Database:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except Exception as exc:  # sqlite3 raises OperationalError with a terse text
            raise StorageError(f"cannot open database {str(path)!r}: {exc}") from None
        conn.row_factory = aiosqlite.Row
        db = cls(conn)
        try:
            await db._prepare()
        except BaseException:
            await conn.close()
            raise
        return db

    async def _prepare(self) -> None:
        try:
            await self._conn.execute("PRAGMA journal_mode=WAL")
            await self._conn.execute("PRAGMA foreign_keys=ON")
            await self._conn.execute("PRAGMA busy_timeout=5000")
            await self._conn.execute("PRAGMA synchronous=NORMAL")
            version = await self.schema_version()
        except aiosqlite.DatabaseError as exc:
            raise StorageError(f"database cannot be used: {exc}") from None
        known = migrations()
        if version > len(known):
            raise StorageError(
                f"database schema version {version} is newer than this Yishi knows "
                f"({len(known)}): upgrade Yishi or use another database"
            )
        for number, script in known[version:]:
            if script.startswith(FOREIGN_KEYS_OFF):
                await self._rebuild(number, script)
            else:
                await self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )

    async def _rebuild(self, number: int, script: str) -> None:
        """A migration that makes tables again (SQLite's way to change constraints): foreign keys
        are off while it runs (a dropped table would cascade) and checked before it commits."""
        await self._conn.execute("PRAGMA foreign_keys=OFF")
        try:
            await self._conn.executescript(f"BEGIN IMMEDIATE;\n{script}")
            async with self._conn.execute("PRAGMA foreign_key_check") as cur:
                broken = await cur.fetchall()
            if broken:
                await self._conn.execute("ROLLBACK")
                raise StorageError(f"migration {number:04d} would break {len(broken)} references "
                                   f"(first: table {broken[0][0]}, row {broken[0][1]}): nothing changed")
            await self._conn.execute(f"PRAGMA user_version = {number}")
            await self._conn.execute("COMMIT")
        except aiosqlite.DatabaseError:
            if self._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
            raise
        finally:
            await self._conn.execute("PRAGMA foreign_keys=ON")

    async def schema_version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0])

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
            except BaseException:
                # Shielded: a task cancelled mid-transaction (the bot stopping) still leaves the
                # connection clean; statements run in order on the connection's thread.
                await asyncio.shield(self._rollback())
                raise
            else:
                await asyncio.shield(self._conn.execute("COMMIT"))

    async def _rollback(self) -> None:
        with contextlib.suppress(aiosqlite.OperationalError):  # BEGIN itself never ran
            await self._conn.execute("ROLLBACK")

    # Each of these is one round trip to the connection's thread (the statement, its rows or
    # its rowid and the cursor's end together), since a vote or an update mark is a handful of
    # statements and each trip costs the event loop a wake-up.
    async def execute(self, sql: str, params: Iterable = ()) -> int:
        """One statement in its own transaction; returns the connection's last inserted rowid."""
        async with self._lock:
            row = await self._conn.execute_insert(sql, tuple(params))
            return row[0] if row else 0

    async def fetchall(self, sql: str, params: Iterable = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def next_number(self, table: str, chat_id: int) -> int:
        """The number the next vote, idea or meeting (``table``) of the group's community will have."""
        if table not in ("polls", "ideas", "meetings", "consultations"):
            raise ValueError(table)
        row = await self.fetchone(
            f"""SELECT coalesce(max(number), 0) + 1 AS n FROM {table}
                WHERE community_id = (SELECT community_id FROM community_chats WHERE chat_id = ?)""",
            (chat_id,))
        return row["n"]

    async def fetchone(self, sql: str, params: Iterable = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None
