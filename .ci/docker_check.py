"""The bot in its container, driven through Compose against the Telegram stand-in on this machine.

Usage: docker_check.py COMPOSE... (the compose command with its -p and -f options). Residents
talk to the containerised bot; a convener's poll and a vote on it must survive the container
being stopped, removed and created again on the same volume. Exits non-zero, with the
container's logs, when a step goes wrong.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from bot.local.sandbox import api_spec
from bot.local.standin import FakeTelegram

READY = "Yishi is running"
QUESTION = "Where should the bike shelter go?"


class Failed(Exception):
    """A step of the check that went wrong; its message says which."""


class Compose:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command, self.env = command, env

    async def run(self, *args: str, check: bool = True) -> str:
        proc = await asyncio.create_subprocess_exec(
            *self.command, *args, env=self.env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        out = (await proc.communicate())[0].decode(errors="replace")
        if check and proc.returncode != 0:
            raise Failed(f"`compose {' '.join(args)}` exited {proc.returncode}:\n{out}")
        return out

    async def logs(self) -> str:
        return await self.run("logs", "--no-color", "yishi", check=False)

    async def container(self) -> str:
        return (await self.run("ps", "-q", "yishi")).strip()

    async def up(self) -> None:
        await self.run("up", "-d", "--no-build")
        deadline = time.monotonic() + 90
        while READY not in await self.logs():
            if time.monotonic() > deadline:
                raise Failed(f"the bot did not log {READY!r} within 90 s of `compose up`")
            await asyncio.sleep(0.5)


async def docker(*args: str) -> str:
    proc = await asyncio.create_subprocess_exec("docker", *args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out = (await proc.communicate())[0].decode(errors="replace").strip()
    if proc.returncode != 0:
        raise Failed(f"`docker {' '.join(args)}` exited {proc.returncode}: {out}")
    return out


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise Failed(what)


async def scenario(tg: FakeTelegram, compose: Compose) -> None:
    await compose.up()
    uid = (await compose.run("exec", "-T", "yishi", "id", "-u")).strip()
    expect(uid not in ("", "0"), f"the bot runs as root in its container (id -u: {uid!r})")
    print(f"docker: the bot is up in its container, as user {uid}")

    admin = tg.user("Wang Fang", language_code="en")
    li, zhao = tg.user("Li", language_code="en"), tg.user("Zhao", language_code="en")
    group = tg.group("Cuiyuan owners", admins=[admin], members=[li, zhao])

    await li.send(li.private, "/start")
    reply = await li.private.expect_message(timeout=30)
    expect("Yishi" in reply.text, f"/start in a private chat got {reply.text!r}")
    wu = tg.user("吴阿姨", language_code="zh-hans")
    await wu.send(wu.private, "/start")
    chinese = (await wu.private.expect_message(timeout=30)).text
    expect("居民" in chinese, f"/start in Chinese got {chinese!r}: no catalogs?")
    await group.add_bot(by=admin)
    greeting = await group.expect_message(timeout=30)
    expect("Yishi" in greeting.text, f"the group's greeting was {greeting.text!r}")
    await li.send(group, "/help")
    menu = await group.expect_message(timeout=30)
    expect("🗳 Votes" in menu.button_texts, f"/help in the group got {menu.text!r} {menu.button_texts}")
    print("docker: the bot answered /start privately, in English and in Chinese, and /help in a group")

    await admin.send(group, f"/poll {QUESTION}\nEast gate\nWest gate")
    poll = await group.expect_message(timeout=30)
    expect("East gate · 0" in poll.button_texts, f"the poll came without its buttons: {poll.text!r}")
    answer = await li.press(poll, "East gate · 0")
    expect("You voted East gate" in answer.text, f"a vote was answered {answer.text!r}")
    await tg.until(lambda: "— Li" in poll.text, timeout=30, what="the poll's tally shows Li's vote")
    await tg.wait_idle(quiet=1, timeout=30)

    cid = await compose.container()
    began = time.monotonic()
    await compose.run("stop", "yishi")
    took = time.monotonic() - began
    code = await docker("inspect", "-f", "{{.State.ExitCode}}", cid)
    expect(code == "0", f"on SIGTERM the bot exited {code}, not 0")
    await compose.run("down")  # the container goes; the volume stays
    print(f"docker: the bot stopped on SIGTERM in {took:.1f} s and its container was removed")

    await compose.up()
    expect(await compose.container() != cid, "`compose down` and `up` kept the same container")
    await zhao.send(group, "/polls")
    listed = (await group.expect_message(timeout=30)).text
    expect(QUESTION in listed, f"after the restart /polls lists {listed!r}")
    await zhao.press(poll, data=poll.buttons[0][0].callback_data)
    await tg.until(lambda: "East gate: 2" in poll.text and "Li and Zhao" in poll.text, timeout=30,
                   what="the tally counts the vote from before the restart and the one after it")
    await tg.wait_idle(quiet=1, timeout=30)
    expect(tg.violations == [], f"the bot broke the Bot API protocol: {tg.violations[:5]}")
    print("docker: in a new container the poll and its vote were still there, from the volume")


async def main(command: list[str]) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YISHI_", "TELEGRAM_"))}
    env["YISHI_BASE"] = os.environ.get("YISHI_BASE", "")
    spec = api_spec()
    if spec is None:
        print("docker: the Bot API description is missing: set YISHI_BOT_API_SPEC", file=sys.stderr)
        return 1
    async with FakeTelegram(spec_path=spec) as tg:
        env.update(TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_URL=tg.url, YISHI_LOCALE="en",
                   YISHI_LOG_LEVEL="INFO")
        compose = Compose(command, env)
        await compose.run("down", "-v", check=False)  # what an interrupted run may have left
        try:
            await scenario(tg, compose)
        except (Failed, AssertionError, TimeoutError) as exc:
            print(f"docker: FAILED: {exc}", file=sys.stderr)
            print("docker: the container's logs:", file=sys.stderr)
            print(await compose.logs(), file=sys.stderr)
            return 1
        finally:
            await compose.run("down", "-v", check=False)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
