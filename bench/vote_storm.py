"""Owner-vote storm: the real bot against the Telegram stand-in, beside a bare PTB bot answering
the same button presses without storage. ``.venv/bin/python -m bench.vote_storm --help``; the
figures go to docs/benchmarks.md, section "## Vote storm" (prose in bench/vote_storm.md)."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from logging.handlers import BufferingHandler
from pathlib import Path
from statistics import median

import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, CallbackQueryHandler

from bot.app import build_application, running
from bot.config import Settings
from bot.domain.models import Person
from bot.domain.owner_vote import Household
from bot.local.standin import FakeMessage, FakeTelegram, FakeUser
from storage import households, polls, users

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
POLL_COMMAND = "/ownervote Replace the lifts\n截止 3天后"
CHOICES = ("Agree", "Disagree", "Abstain")
YES = {True: "yes", False: "no", None: "—"}
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton(c, callback_data=f"pv:1:{i}")]
                                 for i, c in enumerate(CHOICES)])


def api_spec() -> Path | None:
    """The Bot API description beside the project, found as tests/conftest.py finds it."""
    path = Path(os.environ.get("YISHI_BOT_API_SPEC") or REPO.parent / "shared/telegram-bot-api/api.json")
    return path if path.is_file() else None


@dataclass
class Storm:
    side: str
    wall: float
    latencies: list[float]
    edits: int | None = None
    rate_limited: int = 0
    exact: bool | None = None
    notes: list[str] = field(default_factory=list)
    poll_html: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def ms(self, q: float) -> float:
        return 1000 * sorted(self.latencies)[min(len(self.latencies) - 1, int(q * len(self.latencies)))]

    @property
    def per_minute(self) -> float | None:
        return None if self.edits is None else self.edits * 60 / self.wall

    def row(self, number: int) -> str:
        return (f"| {number} | {self.side} | {self.rate:,.0f} | {self.ms(0.5):,.0f} | {self.ms(0.99):,.0f} | "
                f"{fmt(self.edits)} | {fmt(self.per_minute, 1)} | {self.rate_limited} | {YES[self.exact]} |")


def plan(owners: int, callbacks: int, seed: int) -> Iterator[tuple[int, int]]:
    """(owner, option) presses: every owner once, the rest changes of vote, all shuffled.
    An owner's later press always picks another option than their previous one."""
    rng = random.Random(seed)
    who = list(range(owners)) + [rng.randrange(owners) for _ in range(callbacks - owners)]
    rng.shuffle(who)
    last: dict[int, int] = {}
    for owner in who:
        last[owner] = rng.choice([p for p in range(3) if p != last.get(owner)])
        yield owner, last[owner]


async def press_all(people: list[FakeUser], message: FakeMessage, poll_id: int,
                    events: list[tuple[int, int]], window: int, side: str) -> Storm:
    """Press in ``events`` order with ``window`` presses in flight; time each to its answer."""
    latencies: list[float] = []
    queue = iter(events)

    async def worker() -> None:
        for owner, position in queue:  # next() and the enqueue inside press() run without a pause
            began = time.perf_counter()
            await people[owner].press(message, data=f"pv:{poll_id}:{position}", timeout=600)
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(window, len(events)))))
    return Storm(side, time.perf_counter() - began, latencies)


def world(tg: FakeTelegram, owners: int):
    admin = tg.user("Convener", language_code="en")
    people = [tg.user(f"Owner {i}", language_code="en") for i in range(owners)]
    return admin, people, tg.group("Bench compound", admins=[admin], members=people)


