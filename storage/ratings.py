"""Property-service ratings: surveys per community and quarter, the current answers, anonymous
comments and each community's settings. Who rated is kept only as the voter key (and the last
user who answered for it) to enforce one rating per household; comments keep no author."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from bot.domain import ratings as rules
from bot.domain.ratings import Answer, RatingResult
from storage import inbox
from storage.communities import OF_CHAT
from storage.db import Database
from storage.times import from_db, to_db

COMMENT_DRAFT = "rating_comment"  # {"survey_id"}: the person's next private message is a comment


@dataclass(frozen=True)
class Survey:
    id: int
    community_id: int
    chat_id: int
    number: int
    quarter: str
    rater: str  # "household" | "resident"
    dimensions: tuple[str, ...]
    threshold: Fraction
    status: str
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    message_id: int | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Settings:
    rater: str = "household"
    dimensions: tuple[str, ...] = rules.DEFAULTS
    threshold: Fraction = rules.DEFAULT_THRESHOLD


def _survey(row) -> Survey:
    return Survey(row["id"], row["community_id"], row["chat_id"], row["number"], row["quarter"], row["rater"],
                  tuple(json.loads(row["dimensions"])), Fraction(row["threshold"]), row["status"],
                  from_db(row["opened_at"]), from_db(row["closes_at"]),
                  from_db(row["closed_at"]) if row["closed_at"] else None, row["message_id"])


async def settings(db: Database, chat_id: int) -> Settings:
    row = await db.fetchone(f"SELECT * FROM rating_settings WHERE community_id = {OF_CHAT}", (chat_id,))
    if row is None:
        return Settings()
    dimensions = tuple(json.loads(row["dimensions"])) if row["dimensions"] else rules.DEFAULTS
    return Settings(row["rater"], dimensions, Fraction(row["threshold"]))


async def set_settings(db: Database, chat_id: int, now: datetime, *, rater: str | None = None,
                       dimensions: tuple[str, ...] | None = None,
                       threshold: Fraction | None = None) -> Settings:
    """Change some of the community's settings for its next surveys; the settings now."""
    old = await settings(db, chat_id)
    new = Settings(rater or old.rater, dimensions or old.dimensions,
                   threshold if threshold is not None else old.threshold)
    await db.execute(
        f"""INSERT INTO rating_settings (community_id, rater, dimensions, threshold, updated_at)
            VALUES ({OF_CHAT}, ?, ?, ?, ?)
            ON CONFLICT (community_id) DO UPDATE SET rater = excluded.rater,
                dimensions = excluded.dimensions, threshold = excluded.threshold,
                updated_at = excluded.updated_at""",
        (chat_id, new.rater, json.dumps(list(new.dimensions), ensure_ascii=False), str(new.threshold),
         to_db(now)))
    return new


