"""Owner-vote storm: `yishi run` as its own process against the Telegram stand-in, beside a bare
PTB bot (bench/bare_bot.py) doing the same work without storage.

3,500 households with one bound owner each are written into the bot's SQLite file before it
starts; the convener sends `/ownervote` through the stand-in, then the owners press its buttons
(every owner once, the rest changes of vote) with up to 500 presses in flight. Figures go to
docs/benchmarks.md, section "Vote storm"."""

from __future__ import annotations

import asyncio
import random
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import seed
from bench.harness import (
    EDIT_SECONDS,
    YES,
    BotProcess,
    Section,
    StandIn,
    arguments,
    busiest_window,
    fmt,
    median,
    percentile,
    settle,
    table,
)
from bot.domain.owner_vote import Household
from bot.local.standin import FakeChat, FakeMessage, FakeUser
from storage import polls

TITLE = "Vote storm"
POLL_COMMAND = "/ownervote Replace the lifts\n截止 3天后"
CHOICES = ("Agree", "Disagree", "Abstain")
EDIT_LIMIT = 20  # edits (and sends) a minute into one group


def plan(owners: int, callbacks: int, rng_seed: int) -> Iterator[tuple[int, int]]:
    """(owner, option) presses: every owner once, the rest changes of vote, all shuffled.
    An owner's later press always picks another option than their previous one."""
    rng = random.Random(rng_seed)
    who = list(range(owners)) + [rng.randrange(owners) for _ in range(callbacks - owners)]
    rng.shuffle(who)
    last: dict[int, int] = {}
    for owner in who:
        last[owner] = rng.choice([p for p in range(3) if p != last.get(owner)])
        yield owner, last[owner]


@dataclass
class Press:
    owner: int
    position: int
    began: float
    qid: str = ""
    answered: float | None = None
    text: str | None = None


def world(tg: StandIn, owners: int) -> tuple[FakeUser, list[FakeUser], FakeChat]:
    """The convener, the owners and their group (the bot is in it already)."""
    admin = tg.user("Convener", language_code="en")
    people = [tg.user(f"Owner {i}", language_code="en") for i in range(owners)]
    group = tg.group("Bench compound", admins=[admin], members=people)
    group.bot_status = "member"
    return admin, people, group


async def template(path: Path, owners: int) -> list[Household]:
    """The seeded database every Yishi round copies: the group, its people, the registry."""
    _, people, group = world(StandIn(), owners)
    db = await seed.database(path)
    when = seed.now()
    await seed.known(db, [group], when)
    units = await seed.registry(db, group, people, when)
    await seed.close(db)
    return units


async def press_all(tg: StandIn, people: list[FakeUser], message: FakeMessage, poll_id: int,
                    events: list[tuple[int, int]], window: int, records: list[Press],
                    timeout: float = 600) -> float:  # noqa: ASYNC109
    """Press in ``events`` order with ``window`` presses in flight, each timed to its answer
    (kept in ``records`` as they go); returns the seconds from the first press to the last answer."""
    queue = iter(events)

    async def worker() -> None:
        for owner, position in queue:  # next() and the enqueue inside press() run without a pause
            record = Press(owner, position, time.monotonic())
            records.append(record)
            try:
                answer = await people[owner].press(message, data=f"pv:{poll_id}:{position}", timeout=timeout)
                record.answered, record.text = time.monotonic(), answer.text
            except TimeoutError:
                pass
            finally:
                record.qid = tg.pressed()

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(min(window, len(events)))))
    last = max((r.answered for r in records if r.answered), default=began)
    return last - began


def shown_counts(text: str) -> dict[str, tuple[int, float]]:
    """Owners and m² per choice in the result message. Agree's "owners a of b" follows its
    header, on the same line or the next."""
    agree = r"Agree\b[^\n]*\n?\s*owners ([\d,]+) of [^\n]*\n\s*area ([\d,.]+) m² of"
    found = {"Agree": re.search(agree, text)}
    found |= {c: re.search(rf"{c}: ([\d,]+) owners?, ([\d,.]+) m²", text) for c in CHOICES[1:]}
    return {c: (int(m[1].replace(",", "")), float(m[2].replace(",", ""))) if m else (-1, 0.0)
            for c, m in found.items()}


