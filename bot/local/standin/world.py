"""The world around the bot: its people, chats and messages, and what the people do there.

``World`` keeps the users and chats, stores messages and files, and turns what scenario code
makes people do (write, edit, press a button, add or kick the bot, upgrade a group)
into the updates the bot gets. ``FakeTelegram`` inherits it.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.local.standin.forum import FakeTopic
from bot.local.standin.records import CallbackAnswer, FakeDocument
from bot.local.standin.scenario import FakeChat, FakeMessage, FakeUser
from bot.local.standin.text import command_of, detect_entities, utf16_slice


@dataclass
class _Query:
    future: asyncio.Future[CallbackAnswer]
    data: str | None


class World:
    """The people, chats and messages around the bot, and the scenario actions on them."""

    # -- the world -----------------------------------------------------------------------

    def user(
        self,
        first_name: str,
        language_code: str | None = "zh-hans",
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """A new Telegram user (ids 1001, 1002, ...)."""
        user = FakeUser(
            self,
            next(self._user_ids),
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[user.id] = user
        return user

    def group(
        self,
        title: str,
        admins: list[FakeUser] | None = None,
        members: list[FakeUser] | None = None,
    ) -> FakeChat:
        """A basic group (ids -4001, -4002, ...); the first admin is its creator."""
        return self._new_chat(-next(self._group_ids), "group", title, admins, members)

    def supergroup(
        self,
        title: str,
        admins: list[FakeUser] | None = None,
        members: list[FakeUser] | None = None,
    ) -> FakeChat:
        """A supergroup (ids -1001000000001, ...); the first admin is its creator."""
        return self._new_chat(-next(self._supergroup_ids), "supergroup", title, admins, members)

    def _new_chat(
        self,
        chat_id: int,
        chat_type: str,
        title: str,
        admins: list[FakeUser] | None,
        members: list[FakeUser] | None,
    ) -> FakeChat:
        chat = FakeChat(self, chat_id, chat_type, title=title)
        for admin in admins or []:
            chat.add_admin(admin)
        for member in members or []:
            chat.add_member(member, announce=False)
        self.chats[chat.id] = chat
        return chat

    def _private_chat(self, user: FakeUser) -> FakeChat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = FakeChat(self, user.id, "private")
            chat.user = user
            chat.bot_status = "member"
            self.chats[user.id] = chat
        return chat

    def _store_file(
        self,
        data: bytes,
        *,
        file_name: str | None,
        mime_type: str | None,
        folder: str = "documents",
    ) -> FakeDocument:
        number = next(self._file_numbers)
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        prefix = "AgACAgIAAxkBAAI" if folder == "photos" else "BQACAgIAAxkBAAI"
        document = FakeDocument(
            file_name=file_name,
            mime_type=mime_type,
            data=data,
            file_id=prefix + secrets.token_urlsafe(48),
            file_unique_id="AgAD" + secrets.token_urlsafe(9),
        )
        suffix = Path(file_name).suffix if file_name else (".jpg" if folder == "photos" else "")
        self._files[document.file_id] = document
        self._file_paths[document.file_id] = f"{folder}/file_{number}{suffix}"
        return document

    def _add_message(self, chat: FakeChat, sender: FakeUser, **fields: Any) -> FakeMessage:
        message = FakeMessage(message_id=chat._next_message_id, chat=chat, sender=sender, **fields)
        chat._next_message_id += 1
        chat.messages.append(message)
        self._notify("new", message)
        return message

    def _find_message(self, chat: FakeChat, message_id: int | None) -> FakeMessage | None:
        for message in reversed(chat.messages):
            if message.message_id == message_id:
                return message
        return None

    def _service_message(self, chat: FakeChat, sender: FakeUser, **service: Any) -> FakeMessage:
        message = self._add_message(chat, sender, service=service)
        if chat.bot_status in ("member", "administrator"):
            self._enqueue("message", message.to_dict())
        return message

    def _member(self, chat: FakeChat, user: FakeUser) -> dict[str, Any]:
        status = chat.status_of(user)
        out: dict[str, Any] = {"status": status, "user": user.to_dict()}
        if status == "creator":
            out["is_anonymous"] = False
        elif status == "administrator":
            out.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_pin_messages=chat.bot_can_pin if user is self.bot else True,
                can_manage_topics=False,
            )
        elif status == "kicked":
            out["until_date"] = 0
        return out

    def continue_updates_after(self, update_id: int) -> None:
        """Number the next updates after ``update_id``, as Telegram goes on from where a bot left
        off (a database an earlier run kept has seen the first ones)."""
        self._update_ids = itertools.count(update_id + 1)

    # -- scenario actions ------------------------------------------------------------------

    async def _user_sends(
        self,
        user: FakeUser,
        where: FakeChat | FakeTopic,
        *,
        text: str | None,
        reply_to: FakeMessage | None = None,
        document: FakeDocument | None = None,
        photo: FakeDocument | None = None,
    ) -> FakeMessage:
        chat, topic, reply_to = self._user_place(where, user, reply_to)
        if chat.migrated_to is not None:
            raise ValueError(f"{chat.describe()} was upgraded to {chat.migrated_to.describe()}")
        if chat.type == "private":
            if chat.user is not user:
                raise ValueError(f"{user!r} can't write in the private chat of {chat.user!r}")
            if user.blocked:
                self._set_private_status(user, "member")
            user.started = True
        elif user not in chat.everyone:
            chat.members.append(user)
        entities = detect_entities(text) if text else []
        message = self._add_message(
            chat,
            user,
            text=text,
            entities=entities,
            document=document,
            photo=photo,
            reply_to=reply_to,
            topic=topic,
        )
        if self._bot_receives(chat, message):
            self._enqueue("message", message.to_dict())
        await asyncio.sleep(0)
        return message

    async def _user_edits(self, user: FakeUser, message: FakeMessage, text: str) -> FakeMessage:
        if message.sender is not user or message.deleted:
            raise ValueError(f"{user!r} can't edit {message!r}")
        message.versions.append(message.text)
        message.text = text
        message.entities = detect_entities(text)
        message.edit_date = int(time.time())
        if self._bot_receives(message.chat, message):
            self._enqueue("edited_message", message.to_dict())
        self._touch()
        await asyncio.sleep(0)
        return message

    def _bot_receives(self, chat: FakeChat, message: FakeMessage) -> bool:
        """Whether the bot gets this message (privacy mode applies in groups)."""
        if chat.bot_status not in ("member", "administrator"):
            return False
        if chat.type == "private" or message.service or chat.bot_status == "administrator":
            return True
        if message.reply_to is not None and message.reply_to.sender is self.bot:
            return True
        command = command_of(message.text, message.entities)
        if command is not None:
            addressee = command[1]
            return addressee is None or addressee.lower() == self.bot_username.lower()
        mention = f"@{self.bot_username}".lower()
        for entity in message.entities:
            text = utf16_slice(message.text or "", entity["offset"], entity["length"])
            if entity["type"] == "mention" and text.lower() == mention:
                return True
        return False

    async def _add_bot(self, chat: FakeChat, by: FakeUser, as_admin: bool) -> None:
        if chat.type == "private":
            raise ValueError("the bot can't be added to a private chat")
        if chat.migrated_to is not None:
            raise ValueError(f"{chat.describe()} was upgraded to a supergroup")
        if by not in chat.everyone:
            chat.members.append(by)
        await self._set_bot_status(chat, by, "administrator" if as_admin else "member")
        self._service_message(chat, by, new_chat_members=[self.bot])
        await asyncio.sleep(0)

    async def _kick_bot(self, chat: FakeChat, by: FakeUser) -> None:
        if chat.type == "private":
            raise ValueError("use user.block_bot() for private chats")
        await self._set_bot_status(chat, by, "kicked")
        self._add_message(chat, by, service={"left_chat_member": self.bot})

    async def _set_bot_status(self, chat: FakeChat, by: FakeUser, status: str) -> None:
        old = self._member(chat, self.bot)
        chat.bot_status = status
        self._enqueue(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": by.to_dict(),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": self._member(chat, self.bot),
            },
        )
        await asyncio.sleep(0)

    async def _change_member(self, chat: FakeChat, user: FakeUser, by: FakeUser,
                             change: Callable[[FakeUser], None]) -> None:
        old = self._member(chat, user)
        change(user)
        if chat.bot_status == "administrator":
            self._enqueue(
                "chat_member",
                {
                    "chat": chat.to_dict(),
                    "from": by.to_dict(),
                    "date": int(time.time()),
                    "old_chat_member": old,
                    "new_chat_member": self._member(chat, user),
                },
            )
        await asyncio.sleep(0)

    def _set_private_status(self, user: FakeUser, status: str) -> None:
        chat = user.private
        if chat.bot_status == status:
            return
        old = self._member(chat, self.bot)
        chat.bot_status = status
        user.blocked = status == "kicked"
        if user.started:
            self._enqueue(
                "my_chat_member",
                {
                    "chat": chat.to_dict(),
                    "from": user.to_dict(),
                    "date": int(time.time()),
                    "old_chat_member": old,
                    "new_chat_member": self._member(chat, self.bot),
                },
            )

    async def _migrate(self, chat: FakeChat, by: FakeUser | None) -> FakeChat:
        if chat.type != "group":
            raise ValueError("only basic groups can be upgraded to supergroups")
        if chat.migrated_to is not None:
            return chat.migrated_to
        by = by or chat.creator
        if by is None:
            raise ValueError("who upgrades the group? pass by=")
        new = self._new_chat(-next(self._supergroup_ids), "supergroup", chat.title or "", chat.admins, [])
        new.members = list(chat.members)
        new.bot_status = chat.bot_status
        chat.migrated_to = new
        new.migrated_from = chat
        self._service_message(chat, by, migrate_to_chat_id=new.id)
        message = self._add_message(
            new,
            self.anonymous_admin,
            sender_chat=new,
            service={"migrate_from_chat_id": chat.id},
        )
        if new.bot_status in ("member", "administrator"):
            self._enqueue("message", message.to_dict())
        await asyncio.sleep(0)
        return new

    async def _press(
        self,
        user: FakeUser,
        message: FakeMessage,
        *,
        text: str | None,
        data: str | None,
        timeout: float,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        if message.deleted:
            raise ValueError(f"{message!r} was deleted")
        if data is None:
            if text is None:
                raise TypeError("press() needs the button text or data=")
            found = [b for row in message.buttons for b in row if b.text == text]
            if not found:
                raise LookupError(f"no button {text!r} on {message!r}; buttons: {message.button_texts}")
            if found[0].callback_data is None:
                raise ValueError(f"button {text!r} opens {found[0].url!r}, it has no callback")
            data = found[0].callback_data
        query_id = str(secrets.randbelow(10**18) + 10**18)
        instance = self._chat_instances.setdefault(message.chat.id, str(secrets.randbelow(10**18) + 10**18))
        future: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        self._queries[query_id] = _Query(future, data)
        self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": message.to_dict(),
                "chat_instance": instance,
                "data": data,
            },
        )
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            self._queries.pop(query_id, None)
            raise TimeoutError(
                f"the bot did not answer the button press {data!r} on {message!r} within "
                f"{timeout}s\n" + self._recent_activity(message.chat)
            ) from None

    # -- watching ------------------------------------------------------------------------------

    def watch(self, watcher: Callable[[str, FakeMessage], None]) -> Callable[[], None]:
        """Call ``watcher(kind, message)`` for every message anyone sends ("new"), and for every
        edit ("edit") and deletion ("delete") by the bot; returns the function that stops it."""
        self._watchers.append(watcher)
        return lambda: self._watchers.remove(watcher)

    def _notify(self, kind: str, message: FakeMessage) -> None:
        for watcher in list(self._watchers):
            watcher(kind, message)
        self._touch()
