"""Forum topics of the Telegram stand-in: a supergroup with topics, and Telegram's rules for them.

A message sent in a topic carries its ``message_thread_id`` and ``is_topic_message``; one that
is not a reply answers the topic's first message (as Telegram does); a reply goes to the topic of
the message it answers. The bot may name a topic only in a forum, only one that still exists,
and only an open one unless it is an administrator.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.local.standin.params import Params, bad_request
from bot.local.standin.records import Reads

if TYPE_CHECKING:
    from bot.local.standin.scenario import FakeChat, FakeMessage, FakeUser
    from bot.local.standin.server import FakeTelegram

ICON_COLOR = 7322096  # Telegram's blue, one of the six colours a topic icon may have


class FakeTopic(Reads):
    """A topic of a forum, known by its first message (whose id is the topic's thread id)."""

    def __init__(self, chat: FakeChat, opening: FakeMessage, name: str) -> None:
        self._tg = chat._tg
        self.chat, self.opening, self.name = chat, opening, name
        self.closed = False
        self.deleted = False
        self._cursor = 0

    @property
    def thread_id(self) -> int:
        return self.opening.message_id

    @property
    def bot_messages(self) -> list[FakeMessage]:
        return [m for m in self.chat.bot_messages if m.topic is self]

    @property
    def _where(self) -> FakeChat:
        return self.chat

    async def close(self, by: FakeUser) -> None:
        """Close the topic: only administrators may write in it until it is reopened."""
        self.closed = True
        self._tg._topic_notice(self, by, forum_topic_closed={})
        await asyncio.sleep(0)

    async def reopen(self, by: FakeUser) -> None:
        self.closed = False
        self._tg._topic_notice(self, by, forum_topic_reopened={})
        await asyncio.sleep(0)

    async def delete(self) -> None:
        """Delete the topic and every message in it (Telegram tells the bot nothing)."""
        self.deleted = True
        for message in self.chat.messages:
            if message.topic is self:
                message.deleted = True
        self._tg._touch()
        await asyncio.sleep(0)

    def describe(self) -> str:
        return f"topic {self.name!r} ({self.thread_id}) of {self.chat.describe()}"

    def __repr__(self) -> str:
        return f"<FakeTopic {self.describe()}>"


class Forums:
    """The world's side of topics: forums, opening topics, and where a message goes."""

    def forum(self: FakeTelegram, title: str, admins: list[FakeUser] | None = None,
              members: list[FakeUser] | None = None) -> FakeChat:
        """A supergroup with topics; what is not in a topic is in its General topic."""
        chat = self.supergroup(title, admins, members)
        chat.is_forum = True
        return chat

    async def _create_topic(self: FakeTelegram, chat: FakeChat, name: str, by: FakeUser) -> FakeTopic:
        if not chat.is_forum:
            raise ValueError(f"{chat.describe()} has no topics")
        opening = self._add_message(chat, by, service={
            "forum_topic_created": {"name": name, "icon_color": ICON_COLOR}})
        topic = FakeTopic(chat, opening, name)
        opening.topic = topic
        chat.topics[topic.thread_id] = topic
        if chat.bot_status in ("member", "administrator"):
            self._enqueue("message", opening.to_dict())
        await asyncio.sleep(0)
        return topic

    def _topic_notice(self: FakeTelegram, topic: FakeTopic, by: FakeUser, **service: dict) -> None:
        message = self._add_message(topic.chat, by, service=service, reply_to=topic.opening)
        message.topic = topic
        if topic.chat.bot_status in ("member", "administrator"):
            self._enqueue("message", message.to_dict())

    def _user_place(self: FakeTelegram, where: FakeChat | FakeTopic, user: FakeUser,
                    reply_to: FakeMessage | None) -> tuple[FakeChat, FakeTopic | None, FakeMessage | None]:
        """Where a person's message goes: (chat, topic, the message it answers)."""
        topic = where if isinstance(where, FakeTopic) else None
        chat = topic.chat if topic is not None else where
        if reply_to is not None:
            topic = reply_to.topic
        if topic is None:
            return chat, None, reply_to
        if topic.deleted:
            raise ValueError(f"{topic.describe()} was deleted")
        if topic.closed and user not in chat.admins:
            raise ValueError(f"{topic.describe()} is closed: only administrators write there")
        return chat, topic, reply_to or topic.opening

    def _bot_topic(self: FakeTelegram, p: Params, chat: FakeChat) -> FakeTopic | None:
        """The topic the bot names with ``message_thread_id`` (None: General, or none named)."""
        thread_id = p.int("message_thread_id")
        if thread_id is None:
            return None
        if not chat.is_forum:  # a bot that names a topic where there are none is mistaken
            raise bad_request("message thread not found", violation=True)
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise bad_request("message thread not found")
        return topic

    def _check_open(self: FakeTelegram, chat: FakeChat, topic: FakeTopic | None) -> None:
        if topic is not None and topic.closed and chat.bot_status != "administrator":
            raise bad_request("TOPIC_CLOSED")
