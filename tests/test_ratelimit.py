"""The limiter keeps Telegram's sliding windows, puts people before bulk work and loses no message.

Most tests run on a loop whose clock jumps to the next timer whenever nothing else can run, so a
minute of flood control takes no real time and every instant is exact. A fake Telegram there notes
when each call arrived (after a varying latency) and checks the windows on those instants. The last
tests drive PTB's real Bot against the stand-in, which refuses what Telegram refuses.
"""

from __future__ import annotations

import asyncio
import logging
import random
import selectors
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from telegram.error import BadRequest, RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.local.standin import FakeTelegram
from bot.ratelimit import TelegramLimiter, bulk
from tests.standin.support import SPEC


class _JumpingSelector:
    """A selector that, when nothing is ready, moves the loop's clock on instead of sleeping."""

    def __init__(self, clock: list[float]) -> None:
        self._selector = selectors.DefaultSelector()
        self._clock = clock

    def select(self, timeout: float | None = None) -> list:
        events = self._selector.select(0)
        if events or timeout == 0:
            return events
        if timeout is None:  # no timer left: only a thread could still wake us
            events = self._selector.select(1.0)
            if not events:
                raise RuntimeError("deadlock: every task waits and no timer is set")
            return events
        if timeout >= 3600:
            raise RuntimeError(f"a task waits {timeout} s: nothing here needs to wait an hour")
        self._clock[0] += timeout
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._selector, name)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._clock = [1000.0]
        super().__init__(_JumpingSelector(self._clock))

    def time(self) -> float:
        return self._clock[0]


def run(main: Callable[[], Awaitable[Any]]) -> Any:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main())


def most_in_window(times: list[float], length: float) -> int:
    """The most arrivals Telegram saw in any ``length`` seconds (those in (t - length, t])."""
    return max((sum(1 for u in times if t - length < u <= t) for t in times), default=0)


class Telegram:
    """The Bot API as the limiter meets it: calls arrive after a latency and answer after another."""

    def __init__(self, seed: int = 1) -> None:
        self.random = random.Random(seed)
        self.arrivals: list[tuple[float, str, Any, str]] = []  # (when, endpoint, chat_id, text)
        self.refusals: dict[Any, list[int]] = {}  # chat_id -> retry_after answers to give first
        self.start = asyncio.get_running_loop().time()

    def latency(self) -> float:
        return self.random.uniform(0.001, 0.4)

    async def call(self, endpoint: str, **data: Any) -> dict[str, Any]:
        await asyncio.sleep(self.latency())
        now = asyncio.get_running_loop().time() - self.start
        waits = self.refusals.get(data.get("chat_id"))
        if waits:
            self.arrivals.append((now, "refused " + endpoint, data.get("chat_id"), data.get("text", "")))
            with warnings.catch_warnings():  # PTB warns as it builds the error; the limiter must not
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                error = RetryAfter(waits.pop(0))
            raise error
        self.arrivals.append((now, endpoint, data.get("chat_id"), data.get("text", "")))
        await asyncio.sleep(self.latency())
        return {"ok": True}

    def send(self, limiter: BaseRateLimiter, endpoint: str = "sendMessage", **data: Any) -> Awaitable[Any]:
        async def callback() -> dict[str, Any]:
            return await self.call(endpoint, **data)

        return limiter.process_request(callback, (), {}, endpoint, data, None)

    def delivered(self, chat_id: Any = None) -> list[tuple[float, str]]:
        return [(t, text) for t, endpoint, chat, text in self.arrivals
                if not endpoint.startswith("refused") and chat_id in (None, chat)]


def test_no_burst_above_the_group_window_even_with_fifty_queued() -> None:
    async def main() -> None:
        tg, limiter = Telegram(), TelegramLimiter()
        await asyncio.gather(*(tg.send(limiter, chat_id=-100, text=f"#{n}") for n in range(50)))
        delivered = tg.delivered(-100)
        assert [text for _, text in delivered] == [f"#{n}" for n in range(50)]  # in order
        assert most_in_window([t for t, _ in delivered], 60.0) == 20
        # after 59 s of quiet the window still holds the last ten: a bucket would let twenty go
        await asyncio.sleep(59.0)
        await asyncio.gather(*(tg.send(limiter, chat_id=-100, text=f"again #{n}") for n in range(20)))
        assert most_in_window([t for t, _ in tg.delivered(-100)], 60.0) == 20
        # a channel named by its username is a group too
        await asyncio.gather(*(tg.send(limiter, chat_id="@cuiyuan", text=f"@{n}") for n in range(25)))
        assert most_in_window([t for t, _ in tg.delivered("@cuiyuan")], 60.0) == 20

    run(main)


