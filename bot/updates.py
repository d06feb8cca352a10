"""How updates travel from Telegram to the handlers: kept first, then handled side by side.

``Inbox`` is PTB's update queue, written through to the inbox table: long polling puts a batch
into it before the next getUpdates confirms the batch to Telegram, and the webhook puts an
update into it before answering Telegram with 200, so an update that reached the bot is in the
database before Telegram forgets it. An update Telegram delivers again is dropped there. At
start-up the updates left unhandled by the last run are queued first, in the order they came.

``Lanes`` handles updates concurrently. The updates of one person in one chat run one after
another in the order they came (button presses in their own lane, so a press never waits behind
the same person's command reply stuck on the group's flood limit); different people and chats
run side by side. A chat runs at most ``per_chat`` updates of a kind at once (8 messages, whose
replies may wait on the group's flood limit, and 32 button presses, which are answered at once)
and the bot at most ``running`` in all, so one busy group can fill neither the bot nor, with its
commands, its own button presses' turn. Waiting in a lane costs no running place.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application, BaseUpdateProcessor, ExtBot

from bot.clock import Clock
from storage import inbox
from storage.db import Database

log = logging.getLogger(__name__)

Keep = Callable[[Update], Awaitable[bool]]
KeepAll = Callable[[list[Update]], Awaitable[set[int]]]
Done = Callable[[Update], Awaitable[None]]


class Inbox(asyncio.Queue):
    """The update queue: ``keep`` stores an update before it is queued (False: seen before);
    ``keep_all`` stores a batch from getUpdates in one go (the ids not seen before)."""

    def __init__(self) -> None:
        super().__init__()
        self.keep: Keep | None = None
        self.keep_all: KeepAll | None = None
        self._batch: dict[int, bool] = {}  # kept with their batch: whether each is new

    async def keep_batch(self, updates: list[Update]) -> None:
        if self.keep_all is not None and updates:
            fresh = await self.keep_all(updates)
            self._batch.update((u.update_id, u.update_id in fresh) for u in updates)

    async def put(self, item: Any) -> None:
        if isinstance(item, Update) and self.keep is not None:
            new = self._batch.pop(item.update_id, None)
            if new is None:  # not from getUpdates: a webhook's
                new = await self.keep(item)
            if not new:
                log.info("update %s was delivered again: dropped", item.update_id)
                return
        await super().put(item)

    async def replay(self, bodies: list[str], bot: Bot) -> int:
        """Queue updates kept by an earlier run, ahead of anything new."""
        for body in bodies:
            await super().put(Update.de_json(json.loads(body), bot))
        return len(bodies)


class InboxBot(ExtBot):
    """The bot, keeping each batch getUpdates brings in the inbox at once, before the next
    getUpdates confirms the batch to Telegram (one write a batch, not one an update)."""

    def __init__(self, *args: Any, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self._inbox = inbox

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        await self._inbox.keep_batch(list(updates))
        return updates


def lane_of(update: object) -> tuple[Hashable, Hashable]:
    """(the lane an update waits its turn in, the pool of its chat and kind)."""
    if not isinstance(update, Update):
        return ("other",), ("other",)
    kind = "press" if update.callback_query is not None else "message"
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return (kind, chat, user), (kind, chat)


class _Pool:
    def __init__(self, size: int) -> None:
        self.slots = asyncio.Semaphore(size)
        self.users = 0


class Lanes(BaseUpdateProcessor):
    def __init__(self, running: int = 64, per_chat: dict[str, int] | None = None,
                 done: Done | None = None) -> None:
        super().__init__(max_concurrent_updates=1_000_000)  # waiting is cheap; running is bounded
        self._running = asyncio.Semaphore(running)
        self._per_chat = per_chat or {"message": 8, "press": 32, "other": 8}
        self._tails: dict[Hashable, asyncio.Future] = {}
        self._pools: dict[Hashable, _Pool] = {}
        self.done = done

    @property
    def busy(self) -> bool:
        """Whether any update is being handled or waiting its turn."""
        return bool(self._tails)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        lane, pool_key = lane_of(update)
        before = self._tails.get(lane)
        mine = asyncio.get_running_loop().create_future()
        self._tails[lane] = mine
        pool = self._pools.get(pool_key)
        if pool is None:
            pool = self._pools[pool_key] = _Pool(self._per_chat[pool_key[0]])
        pool.users += 1
        started = False
        try:
            if before is not None:
                await before
            async with pool.slots, self._running:
                started = True
                await coroutine
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting its turn
            mine.set_result(None)
            if self._tails.get(lane) is mine:
                del self._tails[lane]
            pool.users -= 1
            if pool.users == 0:
                self._pools.pop(pool_key, None)
        if self.done is not None and isinstance(update, Update):
            try:
                await self.done(update)
            except Exception:  # it stays unhandled in the inbox, and is handled again at start-up
                log.exception("could not mark update %s handled", update.update_id)


async def open_inbox(app: Application, db: Database, clock: Clock) -> None:
    """Once the database is open: keep every update that arrives, mark each one handled, and
    queue what the last run left unhandled."""
    queue: Inbox = app.update_queue  # type: ignore[assignment]
    lanes: Lanes = app.update_processor  # type: ignore[assignment]

    async def keep(update: Update) -> bool:
        return await inbox.receive(db, update.update_id, update.to_json(), clock.now())

    async def keep_all(updates: list[Update]) -> set[int]:
        return await inbox.receive_all(db, [(u.update_id, u.to_json()) for u in updates], clock.now())

    async def done(update: Update) -> None:
        await inbox.handled(db, update.update_id, clock.now())

    await inbox.prune(db, clock.now())
    left = await inbox.unhandled(db)
    if left:
        log.warning("%d update(s) not handled before the last stop are handled first", len(left))
        await queue.replay([body for _, body in left], app.bot)
    queue.keep, queue.keep_all, lanes.done = keep, keep_all, done


def close_inbox(app: Application) -> None:
    app.update_queue.keep = app.update_queue.keep_all = None  # type: ignore[attr-defined]
    app.update_processor.done = None  # type: ignore[attr-defined]
