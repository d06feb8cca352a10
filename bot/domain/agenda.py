"""When each armed schedule is next due: one entry per schedule, earliest first.

An entry holds the schedule's next firing and the moment to wake for it (the
same, or later while a failed delivery waits to be retried). Entries sit in a
heap keyed by the wake-up time; replacing or dropping an entry leaves its old
heap item behind, which is skipped when it comes up (and swept when too many
pile up), so every change costs O(log n) and the schedules themselves are not
kept: only their ids and two times.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime


class Agenda:
    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int]] = []
        self._entries: dict[int, tuple[datetime, datetime]] = {}  # id -> (wake at, fire at)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, schedule_id: int) -> bool:
        return schedule_id in self._entries

    def put(self, schedule_id: int, fire_at: datetime, wake_at: datetime | None = None) -> None:
        """Arm ``schedule_id`` for its firing at ``fire_at`` (waking at ``wake_at``, if later)."""
        wake = fire_at if wake_at is None else max(fire_at, wake_at)
        self._entries[schedule_id] = (wake, fire_at)
        heapq.heappush(self._heap, (wake, schedule_id))
        if len(self._heap) > 2 * len(self._entries) + 64:
            self._sweep()

    def drop(self, schedule_id: int) -> None:
        self._entries.pop(schedule_id, None)

    def earliest(self) -> datetime | None:
        """The first moment an entry needs waking for, or None when nothing is armed."""
        self._skip_stale()
        return self._heap[0][0] if self._heap else None

    def take_due(self, now: datetime) -> list[int]:
        """Remove and return the schedules to wake at ``now`` (wake-up time reached), in order."""
        due = []
        while True:
            self._skip_stale()
            if not self._heap or self._heap[0][0] > now:
                return due
            _, schedule_id = heapq.heappop(self._heap)
            del self._entries[schedule_id]
            due.append(schedule_id)

    def firings(self) -> Iterator[tuple[int, datetime]]:
        """Each armed schedule with its next firing (in no particular order)."""
        for schedule_id, (_, fire_at) in self._entries.items():
            yield schedule_id, fire_at

    def _live(self, item: tuple[datetime, int]) -> bool:
        entry = self._entries.get(item[1])
        return entry is not None and entry[0] == item[0]

    def _skip_stale(self) -> None:
        while self._heap and not self._live(self._heap[0]):
            heapq.heappop(self._heap)

    def _sweep(self) -> None:
        self._heap = [(wake, schedule_id) for schedule_id, (wake, _) in self._entries.items()]
        heapq.heapify(self._heap)
