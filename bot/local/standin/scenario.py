"""Users, chats and messages of the Telegram stand-in, as seen by a test scenario."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.local.standin.records import Button, CallbackAnswer, FakeDocument, Reads

if TYPE_CHECKING:
    from bot.local.standin.forum import FakeTopic
    from bot.local.standin.server import FakeTelegram




class FakeUser:
    """A Telegram account: a person played by the scenario, or the bot itself."""

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_bot: bool = False,
    ) -> None:
        self._tg = tg
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.is_bot = is_bot
        self.started = False  # has written to the bot, so the bot may write back
        self.blocked = False
        self._private: FakeChat | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    @property
    def private(self) -> FakeChat:
        """The private chat between this user and the bot."""
        if self._private is None:
            self._private = self._tg._private_chat(self)
        return self._private

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code and not self.is_bot:
            out["language_code"] = self.language_code
        return out

    async def send(self, chat: FakeChat | FakeTopic, text: str,
                   reply_to: FakeMessage | None = None) -> FakeMessage:
        """Write a text message in ``chat``, or in a topic of a forum (commands, mentions and links
        are detected). A reply goes to the topic of the message it answers."""
        return await self._tg._user_sends(self, chat, text=text, reply_to=reply_to)

    async def send_document(
        self,
        chat: FakeChat | FakeTopic,
        file_name: str,
        data: bytes,
        caption: str | None = None,
        mime_type: str | None = None,
        reply_to: FakeMessage | None = None,
    ) -> FakeMessage:
        """Send a file to ``chat``, optionally with a caption."""
        document = self._tg._store_file(data, file_name=file_name, mime_type=mime_type)
        return await self._tg._user_sends(self, chat, text=caption, reply_to=reply_to, document=document)

    async def send_photo(self, chat: FakeChat, data: bytes, caption: str | None = None,
                         reply_to: FakeMessage | None = None) -> FakeMessage:
        """Send a photo to ``chat``, optionally with a caption (commands in it are detected)."""
        picture = self._tg._store_file(data, file_name=None, mime_type="image/jpeg", folder="photos")
        return await self._tg._user_sends(self, chat, text=caption, photo=picture, reply_to=reply_to)

    async def edit(self, message: FakeMessage, text: str) -> FakeMessage:
        """Edit one of this user's own messages (the bot gets an edited_message update)."""
        return await self._tg._user_edits(self, message, text)

    async def press(
        self,
        message: FakeMessage,
        text: str | None = None,
        *,
        data: str | None = None,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Press an inline button of ``message`` (by its exact text, or send raw ``data``)."""
        return await self._tg._press(self, message, text=text, data=data, timeout=timeout)

    def block_bot(self) -> None:
        """Block the bot: from now on the bot can't write to this user."""
        self._tg._set_private_status(self, "kicked")

    def unblock_bot(self) -> None:
        self._tg._set_private_status(self, "member")

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.full_name!r}>"


