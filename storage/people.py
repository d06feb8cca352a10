"""One person's data, for a personal-information request: all of it as JSON, or their names,
units and bindings removed. What they took part in (a ballot, a request, an entry of the minutes)
stays part of the community's record, without their name."""

from __future__ import annotations

from storage.db import Database

GONE = "—"  # the name shown where a removed person's name was

# (table, the column that names the person): every row the export gathers.
HELD = (
    ("users", "id"), ("members", "user_id"), ("roles", "user_id"), ("household_owners", "user_id"),
    ("ballots", "user_id"), ("ballot_log", "user_id"), ("ideas", "author_id"),
    ("idea_endorsements", "user_id"), ("idea_volunteers", "user_id"), ("idea_drafts", "user_id"),
    ("requests", "reporter_id"), ("request_events", "actor_id"), ("event_rsvps", "user_id"),
    ("event_drafts", "user_id"), ("reception_questions", "user_id"), ("meetings", "chair_id"),
    ("minute_entries", "author_id"), ("minute_entries", "speaker_id"), ("action_items", "owner_id"),
    ("drafts", "user_id"), ("registry_disputes", "user_id"), ("vote_notices", "user_id"),
    ("notice_reads", "user_id"),
)  # fmt: skip


async def export(db: Database, user_id: int) -> dict[str, list[dict]]:
    """Every row about the person, by table (tables with none left out)."""
    found: dict[str, list[dict]] = {}
    for table, column in HELD:
        rows = await db.fetchall(f"SELECT * FROM {table} WHERE {column} = ?", (user_id,))
        if rows:
            found.setdefault(table, []).extend(dict(row) for row in rows)
    return found


async def remove(db: Database, user_id: int) -> dict[str, int]:
    """Remove the person's names, units (household bindings), roles, memberships, drafts and the
    updates they sent that are already handled, in one transaction; how many rows each step changed."""
    steps = (
        ("names", "UPDATE users SET first_name = ?, last_name = NULL, username = NULL, language_code = NULL, "
                  "started = 0 WHERE id = ?", (GONE, user_id)),
        ("bindings", "DELETE FROM household_owners WHERE user_id = ?", (user_id,)),
        ("roles", "DELETE FROM roles WHERE user_id = ?", (user_id,)),
        ("memberships", "DELETE FROM members WHERE user_id = ?", (user_id,)),
        ("rsvps", "UPDATE event_rsvps SET name = ? WHERE user_id = ?", (GONE, user_id)),
        ("questions", "UPDATE reception_questions SET name = ? WHERE user_id = ?", (GONE, user_id)),
        ("chairs", "UPDATE meetings SET chair_name = ? WHERE chair_id = ?", (GONE, user_id)),
        ("entries", "UPDATE minute_entries SET author_name = ? WHERE author_id = ?", (GONE, user_id)),
        ("quotes", "UPDATE minute_entries SET speaker_name = ? WHERE speaker_id = ?", (GONE, user_id)),
        ("action items", "UPDATE action_items SET owner_name = ? WHERE owner_id = ?", (GONE, user_id)),
        ("drafts", "DELETE FROM drafts WHERE user_id = ?", (user_id,)),
        ("idea drafts", "DELETE FROM idea_drafts WHERE user_id = ?", (user_id,)),
        ("event drafts", "DELETE FROM event_drafts WHERE user_id = ?", (user_id,)),
        ("updates", "DELETE FROM inbox WHERE handled_at IS NOT NULL AND (body LIKE ? OR body LIKE ?)",
         (f'%"id": {user_id},%', f'%"id": {user_id}}}%')),
    )
    changed: dict[str, int] = {}
    async with db.transaction() as conn:
        for name, sql, params in steps:
            cur = await conn.execute(sql, params)
            changed[name] = cur.rowcount
    return changed
