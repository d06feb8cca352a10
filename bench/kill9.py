"""Kill -9 mid-storm: `yishi run` as its own process, an owner-vote storm against the Telegram
stand-in, the process killed with SIGKILL part-way through and started again on the same SQLite
file while the owners keep pressing. Which presses were lost, which were counted twice, which were
answered after the restart. Figures go to docs/benchmarks.md, section "Kill -9 mid-storm"."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import seed
from bench.harness import YES, BotProcess, Section, StandIn, arguments, fmt, median, settle, table
from bench.vote_storm import (
    POLL_COMMAND,
    Press,
    expected_counts,
    open_vote,
    plan,
    press_all,
    shown_counts,
    stored_ballots,
    template,
    world,
)
from storage import polls

TITLE = "Kill -9 mid-storm"


@dataclass
class Run:
    presses: int = 0
    answered_before: int = 0  # answered before the kill
    answered_after: int = 0  # answered by the restarted bot
    unanswered: int = 0
    lost: int = 0  # never answered and not in the ballot log
    told_not_counted: int = 0  # answered "You voted ..." but not in the ballot log
    twice: int = 0  # presses with more than one row in the ballot log
    exact: bool = False
    down: float = 0.0  # seconds from the kill to the restarted bot's first getUpdates
    rate_limited: int = 0
    notes: list[str] = field(default_factory=list)

    def row(self, number: int) -> list[str]:
        return [str(number), str(self.presses), str(self.answered_before), str(self.answered_after),
                str(self.unanswered), str(self.lost), str(self.told_not_counted), str(self.twice),
                YES[self.exact], fmt(self.down, 2), str(self.rate_limited)]


ROW_HEADER = ["round", "presses", "answered before the kill", "answered after the restart", "never answered",
              "lost", "answered but not counted", "counted twice", "exact tally", "down (s)", "429s"]


async def ballot_log(path: Path, poll_id: int) -> Counter:
    """Rows of the ballot log per callback query id (its source is "<query id>:<household>")."""
    db = await seed.database(path)
    try:
        rows = await polls.log(db, poll_id)
        return Counter(str(row["source"]).split(":")[0] for row in rows if row["source"])
    finally:
        await db.close()


async def one_round(args, template_db: Path, units, events, tmp: Path) -> Run:
    tg = StandIn()
    admin, people, group = world(tg, args.households)
    await tg.start()
    db = seed.copy(template_db, tmp / "yishi.sqlite3")
    bot = BotProcess("yishi", tg, db)
    run = Run(presses=len(events))
    records: list[Press] = []
    try:
        message, poll_id = await open_vote(bot, tg, admin, group)
        storm = asyncio.create_task(press_all(tg, people, message, poll_id, events, args.window, records,
                                              timeout=args.answer_timeout))
        target = int(args.kill_at * len(events))
        while sum(1 for r in records if r.answered) < target and not storm.done():  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        await bot.kill9()
        killed = time.monotonic()
        bot = BotProcess("yishi", tg, db)
        await bot.start()
        run.down = await bot.polling() - killed
        await storm
        await settle(tg, quiet=1.0, timeout=60)
        await admin.send(group, "/close 1")
        shown = shown_counts((await group.expect_message(timeout=60)).text or "")
        await settle(tg, timeout=60)
    finally:
        await bot.stop()
        await tg.stop()
    logged = await ballot_log(db, poll_id)
    run.answered_before = sum(1 for r in records if r.answered and r.answered <= killed)
    run.answered_after = sum(1 for r in records if r.answered and r.answered > killed)
    run.unanswered = sum(1 for r in records if r.answered is None)
    run.lost = sum(1 for r in records if r.answered is None and not logged[r.qid])
    run.told_not_counted = sum(1 for r in records if r.answered and (r.text or "").startswith("You voted")
                               and not logged[r.qid])
    run.twice = sum(1 for r in records if logged[r.qid] > 1)
    final = dict(events)
    stored = await stored_ballots(db, poll_id)
    as_pressed = stored == {units[o].id: p for o, p in final.items()}
    run.exact = as_pressed and shown == expected_counts(units, final)
    run.rate_limited = tg.rate_limited
    run.notes = bot.problems() + tg.problems
    return run


def report(args, runs: list[Run], section: Section) -> None:
    def total(name: str) -> int:
        return sum(getattr(r, name) for r in runs)

    met = {True: "met", False: "**not met**"}
    lost, twice = total("lost") + total("told_not_counted"), total("twice")
    exact = all(r.exact for r in runs)
    rows = [["presses lost (all rounds)",
             f"{total('lost')} never answered, {total('told_not_counted')} answered but not counted",
             f"0: {met[lost == 0]}"],
            ["presses counted twice (all rounds)", str(twice), f"0: {met[twice == 0]}"],
            ["exact final tally (all rounds)", YES[exact], met[exact]],
            ["presses answered after the restart (median)", fmt(median(r.answered_after for r in runs)), ""],
            ["kill → restarted bot polling (s, median)", fmt(median(r.down for r in runs), 2), ""],
            ["429 responses (all rounds)", str(total("rate_limited")), "0"]]
    section.add(f"""
The vote storm's set-up ({args.households:,} households with one bound owner each, written with
the storage functions; `{POLL_COMMAND.splitlines()[0]}` sent by the convener), {args.callbacks:,}
presses with at most {args.window} in flight. When {args.kill_at:.0%} of the presses have been
answered, the `yishi run` process is killed with SIGKILL and at once started again on the same
SQLite file; the owners keep pressing throughout (a press waits up to {args.answer_timeout:g} s for
its answer). Once every press is answered or has given up, the convener sends `/close 1`; after
the bot stopped, the ballot log in the file is
read. A press is **lost** when its answer never came and the ballot log has no row for its callback
query, or when it was answered "You voted ..." and the log has no row for it; **counted twice**
when the log has more than one row for its callback query; the **exact tally** is every
household's ballot equal to its owner's last press, and the result after `/close 1` showing it.
The stand-in `bot.local.standin` runs in the benchmark's process (Bot API checks and flood limits
on) and, like Telegram, delivers again every update the killed bot had not confirmed.
{args.rounds} rounds:""")
    section.add(table(["figure", "Yishi", "goal"], rows, "lll"))
    section.add(table(ROW_HEADER, [r.row(n) for n, r in enumerate(runs, 1)], "l" + "r" * 7 + "lrr"))
    section.note(n for r in runs for n in r.notes)


async def main() -> None:
    args = arguments("kill9", __doc__, {
        "households": (1000, 100, "households, one owner each"),
        "callbacks": (2000, 400, "button presses"),
        "window": (200, 50, "presses in flight"),
        "kill_at": (0.4, 0.4, "share of presses answered at the kill"),
        "answer_timeout": (120.0, 30.0, "seconds a press waits for its answer"),
        "seed": (1, 1, "random seed")})
    if args.callbacks < args.households:
        raise SystemExit("--callbacks must be at least --households (every owner votes once)")
    section = Section(TITLE, args)
    events = list(plan(args.households, args.callbacks, args.seed))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="yishi-bench-") as tmp:
        base = Path(tmp)
        units = await template(base / "template.sqlite3", args.households)
        print(" | ".join(ROW_HEADER), flush=True)
        for number in range(1, args.rounds + 1):
            work = base / f"round-{number}"
            work.mkdir()
            runs.append(await one_round(args, base / "template.sqlite3", units, events, work))
            print(" | ".join(runs[-1].row(number)), flush=True)
    report(args, runs, section)
    section.finish()


if __name__ == "__main__":
    asyncio.run(main())
