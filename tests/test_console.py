"""`yishi console` in a real pseudo-terminal, typed into the way a person would."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

import pexpect
import pytest

REPO = Path(__file__).resolve().parents[1]
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\x1b[=>]|\r")
ALT_ENTER = "\x1b\r"


class Terminal:
    """The console running in a pseudo-terminal; ``wait_for`` reads the screen without its styles."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", PYTHONUNBUFFERED="1")
        self.child = pexpect.spawn(sys.executable, ["-m", "bot", "console", *args], cwd=str(cwd), env=env,
                                   encoding="utf-8", dimensions=(50, 160), timeout=60)
        self.seen = ""
        self.read = 0  # how much of ``seen`` earlier waits have used up

    @property
    def text(self) -> str:
        return ESCAPES.sub("", self.seen)

    def wait_for(self, wanted: str, timeout: float = 60) -> str:
        """Wait until ``wanted`` appears after what earlier waits found; returns the text up to it."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.text.find(wanted, self.read)
            if found >= 0:
                start, self.read = self.read, found + len(wanted)
                return self.text[start:self.read]
            if time.monotonic() > deadline:
                raise AssertionError(f"{wanted!r} did not appear; the screen ends with:\n{self.text[-3000:]}")
            with contextlib.suppress(pexpect.TIMEOUT):
                self.seen += self.child.read_nonblocking(65536, timeout=0.3)

    def type(self, *lines: str) -> None:
        """Type a message: its lines joined by Alt+Enter, then Enter."""
        self.child.send(ALT_ENTER.join(lines) + "\r")


@pytest.fixture
def console(tmp_path: Path):
    terminal = Terminal("--lang", "en", "--files", str(tmp_path / "files"), cwd=REPO)
    yield terminal
    terminal.child.close(force=True)


def test_a_poll_voted_reminded_and_exported_from_the_terminal(console: Terminal, tmp_path: Path) -> None:
    console.wait_for("Hello, neighbours!")
    console.wait_for("Wang Fang @ Cuiyuan owners")

    console.type("/poll Lunch on Saturday?", "Noodles", "Dumplings", "截止 3天后")
    poll = console.wait_for("[2 Dumplings · 0]")
    assert "Poll #1" in poll and "Lunch on Saturday?" in poll and "[1 Noodles · 0]" in poll

    console.type(":as auntie")  # the start of a name is enough
    console.wait_for("Auntie Li @ Cuiyuan owners")
    console.type(":1")
    console.wait_for("You voted Noodles")
    edited = console.wait_for("[1 Noodles · 1]")
    assert "✎ edited" in edited and "Noodles: 1 (100%) — Auntie Li" in edited

    console.type(":press 99")
    console.wait_for("There is no button 99 to press.")
    console.type(":skip soon")
    console.wait_for("Write how far to move the clock")

    # Two days and four hours later the poll is a day from closing: the reminder goes out by itself.
    console.type(":skip 2d4h")
    console.wait_for("The clock moves 2 days 4 hours forward, to ")
    reminder = console.wait_for("Not voted yet: Wang Fang")
    assert "🔔 #1 Lunch on Saturday? closes" in reminder

    # The convener starts the bot privately, then asks for the CSV: it lands in the files folder.
    console.type(":as wang")
    console.type(":private")
    console.wait_for("Wang Fang @ private chat with Wang Fang")
    console.type("/start")
    console.wait_for("Add Yishi to a group")
    console.type(":group")
    console.type("/export 1")
    saved = console.wait_for(".csv → ")
    assert "[private chat with Wang Fang] Yishi" in saved
    files = list((tmp_path / "files").glob("*.csv"))
    assert len(files) == 1 and "Noodles" in files[0].read_text(encoding="utf-8-sig")

    console.type(":quit")
    console.child.expect(pexpect.EOF)
    console.child.close()
    assert console.child.exitstatus == 0
