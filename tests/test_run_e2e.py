"""`yishi run` as its own process against the stand-in: what a convener sees, restart included."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import pytest

from tests.process import YishiProcess


async def test_a_convener_sets_up_the_group_and_it_survives_a_restart(tg, tmp_path):
    admin = tg.user("王芳", language_code="zh-hans")
    resident = tg.user("李强", language_code="zh-hans")
    group = tg.group("翠苑小区", admins=[admin], members=[resident])
    bot = YishiProcess(tg, tmp_path)
    await bot.start()
    try:
        await group.add_bot(by=admin)
        assert "各位邻居好" in (await group.expect_message()).text

        await resident.send(group, "/help")
        resident_help = await group.expect_message()
        await admin.send(group, "/help")
        convener_help = await group.expect_message()
        assert resident_help.text != convener_help.text
        await resident.press(resident_help, data="hp:settings")
        await admin.press(convener_help, data="hp:settings")
        assert "/lang" not in (await group.expect_edit(resident_help)).text
        assert "/lang" in (await group.expect_edit(convener_help)).text

        await admin.send(group, "/lang")
        menu = await group.expect_message()
        assert (await admin.press(menu, "繁體中文")).text == "語言已設為繁體中文。"
        await resident.send(group, "/roles")
        assert "尚未授予任何角色。群管理員就是本群的召集人" in (await group.expect_message()).text

        await resident.send(group, "/lang")
        assert (await group.expect_message()).text == "抱歉，只有本群的召集人可以這樣做。"

        supergroup = await group.migrate()
        await resident.send(supergroup, "/lang")
        assert (await supergroup.expect_message()).text == "抱歉，只有本群的召集人可以這樣做。"
        await admin.send(supergroup, "/settings 名稱 翠苑小區")
        assert "小區：翠苑小區" in (await supergroup.expect_message()).text
    finally:
        assert await bot.stop() == 0

    bot = YishiProcess(tg, tmp_path)
    await bot.start()
    try:
        await admin.send(supergroup, "/settings")
        shown = (await supergroup.expect_message()).text
        assert "本群設置" in shown and "小區：翠苑小區" in shown and "語言：繁體中文" in shown
    finally:
        assert await bot.stop() == 0
    assert tg.violations == []
    log = bot.log.read_text()
    assert "Yishi is running" in log and "apscheduler" not in log  # INFO, without the scheduler's chatter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("secret", ["s3cret-Token_1"])
async def test_webhook_mode_receives_updates_with_the_secret(tg, tmp_path, secret):
    port = free_port()
    bot = YishiProcess(tg, tmp_path, "--webhook-url", f"http://127.0.0.1:{port}/yishi",
                       "--listen", "127.0.0.1", "--port", str(port), "--secret-token", secret)
    await bot.start()
    try:
        admin = tg.user("王芳", language_code="zh-hans")
        group = tg.group("翠苑", admins=[admin])
        await group.add_bot(by=admin)
        assert "各位邻居好" in (await group.expect_message()).text
        assert any(c.method == "setWebhook" and c.params.get("secret_token") == secret
                   for c in tg.calls)
    finally:
        assert await bot.stop() == 0


async def test_a_webhook_telegram_refuses_stops_with_one_line(tg, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YISHI_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_URL=tg.url, YISHI_DB=str(tmp_path / "y.sqlite3"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook-url", "http://no-such-host.invalid/yishi",
        "--listen", "127.0.0.1", "--port", str(free_port()), env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2, err.decode()
    assert err.decode().splitlines()[-1] == (
        "yishi: Telegram refused the webhook http://no-such-host.invalid/yishi: "
        "Bad webhook: failed to resolve host: name or service not known")
    assert "Traceback" not in err.decode()


async def test_a_rejected_token_stops_with_one_line(tg, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YISHI_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN="987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
               TELEGRAM_API_URL=tg.url, YISHI_DB=str(tmp_path / "y.sqlite3"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert err.decode().splitlines() == [
        "yishi: the Bot API rejected TELEGRAM_BOT_TOKEN: check the token from @BotFather"]
    assert out == b""