def expected_counts(units: list[Household], final: dict[int, int]) -> dict[str, tuple[int, float]]:
    areas = [[units[o].area for o, p in final.items() if p == i] for i in range(len(CHOICES))]
    return {c: (len(a), sum(a) / 100) for c, a in zip(CHOICES, areas, strict=True)}


async def stored_ballots(path: Path, poll_id: int) -> dict[int, int]:
    """Household id -> option of its current ballot, read from the file after the bot stopped."""
    db = await seed.database(path)
    try:
        return {b.household_id: b.choices[0] for b in await polls.ballots(db, poll_id) if b.choices}
    finally:
        await db.close()


@dataclass
class Storm:
    side: str
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    edits_minute: int = 0
    rate_limited: int = 0
    exact: bool | None = None
    peak_kb: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def ms(self, q: float) -> float:
        return 1000 * percentile(self.latencies, q)

    def row(self, number: int) -> list[str]:
        return [str(number), self.side, fmt(self.rate), fmt(self.ms(0.5)), fmt(self.ms(0.99)),
                str(self.unanswered), str(self.edits_minute), str(self.rate_limited), YES[self.exact],
                fmt(self.peak_kb / 1024, 1)]


ROW_HEADER = ["round", "side", "presses/s", "p50 ms", "p99 ms", "unanswered", "edits in busiest 60 s",
              "429s", "exact tally", "peak RSS MB"]


async def open_vote(bot: BotProcess, tg: StandIn, admin: FakeUser,
                    group: FakeChat) -> tuple[FakeMessage, int]:
    """Start the bot, have the convener open the owner vote, and wait until all is quiet: the
    vote's message and its id."""
    await bot.start()
    await bot.polling()
    await admin.send(group, POLL_COMMAND)
    message = await group.expect_message(timeout=60)
    await settle(tg)
    return message, int(message.buttons[0][0].callback_data.split(":")[1])


async def storm_round(side: str, template_db: Path | None, units: list[Household], args,
                      events: list[tuple[int, int]], tmp: Path) -> Storm:
    tg = StandIn()
    admin, people, group = world(tg, args.households)
    await tg.start()
    db = seed.copy(template_db, tmp / f"{side}.sqlite3") if template_db else tmp / f"{side}.sqlite3"
    bot = BotProcess(side, tg, db)
    result = Storm(side)
    try:
        message, poll_id = await open_vote(bot, tg, admin, group)
        records: list[Press] = []
        result.wall = await press_all(tg, people, message, poll_id, events, args.window, records)
        result.latencies = [r.answered - r.began for r in records if r.answered]
        result.unanswered = sum(1 for r in records if r.answered is None)
        await asyncio.sleep(EDIT_SECONDS + 1)  # the last change reaches the vote's message
        await settle(tg, timeout=60)
        await admin.send(group, "/close 1")
        shown = shown_counts((await group.expect_message(timeout=60)).text or "")
        await settle(tg, timeout=60)
        bot.read_memory()
    finally:
        await bot.stop()
        await tg.stop()
    result.peak_kb = bot.memory[0]
    result.edits_minute = busiest_window(t for t, m in tg.edits if m is message)
    result.rate_limited = tg.rate_limited
    result.notes = bot.problems() + tg.problems
    if side == "yishi":
        final = dict(events)  # owner -> last press
        stored = await stored_ballots(db, poll_id)
        expected = expected_counts(units, final)
        as_pressed = stored == {units[o].id: p for o, p in final.items()}
        result.exact = as_pressed and shown == expected
        if not result.exact:
            result.notes.append(f"tally: expected {expected}, result message {shown}, "
                                f"stored ballots as pressed: {as_pressed}")
    return result


