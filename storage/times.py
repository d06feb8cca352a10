"""Times are stored as UTC ISO-8601 text with seconds, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime cannot be stored")
    return value.astimezone(UTC).isoformat(timespec="seconds")


def from_db(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)