def test_the_old_limiter_bursts_above_the_group_window() -> None:
    async def main() -> None:
        tg, limiter = Telegram(), AIORateLimiter(group_max_rate=20, max_retries=3)
        await limiter.initialize()
        await asyncio.gather(*(tg.send(limiter, chat_id=-100, text=f"#{n}") for n in range(30)))
        assert most_in_window([t for t, _ in tg.delivered(-100)], 60.0) > 20

    run(main)


def test_overall_window_and_private_chats() -> None:
    async def main() -> None:
        tg, limiter = Telegram(seed=2), TelegramLimiter()
        groups = [tg.send(limiter, chat_id=-n, text="notice") for n in range(1, 80)]
        private = [tg.send(limiter, chat_id=7, text=f"p{n}") for n in range(5)]
        await asyncio.gather(*groups, *private)
        assert len(tg.delivered()) == 84
        assert most_in_window([t for t, _ in tg.delivered()], 1.0) == 30
        assert [text for _, text in tg.delivered(7)] == [f"p{n}" for n in range(5)]
        assert most_in_window([t for t, _ in tg.delivered(7)], 1.0) == 1

    run(main)


def test_the_rates_are_configurable() -> None:
    async def main() -> None:
        tg = Telegram(seed=3)
        limiter = TelegramLimiter(overall_per_second=5, group_per_minute=3, private_per_second=2,
                                  overall_window=2.0, group_window=10.0, private_window=3.0)
        await asyncio.gather(*(tg.send(limiter, chat_id=-1, text="g") for _ in range(7)),
                             *(tg.send(limiter, chat_id=1, text="p") for _ in range(7)),
                             *(tg.send(limiter, chat_id=-n, text="o") for n in range(2, 12)))
        assert most_in_window([t for t, _ in tg.delivered(-1)], 10.0) == 3
        assert most_in_window([t for t, _ in tg.delivered(1)], 3.0) == 2
        assert most_in_window([t for t, _ in tg.delivered()], 2.0) == 5

    run(main)


def test_many_chats_keep_their_windows_and_idle_ones_are_forgotten() -> None:
    async def main() -> None:
        tg, limiter = Telegram(seed=4), TelegramLimiter(overall_per_second=10_000, group_per_minute=1)
        chats = [-n for n in range(1, 1501)]
        await asyncio.gather(*(tg.send(limiter, chat_id=chat, text="first") for chat in chats))
        await asyncio.sleep(10.0)  # the chats are idle, but their windows still count
        await asyncio.gather(*(tg.send(limiter, chat_id=chat, text="second") for chat in chats))
        assert len(tg.delivered()) == 3000
        assert all(most_in_window([t for t, _ in tg.delivered(chat)], 60.0) == 1 for chat in chats)
        await asyncio.sleep(61.0)
        await tg.send(limiter, chat_id=-5000, text="later")
        assert len(limiter._chats) < 100  # chats gone quiet are forgotten

    run(main)


def test_interactive_sends_go_before_bulk() -> None:
    async def main() -> None:
        tg, limiter = Telegram(), TelegramLimiter()
        tg.latency = lambda: 0.05

        async def fan_out() -> None:
            with bulk():
                await asyncio.gather(*(tg.send(limiter, chat_id=-n, text="reminder")
                                       for n in range(1, 1001)))

        reminders = asyncio.create_task(fan_out())
        await asyncio.sleep(0.01)  # the fan-out has filled the first second
        await tg.send(limiter, chat_id=-5000, text="reply to a command")
        texts = [text for _, text in tg.delivered()]
        assert texts.index("reply to a command") == 30  # the first free place after the first 30
        assert not reminders.done()
        outside = await asyncio.gather(tg.send(limiter, chat_id=8, text="a button"))
        assert outside == [{"ok": True}] and not reminders.done()
        await reminders
        assert len(tg.delivered()) == 1002
        assert most_in_window([t for t, _ in tg.delivered()], 1.0) == 30
        # every place was used: with a fixed latency, thirty arrive together each time the window moves
        batches = Counter(t for t, _ in tg.delivered())
        assert list(batches.values()) == [30] * 33 + [12]

    run(main)


def test_sends_after_the_bulk_block_are_interactive_again() -> None:
    async def main() -> None:
        tg, limiter = Telegram(), TelegramLimiter()
        tg.latency = lambda: 0.05
        with bulk():
            digests = [asyncio.create_task(tg.send(limiter, chat_id=-n, text="digest")) for n in range(1, 61)]
        await asyncio.sleep(0.01)
        await tg.send(limiter, chat_id=-100, text="reply")
        assert [text for _, text in tg.delivered()].index("reply") == 30
        await asyncio.gather(*digests)

    run(main)


