"""The result bulletin of an owner vote (docs/bulletin.md): what anyone needs to recount it,
and receipt codes that let a household find its ballot there without anyone else learning it."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from bot.domain import owner_vote
from bot.domain.owner_vote import Ballot, Household, OwnerTally

FORMAT = "yishi-bulletin/1"
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed back


def receipt_code() -> str:
    """A fresh receipt, "K7M2-Q9XP": random, so by itself it says nothing of who voted or how."""
    letters = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def normal_receipt(text: str) -> str | None:
    """What a resident typed ("k7m2q9xp", "K7M2 Q9XP") as a receipt code, or None."""
    letters = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(letters) != 8 or any(ch not in RECEIPT_ALPHABET for ch in letters):
        return None
    return f"{letters[:4]}-{letters[4:]}"


def area_text(centi: int) -> str:
    """Hundredths of a square metre as the file writes them: 8950 -> "89.50"."""
    return f"{centi // 100}.{centi % 100:02d}"


def _part(heads: int, area: int) -> dict:
    return {"owners": heads, "area": area_text(area)}


def _result(t: OwnerTally) -> dict:
    return {
        "taking_part": _part(t.participating_heads, t.participating_area),
        **{choice: _part(t.heads_of(choice), t.area_of(choice)) for choice in owner_vote.CHOICES},
        "quorum_met": t.quorum_met, "approved": t.approved, "passed": t.passed,
    }


def counted_ballots(households: Sequence[Household], ballots: Iterable[Ballot],
                    receipts: Mapping[int, str | None], secret: bool) -> list[dict]:
    """One entry per owner who took part: the receipt of their latest ballot, its choice, the
    area and number of their units, and (named votes only) the units."""
    owners = owner_vote.owners_of(households)
    entries = []
    for key, ballot in owner_vote.latest_by_owner(owners, ballots).items():
        units = owners[key]
        entry = {"receipt": receipts.get(ballot.seq) or "", "choice": ballot.choice,
                 "area": area_text(sum(h.area for h in units)), "households": len(units)}
        if not secret:  # a named vote shows whose ballot it is; a secret one never does
            entry["units"] = ",".join(sorted(h.label for h in units))
        entries.append(entry)
    return sorted(entries, key=lambda e: e["receipt"] if secret else e["units"])


def build(*, community: str, poll, tally: OwnerTally, households: Sequence[Household], ballots: list[dict],
          chain: tuple[int, str], notice_days: int | None, extra: dict | None = None) -> dict:
    """The bulletin of a closed owner vote, sealed with its own SHA-256."""
    body = {
        "format": FORMAT,
        "community": community,
        "vote": {"id": poll.id, "number": poll.number, "question": poll.question, "scope": list(poll.scope),
                 "secret": poll.secret, "opened_at": _moment(poll.created_at),
                 "closed_at": _moment(poll.closed_at), "notice_days": notice_days},
        "rule": {"major": tally.rule.major, "follow_majority": tally.rule.follow_majority},
        "registry": {"owners": tally.eligible_heads, "households": len(households),
                     "area": area_text(tally.eligible_area)},
        "ballots": ballots,
        "result": {**_result(tally), "deemed": _result(tally.deemed) if tally.deemed else None},
        "chain": {"rows": chain[0], "final_hash": chain[1]},
        **(extra or {}),
    }
    return {**body, "sha256": digest(body)}


def _moment(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


def digest(body: Mapping) -> str:
    """SHA-256 of the bulletin's canonical form without its ``sha256``."""
    canonical = json.dumps({k: v for k, v in body.items() if k != "sha256"}, ensure_ascii=False,
                           sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def text(bulletin: Mapping) -> str:
    """The file as published: readable JSON."""
    return json.dumps(bulletin, ensure_ascii=False, indent=2) + "\n"

