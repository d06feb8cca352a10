"""The ballot log's hash chain (docs/bulletin.md), checked in the bot's database, read-only.

Each row is checked against the stored hash of the row before it, so that one edited row is named
alone and the rows after it still check. A row that hashes onto an earlier row than the one
before it has had rows inserted before it; a row that hashes onto no row, with a gap in the ids
before it, may follow a deleted row. Each voter's latest row (``choices`` ``[]`` withdraws the
ballot, as the bot's ``ballot_log_applies`` trigger does) is compared with a secret vote's receipts.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from bot.verify.recount import Unreadable, get, parse_int

_LOG_SQL = ("SELECT id, poll_id, voter, household_id, choices, receipt, at, hash FROM ballot_log "
            "WHERE poll_id = ? ORDER BY id")


def row_hash(previous: str, row: tuple) -> str | None:
    row_id, poll_id, voter, household_id, choices, receipt, at, _ = row
    try:
        text = json.dumps([previous, poll_id, row_id, voter, household_id, choices, receipt, at],
                          ensure_ascii=False, separators=(",", ":"))
    except TypeError:  # a value no row of the bot holds (a blob): it cannot hash as written
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _broken_link(conn: sqlite3.Connection, known: dict[str, int], previous_id: int, row: tuple) -> str:
    """Why ``row`` does not hash onto the row before it (``previous_id``; 0 for none)."""
    row_id, stored = row[0], row[7]
    onto = next((i for h, i in known.items() if i != previous_id and row_hash(h, row) == stored), None)
    if onto is not None:
        start = f"row {onto}" if onto else "the start of the log"
        return (f"ballot log row {row_id} follows {start} in the chain, not row {previous_id}: "
                "the rows between were inserted after it was written")
    between = conn.execute("SELECT count(*) FROM ballot_log WHERE id > ? AND id < ?",
                           (previous_id, row_id)).fetchone()[0]
    if between < row_id - previous_id - 1:  # ids missing from the whole table
        last = f"row {previous_id}" if previous_id else "the start of the log"
        return (f"ballot log row {row_id} does not follow {last}: a row between them was deleted, "
                f"or row {row_id} was changed")
    return f"ballot log row {row_id} was changed after it was written"


def check_log(db_path: Path | str, bulletin: dict, secret: bool) -> tuple[list[str], int]:
    """The vote's ballot log against its hash chain, the bulletin's ``chain`` and, for a secret
    vote, its receipts. Returns the problems found and the number of rows."""
    if not Path(db_path).is_file():
        raise Unreadable(f"database {str(db_path)!r} does not exist")
    vote_id = parse_int(get(get(bulletin, "vote", ""), "id", "vote"), "vote.id")
    chain = get(bulletin, "chain", "")
    want_rows = parse_int(get(chain, "rows", "chain"), "chain.rows")
    want_final = get(chain, "final_hash", "chain")
    problems: list[str] = []
    known = {"": 0}  # stored hash -> id of the row carrying it ("" starts the chain)
    try:
        conn = sqlite3.connect(f"file:{quote(str(db_path))}?mode=ro", uri=True)
        try:
            rows = conn.execute(_LOG_SQL, (vote_id,)).fetchall()
            previous_id, previous = 0, ""
            for row in rows:
                if row_hash(previous, row) != row[7]:
                    problems.append(_broken_link(conn, known, previous_id, row))
                known.setdefault(row[7], row[0])
                previous_id, previous = row[0], row[7]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise Unreadable(f"cannot read the ballot log of {str(db_path)!r}: {exc}") from exc
    final = rows[-1][7] if rows else ""
    if len(rows) != want_rows:
        cause = "rows were removed" if len(rows) < want_rows else "rows were added after the vote closed"
        problems.append(f"ballot log: {len(rows)} rows for vote {vote_id}, the bulletin's chain says "
                        f"{want_rows} ({cause})")
    if final != want_final:
        at = known.get(want_final) if isinstance(want_final, str) and want_final else None
        problems.append(f"ballot log: final hash {final or '(none)'} differs from the bulletin's "
                        f"chain.final_hash {want_final}" + (f" (which is row {at}'s hash)" if at else ""))
    ballots = bulletin.get("ballots")
    if secret and isinstance(ballots, list):  # a named vote's units need the registry: not checked
        latest = {row[2]: row for row in rows}  # voter -> their latest row
        in_log = Counter(row[5] for row in latest.values() if row[4] != "[]")
        in_bulletin = Counter(b.get("receipt") for b in ballots if isinstance(b, dict))
        for receipt in sorted(set(in_log) | set(in_bulletin), key=str):
            if in_log[receipt] != in_bulletin[receipt]:
                problems.append(f"ballot log: receipt {receipt or '(none)'} is the latest ballot of "
                                f"{in_log[receipt]} voter(s) in the log but appears in "
                                f"{in_bulletin[receipt]} of the bulletin's ballots")
    return problems, len(rows)
