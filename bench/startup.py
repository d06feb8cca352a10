"""Start-up: `yishi run` on an empty database, and on one with 10,000 open polls with deadlines (in
1,000 groups, their messages in the stand-in), as a process of its own against the Telegram
stand-in; the bare PTB bot (bench/bare_bot.py) beside them. Time from the process's start to its
first getUpdates, from then to the answer of a first /help, and peak memory. Figures go to
docs/benchmarks.md, section "Start-up"."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import seed
from bench.harness import BotProcess, Section, StandIn, arguments, fmt, median, settle, table

TITLE = "Start-up"


@dataclass
class Run:
    side: str
    to_poll: float = 0.0  # seconds from spawning the process to its first getUpdates
    to_answer: float = 0.0  # seconds from then to the answer of /help
    peak_kb: int = 0
    calls: Counter = field(default_factory=Counter)  # the bot's calls during the run, by method
    not_modified: int = 0
    rate_limited: int = 0
    notes: list[str] = field(default_factory=list)

    def row(self, number: int) -> list[str]:
        busy = Counter({k: v for k, v in self.calls.items() if k not in ("getUpdates", "getMe")})
        calls = ", ".join(f"{k} {v:,}" for k, v in busy.most_common(4))
        return [str(number), self.side, fmt(self.to_poll, 2), fmt(self.to_answer, 2),
                fmt(self.peak_kb / 1024, 1), calls or "—", str(self.not_modified), str(self.rate_limited)]


ROW_HEADER = ["round", "side", "start → first getUpdates (s)", "→ /help answered (s)", "peak RSS MB",
              "other calls in the run", "not modified", "429s"]


async def template(path: Path, args) -> list[tuple[int, str, str | None]]:
    """The database with the polls, and the polls' messages the bot had sent."""
    tg = StandIn()
    chats = seed.groups(tg, args.polls // args.per_group)
    db = await seed.database(path)
    when = seed.now()
    await seed.known(db, chats, when)
    messages = await seed.open_polls(db, chats, args.per_group, when, tg.bot_username)
    await seed.close(db)
    return messages


async def one_round(side: str, args, template_db: Path, messages, tmp: Path) -> Run:
    tg = StandIn()
    db = tmp / "yishi.sqlite3"
    if side == "polls":
        seed.groups(tg, args.polls // args.per_group)
        await seed.post(tg, messages)
        tg.posts.clear()
        seed.copy(template_db, db)
    resident = tg.user("Resident", language_code="en")
    await tg.start()
    bot = BotProcess("bare" if side == "bare" else "yishi", tg, db)
    run = Run(side)
    try:
        started = await bot.start()
        polled = await bot.polling()
        run.to_poll = polled - started
        asked = await resident.send(resident.private, "/help")
        await tg.until(lambda: any(m.reply_to is asked for _, m in tg.posts), 120, "the answer to /help")
        run.to_answer = next(t for t, m in tg.posts if m.reply_to is asked) - polled
        bot.read_memory()
        await asyncio.sleep(max(0.0, polled + args.linger - time.monotonic()))
        await settle(tg, timeout=1)
        bot.read_memory()
    finally:
        await bot.stop()
        await tg.stop()
    run.peak_kb = bot.memory[0]
    run.calls = Counter(c.method for c in tg.calls)
    run.not_modified, run.rate_limited = tg.not_modified, tg.rate_limited
    run.notes = bot.problems() + tg.problems
    return run


def report(args, runs: dict[str, list[Run]], section: Section) -> None:
    def mid(side: str, name: str) -> float:
        return median(getattr(r, name) for r in runs[side])

    met = {True: "met", False: "**not met**"}
    poll_ratio = mid("polls", "to_poll") / mid("empty", "to_poll")
    answer, peak = mid("polls", "to_answer"), mid("polls", "peak_kb") / 1024
    header = ["figure", "empty database", f"{args.polls:,} polls", "bare PTB", "goal"]
    rows = [["start → first getUpdates (s)", *(fmt(mid(s, "to_poll"), 2) for s in ("empty", "polls", "bare")),
             f"polls ≤ 2x empty: {met[poll_ratio <= 2]} ({poll_ratio:.2f}x)"],
            ["first getUpdates → /help answered (s)",
             *(fmt(mid(s, "to_answer"), 2) for s in ("empty", "polls", "bare")),
             f"≤ 2 s: {met[answer <= 2]}"],
            ["peak RSS (MB)", *(fmt(mid(s, "peak_kb") / 1024, 1) for s in ("empty", "polls", "bare")),
             f"≤ 120 MB: {met[peak <= 120]}"]]
    groups = args.polls // args.per_group
    section.add(f"""
The same `yishi run`, a process of its own, started on an empty SQLite file and on one holding
{args.polls:,} open polls with deadlines 2-30 days ahead ({args.per_group} in each of {groups:,}
groups), each stored as `/poll` stores it (the poll and its options, its message id, its schedule
to close at the deadline and remind a day and two hours before), written with the storage
functions; the stand-in holds the groups and the polls' messages as the bot sent them. As soon as
the bot's first getUpdates arrives, a resident sends `/help` in a private chat; the answer is timed
to its reaching the stand-in. The bot runs {args.linger:g} s after it first polled, then stops; its
peak RSS is VmHWM from /proc. The bare PTB bot (`python -m bench.bare_bot`) is the floor. The
stand-in `bot.local.standin` runs in the benchmark's process (Bot API checks and flood limits on).
{args.rounds} rounds, the three interleaved; medians over the rounds:""")
    section.add(table(header, rows, "lrrrl"))
    order = [r for n in range(args.rounds) for r in (runs["empty"][n], runs["polls"][n], runs["bare"][n])]
    section.add(table(ROW_HEADER, [r.row(i // 3 + 1) for i, r in enumerate(order)], "llrrrlrr"))
    section.note(n for r in order for n in r.notes)


async def main() -> None:
    args = arguments("startup", __doc__, {
        "polls": (10_000, 500, "open polls with deadlines"), "per_group": (10, 10, "polls in each group"),
        "linger": (10.0, 3.0, "seconds the bot runs after it first polled")})
    section = Section(TITLE, args)
    runs: dict[str, list[Run]] = {"empty": [], "polls": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="yishi-bench-") as tmp:
        base = Path(tmp)
        began = time.monotonic()
        messages = await template(base / "template.sqlite3", args)
        print(f"seeded {args.polls:,} polls in {time.monotonic() - began:.1f} s", flush=True)
        print(" | ".join(ROW_HEADER), flush=True)
        for number in range(1, args.rounds + 1):
            for side in runs:
                work = base / f"{side}-{number}"
                work.mkdir()
                result = await one_round(side, args, base / "template.sqlite3", messages, work)
                runs[side].append(result)
                print(" | ".join(result.row(number)), flush=True)
    report(args, runs, section)
    section.finish()


if __name__ == "__main__":
    asyncio.run(main())
