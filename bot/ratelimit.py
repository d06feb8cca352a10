"""Telegram's flood limits, kept without bursts: ``TelegramLimiter`` for python-telegram-bot.

The rules (every window slides over the last N seconds; none refills a burst):

* Counted are the calls that put or change a message in a chat: endpoints starting with ``send``,
  ``editMessage``, ``copyMessage`` or ``forwardMessage`` that name a ``chat_id`` (``sendChatAction``
  is not a message). Everything else (answerCallbackQuery, getMe, getChat*, setMyCommands,
  deleteMessage, setWebhook, ...) goes straight through and never waits behind sends.
* At most ``overall_per_second`` (30) counted calls in any ``overall_window`` (1 s) across all chats;
  at most ``group_per_minute`` (20) in any ``group_window`` (60 s) into one group, supergroup or
  channel (a negative chat_id or an ``"@name"``); at most ``private_per_second`` (1) in any
  ``private_window`` (1 s) into one private chat.
* A call holds its place in its windows from the moment it is let go. The place is dated when its
  HTTP call completes (Telegram received it no later) and leaves a window that many seconds later,
  so however latency varies, Telegram never sees more than the limit in a window.
* Calls into one chat go one at a time, first come first served.
* Calls made inside ``with bulk():`` (a reminder fan-out, a digest) give way to every waiting
  interactive call for the overall window; within each kind, first come first served.
* A 429 (RetryAfter) pauses only the chat it names, for its retry_after; then the same call is made
  again, as often as it takes, with a warning logged each time. Other errors propagate unchanged.
* Waits are timers computed from the windows, never polling; a cancelled waiter gives back its place.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dtm
import heapq
import itertools
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

MESSAGE_ENDPOINTS = ("send", "editMessage", "copyMessage", "forwardMessage")  # but not sendChatAction

_bulk: contextvars.ContextVar[bool] = contextvars.ContextVar("yishi_bulk_sends", default=False)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Mark the sends made inside (and in tasks started inside) as bulk work."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


class _Window:
    """Sends over the last ``length`` seconds: the landed ones by completion time, and those in flight."""

    def __init__(self, limit: int, length: float) -> None:
        self.limit, self.length = limit, length
        self.landed: deque[float] = deque()
        self.flying = 0

    def opens_at(self, now: float) -> float:
        """When one more send fits: ``now`` if it fits now, ``inf`` until a send in flight lands."""
        while self.landed and self.landed[0] + self.length <= now:
            self.landed.popleft()
        surplus = len(self.landed) + self.flying - self.limit  # how many must leave, less one
        if surplus < 0:
            return now
        if surplus >= len(self.landed):
            return math.inf
        return self.landed[surplus] + self.length

    def idle(self, now: float) -> bool:
        """Nothing in flight and nothing landed within the window."""
        self.opens_at(now)
        return not self.landed and not self.flying

    def land(self, now: float) -> None:
        self.flying -= 1
        self.landed.append(now)


@dataclass
class _Chat:
    window: _Window
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one call at a time, FIFO
    paused_until: float = 0.0  # set by a 429
    users: int = 0  # calls for this chat in progress or queued


@dataclass(order=True)
class _Waiter:
    """A call waiting for the overall window; interactive (bulk=False) sort first."""

    bulk: bool
    number: int
    wake: asyncio.Future[None] | None = field(default=None, compare=False)


class TelegramLimiter(BaseRateLimiter[None]):
    """Throttles message sends and edits to Telegram's limits; see the module docstring."""

    def __init__(
        self,
        overall_per_second: int = 30,
        group_per_minute: int = 20,
        private_per_second: int = 1,
        *,
        overall_window: float = 1.0,
        group_window: float = 60.0,
        private_window: float = 1.0,
    ) -> None:
        self._overall = _Window(overall_per_second, overall_window)
        self._group = (group_per_minute, group_window)
        self._private = (private_per_second, private_window)
        self._chats: dict[int | str, _Chat] = {}
        self._queue: list[_Waiter] = []  # a heap: interactive first, then by arrival
        self._numbers = itertools.count()
        self._next_sweep = 0.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback: Callback, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: None) -> Result:
        chat_id = data.get("chat_id")
        if chat_id is None or not endpoint.startswith(MESSAGE_ENDPOINTS) or endpoint == "sendChatAction":
            return await self._unthrottled(callback, args, kwargs, endpoint)
        key = _chat_key(chat_id)
        chat = self._chat(key)
        chat.users += 1
        loop = asyncio.get_running_loop()
        try:
            async with chat.lock:
                while True:
                    await self._chat_open(chat)
                    await self._enter_overall(_bulk.get())
                    chat.window.flying += 1
                    try:
                        return await callback(*args, **kwargs)
                    except RetryAfter as error:
                        pause = _seconds(error)
                        log.warning("Telegram asked to wait %ss before %s into chat %s; will retry",
                                    pause, endpoint, key)
                        chat.paused_until = max(chat.paused_until, loop.time() + pause)
                    finally:
                        now = loop.time()
                        chat.window.land(now)
                        self._overall.land(now)
                        self._wake_first()
        finally:
            chat.users -= 1
            self._forget_idle_chats(loop.time())

    @property
    def waiting(self) -> bool:
        """Whether any send is waiting for its window or on its way."""
        return any(chat.users for chat in self._chats.values())

    def _chat(self, key: int | str) -> _Chat:
        chat = self._chats.get(key)
        if chat is None:
            limit, length = self._group if isinstance(key, str) or key < 0 else self._private
            chat = self._chats[key] = _Chat(_Window(limit, length))
        return chat

    def recent(self) -> list[tuple[str, float]]:
        """The sends still inside their chats' windows, by chat and wall-clock time: kept over a
        restart, so a bot started again at once does not send what Telegram would refuse."""
        now, wall = asyncio.get_running_loop().time(), time.time()
        return [(str(key), wall - (now - at)) for key, chat in self._chats.items()
                if not chat.window.idle(now) for at in chat.window.landed]

    def carry(self, sends: list[tuple[str, float]]) -> None:
        """Count the sends an earlier run made (see ``recent``) in their chats' windows."""
        now, wall = asyncio.get_running_loop().time(), time.time()
        for key, at in sorted(sends, key=lambda send: send[1]):
            self._chat(_chat_key(key)).window.landed.append(now - (wall - at))

    async def _unthrottled(self, callback: Callback, args: Any, kwargs: dict[str, Any],
                           endpoint: str) -> Result:
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                pause = _seconds(error)
                log.warning("Telegram asked to wait %ss before %s; will retry", pause, endpoint)
                await asyncio.sleep(pause)

    async def _chat_open(self, chat: _Chat) -> None:
        """Wait until the chat is not paused and its window has room (it has nothing in flight)."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            at = max(chat.paused_until, chat.window.opens_at(now))
            if at <= now:
                return
            await asyncio.sleep(at - now)

    async def _enter_overall(self, bulk: bool) -> None:
        """Take a place in the overall window, letting interactive waiters go first."""
        loop = asyncio.get_running_loop()
        me = _Waiter(bulk, next(self._numbers))
        heapq.heappush(self._queue, me)
        try:
            while True:
                now = loop.time()
                at = self._overall.opens_at(now) if self._queue[0] is me else math.inf
                if at <= now:
                    break
                me.wake = loop.create_future()
                timer = None if at == math.inf else loop.call_later(at - now, _resolve, me.wake)
                try:
                    await me.wake  # resolved by the timer, or by _wake_first when things change
                finally:
                    if timer is not None:
                        timer.cancel()
        except BaseException:
            self._queue.remove(me)
            heapq.heapify(self._queue)
            self._wake_first()
            raise
        heapq.heappop(self._queue)
        self._overall.flying += 1
        self._wake_first()

    def _wake_first(self) -> None:
        """Let the first waiter look at the overall window again."""
        if self._queue and self._queue[0].wake is not None:
            _resolve(self._queue[0].wake)

    def _forget_idle_chats(self, now: float) -> None:
        """Once a window's length, drop the chats with nothing queued and nothing in their window."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self._group[1]
        self._chats = {
            key: chat for key, chat in self._chats.items()
            if chat.users or chat.paused_until > now or not chat.window.idle(now)
        }


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _chat_key(chat_id: object) -> int | str:
    try:
        return int(chat_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(chat_id)


def _seconds(error: RetryAfter) -> float:
    """The wait a 429 asks for, whether PTB gives it as seconds or as a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)
