"""Live messages (a poll's tally) kept up to date without flooding the chat.

Telegram lets a bot send or edit about 20 messages a minute in a group. However
fast votes arrive, each live message is edited at most once per interval: the
first change is shown at once, later ones are folded into one edit when the
interval has passed, and the edit always renders the latest state, so the
message ends showing the final one. ``now`` skips the wait (a poll closing).

A change not shown yet is recorded in the database (key ``poll:12``) when it
arrives and cleared once shown, so a bot stopped in between shows it at the
next start, and only those. ``shown`` remembers a digest of what each message
last showed: an edit that would change nothing is not sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from telegram import InlineKeyboardMarkup

from bot.clock import Clock
from storage import live as store
from storage.db import Database

log = logging.getLogger(__name__)

Render = Callable[[], Awaitable[None]]
Replay = Callable[[int], Awaitable[None]]
SHOWN_CACHED = 4096  # digests kept in memory (the rest are read back when needed)


class Shown:
    """What each live message shows, as a digest of its text and keyboard: in memory, in front of
    the table, so the common case (a message edited again and again) reads nothing."""

    def __init__(self) -> None:
        self._db: Database | None = None
        self._clock = Clock()
        self._cache: OrderedDict[tuple[int, int], str] = OrderedDict()

    def attach(self, db: Database, clock: Clock) -> None:
        self._db, self._clock = db, clock

    @staticmethod
    def digest(html: str, markup: InlineKeyboardMarkup | None) -> str:
        keyboard = json.dumps(markup.to_dict() if markup else None, sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(f"{html}\0{keyboard}".encode(), digest_size=16).hexdigest()

    async def same(self, chat_id: int, message_id: int, digest: str) -> bool:
        """Whether the message shows exactly this already."""
        key = (chat_id, message_id)
        known = self._cache.get(key)
        if known is None and self._db is not None:
            known = await store.digest(self._db, chat_id, message_id)
            if known is not None:
                self._keep(key, known)
        return known == digest

    async def remember(self, chat_id: int, message_id: int, digest: str) -> None:
        """The message now shows this."""
        key = (chat_id, message_id)
        if self._cache.get(key) == digest:
            return
        self._keep(key, digest)
        if self._db is not None:
            await store.record(self._db, chat_id, message_id, digest, self._clock.now())

    async def forget(self, chat_id: int, message_id: int) -> None:
        """The message is gone."""
        self._cache.pop((chat_id, message_id), None)
        if self._db is not None:
            await store.forget(self._db, chat_id, message_id)

    def _keep(self, key: tuple[int, int], digest: str) -> None:
        self._cache[key] = digest
        self._cache.move_to_end(key)
        if len(self._cache) > SHOWN_CACHED:
            self._cache.popitem(last=False)


@dataclass
class _Live:
    render: Render
    dirty: bool = True
    last: float = float("-inf")
    task: asyncio.Task | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)


def _stored(key: Hashable) -> str | None:
    """How a key is written in the database: ("poll", 12) -> "poll:12" (others are not kept)."""
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int):
        return f"{key[0]}:{key[1]}"
    return None


class Refresher:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.shown = Shown()
        self._live: dict[Hashable, _Live] = {}
        self._db: Database | None = None
        self._clock = Clock()
        self._pending: set[str] = set()  # keys recorded in the database as not shown yet
        self._replays: dict[str, Replay] = {}
        self._replaying: asyncio.Task | None = None

    def replays(self, kind: str, replay: Replay) -> None:
        """A feature says how to show again a change of ``(kind, id)`` left unshown by a stop."""
        self._replays[kind] = replay

    def start(self, db: Database, clock: Clock) -> None:
        """Keep pending changes in ``db`` and show, in the background, those the last stop left."""
        self._db, self._clock = db, clock
        self.shown.attach(db, clock)
        self._replaying = asyncio.get_running_loop().create_task(self._replay(), name="refresh-replay")

    async def _replay(self) -> None:
        try:
            keys = await store.pending(self.db)
        except Exception:
            log.exception("changes left unshown by the last stop could not be read")
            return
        if keys:
            log.info("showing %d change(s) left unshown by the last stop", len(keys))
        for stored in keys:
            kind, _, number = stored.partition(":")
            replay = self._replays.get(kind)
            self._pending.add(stored)
            if replay is None or not number.isdigit():
                log.warning("nothing shows %s: dropped", stored)
                await self._clear(stored)
                continue
            try:
                await replay(int(number))
            except Exception:
                log.exception("could not show again %s", stored)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("refresher not started")
        return self._db

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
        """``now``: at once, waiting until shown; otherwise soon (see ``request``). Either way the
        change is recorded first, so a stop before it is shown does not lose it."""
        await self._mark(key)
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
            await self._mark(key)
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
                shown = False
            else:
                shown = True
            live.last = time.monotonic()
            if shown and not live.dirty and (stored := _stored(key)) is not None:
                await self._clear(stored)

    async def _mark(self, key: Hashable) -> None:
        stored = _stored(key)
        if self._db is None or stored is None or stored in self._pending:
            return
        self._pending.add(stored)
        try:
            await store.mark_pending(self._db, stored, self._clock.now())
        except Exception:
            log.exception("could not record that %s waits to be shown", stored)

    async def _clear(self, stored: str) -> None:
        if self._db is None or stored not in self._pending:
            return
        self._pending.discard(stored)
        try:
            await store.clear_pending(self._db, stored)
        except Exception:
            log.exception("could not record that %s is shown", stored)

    async def drain(self) -> None:
        """Wait for every pending refresh (at shutdown, so no change is left unshown)."""
        if self._replaying is not None:
            await asyncio.shield(self._replaying)
        for live in list(self._live.values()):
            live.wake.set()
            if live.task is not None:
                await asyncio.shield(live.task)
