"""Delivery of updates: getUpdates semantics, privacy mode and webhooks."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from bot.local.standin import FakeTelegram
from tests.standin.support import Api


def kinds(updates: list[dict]) -> list[str]:
    return [next(key for key in update if key != "update_id") for update in updates]


async def test_offset_confirms_and_forgets(tg: FakeTelegram, api: Api) -> None:
    alice = tg.user("Alice")
    for text in ("one", "two", "three"):
        await alice.send(alice.private, text)
    first = await api.updates()
    assert [u["message"]["text"] for u in first] == ["one", "two", "three"]
    ids = [u["update_id"] for u in first]
    assert ids == sorted(ids) and len(set(ids)) == 3
    # Without an offset nothing is confirmed: the same updates come again.
    assert await api.updates() == first
    assert [u["message"]["text"] for u in await api.updates(limit=2)] == ["one", "two"]
    # offset = last id + 1 confirms everything before it.
    assert [u["message"]["text"] for u in await api.updates(offset=ids[1])] == ["two", "three"]
    assert [u["message"]["text"] for u in await api.updates()] == ["two", "three"]
    assert await api.updates(offset=ids[2] + 1) == []
    # Negative offsets count from the end and forget the rest.
    for text in ("four", "five", "six"):
        await alice.send(alice.private, text)
    assert [u["message"]["text"] for u in await api.updates(offset=-1)] == ["six"]
    assert [u["message"]["text"] for u in await api.updates()] == ["six"]
    messages = [u["message"] for u in first]
    assert [m["message_id"] for m in messages] == [1, 2, 3]
    assert messages[0]["from"] == {
        "id": alice.id,
        "is_bot": False,
        "first_name": "Alice",
        "language_code": "zh-hans",
    }
    assert messages[0]["chat"] == {"id": alice.id, "type": "private", "first_name": "Alice"}


async def test_long_poll_returns_as_soon_as_an_update_arrives(tg: FakeTelegram, api: Api) -> None:
    alice = tg.user("Alice")
    started = time.monotonic()
    assert await api.updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9

    async def later() -> None:
        await asyncio.sleep(0.2)
        await alice.send(alice.private, "/start")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await api.updates(timeout=10)
    await task
    assert time.monotonic() - started < 2
    assert updates[0]["message"]["text"] == "/start"


async def test_allowed_updates_are_remembered(tg: FakeTelegram, api: Api) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    group = tg.group("Block 3", admins=[alice], members=[bob])
    assert await api.updates(allowed_updates=["callback_query"]) == []
    await group.add_bot(by=alice, as_admin=True)
    await alice.send(alice.private, "/start")
    assert await api.updates() == []  # still only callback queries
    await api.updates(allowed_updates=[])  # back to the default set
    await group.add_bot(by=alice)
    assert kinds(await api.updates()) == ["my_chat_member", "message"]
    # chat_member updates come only when asked for explicitly
    assert "chat_member" not in kinds(await api.updates())


async def test_privacy_mode_in_groups(tg: FakeTelegram, api: Api) -> None:
    alice, bob = tg.user("Alice", username="alice_w"), tg.user("Bob")
    group = tg.supergroup("翠苑业主群", admins=[alice], members=[bob])
    await bob.send(group, "before the bot joined /help")
    await group.add_bot(by=alice)
    join = await api.updates()
    assert kinds(join) == ["my_chat_member", "message"]
    member = join[0]["my_chat_member"]
    assert member["from"]["id"] == alice.id
    assert member["old_chat_member"]["status"] == "left"
    assert member["new_chat_member"]["status"] == "member"
    assert member["new_chat_member"]["user"]["id"] == tg.bot_id
    assert join[1]["message"]["new_chat_members"][0]["id"] == tg.bot_id
    offset = join[-1]["update_id"] + 1

    sent = [
        "hello everyone",  # no
        "/help",  # yes
        "/help@yishi_test_bot",  # yes
        "/help@other_bot",  # no
        "please see /help",  # no: not a command message
        "hey @yishi_test_bot what now",  # yes
        "hey @alice_w",  # no
    ]
    for text in sent:
        await bob.send(group, text)
    reply = await api.ok("sendMessage", chat_id=group.id, text="I am here")
    bot_message = group.bot_messages[-1]
    assert bot_message.message_id == reply["message_id"]
    await bob.send(group, "thanks", reply_to=bot_message)  # yes: reply to the bot
    await bob.send(group, "thanks", reply_to=group.messages[1])  # no: reply to someone else
    delivered = await api.updates(offset=offset)
    assert [u["message"]["text"] for u in delivered] == [
        "/help",
        "/help@yishi_test_bot",
        "hey @yishi_test_bot what now",
        "thanks",
    ]
    assert delivered[-1]["message"]["reply_to_message"]["message_id"] == reply["message_id"]
    # Undelivered messages are still part of the chat.
    assert [m.text for m in group.messages if m.sender is bob][:2] == [
        "before the bot joined /help",
        "hello everyone",
    ]
    # Administrators see everything.
    await group.promote_bot(by=alice)
    await bob.send(group, "small talk")
    last = await api.updates(offset=delivered[-1]["update_id"] + 1)
    assert kinds(last) == ["my_chat_member", "message"]
    assert last[1]["message"]["text"] == "small talk"


async def test_callback_queries(tg: FakeTelegram, api: Api) -> None:
    alice = tg.user("Alice")
    await alice.send(alice.private, "/start")
    markup = {"inline_keyboard": [[{"text": "简体中文", "callback_data": "lang:set:zh_Hans"}]]}
    await api.ok("sendMessage", chat_id=alice.id, text="Language?", reply_markup=markup)
    menu = await alice.private.expect_message()
    offset = (await api.updates())[-1]["update_id"] + 1

    async def bot_answers(text: str | None) -> None:
        updates = await api.updates(offset=offset, timeout=5)
        query = updates[-1]["callback_query"]
        assert query["from"]["id"] == alice.id
        assert query["message"]["message_id"] == menu.message_id
        assert query["chat_instance"]
        extra = {"text": text} if text else {}
        await api.ok("answerCallbackQuery", callback_query_id=query["id"], **extra)
        error = await api.error("answerCallbackQuery", callback_query_id=query["id"])
        assert error[1] == (
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )

    bot = asyncio.create_task(bot_answers("已保存"))
    answer = await alice.press(menu, "简体中文")
    await bot
    assert answer.text == "已保存" and answer.show_alert is False
    offset += 1
    bot = asyncio.create_task(bot_answers(None))
    answer = await alice.press(menu, data="lang:set:forged")
    await bot
    assert answer.text is None
    offset += 1
    try:
        await alice.press(menu, "简体中文", timeout=0.2)
    except TimeoutError as error:
        assert "did not answer" in str(error)
    else:
        raise AssertionError("expected a timeout")
    try:
        await alice.press(menu, "English")
    except LookupError as error:
        assert "简体中文" in str(error)
    assert tg.violations == []


async def test_webhook_delivery_with_secret(tg: FakeTelegram, api: Api) -> None:
    received: list[tuple[dict, str | None]] = []
    failures = {"left": 1}

    async def hook(request: web.Request) -> web.Response:
        if failures["left"]:
            failures["left"] -= 1
            return web.Response(status=500)
        received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        alice = tg.user("Alice")
        await alice.send(alice.private, "queued before the webhook")
        await api.ok("setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t_-")
        error = await api.error("getUpdates")
        assert error[:2] == (
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
        await alice.send(alice.private, "/start")
        await tg.wait_idle(quiet=0.1)
        assert [(u["message"]["text"], secret) for u, secret in received] == [
            ("queued before the webhook", "s3cr3t_-"),
            ("/start", "s3cr3t_-"),
        ]
        info = await api.ok("getWebhookInfo")
        assert info["url"].endswith("/hook") and info["pending_update_count"] == 0
        assert "Wrong response from the webhook: 500" in info["last_error_message"]
        await api.ok("deleteWebhook", drop_pending_updates=True)
        assert await api.updates() == []
        assert (await api.ok("getWebhookInfo"))["url"] == ""
    finally:
        await runner.cleanup()
    assert tg.violations == []


async def test_wait_idle(tg: FakeTelegram, api: Api) -> None:
    alice = tg.user("Alice")
    await alice.send(alice.private, "/start")
    try:
        await tg.wait_idle(quiet=0.05, timeout=0.2)
    except TimeoutError as error:
        assert "waiting to be fetched" in str(error)
    else:
        raise AssertionError("expected a timeout while updates wait")
    await api.updates()
    await tg.wait_idle(quiet=0.05, timeout=1)
