"""A local stand-in for the Telegram Bot API, with scriptable users and chats.

Usage::

    async with FakeTelegram(spec_path="api.json") as tg:
        # point the bot at f"{tg.url}/bot" (files: f"{tg.url}/file/bot") with tg.token
        alice = tg.user("Alice")
        group = tg.group("翠苑小区", admins=[alice])
        await group.add_bot(by=alice)
        await alice.send(group, "/help")
        reply = await group.expect_message()
        answer = await alice.press(reply, "简体中文")
        assert tg.violations == []
"""

from bot.local.standin.forum import FakeTopic
from bot.local.standin.params import ApiError
from bot.local.standin.records import Button, Call, CallbackAnswer, FakeDocument
from bot.local.standin.scenario import FakeChat, FakeMessage, FakeUser
from bot.local.standin.server import BOT_TOKEN, FakeTelegram
from bot.local.standin.spec import ApiSpec

__all__ = [
    "BOT_TOKEN",
    "ApiError",
    "ApiSpec",
    "Button",
    "Call",
    "CallbackAnswer",
    "FakeChat",
    "FakeDocument",
    "FakeMessage",
    "FakeTelegram",
    "FakeTopic",
    "FakeUser",
]
