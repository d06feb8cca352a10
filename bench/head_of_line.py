"""Head of line: does a flooded group hold up everyone else? `yishi run` as its own process
against the Telegram stand-in; one group is flooded with commands all sent at once, while
residents in their private chats send /help every 0.1 s (taking turns, so each private chat gets
a reply every 2 s, within Telegram's one a second) and the time to each reply is measured for a
fixed window.
The same residents on the same bot without the flood are the reference. Figures go to
docs/benchmarks.md, section "Head of line"."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import seed
from bench.harness import BotProcess, Section, StandIn, arguments, fmt, median, percentile, settle, table
from bot.local.standin import FakeChat, FakeMessage, FakeUser
from storage import users

TITLE = "Head of line"
INTERVAL = 0.1  # seconds between two residents' commands (600 a minute: a p99 that holds still)


def world(tg: StandIn, flooders: int, residents: int) -> tuple[FakeChat, list[FakeUser], list[FakeUser]]:
    """The busy group (its convener and members, the bot in it) and the residents writing privately."""
    convener = tg.user("Convener", language_code="en")
    members = [tg.user(f"Member {i}", language_code="en") for i in range(flooders)]
    group = tg.group("Busy compound", admins=[convener], members=members)
    group.bot_status = "member"
    return group, members, [tg.user(f"Resident {i}", language_code="en") for i in range(residents)]


async def template(path: Path, args) -> None:
    group, _, residents = world(StandIn(), args.flooders, args.residents)
    db = await seed.database(path)
    when = seed.now()
    await seed.known(db, [group], when)
    for resident in residents:
        await users.seen(db, seed.person(resident), when, started=True)
    await seed.close(db)


@dataclass
class Run:
    side: str
    latencies: list[float] = field(default_factory=list)  # unanswered ones: until the window closed
    unanswered: int = 0
    flood_replies: int = 0
    rate_limited: int = 0
    notes: list[str] = field(default_factory=list)

    def ms(self, q: float) -> float:
        return 1000 * percentile(self.latencies, q)

    def row(self, number: int) -> list[str]:
        return [str(number), self.side, str(len(self.latencies)), fmt(self.ms(0.5)), fmt(self.ms(0.99)),
                fmt(1000 * max(self.latencies, default=0)), str(self.unanswered), str(self.flood_replies),
                str(self.rate_limited)]


ROW_HEADER = ["round", "side", "commands", "p50 ms", "p99 ms", "max ms", "unanswered",
              "flood replies in the window", "429s (whole run)"]


async def one_round(side: str, args, template_db: Path, tmp: Path) -> Run:
    tg = StandIn()
    group, members, residents = world(tg, args.flooders, args.residents)
    await tg.start()
    bot = BotProcess("yishi", tg, seed.copy(template_db, tmp / "yishi.sqlite3"))
    run = Run(side)
    sent: dict[int, float] = {}  # id() of a resident's message -> when sent
    replied: dict[int, float] = {}

    def note(kind: str, message: FakeMessage) -> None:
        if kind == "new" and message.sender is tg.bot and message.reply_to is not None:
            replied.setdefault(id(message.reply_to), time.monotonic())

    tg.watch(note)
    try:
        await bot.start()
        await bot.polling()
        for resident in residents:  # each has written to the bot before: a warm start
            await resident.send(resident.private, "/help")
        await tg.until(lambda: len(replied) >= len(residents), 60, "the residents' first replies")
        await settle(tg)
        await asyncio.sleep(1.1)  # the private chats' flood windows are empty again
        if side == "flood":
            for number in range(args.flood):
                await members[number % len(members)].send(group, args.command_text)
        began = time.monotonic()
        for number in range(int(args.window / INTERVAL)):
            await asyncio.sleep(max(0.0, began + number * INTERVAL - time.monotonic()))
            resident = residents[number % len(residents)]
            message = await resident.send(resident.private, "/help")
            sent[id(message)] = time.monotonic()
        closed = time.monotonic()
        await _wait_replies(tg, sent, replied, args.grace)
        ended = max(closed, time.monotonic())
        run.flood_replies = sum(1 for t, m in tg.posts if m.chat is group and began <= t <= ended)
        run.latencies = [replied[k] - t if k in replied else ended - t for k, t in sent.items()]
        run.unanswered = sum(1 for k in sent if k not in replied)
    finally:
        await bot.stop(grace=args.grace)  # a flooded bot may still be working off the flood
        await tg.stop()
    run.rate_limited = tg.rate_limited
    run.notes = bot.problems() + tg.problems
    return run


async def _wait_replies(tg: StandIn, sent: dict[int, float], replied: dict[int, float],
                        seconds: float) -> None:
    """After the window: give the last commands a few seconds to be answered."""
    with contextlib.suppress(AssertionError):
        await tg.until(lambda: all(k in replied for k in sent), seconds, "the last replies")


def report(args, runs: dict[str, list[Run]], section: Section) -> None:
    idle, flood = runs["idle"], runs["flood"]
    p99 = (median(r.ms(0.99) for r in flood), median(r.ms(0.99) for r in idle))
    p50 = (median(r.ms(0.5) for r in flood), median(r.ms(0.5) for r in idle))
    met = "met" if p99[0] <= 1.5 * p99[1] else "**not met**"
    def total(name: str) -> list[str]:
        return [str(sum(getattr(r, name) for r in flood)), str(sum(getattr(r, name) for r in idle))]

    rows = [["p50 command → reply (ms)", fmt(p50[0]), fmt(p50[1]), f"{p50[0] / p50[1]:.2f}", ""],
            ["p99 command → reply (ms)", fmt(p99[0]), fmt(p99[1]), f"{p99[0] / p99[1]:.2f}",
             f"≤ 1.5x idle: {met}"],
            ["unanswered (all rounds)", *total("unanswered"), "", ""],
            ["429 responses (all rounds)", *total("rate_limited"), "", "0"]]
    section.add(f"""