@pytest.mark.parametrize("timedelta", ["true", "false"])
def test_a_429_pauses_only_its_chat(timedelta: str, monkeypatch, caplog) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", timedelta)  # PTB gives retry_after as a timedelta or an int

    async def main() -> None:
        tg, limiter = Telegram(), TelegramLimiter()
        tg.latency = lambda: 0.1
        tg.refusals[-1] = [5, 5, 5, 5]  # more than AIORateLimiter's three retries
        busy = [tg.send(limiter, chat_id=-1, text=f"#{n}") for n in range(3)]
        others = [tg.send(limiter, chat_id=-2, text=f"other #{n}") for n in range(3)]
        await asyncio.gather(*busy, *others)
        assert [text for _, text in tg.delivered(-1)] == ["#0", "#1", "#2"]
        refused = [t for t, endpoint, chat, _ in tg.arrivals if endpoint.startswith("refused")]
        first = tg.delivered(-1)[0][0]
        assert len(refused) == 4 and first > refused[-1] + 5
        assert all(t < refused[1] for t, _ in tg.delivered(-2))  # the other chat did not wait

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
            run(main)
    assert caught == []
    assert len([r for r in caplog.records if "retry" in r.getMessage()]) == 4


def test_other_errors_propagate_unchanged() -> None:
    async def main() -> None:
        limiter = TelegramLimiter()

        async def refuse() -> None:
            raise BadRequest("Message is not modified")

        with pytest.raises(BadRequest, match="not modified"):
            await limiter.process_request(refuse, (), {}, "editMessageText", {"chat_id": -1}, None)
        with pytest.raises(BadRequest, match="not modified"):
            await limiter.process_request(refuse, (), {}, "answerCallbackQuery", {}, None)

    run(main)


def test_calls_that_are_not_messages_never_wait_behind_sends() -> None:
    async def main() -> None:
        tg, limiter = Telegram(), TelegramLimiter()
        tg.latency = lambda: 0.01
        await asyncio.gather(*(tg.send(limiter, chat_id=-1, text=f"#{n}") for n in range(20)))
        waiting = asyncio.create_task(tg.send(limiter, chat_id=-1, text="21st"))
        crowd = [asyncio.create_task(tg.send(limiter, chat_id=-n, text="bulk")) for n in range(2, 100)]
        await asyncio.sleep(0)
        quick = [
            tg.send(limiter, "answerCallbackQuery", callback_query_id="q1", text="saved"),
            tg.send(limiter, "getMe"),
            tg.send(limiter, "getChat", chat_id=-1),
            tg.send(limiter, "deleteMessage", chat_id=-1, message_id=3),
            tg.send(limiter, "sendChatAction", chat_id=-1, action="typing"),
            tg.send(limiter, "setMyCommands", commands="[]"),
        ]
        await asyncio.gather(*quick)
        first_second = {endpoint for t, endpoint, _, _ in tg.arrivals if t < 1.0}
        assert {"answerCallbackQuery", "getMe", "getChat", "deleteMessage"} <= first_second
        assert not waiting.done()  # the group's window is still full
        await asyncio.gather(waiting, *crowd)

    run(main)


def test_a_send_cancelled_while_its_chat_waits_leaves_the_queue() -> None:
    async def main() -> None:
        tg, limiter = Telegram(), TelegramLimiter(group_per_minute=2)
        await asyncio.gather(tg.send(limiter, chat_id=-1, text="a"), tg.send(limiter, chat_id=-1, text="b"))
        cancelled = asyncio.create_task(tg.send(limiter, chat_id=-1, text="cancelled"))
        behind = asyncio.create_task(tg.send(limiter, chat_id=-1, text="behind it"))
        await asyncio.sleep(30.0)
        cancelled.cancel()
        await behind
        delivered = tg.delivered(-1)
        assert [text for _, text in delivered] == ["a", "b", "behind it"]
        assert delivered[2][0] < delivered[0][0] + 61  # in the second minute, the first free place

    run(main)