async def open_survey(db: Database, *, chat_id: int, quarter: str, rater: str, dimensions: tuple[str, ...],
                      threshold: Fraction, closes_at: datetime, opened_by: int | None, now: datetime,
                      origin: str | None = None) -> tuple[Survey, bool]:
    """The community's survey of ``quarter``: a new one (True), or the one it has already."""
    existing = await of_quarter(db, chat_id, quarter)
    if existing is not None:
        return existing, False

    async def insert(conn) -> int:
        cur = await conn.execute(f"SELECT id FROM rating_surveys WHERE community_id = {OF_CHAT} "
                                 "AND quarter = ?", (chat_id, quarter))
        row = await cur.fetchone()
        if row is not None:
            return row[0]
        cur = await conn.execute(f"SELECT coalesce(max(number), 0) + 1 FROM rating_surveys "
                                 f"WHERE community_id = {OF_CHAT}", (chat_id,))
        number = (await cur.fetchone())[0]
        cur = await conn.execute(
            f"""INSERT INTO rating_surveys (community_id, chat_id, number, quarter, rater, dimensions,
                   threshold, opened_by, opened_at, closes_at)
                VALUES ({OF_CHAT}, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (chat_id, chat_id, number, quarter, rater, json.dumps(list(dimensions), ensure_ascii=False),
             str(threshold), opened_by, to_db(now), to_db(closes_at)))
        return cur.lastrowid

    survey_id = await inbox.keyed(db, origin, now, insert)
    return await get(db, survey_id), True  # type: ignore[return-value]


async def get(db: Database, survey_id: int) -> Survey | None:
    row = await db.fetchone("SELECT * FROM rating_surveys WHERE id = ?", (survey_id,))
    return _survey(row) if row else None


async def of_quarter(db: Database, chat_id: int, quarter: str) -> Survey | None:
    row = await db.fetchone(f"SELECT * FROM rating_surveys WHERE community_id = {OF_CHAT} AND quarter = ?",
                            (chat_id, quarter))
    return _survey(row) if row else None


async def current(db: Database, chat_id: int) -> Survey | None:
    """The community's open survey, if any."""
    row = await db.fetchone(f"SELECT * FROM rating_surveys WHERE community_id = {OF_CHAT} "
                            "AND status = 'open' ORDER BY id DESC LIMIT 1", (chat_id,))
    return _survey(row) if row else None


async def set_message(db: Database, survey_id: int, message_id: int) -> None:
    await db.execute("UPDATE rating_surveys SET message_id = ? WHERE id = ?", (message_id, survey_id))


async def close(db: Database, survey_id: int, now: datetime) -> bool:
    """Close the survey; False when it was closed already."""
    async with db.transaction() as conn:
        cur = await conn.execute("UPDATE rating_surveys SET status = 'closed', closed_at = ? "
                                 "WHERE id = ? AND status = 'open'", (to_db(now), survey_id))
        return cur.rowcount > 0


async def rate(db: Database, survey_id: int, voters: list[str], user_id: int, dimension: str, score: int,
               now: datetime) -> None:
    """The current answer of each of ``voters`` for ``dimension`` (replacing theirs)."""
    async with db.transaction() as conn:
        await conn.executemany(
            """INSERT INTO rating_answers (survey_id, voter, user_id, dimension, score, at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (survey_id, voter, dimension) DO UPDATE SET user_id = excluded.user_id,
                   score = excluded.score, at = excluded.at""",
            [(survey_id, voter, user_id, dimension, score, to_db(now)) for voter in voters])


async def answers(db: Database, survey_id: int) -> list[Answer]:
    rows = await db.fetchall("SELECT voter, dimension, score FROM rating_answers WHERE survey_id = ? "
                             "ORDER BY voter, dimension", (survey_id,))
    return [Answer(r["voter"], r["dimension"], r["score"]) for r in rows]


async def scores_of(db: Database, survey_id: int, voters: list[str]) -> dict[str, int]:
    """Dimension -> score as the first of ``voters`` has it (what the rater's form shows)."""
    if not voters:
        return {}
    rows = await db.fetchall("SELECT dimension, score FROM rating_answers WHERE survey_id = ? AND voter = ?",
                             (survey_id, voters[0]))
    return {r["dimension"]: r["score"] for r in rows}


async def raters(db: Database, survey_id: int) -> int:
    row = await db.fetchone("SELECT count(DISTINCT voter) AS n FROM rating_answers WHERE survey_id = ?",
                            (survey_id,))
    return row["n"]


async def add_comment(db: Database, survey_id: int, text: str, now: datetime) -> None:
    await db.execute("INSERT INTO rating_comments (survey_id, text, at) VALUES (?, ?, ?)",
                     (survey_id, text, to_db(now)))


async def comments(db: Database, survey_id: int) -> list[str]:
    rows = await db.fetchall("SELECT text FROM rating_comments WHERE survey_id = ? ORDER BY id", (survey_id,))
    return [r["text"] for r in rows]


async def households_of(db: Database, community_id: int, user_id: int) -> list[int]:
    """The community's active households this person is a bound owner of."""
    rows = await db.fetchall(
        """SELECT h.id FROM household_owners o JOIN households h ON h.id = o.household_id
           WHERE o.user_id = ? AND h.community_id = ? AND h.active = 1 ORDER BY h.id""",
        (user_id, community_id))
    return [r["id"] for r in rows]


async def household_count(db: Database, community_id: int) -> int:
    row = await db.fetchone("SELECT count(*) AS n FROM households WHERE community_id = ? AND active = 1",
                            (community_id,))
    return row["n"]


async def _previous_closed(db: Database, survey: Survey) -> Survey | None:
    row = await db.fetchone(
        "SELECT * FROM rating_surveys WHERE community_id = ? AND status = 'closed' AND quarter = ?",
        (survey.community_id, rules.previous_quarter(survey.quarter)))
    return _survey(row) if row else None


async def figures(db: Database, survey: Survey, with_previous: bool = True) -> RatingResult:
    """The survey's figures now, with the change against the previous quarter's closed survey."""
    before = await _previous_closed(db, survey) if with_previous else None
    previous = await figures(db, before, with_previous=False) if before is not None else None
    found = rules.result(survey.quarter, survey.dimensions, await answers(db, survey.id),
                         threshold=survey.threshold, previous=previous,
                         comments=len(await comments(db, survey.id)))
    return dataclasses.replace(found, survey_id=survey.id, chat_id=survey.chat_id, closed_at=survey.closed_at)


async def latest_result(db: Database, chat_id: int) -> RatingResult | None:
    """The figures of the latest closed survey of the community of ``chat_id`` (any of its
    chats), for the monthly report and the public board; None when none has closed yet.
    ``dimensions`` hold keys ("cleaning") or names as written: see bot.domain.ratings.NAMES."""
    row = await db.fetchone(f"SELECT * FROM rating_surveys WHERE community_id = {OF_CHAT} "
                            "AND status = 'closed' ORDER BY quarter DESC, id DESC LIMIT 1", (chat_id,))
    return await figures(db, _survey(row)) if row else None
