"""Drafts: what a person is in the middle of writing, one per person and kind, as JSON.

Also the one-time import of ``<db>.drafts``, the pickle file earlier versions kept drafts in.
"""

from __future__ import annotations

import json
import logging
import pickle
from datetime import datetime, timedelta
from pathlib import Path

from storage.db import Database
from storage.times import from_db, to_db

log = logging.getLogger(__name__)

REQUEST = "request"  # a request report: {"chat_id", "category", "text", "photo"}, each maybe missing
REGISTRY_IMPORT = "registry_import"  # {"chat_id"}: the group the next registry file goes to
GUIDE = "guide"  # a guided flow under way: bot.domain.guide.State as JSON
MAX_AGE = timedelta(days=30)  # a draft untouched this long is dropped

_EXPIRE = "DELETE FROM drafts WHERE updated_at < ?"


async def get(db: Database, user_id: int, kind: str) -> dict | None:
    row = await db.fetchone("SELECT data FROM drafts WHERE user_id = ? AND kind = ?", (user_id, kind))
    return json.loads(row["data"]) if row else None


async def touched(db: Database, user_id: int, kind: str) -> datetime | None:
    """When the draft was last written (None: there is none)."""
    row = await db.fetchone("SELECT updated_at FROM drafts WHERE user_id = ? AND kind = ?", (user_id, kind))
    return from_db(row["updated_at"]) if row else None


async def put(db: Database, user_id: int, kind: str, data: dict, now: datetime) -> None:
    """Keep ``data`` as the person's draft of ``kind`` (replacing any); drafts gone stale go."""
    async with db.transaction() as conn:
        await conn.execute(_EXPIRE, (to_db(now - MAX_AGE),))
        await conn.execute(
            """INSERT INTO drafts (user_id, kind, data, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id, kind) DO UPDATE SET data = excluded.data,
                                                         updated_at = excluded.updated_at""",
            (user_id, kind, json.dumps(data, ensure_ascii=False), to_db(now)))


async def pop(db: Database, user_id: int, kind: str) -> dict | None:
    """The draft, removed: it is finished or given up."""
    row = await db.fetchone("DELETE FROM drafts WHERE user_id = ? AND kind = ? RETURNING data",
                            (user_id, kind))
    return json.loads(row["data"]) if row else None


async def expire(db: Database, before: datetime) -> int:
    """Drop the drafts last touched before ``before``; how many went."""
    rows = await db.fetchall(_EXPIRE + " RETURNING 1", (to_db(before),))
    return len(rows)


# -- the pickle file of earlier versions ----------------------------------------------------------

# Earlier versions kept drafts in python-telegram-bot's PicklePersistence file: a pickle of
# {"user_data": {user_id: {key: value}}, "chat_data": ..., "bot_data": ..., ...}.
_OLD_KEYS = {"request_draft": REQUEST, "registry_import_chat": REGISTRY_IMPORT}
# PicklePersistence stores its Bot (and, before it has one, None) as these persistent ids.
_PTB_BOT_IDS = ("a known bot replaced by PTB's PicklePersistence",
                "an unknown bot replaced by PTB's PicklePersistence")


def old_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".drafts")


class _PlainData(pickle.Unpickler):
    """Reads dicts, lists, strings and numbers only. The file is this installation's own, and
    still no class or function named in it is ever looked up, so loading it runs no code."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")

    def persistent_load(self, pid):
        if pid in _PTB_BOT_IDS:
            return None
        raise pickle.UnpicklingError("unknown persistent id")


def _rows(content: object) -> list[tuple[int, str, str]]:
    """(user id, kind, JSON data) of every draft in the old file's content."""
    user_data = content.get("user_data") if isinstance(content, dict) else None
    if not isinstance(user_data, dict):
        raise ValueError("no user_data mapping")
    rows = []
    for user_id, values in user_data.items():
        if not isinstance(user_id, int) or not isinstance(values, dict):
            continue
        for key, kind in _OLD_KEYS.items():
            value = values.get(key)
            if kind == REGISTRY_IMPORT and isinstance(value, int) and not isinstance(value, bool):
                value = {"chat_id": value}
            if isinstance(value, dict):
                try:
                    rows.append((user_id, kind, json.dumps(value, ensure_ascii=False)))
                except (TypeError, ValueError):
                    log.warning("a %s draft of user %s is not plain data: left out", kind, user_id)
    return rows


async def import_pickle(db: Database, path: Path, now: datetime) -> int:
    """Copy the drafts of an earlier version's ``path`` into the database once, then rename the
    file ``.migrated`` (``.unreadable`` when it cannot be read); how many drafts came."""
    rows = _read(path)
    if rows is None:
        return 0
    async with db.transaction() as conn:  # a draft already in the database is newer: it stays
        await conn.executemany(
            """INSERT INTO drafts (user_id, kind, data, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id, kind) DO NOTHING""",
            [(*row, to_db(now)) for row in rows])
    _set_aside(path, ".migrated")
    log.info("%s drafts imported from %s", len(rows), path)
    return len(rows)


def _read(path: Path) -> list[tuple[int, str, str]] | None:
    """The drafts in the file; None when there is none, or it is unreadable (and set aside)."""
    if not path.exists():
        return None
    try:
        with path.open("rb") as file:
            return _rows(_PlainData(file).load())
    except Exception as error:  # a truncated or foreign file raises about anything
        log.warning("the old drafts file %s cannot be read (%s); it is left as %s.unreadable",
                    path, str(error) or type(error).__name__, path.name)
        _set_aside(path, ".unreadable")
        return None


def _set_aside(path: Path, suffix: str) -> None:
    try:
        path.replace(path.with_name(path.name + suffix))
    except OSError as error:
        log.error("cannot rename %s (%s): it will be read again at the next start", path, error)