def test_a_send_cancelled_in_the_overall_queue_gives_back_its_turn() -> None:
    async def main() -> None:
        tg, limiter = Telegram(), TelegramLimiter(overall_per_second=2)
        tg.latency = lambda: 3.0
        flying = [asyncio.create_task(tg.send(limiter, chat_id=-n, text="slow")) for n in (1, 2)]
        await asyncio.sleep(0)
        tg.latency = lambda: 0.01
        cancelled = asyncio.create_task(tg.send(limiter, chat_id=-3, text="cancelled"))
        waiting = asyncio.create_task(tg.send(limiter, chat_id=-4, text="next"))
        await asyncio.sleep(1.0)
        cancelled.cancel()
        await asyncio.gather(waiting, *flying)  # a turn kept by the cancelled send would hang here
        assert [text for _, text in tg.delivered()] == ["slow", "slow", "next"]
        # the first in the queue waits for the window to move on; cancelled, the next one takes over
        await asyncio.sleep(5.0)
        await asyncio.gather(*(tg.send(limiter, chat_id=-n, text="quick") for n in (5, 6)))
        cancelled = asyncio.create_task(tg.send(limiter, chat_id=-7, text="cancelled"))
        waiting = asyncio.create_task(tg.send(limiter, chat_id=-8, text="then"))
        await asyncio.sleep(0.5)
        cancelled.cancel()
        await waiting
        assert [text for _, text in tg.delivered()][-3:] == ["quick", "quick", "then"]

    run(main)


def test_a_send_cancelled_on_its_way_frees_its_place() -> None:
    async def main() -> None:
        tg, limiter = Telegram(), TelegramLimiter(overall_per_second=2)
        tg.latency = lambda: 3.0
        on_its_way = asyncio.create_task(tg.send(limiter, chat_id=-1, text="cancelled"))
        await asyncio.sleep(0)
        tg.latency = lambda: 0.01
        await asyncio.sleep(1.0)
        on_its_way.cancel()
        await asyncio.sleep(2.0)
        await asyncio.gather(*(tg.send(limiter, chat_id=-n, text="later") for n in (2, 3)))
        assert most_in_window([t for t, _ in tg.delivered()], 1.0) == 2  # both places are free

    run(main)


# Against the stand-in, with PTB's real Bot over HTTP and the real clock.


async def deliver_to_groups(limiter: BaseRateLimiter, tg: FakeTelegram, count: int) -> None:
    alice = tg.user("Alice")
    groups = [tg.group(f"Block {n}", admins=[alice]) for n in range(count)]
    for group in groups:
        await group.add_bot(by=alice)
    async with ExtBot(tg.token, base_url=f"{tg.url}/bot", rate_limiter=limiter) as bot:
        await asyncio.gather(*(bot.send_message(group.id, "水费通知") for group in groups))
    assert all(len(group.bot_messages) == 1 for group in groups)


async def test_the_stand_in_refuses_the_burst_the_old_limiter_lets_through() -> None:
    async with FakeTelegram(spec_path=SPEC) as tg:
        await deliver_to_groups(AIORateLimiter(group_max_rate=20, max_retries=3), tg, 45)
        assert tg.rate_limited > 0


async def test_the_stand_in_accepts_everything_the_limiter_lets_through() -> None:
    async with FakeTelegram(spec_path=SPEC) as tg:
        await deliver_to_groups(TelegramLimiter(), tg, 45)
        assert tg.rate_limited == 0 and tg.violations == []


async def test_group_and_private_windows_against_the_stand_in() -> None:
    async with FakeTelegram(spec_path=SPEC, group_rate=(3, 0.3), private_rate=(1, 0.1)) as tg:
        alice = tg.user("Alice")
        group = tg.supergroup("翠苑", admins=[alice])
        await group.add_bot(by=alice)
        await alice.send(alice.private, "/start")
        limiter = TelegramLimiter(group_per_minute=3, group_window=0.3, private_window=0.1)
        async with ExtBot(tg.token, base_url=f"{tg.url}/bot", rate_limiter=limiter) as bot:
            await asyncio.gather(*(bot.send_message(group.id, f"#{n}") for n in range(10)),
                                 *(bot.send_message(alice.id, f"p{n}") for n in range(5)))
            message = group.bot_messages[0]
            await bot.edit_message_text("edited", group.id, message.message_id)
        assert [m.text for m in group.bot_messages] == ["edited"] + [f"#{n}" for n in range(1, 10)]
        assert [m.text for m in alice.private.bot_messages] == [f"p{n}" for n in range(5)]
        assert tg.rate_limited == 0 and tg.violations == []


async def test_a_stricter_telegram_is_waited_out() -> None:
    async with FakeTelegram(spec_path=SPEC, group_rate=(2, 0.5)) as tg:
        alice = tg.user("Alice")
        group = tg.group("翠苑", admins=[alice])
        await group.add_bot(by=alice)
        async with ExtBot(tg.token, base_url=f"{tg.url}/bot", rate_limiter=TelegramLimiter()) as bot:
            await asyncio.gather(*(bot.send_message(group.id, f"#{n}") for n in range(4)))
        assert [m.text for m in group.bot_messages] == [f"#{n}" for n in range(4)]
        assert tg.rate_limited > 0