def report(args, runs: dict[str, list[Storm]], section: Section) -> None:
    yishi, bare = runs["yishi"], runs["bare"]
    rate = (median(r.rate for r in yishi), median(r.rate for r in bare))
    p50 = (median(r.ms(0.5) for r in yishi), median(r.ms(0.5) for r in bare))
    p99 = (median(r.ms(0.99) for r in yishi), median(r.ms(0.99) for r in bare))
    edits = (max(r.edits_minute for r in yishi), max(r.edits_minute for r in bare))
    limited = (sum(r.rate_limited for r in yishi), sum(r.rate_limited for r in bare))
    exact = all(r.exact for r in yishi)
    met = {True: "met", False: "**not met**"}
    rows = [
        ["presses per second", fmt(rate[0]), fmt(rate[1]), f"{rate[0] / rate[1]:.2f}",
         f"≥ 0.9 of bare: {met[rate[0] >= 0.9 * rate[1]]}"],
        ["p50 press → answer (ms)", fmt(p50[0]), fmt(p50[1]), f"{p50[0] / p50[1]:.2f}", ""],
        ["p99 press → answer (ms)", fmt(p99[0]), fmt(p99[1]), f"{p99[0] / p99[1]:.2f}",
         f"≤ 1.5x bare: {met[p99[0] <= 1.5 * p99[1]]}"],
        ["poll-message edits in the busiest 60 s", str(edits[0]), str(edits[1]), "",
         f"≤ {EDIT_LIMIT}: {met[edits[0] <= EDIT_LIMIT]}"],
        ["429 responses (all rounds)", str(limited[0]), str(limited[1]), "", f"0: {met[limited[0] == 0]}"],
        ["exact final tally (all rounds)", YES[exact], "—", "", met[exact]],
        ["peak RSS (MB)", fmt(median(r.peak_kb for r in yishi) / 1024, 1),
         fmt(median(r.peak_kb for r in bare) / 1024, 1), "", ""],
    ]
    changes = args.callbacks - args.households
    section.add(f"""
{args.households:,} households with one bound owner each, written into Yishi's SQLite file with the
storage functions before it starts; one owner vote (`{POLL_COMMAND.splitlines()[0]}`, not secret)
sent by the convener through the stand-in; {args.callbacks:,} presses of its buttons: every owner
once, the other {changes:,} changes of vote by random owners (seed {args.seed}), at most
{args.window} in flight. Each side is a process of its own (`yishi run`, and `python -m
bench.bare_bot`: PTB with `concurrent_updates(256)`, no storage, votes kept in memory, the vote's
message edited at most once per 5 s, no rate limiter) against the stand-in `bot.local.standin` in
the benchmark's process, which checks every call against the Bot API description and enforces
Telegram's flood limits. {args.rounds} rounds, the sides interleaved; medians over the rounds
(ratio = Yishi ÷ bare):""")
    section.add(table(["figure", "Yishi", "bare PTB", "ratio", "goal"], rows, "lrrrl"))
    section.add("""- **presses per second**: presses answered ÷ seconds from the first press to the last
  answer.
- **press → answer**: from the callback query entering the stand-in's update queue to the bot's
  answerCallbackQuery reaching it; with hundreds in flight mostly the wait behind earlier presses.
- **edits in the busiest 60 s**: editMessageText calls that changed the vote's message, most in any sliding
  60-second window of the round (Telegram allows 20 sends and edits a minute in a group).
- **exact final tally**: each household's ballot in the SQLite file (read after the bot stopped) is its
  owner's last press, and the result after `/close 1` shows the expected owners and m² per choice.
- **peak RSS**: VmHWM of the bot's process.""")
    rounds = [r.row(n) for n, pair in enumerate(zip(yishi, bare, strict=True), 1) for r in pair]
    section.add(table(ROW_HEADER, rounds, "ll" + "r" * 6 + "lr"))
    section.note(n for r in yishi + bare for n in r.notes)


async def main() -> None:
    args = arguments("vote_storm", __doc__, {
        "households": (3500, 200, "households, one owner each"), "callbacks": (10_000, 600, "button presses"),
        "window": (500, 100, "presses in flight"), "seed": (1, 1, "random seed")})
    if args.callbacks < args.households:
        raise SystemExit("--callbacks must be at least --households (every owner votes once)")
    section = Section(TITLE, args)
    events = list(plan(args.households, args.callbacks, args.seed))
    runs: dict[str, list[Storm]] = {"yishi": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="yishi-bench-") as tmp:
        base = Path(tmp)
        units = await template(base / "template.sqlite3", args.households)
        print(" | ".join(ROW_HEADER), flush=True)
        for number in range(1, args.rounds + 1):
            for side in ("yishi", "bare"):
                work = base / f"{side}-{number}"
                work.mkdir()
                result = await storm_round(side, base / "template.sqlite3" if side == "yishi" else None,
                                           units, args, events, work)
                runs[side].append(result)
                print(" | ".join(result.row(number)), flush=True)
    report(args, runs, section)
    section.finish()


if __name__ == "__main__":
    asyncio.run(main())
