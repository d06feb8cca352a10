"""`yishi run` as its own process against the stand-in, as a deployer runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.local.standin import FakeTelegram


class YishiProcess:
    def __init__(self, tg: FakeTelegram, tmp: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.tg, self.tmp, self.extra, self.env = tg, tmp, extra, env or {}
        self.proc: asyncio.subprocess.Process | None = None
        self.log = tmp / "yishi.log"

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("YISHI_", "TELEGRAM_"))}
        env.update(TELEGRAM_BOT_TOKEN=self.tg.token, TELEGRAM_API_URL=self.tg.url,
                   YISHI_DB=str(self.tmp / "yishi.sqlite3"), YISHI_LOG_LEVEL="INFO")
        env.update(self.env)
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", *self.extra, env=env, cwd=self.tmp,
                stdout=log, stderr=log)
        await self.until(lambda: "Yishi is running" in self.log.read_text())

    async def until(self, condition, seconds: float = 30) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            assert self.proc.returncode is None, self.log.read_text()
            assert loop.time() < deadline, self.log.read_text()
            await asyncio.sleep(0.05)

    async def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), 30)

    async def kill(self) -> None:
        """``kill -9``: the process ends at once, in the middle of whatever it was doing."""
        self.proc.kill()
        await self.proc.wait()
