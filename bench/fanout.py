"""Fan-out: 1,000 groups, each with an event reminder due at the same second; `yishi run` starts as
its own process a few seconds before it is due, against the Telegram stand-in, which lets a bot send
30 messages a second in all. How long from due to the last reminder, against the floor of
groups ÷ 30 s; 429s; reminders per group. Figures go to docs/benchmarks.md, section "Fan-out"."""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import seed
from bench.harness import BotProcess, Section, StandIn, arguments, fmt, median, table

TITLE = "Fan-out"
OVERALL_RATE = 30  # messages a second a bot may send in all


@dataclass
class Run:
    groups: int
    polling: float = math.nan  # seconds after due the bot first polled (negative: before)
    first: float = math.nan  # seconds after due of the first and the last reminder
    last: float = math.nan
    per_group: Counter = field(default_factory=Counter)  # reminders received -> groups
    rate_limited: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def floor(self) -> float:
        return self.groups / OVERALL_RATE

    @property
    def exactly_one(self) -> bool:
        return set(self.per_group) == {1}

    def row(self, number: int) -> list[str]:
        spread = ", ".join(f"{n}: {g}" for n, g in sorted(self.per_group.items()))
        return [str(number), fmt(self.polling, 1), fmt(self.first, 2), fmt(self.last, 2),
                f"{self.last / self.floor:.2f}", spread, str(self.rate_limited)]


ROW_HEADER = ["round", "first getUpdates (s after due)", "first reminder (s)", "last reminder (s)",
              "last ÷ floor", "groups by reminders received", "429s"]


async def one_round(args, tmp: Path) -> Run:
    tg = StandIn()
    chats = seed.groups(tg, args.groups)
    run = Run(args.groups)
    budget = 2 + args.groups / 300  # seconds the seeding may take
    due = datetime.fromtimestamp(math.ceil(time.time() + budget + args.lead), UTC)
    path = tmp / "yishi.sqlite3"
    db = await seed.database(path)
    when = seed.now()
    await seed.known(db, chats, when)
    await seed.event_reminders(db, chats, due, when)
    await seed.close(db)
    due_at = time.monotonic() + due.timestamp() - time.time()  # the same moment, on the monotonic clock
    await tg.start()
    await asyncio.sleep(max(0.0, due_at - args.lead - time.monotonic()))
    bot = BotProcess("yishi", tg, path)
    ours = {c.id for c in chats}

    def received() -> list[float]:
        return [t for t, m in tg.posts if m.chat.id in ours]

    try:
        started = await bot.start()
        if due_at - started < args.lead - 0.5:
            run.notes.append(f"seeding overran: the bot started {due_at - started:.1f} s before due")
        run.polling = await bot.polling() - due_at
        deadline = max(due_at, time.monotonic()) + 3 * run.floor + 30
        while len({m.chat.id for _, m in tg.posts if m.chat.id in ours}) < len(ours):
            if time.monotonic() > deadline or bot.proc.returncode is not None:
                run.notes.append("not every group got its reminder before the benchmark gave up")
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(args.linger)  # a second reminder would show now
        bot.read_memory()
    finally:
        await bot.stop()
        await tg.stop()
    times = received()
    run.first, run.last = (min(times) - due_at, max(times) - due_at) if times else (math.nan, math.nan)
    counts = Counter(m.chat.id for _, m in tg.posts if m.chat.id in ours)
    run.per_group = Counter(counts.get(c, 0) for c in ours)
    run.rate_limited = tg.rate_limited
    run.notes += bot.problems() + tg.problems
    return run


def report(args, runs: list[Run], section: Section) -> None:
    last = median(r.last for r in runs)
    floor = runs[0].floor
    limited = sum(r.rate_limited for r in runs)
    exact = all(r.exactly_one for r in runs)
    met = {True: "met", False: "**not met**"}
    rows = [["bot polling, seconds after due", fmt(median(r.polling for r in runs), 1), ""],
            ["first reminder, seconds after due", fmt(median(r.first for r in runs), 2), ""],
            ["last reminder, seconds after due", fmt(last, 2),
             f"≤ 1.1 x floor ({floor:.1f} s): {met[last <= 1.1 * floor]} ({last / floor:.2f}x)"],
            ["429 responses (all rounds)", str(limited), f"0: {met[limited == 0]}"],
            ["exactly one reminder in every group (all rounds)", "yes" if exact else "no", met[exact]]]
    section.add(f"""
{args.groups:,} groups the bot is in, each with an evening talk an hour after the same second and
one reminder an hour before it, all due at that second; the events and their schedules are written
with the storage functions (as saving an `/event` writes them) into a fresh SQLite file, and `yishi
run` starts as its own process {args.lead:g} s before the reminders are due, against the stand-in
`bot.local.standin` in the benchmark's process (Bot API checks and flood limits on: 20 messages a
minute in a group, 30 a second in all). The floor is {args.groups:,} ÷ {OVERALL_RATE} a second =
{floor:.1f} s. Times are from due to the reminder reaching the stand-in. {args.rounds} rounds;
medians over the rounds:""")
    section.add(table(["figure", "Yishi", "goal"], rows, "lrl"))
    section.add(table(ROW_HEADER, [r.row(n) for n, r in enumerate(runs, 1)], "lrrrrlr"))
    section.note(n for r in runs for n in r.notes)


async def main() -> None:
    args = arguments("fanout", __doc__, {
        "groups": (1000, 100, "groups, one reminder each"),
        "lead": (10.0, 5.0, "seconds between the bot's start and the reminders being due"),
        "linger": (5.0, 2.0, "seconds to wait after the last group's reminder, for any second one")})
    section = Section(TITLE, args)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="yishi-bench-") as tmp:
        print(" | ".join(ROW_HEADER), flush=True)
        for number in range(1, args.rounds + 1):
            work = Path(tmp) / f"round-{number}"
            work.mkdir()
            runs.append(await one_round(args, work))
            print(" | ".join(runs[-1].row(number)), flush=True)
    report(args, runs, section)
    section.finish()


if __name__ == "__main__":
    asyncio.run(main())
