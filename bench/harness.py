"""What every benchmark shares: the Telegram stand-in in this process, the bot under test as its
own process (``yishi run``, or the bare PTB baseline ``python -m bench.bare_bot``), the
bot's memory, percentiles, the machine and code, and the section it writes in docs/benchmarks.md."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import os
import platform
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import telegram

from bot.local.standin import FakeMessage, FakeTelegram
from bot.local.standin.server import BOT_TOKEN

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
EDIT_SECONDS = 5  # YISHI_EDIT_SECONDS for both sides: at most one edit of a live message per 5 s
YES = {True: "yes", False: "no", None: "—"}


def api_spec() -> Path | None:
    """The Bot API description beside the project, found as tests/conftest.py finds it."""
    path = Path(os.environ.get("YISHI_BOT_API_SPEC") or REPO.parent / "shared/telegram-bot-api/api.json")
    return path if path.is_file() else None


class StandIn(FakeTelegram):
    """The stand-in, checking every call against the Bot API description, and noting when each
    getUpdates arrives, which press each task made, and when the bot posted or edited."""

    def __init__(self) -> None:
        spec = api_spec()
        if spec is None:
            raise SystemExit("the Bot API description is missing: set YISHI_BOT_API_SPEC to api.json")
        super().__init__(spec_path=spec, token=BOT_TOKEN)
        self.polled: list[float] = []  # time.monotonic() of each getUpdates request
        self.press_of: dict[asyncio.Task, str] = {}  # the callback query id a task's press() made
        self.posts: list[tuple[float, FakeMessage]] = []  # new bot messages
        self.edits: list[tuple[float, FakeMessage]] = []  # edits of bot messages
        self.watch(self._note)

    def _note(self, kind: str, message: FakeMessage) -> None:
        if message.sender is self.bot and kind in ("new", "edit"):
            (self.posts if kind == "new" else self.edits).append((time.monotonic(), message))

    async def api_getUpdates(self, p: Any) -> Any:
        self.polled.append(time.monotonic())
        return await super().api_getUpdates(p)

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        task = asyncio.current_task() if kind == "callback_query" else None
        if task is not None:
            self.press_of[task] = payload["id"]
        super()._enqueue(kind, payload)

    def pressed(self) -> str:
        """The callback query id of the last press the current task made ("" if none)."""
        return self.press_of.pop(asyncio.current_task(), "")  # type: ignore[arg-type]

    def hold_flood_clock(self) -> Callable[[], None]:
        """Sends the driver makes itself (a world that existed before the run) are not counted
        by flood control: each is an hour after the one before; the returned function gives the
        real clock back, an hour after the last of them."""
        fake = iter(range(0, 10**12, 3600))
        self.flood_clock = lambda: float(next(fake))

        def release() -> None:
            end, base = float(next(fake) + 3600), time.monotonic()
            self.flood_clock = lambda: end + time.monotonic() - base
        return release

    @property
    def problems(self) -> list[str]:
        return [f"stand-in: {v}" for v in self.violations[:20]]


def bot_env(tg: FakeTelegram, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YISHI_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=tg.url, YISHI_DB=str(db), YISHI_LOCALE="en",
               YISHI_LOG_LEVEL="WARNING", YISHI_EDIT_SECONDS=str(EDIT_SECONDS), PYTHONUNBUFFERED="1")
    return env


def command_of(side: str) -> list[str]:
    venv = REPO / ".venv" / "bin"
    if side == "bare":
        python = venv / "python"
        return [str(python) if python.exists() else sys.executable, "-m", "bench.bare_bot"]
    yishi = venv / "yishi"
    return [str(yishi), "run"] if yishi.exists() else [sys.executable, "-m", "bot", "run"]


class BotProcess:
    """The bot under test, a process of its own, its output in ``log``."""

    def __init__(self, side: str, tg: StandIn, db: Path) -> None:
        self.side, self.tg, self.db = side, tg, db
        self.log = db.with_name(f"{side}.log")
        self.proc: asyncio.subprocess.Process | None = None
        self.started = 0.0
        self.memory: tuple[int, int] = (0, 0)  # VmHWM, VmRSS in kB, last read
        self.killed = False

    async def start(self) -> float:
        """Start the process; returns time.monotonic() just before it was spawned."""
        self.started = time.monotonic()
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *command_of(self.side), env=bot_env(self.tg, self.db), cwd=REPO, stdout=log, stderr=log)
        return self.started

    async def polling(self, timeout: float = 120) -> float:  # noqa: ASYNC109
        """Wait for the first getUpdates since this start; returns when it arrived."""
        deadline = time.monotonic() + timeout
        while True:
            since = [t for t in self.tg.polled if t >= self.started]
            if since:
                return since[0]
            if self.proc is None or self.proc.returncode is not None:
                raise RuntimeError(f"{self.side} stopped before polling:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.side} did not poll within {timeout}s:\n{self.tail()}")
            await asyncio.sleep(0.005)

    def read_memory(self) -> tuple[int, int]:
        """Peak and current resident memory (kB) from /proc/<pid>/status, kept in ``memory``."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except (OSError, AttributeError):
            return self.memory
        found = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmHWM|VmRSS):\s+(.+)$", status, re.M)}
        self.memory = (max(self.memory[0], found.get("VmHWM", 0)), found.get("VmRSS", 0))
        return self.memory

    async def stop(self, grace: float = 30) -> int | None:
        """SIGTERM, then SIGKILL if it has not ended within ``grace`` seconds."""
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.read_memory()
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            self.killed = True
            self.proc.kill()
            return await self.proc.wait()

    async def kill9(self) -> None:
        self.read_memory()
        self.proc.kill()
        await self.proc.wait()

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def problems(self) -> list[str]:
        """Warnings, errors and tracebacks the process wrote (first line of each)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        found = [f"{self.side}: " + re.sub(r"^\d{4}-\d\d-\d\d \S+ ", "", line)[:200]
                 for line in text.splitlines()
                 if re.search(r"\b(WARNING|ERROR|CRITICAL)\b|^Traceback|^\w+Error:", line)]
        if self.killed:
            found.append(f"{self.side} did not stop on SIGTERM in time and was killed")
        return found


async def settle(tg: FakeTelegram, quiet: float = 0.5, timeout: float = 30) -> bool:  # noqa: ASYNC109
    try:
        await tg.wait_idle(quiet=quiet, timeout=timeout)
    except TimeoutError:
        return False
    return True


# -- figures ---------------------------------------------------------------------------------------

def percentile(values: Iterable[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); nan when there are no values."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def busiest_window(times: Iterable[float], length: float = 60.0) -> int:
    """The most events in any window of ``length`` seconds."""
    ordered, best, start = sorted(times), 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - length:
            start += 1
        best = max(best, end - start + 1)
    return best


def median(values: Iterable[float]) -> float:
    ordered = sorted(v for v in values if v is not None and not math.isnan(v))
    if not ordered:
        return math.nan
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def fmt(value: float | int | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def table(header: list[str], rows: list[list[Any]], align: str = "") -> str:
    """A Markdown table; ``align`` has an l or r per column (default: the first left, others right)."""
    align = align or "l" + "r" * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join("---:" if a == "r" else "---" for a in align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# -- machine, code and the document ----------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"`nproc` = {cores}, {cpu}; Python {platform.python_version()}, "
            f"python-telegram-bot {telegram.__version__}; {platform.platform()}")


def code_state() -> str:
    """The commit, the bot's files that differ from it (read-only git) and a digest of them all."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout
    parts = ("bot", "handlers", "storage", "locales", "bench")
    changed = [line[3:] for line in git("status", "--porcelain", "--", *parts).splitlines()]
    files = sorted(f for d in parts for f in (REPO / d).rglob("*") if f.is_file() and f.suffix != ".pyc")
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]
    dirty = f" with uncommitted changes to {', '.join(changed)}" if changed else ""
    return f"commit {git('rev-parse', '--short', 'HEAD').strip() or '?'}{dirty}; sources sha256 {digest}"