class FakeChat(Reads):
    """A private chat, basic group or supergroup (a forum when ``is_forum``: see ``create_topic``)."""

    def __init__(self, tg: FakeTelegram, chat_id: int, chat_type: str, *, title: str | None = None) -> None:
        self._tg = tg
        self.id = chat_id
        self.type = chat_type
        self.title = title
        self.admins: list[FakeUser] = []
        self.members: list[FakeUser] = []
        self.bot_status = "left"
        self.migrated_to: FakeChat | None = None
        self.migrated_from: FakeChat | None = None
        self.user: FakeUser | None = None  # the other party of a private chat
        self.messages: list[FakeMessage] = []
        self.pinned: FakeMessage | None = None
        # An administrator bot may pin messages unless this is turned off (its can_pin_messages).
        self.bot_can_pin = True
        self.is_forum = False
        self.topics: dict[int, FakeTopic] = {}  # by message_thread_id
        self._next_message_id = 1
        self._cursor = 0

    # -- description ---------------------------------------------------------------------

    @property
    def bot_messages(self) -> list[FakeMessage]:
        return [m for m in self.messages if m.sender is self._tg.bot and not m.service]

    @property
    def creator(self) -> FakeUser | None:
        return self.admins[0] if self.admins else None

    @property
    def everyone(self) -> list[FakeUser]:
        """All human participants, admins first."""
        seen: dict[int, FakeUser] = {}
        for user in [*self.admins, *self.members]:
            seen.setdefault(user.id, user)
        return list(seen.values())

    def status_of(self, user: FakeUser) -> str:
        if user is self._tg.bot:
            return self.bot_status
        if self.type == "private":
            return "member" if user is self.user else "left"
        if self.admins and user is self.admins[0]:
            return "creator"
        if user in self.admins:
            return "administrator"
        if user in self.members:
            return "member"
        return "left"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            user = self.user.to_dict()
            for key in ("first_name", "last_name", "username"):
                if key in user:
                    out[key] = user[key]
        else:
            out["title"] = self.title or ""
        if self.is_forum:
            out["is_forum"] = True
        return out

    # -- membership ----------------------------------------------------------------------

    def add_member(self, user: FakeUser, *, announce: bool = True) -> None:
        """Add a user; if the bot is in the chat, a "new member" service message is sent."""
        if user in self.members or user in self.admins:
            return
        self.members.append(user)
        if announce and self.bot_status in ("member", "administrator"):
            self._tg._service_message(self, user, new_chat_members=[user])

    def add_admin(self, user: FakeUser) -> None:
        """Make a user an administrator of the chat."""
        if user in self.members:
            self.members.remove(user)
        if user not in self.admins:
            self.admins.append(user)

    async def promote(self, user: FakeUser, by: FakeUser) -> None:
        """``by`` makes ``user`` an administrator. Like Telegram, a bot that is itself an
        administrator hears of it (a chat_member update, when it asked for those)."""
        await self._tg._change_member(self, user, by, self.add_admin)

    def remove_member(self, user: FakeUser) -> None:
        """The user leaves the chat (a "left member" service message is sent)."""
        was_in = user in self.members or user in self.admins
        for group in (self.members, self.admins):
            if user in group:
                group.remove(user)
        if was_in and self.bot_status in ("member", "administrator"):
            self._tg._service_message(self, user, left_chat_member=user)

    async def add_bot(self, by: FakeUser, as_admin: bool = False) -> None:
        await self._tg._add_bot(self, by, as_admin)

    async def kick_bot(self, by: FakeUser) -> None:
        await self._tg._kick_bot(self, by)

    async def promote_bot(self, by: FakeUser) -> None:
        """Make the bot an administrator of the chat."""
        await self._tg._set_bot_status(self, by, "administrator")

    async def migrate(self, by: FakeUser | None = None) -> FakeChat:
        """Upgrade this basic group to a supergroup, returning the new chat."""
        return await self._tg._migrate(self, by)

    async def create_topic(self, name: str, by: FakeUser) -> FakeTopic:
        """``by`` opens a topic in this forum (the bot gets the forum_topic_created message)."""
        return await self._tg._create_topic(self, name, by)

    @property
    def general(self) -> list[FakeMessage]:
        """What the bot wrote in a forum's General topic (outside every topic)."""
        return [m for m in self.bot_messages if m.topic is None]

    @property
    def _where(self) -> FakeChat:
        return self

    def describe(self) -> str:
        name = self.title if self.type != "private" else (self.user and self.user.full_name)
        return f"{self.type} chat {self.id} ({name})"

    def __repr__(self) -> str:
        return f"<FakeChat {self.describe()}>"


@dataclass(eq=False)
class FakeMessage:
    message_id: int
    chat: FakeChat
    sender: FakeUser
    date: int = field(default_factory=lambda: int(time.time()))
    text: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    versions: list[str | None] = field(default_factory=list)
    document: FakeDocument | None = None
    photo: FakeDocument | None = None
    reply_to: FakeMessage | None = None
    deleted: bool = False
    edit_date: int | None = None
    service: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. forward_origin
    sender_chat: FakeChat | None = None
    topic: FakeTopic | None = None  # the forum topic it is in (None: General, or not a forum)
    _edits_seen: int = 0

    @property
    def edit_count(self) -> int:
        return len(self.versions)

    @property
    def buttons(self) -> list[list[Button]]:
        if not self.reply_markup:
            return []
        return [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in self.reply_markup.get("inline_keyboard", [])
        ]

    @property
    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    @property
    def has_media(self) -> bool:
        return self.document is not None or self.photo is not None

    def to_dict(self, *, nested: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"message_id": self.message_id, "from": self.sender.to_dict()}
        if self.sender_chat is not None:
            out["sender_chat"] = self.sender_chat.to_dict()
        out["chat"] = self.chat.to_dict()
        out["date"] = self.date
        if self.topic is not None:
            out.update(message_thread_id=self.topic.thread_id, is_topic_message=True)
        if self.edit_date is not None:
            out["edit_date"] = self.edit_date
        if nested and self.reply_to is not None and not self.reply_to.deleted:
            out["reply_to_message"] = self.reply_to.to_dict(nested=False)
        if self.document is not None:
            out["document"] = self.document.to_dict()
        if self.photo is not None:
            out["photo"] = [
                {
                    "file_id": self.photo.file_id,
                    "file_unique_id": self.photo.file_unique_id,
                    "file_size": len(self.photo.data),
                    "width": 320,
                    "height": 320,
                }
            ]
        if self.text is not None:
            if self.has_media:
                out["caption"] = self.text
                if self.entities:
                    out["caption_entities"] = self.entities
            else:
                out["text"] = self.text
                if self.entities:
                    out["entities"] = self.entities
        out.update(self.extra)
        for key, value in self.service.items():
            if isinstance(value, FakeUser):
                out[key] = value.to_dict()
            elif isinstance(value, list):
                out[key] = [v.to_dict() if isinstance(v, FakeUser) else v for v in value]
            else:
                out[key] = value
        if self.reply_markup:
            out["reply_markup"] = self.reply_markup
        return out

    def __str__(self) -> str:
        return self.text or ""

    def __repr__(self) -> str:
        who = "bot" if self.sender.is_bot else self.sender.first_name
        return f"<FakeMessage {self.chat.id}/{self.message_id} {who}: {self.text!r}>"