One group (a convener and {args.flooders} members, the bot in it) is flooded with {args.flood}
`{args.command_text}` commands from its members, all sent at once; Telegram lets the bot answer 20
of them a minute there. Meanwhile {args.residents} residents, each in their private chat with the
bot, send `/help` in turn every {INTERVAL} s for {args.window:g} s ({int(args.window / INTERVAL)}
commands); each is timed from entering the stand-in's update queue to the bot's reply to it
reaching the stand-in. Reference: the same residents on the same bot, no flood. Then the bot is
stopped (SIGTERM, SIGKILL after {args.grace:g} s), still working off the flood. The bot is `yishi
run`, a process of its own, against the stand-in `bot.local.standin` in the benchmark's process
(Bot API checks and flood limits on). {args.rounds} rounds, idle and flooded interleaved; medians
over the rounds (ratio = flooded ÷ idle):""")
    section.add(table(["figure", "flooded", "idle", "ratio", "goal"], rows, "lrrrl"))
    section.add(f"A command not answered when the window closed (plus {args.grace:g} s) counts as the time "
                "until then.")
    rounds = [r.row(n) for n, pair in enumerate(zip(idle, flood, strict=True), 1) for r in pair]
    section.add(table(ROW_HEADER, rounds, "ll" + "r" * 7))
    section.note(n for r in idle + flood for n in r.notes)


async def main() -> None:
    args = arguments("head_of_line", __doc__, {
        "flood": (300, 60, "commands sent at once in the flooded group"),
        "flooders": (100, 20, "members of the flooded group sending them"),
        "residents": (20, 20, "residents writing privately, in turn (at least 10: one reply a second each)"),
        "window": (60.0, 6.0, "seconds of measuring"),
        "grace": (10.0, 3.0, "seconds for the last replies, and for the bot to stop")})
    args.command_text = "/help"
    section = Section(TITLE, args)
    runs: dict[str, list[Run]] = {"idle": [], "flood": []}
    with tempfile.TemporaryDirectory(prefix="yishi-bench-") as tmp:
        base = Path(tmp)
        await template(base / "template.sqlite3", args)
        print(" | ".join(ROW_HEADER), flush=True)
        for number in range(1, args.rounds + 1):
            for side in ("idle", "flood"):
                work = base / f"{side}-{number}"
                work.mkdir()
                result = await one_round(side, args, base / "template.sqlite3", work)
                runs[side].append(result)
                print(" | ".join(result.row(number)), flush=True)
    report(args, runs, section)
    section.finish()


if __name__ == "__main__":
    asyncio.run(main())