def arguments(name: str, doc: str, sizes: dict[str, tuple[int | float, int | float, str]]
              ) -> argparse.Namespace:
    """Flags of a benchmark: its sizes (full default, --quick default, meaning), rounds, --quick."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=doc.split("\n\n")[0])
    for flag, (full, quick, meaning) in {"rounds": (3, 2, "rounds, the sides interleaved"), **sizes}.items():
        parser.add_argument(f"--{flag.replace('_', '-')}", type=type(full), default=None,
                            help=f"{meaning} (default {full}; --quick: {quick})")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, to check the harness; figures are printed, not written")
    parser.add_argument("--doc", type=Path, help=f"write the section here (default {DOC.relative_to(REPO)})")
    parser.add_argument("--no-write", dest="write", action="store_false", help="print, leave the docs alone")
    args = parser.parse_args()
    for flag, (full, quick, _) in {"rounds": (3, 2, ""), **sizes}.items():
        if getattr(args, flag) is None:
            setattr(args, flag, quick if args.quick else full)
    args.command = " ".join([f".venv/bin/python -m bench.{name}", *sys.argv[1:]])
    return args


class Section:
    """One benchmark's section of docs/benchmarks.md: how it was run, then its figures."""

    def __init__(self, title: str, args: argparse.Namespace) -> None:
        self.title, self.args = title, args
        self.began, self.date, self.code = time.monotonic(), datetime.now().astimezone(), code_state()
        self.parts: list[str] = []
        self.notes: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text.strip())

    def note(self, lines: Iterable[str]) -> None:
        for line in lines:
            if line not in self.notes:
                self.notes.append(line)

    def text(self) -> str:
        took = (time.monotonic() - self.began) / 60
        now_code = code_state()
        changed = [] if now_code == self.code else [
            f"the code changed during the run: sources sha256 {now_code.rsplit(' ', 1)[-1]} at the end"]
        alike: dict[str, list[str]] = {}  # notes that differ only in their numbers, together
        for line in changed + self.notes:
            alike.setdefault(re.sub(r"-?\d+(\.\d+)?", "#", line), []).append(line)
        shown = [f"- `{lines[0]}`" + (f" (and {len(lines) - 1} more like it)" if len(lines) > 1 else "")
                 for lines in list(alike.values())[:15]]
        shown += [f"- ... and {len(alike) - 15} more"] if len(alike) > 15 else []
        head = (f"## {self.title}\n\nCommand, from the repository root: `{self.args.command}` — took "
                f"{took:.1f} min, {self.date:%Y-%m-%d %H:%M %Z}.\nMachine: {machine()}.\nCode: {self.code}.")
        tail = ["Logged by the bot or noticed by the stand-in:", *shown] if shown else []
        return "\n\n".join([head, *self.parts, "\n".join(tail)]).strip() + "\n"

    def finish(self) -> None:
        """Print the section; write it to the document unless --quick (without --doc) or --no-write."""
        text = self.text()
        print("\n" + text)
        if not self.args.write or (self.args.quick and self.args.doc is None):
            return
        doc = self.args.doc or DOC
        write_section(doc, self.title, text)
        print(f"written to {doc}")


def write_section(doc: Path, title: str, section: str) -> None:
    """Replace the section "## title" of ``doc`` (or add it at the end), keeping the others."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else (
        "# Benchmarks\n\nEach section says how its figures were produced; rerun its command to update it.\n")
    match = re.search(rf"^## {re.escape(title)}\n", text, re.M)
    if match is None:
        text = f"{text.rstrip()}\n\n{section.strip()}\n"
    else:
        following = re.search(r"^## ", text[match.end():], re.M)
        after = text[match.end() + following.start():] if following else ""
        text = f"{text[:match.start()].rstrip()}\n\n{section.strip()}\n\n{after}".rstrip() + "\n"
    doc.write_text(text, encoding="utf-8")
