"""Live messages (a poll's tally) kept up to date without flooding the chat.

Telegram lets a bot send or edit about 20 messages a minute in a group. However
fast votes arrive, each live message is edited at most once per interval: the
first change is shown at once, later ones are folded into one edit when the
interval has passed, and the edit always renders the latest state, so the
message ends showing the final one. ``now`` skips the wait (a poll closing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

Render = Callable[[], Awaitable[None]]


@dataclass
class _Live:
    render: Render
    dirty: bool = True
    last: float = float("-inf")
    task: asyncio.Task | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class Refresher:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._live: dict[Hashable, _Live] = {}

    def request(self, key: Hashable, render: Render) -> None:
        """Show the latest state of ``key`` soon (at once if it was not edited lately)."""
        live = self._live.get(key)
        if live is None:
            self._forget_quiet()
            live = self._live[key] = _Live(render)
        live.render, live.dirty = render, True
        if live.task is None or live.task.done():
            live.task = asyncio.get_running_loop().create_task(self._run(key, live))

    async def show(self, key: Hashable, render: Render, now: bool = False) -> None:
        """``now``: at once, waiting until shown; otherwise soon (see ``request``)."""
        if now:
            await self.now(key, render)
        else:
            self.request(key, render)

    async def now(self, key: Hashable, render: Render) -> None:
        """Show the latest state of ``key`` now and wait until it is shown."""
        self.request(key, render)
        live = self._live[key]
        live.wake.set()
        task = live.task
        if task is not None:
            await asyncio.shield(task)

    def _forget_quiet(self) -> None:
        """Drop what is known of messages not edited within the interval (nothing to wait for)."""
        if len(self._live) < 256:
            return
        horizon = time.monotonic() - self.interval
        for key, live in list(self._live.items()):
            if live.last < horizon and (live.task is None or live.task.done()):
                del self._live[key]

    async def _run(self, key: Hashable, live: _Live) -> None:
        while live.dirty:
            wait = live.last + self.interval - time.monotonic()
            if wait > 0 and not live.wake.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(live.wake.wait(), wait)
            live.wake.clear()
            live.dirty = False
            try:
                await live.render()
            except Exception:
                log.exception("could not refresh live message %s", key)
            live.last = time.monotonic()

    async def drain(self) -> None:
        """Wait for every pending refresh (at shutdown, so no change is left unshown)."""
        for live in list(self._live.values()):
            live.wake.set()
            if live.task is not None:
                await asyncio.shield(live.task)