async def seed(rt, chat_id: int, admin: FakeUser, people: list[FakeUser]) -> list[Household]:
    """A registry (buildings of 100 units: 25 floors x 4, 60-150 m²) and an owner bound to
    each unit, written with the storage functions behind /households import and /bind."""
    now, rng = rt.clock.now(), random.Random(278)
    rows = [Household(0, str(1 + i // 100), "", f"{1 + i % 100 // 4}{1 + i % 4:02d}",
                      rng.randrange(6000, 15001)) for i in range(len(people))]
    await households.import_registry(rt.store, chat_id, rows, now)
    registry = await households.active(rt.store, chat_id)
    codes = await households.new_codes(rt.store, [h.id for h in registry], admin.id, now)
    for person, h in zip(people, registry, strict=True):
        await users.seen(rt.store, Person(person.id, person.first_name, language_code="en"), now)
        await households.bind(rt.store, codes[h.id], person.id, now)
    return registry


def shown_counts(text: str) -> dict[str, tuple[int, float]]:
    """Owners and m² per choice in the result message. Agree's "owners a of b" follows its
    header, on the same line or the next."""
    agree = r"Agree\b[^\n]*\n?\s*owners ([\d,]+) of [^\n]*\n\s*area ([\d,.]+) m² of"
    found = {"Agree": re.search(agree, text)}
    found |= {c: re.search(rf"{c}: ([\d,]+) owners?, ([\d,.]+) m²", text) for c in CHOICES[1:]}
    return {c: (int(m[1].replace(",", "")), float(m[2].replace(",", ""))) if m else (-1, 0.0)
            for c, m in found.items()}


async def yishi_round(owners: int, events: list[tuple[int, int]], window: int, _html: str) -> Storm:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram(spec_path=api_spec()) as tg:
            admin, people, group = world(tg, owners)
            app = build_application(Settings(token=tg.token, api_url=tg.url, locale="en",
                                             db_path=Path(tmp) / "yishi.sqlite3", edit_interval=5.0))
            async with running(app, poll_timeout=1):
                rt = app.bot_data["runtime"]
                await group.add_bot(by=admin)
                await group.expect_message()  # the greeting
                registry = await seed(rt, group.id, admin, people)
                await admin.send(group, POLL_COMMAND)
                message = await group.expect_message(timeout=60)
                poll_id = int(message.buttons[0][0].callback_data.split(":")[1])
                await tg.wait_idle()
                edited = message.edit_count
                result = await press_all(people, message, poll_id, events, window, "yishi")
                result.poll_html, result.edits = message.html or "", message.edit_count - edited
                final = {registry[owner].id: position for owner, position in events}  # last press wins
                stored = {b.household_id: b.choices[0] for b in await polls.ballots(rt.store, poll_id)}
                await admin.send(group, "/close 1")
                shown = shown_counts((await group.expect_message(timeout=60)).text or "")
                areas = [[h.area for h in registry if final[h.id] == i] for i in range(len(CHOICES))]
                expected = {c: (len(a), sum(a) / 100) for c, a in zip(CHOICES, areas, strict=True)}
                result.exact = stored == final and shown == expected
                if not result.exact:
                    result.notes.append(f"tally: expected {expected}, result message {shown}, "
                                        f"stored ballots as expected: {stored == final}")
                await tg.wait_idle()
        result.rate_limited = tg.rate_limited
        result.notes += [f"protocol violation: {v}" for v in tg.violations]
    return result


async def _ok(update: Update, _context) -> None:
    await update.callback_query.answer("ok")


async def bare_round(owners: int, events: list[tuple[int, int]], window: int, html: str) -> Storm:
    """The same presses on a message like the vote's, answered by a bot that stores nothing."""
    async with FakeTelegram(spec_path=api_spec()) as tg:
        admin, people, group = world(tg, owners)
        await group.add_bot(by=admin)
        def nothing(_app):
            return asyncio.sleep(0)

        app = (ApplicationBuilder().token(tg.token).base_url(f"{tg.url}/bot")
               .base_file_url(f"{tg.url}/file/bot")
               .post_init(nothing).post_stop(nothing).post_shutdown(nothing).build())
        app.add_handler(CallbackQueryHandler(_ok))
        async with running(app, poll_timeout=1):
            await app.bot.send_message(group.id, html or "Replace the lifts", parse_mode=ParseMode.HTML,
                                       reply_markup=KEYBOARD)
            await tg.wait_idle()
            result = await press_all(people, group.bot_messages[-1], 1, events, window, "bare")
        result.rate_limited = tg.rate_limited
        result.notes += [f"protocol violation: {v}" for v in tg.violations]
    return result


def fmt(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def code_state() -> str:
    """The commit, the bot's files that differ from it (read-only git) and a digest of them all."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout
    parts = ("bot", "handlers", "storage", "locales")
    changed = [line[3:] for line in git("status", "--porcelain", "--", *parts).splitlines()]
    files = sorted(f for d in parts for f in (REPO / d).rglob("*") if f.is_file() and f.suffix != ".pyc")
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]
    dirty = f" with uncommitted changes to {', '.join(changed)}" if changed else ""
    return f"commit {git('rev-parse', '--short', 'HEAD').strip() or '?'}{dirty}; sources sha256 {digest}"


def report(args: argparse.Namespace, runs: dict[str, list[Storm]], logged: list[str], took: float,
           code: str) -> str:
    """The "## Vote storm" section, from bench/vote_storm.md."""
    yishi, bare = runs["yishi"], runs["bare"]
    ratio = median([r.rate for r in yishi]) / median([r.rate for r in bare])
    exact, limited = all(r.exact for r in yishi), sum(r.rate_limited for r in yishi + bare)
    met = {True: "met", False: "not met"}
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    figures = [("votes per second", lambda r: r.rate), ("p50 press → answer (ms)", lambda r: r.ms(0.5)),
               ("p99 press → answer (ms)", lambda r: r.ms(0.99))]
    medians = [f"| {name} | {fmt(median(list(map(pick, yishi))))} | {fmt(median(list(map(pick, bare))))} |"
               for name, pick in figures] + [
        f"| poll-message edits per minute | {fmt(median([r.per_minute for r in yishi]), 1)} | — |",
        f"| 429 responses | {sum(r.rate_limited for r in yishi)} | {sum(r.rate_limited for r in bare)} |",
        f"| exact final tally | {YES[exact]} | — |"]
    rounds = [r.row(n) for n, pair in enumerate(zip(yishi, bare, strict=True), 1) for r in pair]
    notes = [f"- `{n}`" for n in sorted({n for r in yishi + bare for n in r.notes}) + logged[:10]]
    notes += [f"- ... and {len(logged) - 10} more warnings or errors"] if len(logged) > 10 else []
    return Path(__file__).with_suffix(".md").read_text(encoding="utf-8").format(
        **vars(args), changes=args.callbacks - args.households, poll=POLL_COMMAND.splitlines()[0],
        command=" ".join([".venv/bin/python -m bench.vote_storm", *sys.argv[1:]]), took=took / 60,
        date=datetime.now().astimezone(), nproc=os.cpu_count(), cpu=cpu, python=platform.python_version(),
        ptb=telegram.__version__, code=code, system=platform.platform(), ratio=ratio,
        medians="\n".join(medians), rounds_table="\n".join(rounds), ratio_met=met[ratio >= 0.5],
        limited=limited, limited_met=met[limited == 0], exact_met=met[exact],
        paired=", ".join(f"{y.rate / b.rate:.2f}" for y, b in zip(yishi, bare, strict=True)),
        notes="\n".join(["", "Logged or noticed during the run:", *notes] if notes else []))


def write_section(section: str) -> None:
    """Replace the "## Vote storm" section of docs/benchmarks.md (or add it), keeping the others."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else (
        "# Benchmarks\n\nEach section says how its figures were produced; rerun its command to update it.\n")
    head, _, rest = text.partition("## Vote storm\n")
    after = rest[following.start():] if (following := re.search(r"^## ", rest, re.M)) else ""
    DOC.write_text(f"{head.rstrip()}\n\n{section.strip()}\n\n{after}".rstrip() + "\n", encoding="utf-8")


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logged = BufferingHandler(capacity=10**6)  # the warnings and errors of the bot and PTB
    logging.getLogger().addHandler(logged)
    events, code = list(plan(args.households, args.callbacks, args.seed)), code_state()
    runs: dict[str, list[Storm]] = {"yishi": [], "bare": []}
    began, html = time.perf_counter(), ""
    for number in range(1, args.rounds + 1):
        for play in (yishi_round, bare_round):
            result = await play(args.households, events, args.window, html)
            html = html or result.poll_html
            runs[result.side].append(result)
            print(result.row(number), flush=True)
    lines = [f"{r.levelname} {r.name}: {r.getMessage()[:160]}" for r in logged.buffer]
    if code_state() != code:
        lines.insert(0, f"the bot's code changed during the run, from {code} to {code_state()}")
    section = report(args, runs, lines, time.perf_counter() - began, code)
    print("\n" + section)
    if args.write:
        write_section(section)
        print(f"written to {DOC.relative_to(REPO)}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.vote_storm", description=__doc__.split(".")[0])
    for name, default, meaning in (
            ("households", 3500, "households, one owner each"), ("callbacks", 10_000, "button presses"),
            ("rounds", 3, "rounds"), ("window", 500, "presses in flight"), ("seed", 1, "random seed")):
        parser.add_argument(f"--{name}", type=int, default=default, help=f"{meaning} (default {default})")
    parser.add_argument("--no-write", dest="write", action="store_false", help="print, leave the docs alone")
    args = parser.parse_args()
    if args.callbacks < args.households:
        parser.error("--callbacks must be at least --households (every owner votes once)")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
