"""The bot's one source of time.

Everything that needs "now" asks the clock. In production it is the wall clock;
a test or the local console moves it forward with :meth:`Clock.advance` and
whatever listens (the scheduler) re-arms itself against the new time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        """Move time forward (never backward) and tell the listeners."""
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._offset += delta
        for listener in list(self._listeners):
            listener()

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every :meth:`advance`; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)
