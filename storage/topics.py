"""Forum topics: which topic of a group a feature's messages go to, by subject ("poll:12")."""

from __future__ import annotations

from storage.db import Database

# Subjects of a whole group (besides one thing's, like "poll:12"): where its ideas and its
# requests are talked about.
IDEAS, REQUESTS = "ideas", "requests"


async def remember(db: Database, chat_id: int, thread_id: int | None, *subjects: str) -> None:
    """The subjects' messages go to topic ``thread_id`` from now on (None: the General topic)."""
    async with db.transaction() as conn:
        for subject in subjects:
            if thread_id is None:
                await conn.execute("DELETE FROM topics WHERE chat_id = ? AND subject = ?", (chat_id, subject))
            else:
                await conn.execute(
                    """INSERT INTO topics (chat_id, subject, thread_id) VALUES (?, ?, ?)
                       ON CONFLICT (chat_id, subject) DO UPDATE SET thread_id = excluded.thread_id""",
                    (chat_id, subject, thread_id))


async def of(db: Database, chat_id: int, *subjects: str) -> int | None:
    """The topic of the first subject that has one (None: the General topic)."""
    for subject in subjects:
        row = await db.fetchone("SELECT thread_id FROM topics WHERE chat_id = ? AND subject = ?",
                                (chat_id, subject))
        if row is not None:
            return row["thread_id"]
    return None
