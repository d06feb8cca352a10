"""A local Telegram Bot API server with scriptable users, groups and messages.

``FakeTelegram`` serves the Bot API over HTTP on 127.0.0.1 and keeps the state of the
world (users, chats, messages, pending updates). Scenario code plays the users through
``FakeUser``/``FakeChat`` objects and reads what the bot wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.local.standin.methods import ApiMethods
from bot.local.standin.params import ApiError, Params, decode_value
from bot.local.standin.scenario import (
    Call,
    CallbackAnswer,
    FakeChat,
    FakeDocument,
    FakeMessage,
    FakeUser,
)
from bot.local.standin.spec import ApiSpec, Upload
from bot.local.standin.text import command_of, detect_entities, utf16_slice

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GROUP_ANONYMOUS_BOT_ID = 1087968824
DEFAULT_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
WEBHOOK_RETRY_DELAYS = (0.0, 0.1, 0.3, 1.0, 2.0)  # then every 2 s


@dataclass
class _Update:
    update_id: int
    kind: str
    payload: dict[str, Any]
    delivered: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass
class _Query:
    future: asyncio.Future[CallbackAnswer]
    data: str | None


class FakeTelegram(ApiMethods):
    """The Telegram Bot API as a bot sees it, plus the people and chats around the bot."""

    def __init__(
        self,
        spec_path: str | Path | None = None,
        bot_username: str = "yishi_test_bot",
        token: str = BOT_TOKEN,
        group_rate: tuple[int, float] = (20, 60.0),
        *,
        bot_name: str = "Yishi",
        private_rate: tuple[int, float] = (1, 1.0),
        global_rate: tuple[int, float] = (30, 1.0),
    ) -> None:
        self.spec: ApiSpec | None = ApiSpec.load(spec_path) if spec_path else None
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.group_rate = group_rate
        # Flood control, as (messages, seconds) sliding windows of sends and edits: per group,
        # per private chat (exactly one a second: a limiter that dates each send by when its call
        # completed never trips it, so no tolerance is needed), and across all chats.
        self.private_rate = private_rate
        self.global_rate = global_rate
        self.url = ""
        self.bot = FakeUser(self, self.bot_id, bot_name, username=bot_username, is_bot=True)
        self.anonymous_admin = FakeUser(
            self, GROUP_ANONYMOUS_BOT_ID, "Group", username="GroupAnonymousBot", is_bot=True
        )
        self.violations: list[str] = []
        self.calls: list[Call] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.rate_limited = 0
        self.not_modified = 0
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self._user_ids = itertools.count(1001)
        self._group_ids = itertools.count(4001)
        self._supergroup_ids = itertools.count(1001000000001)
        self._file_numbers = itertools.count(1)
        self._files: dict[str, FakeDocument] = {}
        self._file_paths: dict[str, str] = {}
        self._updates: list[_Update] = []
        self._latest: dict[str, dict[str, Any]] = {}  # the last payload of each kind of update
        self._update_ids = itertools.count(700000001)
        self._allowed_updates: list[str] | None = None
        self._queries: dict[str, _Query] = {}
        self._chat_instances: dict[int, str] = {}
        self._flood_sends: dict[int, deque[float]] = {}  # when each chat's recent sends were counted
        self._all_sends: deque[float] = deque()
        self.flood_clock: Callable[[], float] = time.monotonic  # what flood control counts seconds by
        self._poll_generation = 0
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._event = asyncio.Event()
        self._closed = False
        self.webhook: dict[str, Any] | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_busy = False
        self._webhook_task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._watchers: list[Callable[[str, FakeMessage], None]] = []

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        self._event = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self._webhook_task = asyncio.create_task(self._webhook_loop())

    async def stop(self) -> None:
        self._closed = True
        self._touch()
        for query in self._queries.values():
            if not query.future.done():
                query.future.cancel()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

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
                can_pin_messages=True,
                can_manage_topics=False,
            )
        elif status == "kicked":
            out["until_date"] = 0
        return out

    # -- scenario actions ------------------------------------------------------------------

    async def _user_sends(
        self,
        user: FakeUser,
        chat: FakeChat,
        *,
        text: str | None,
        reply_to: FakeMessage | None = None,
        document: FakeDocument | None = None,
        photo: FakeDocument | None = None,
    ) -> FakeMessage:
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

    async def next_change(self) -> None:
        """Wait until anything happens in the world (a message, an edit, a request)."""
        await self._event.wait()

    # -- waiting ---------------------------------------------------------------------------

    def _touch(self) -> None:
        """Wake up everything waiting for a change of state."""
        self._event.set()
        self._event = asyncio.Event()

    async def _wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109
    ) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True

    def deliver_again(self, kind: str = "callback_query") -> None:
        """Deliver the latest update of ``kind`` once more, as Telegram may when the bot's
        confirmation of it was lost (a crash, a webhook timeout)."""
        self._enqueue(kind, self._latest[kind])

    async def until(self, predicate: Callable[[], bool], timeout: float = 10, what: str = "") -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` holds (checked whenever the bot does something)."""
        if not await self._wait_until(predicate, timeout):
            raise AssertionError(f"not reached within {timeout}s: {what or predicate}")

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Return once the bot has been silent (apart from a long poll) for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = time.monotonic()
            busy = self._inflight > 0 or self._webhook_busy or self._undelivered()
            if not busy and now - self._last_activity >= quiet:
                return
            if loop.time() >= deadline:
                reason = "updates are waiting to be fetched" if self._undelivered() else "busy"
                if self.webhook is not None and self._webhook_error is not None:
                    reason += f"; webhook: {self._webhook_error[1]}"
                raise TimeoutError(f"the bot did not become idle within {timeout}s ({reason})")
            await asyncio.sleep(0.02)

    def _undelivered(self) -> bool:
        return any(not u.delivered for u in self._updates)

    def _recent_activity(self, chat: FakeChat) -> str:
        lines = ["recent bot messages there:"]
        for message in chat.bot_messages[-5:]:
            state = " (deleted)" if message.deleted else ""
            lines.append(f"  #{message.message_id}{state}: {message.text!r}")
        if len(lines) == 1:
            lines.append("  (none)")
        related = [c for c in self.calls if str(c.params.get("chat_id")) == str(chat.id) or c.status != 200][
            -8:
        ]
        if related:
            lines.append("recent calls:")
            for call in related:
                detail = f" {call.description}" if call.description else ""
                lines.append(f"  {call.method} -> {call.status}{detail}")
        if self.violations:
            lines.append(f"violations: {self.violations[-5:]}")
        pending = [u for u in self._updates if not u.delivered]
        if pending:
            lines.append(f"{len(pending)} update(s) not fetched by the bot yet")
        if self.webhook is not None and self._webhook_error is not None:
            lines.append(f"webhook {self.webhook['url']}: {self._webhook_error[1]}")
        return "\n".join(lines)

    # -- updates -----------------------------------------------------------------------------

    def _allowed(self, kind: str) -> bool:
        if not self._allowed_updates:
            return kind in DEFAULT_UPDATES
        return kind in self._allowed_updates

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        if not self._allowed(kind):
            return
        self._latest[kind] = payload
        self._updates.append(_Update(next(self._update_ids), kind, payload))
        self._touch()

    async def _webhook_loop(self) -> None:
        async with aiohttp.ClientSession() as session:
            while not self._closed:
                if self.webhook is None or not self._updates:
                    await self._wait_until(
                        lambda: self._closed or (self.webhook is not None and bool(self._updates)),
                        3600,
                    )
                    continue
                await self._deliver_one(session, self._updates[0])

    async def _deliver_one(self, session: aiohttp.ClientSession, update: _Update) -> None:
        """POST one update to the webhook, retrying (like Telegram) until it is accepted."""
        hook = self.webhook
        assert hook is not None
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        self._webhook_busy = True
        try:
            for attempt in itertools.count():
                delay = WEBHOOK_RETRY_DELAYS[min(attempt, len(WEBHOOK_RETRY_DELAYS) - 1)]
                if delay:
                    await asyncio.sleep(delay)
                if self.webhook is not hook or self._closed or update not in self._updates:
                    return
                update.delivered = True
                try:
                    async with session.post(
                        hook["url"],
                        data=json.dumps(update.to_dict()),
                        headers=headers,
                        timeout=aiohttp.ClientTimeout(total=10),
                    ) as response:
                        body = await response.read()
                        if 200 <= response.status < 300:
                            self._confirm(update)
                            await self._webhook_reply(body)
                            return
                        message = f"Wrong response from the webhook: {response.status}"
                        self._webhook_error = (int(time.time()), message)
                except (aiohttp.ClientError, TimeoutError, OSError) as error:
                    message = f"Connection failed: {error or type(error).__name__}"
                    self._webhook_error = (int(time.time()), message)
        finally:
            self._webhook_busy = False
            self._last_activity = time.monotonic()

    def _confirm(self, update: _Update) -> None:
        if update in self._updates:
            self._updates.remove(update)
        self._touch()

    async def _webhook_reply(self, body: bytes) -> None:
        """A webhook answer may itself be a Bot API call, as Telegram allows."""
        try:
            reply = json.loads(body) if body.strip() else None
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {k: v for k, v in reply.items() if k != "method"}
            await self._dispatch(self.token, reply["method"], params, {})

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        path = request.match_info["path"]
        for file_id, file_path in self._file_paths.items():
            if file_path == path:
                document = self._files[file_id]
                return web.Response(
                    body=document.data,
                    content_type=document.mime_type or "application/octet-stream",
                )
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        polling = method.lower() == "getupdates"
        if not polling:
            self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            try:
                params, uploads = await self._read_params(request)
            except ApiError as error:
                self._record(method, {}, error)
                return web.json_response(error.payload(), status=error.code)
            status, payload = await self._dispatch(request.match_info["token"], method, params, uploads)
            return web.json_response(payload, status=status, dumps=_dumps)
        finally:
            if not polling:
                self._inflight -= 1
                self._last_activity = time.monotonic()

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
        params: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.method not in ("POST", "PUT") or not request.can_read_body:
            return params, uploads
        content_type = request.content_type
        if content_type == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON encoded request") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON request must be an object")
                params.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    upload = Upload(name, value.filename, value.content_type, value.file.read())
                    uploads[name] = upload
                    params[name] = upload
                else:
                    params[name] = value
        return params, uploads

    async def _dispatch(
        self, token: str, method: str, params: dict[str, Any], uploads: dict[str, Upload]
    ) -> tuple[int, dict[str, Any]]:
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            name = self._method_name(method)
            if name is None:
                raise ApiError(404, "Not Found", violation=True)
            method = name
            if self.spec is not None:
                problems = self.spec.validate_call(name, params, uploads)
                if problems:
                    self.violations.extend(f"{name}: {problem}" for problem in problems)
                    raise ApiError(400, f"Bad Request: {problems[0]}")
            handler = getattr(self, f"api_{name}", None)
            if handler is None:
                raise ApiError(
                    400, "Bad Request: method is not supported by this test server", violation=True
                )
            result = await handler(Params(params, uploads))
        except ApiError as error:
            self._record(method, params, error)
            return error.code, error.payload()
        self._record(method, params, None)
        return 200, {"ok": True, "result": result}

    def _method_name(self, method: str) -> str | None:
        if self.spec is not None:
            return self.spec.method_name(method)
        return self._known_methods().get(method.lower())

    @classmethod
    def _known_methods(cls) -> dict[str, str]:
        return {
            name[len("api_") :].lower(): name[len("api_") :] for name in dir(cls) if name.startswith("api_")
        }

    def _record(self, method: str, params: dict[str, Any], error: ApiError | None) -> None:
        decoded = {
            k: (f"<file {v.filename}>" if isinstance(v, Upload) else decode_value(k, v))
            for k, v in params.items()
        }
        if error is None:
            self.calls.append(Call(method, decoded, 200))
            return
        self.calls.append(Call(method, decoded, error.code, error.description))
        if error.code == 429:
            self.rate_limited += 1
        if error.violation:
            chat = decoded.get("chat_id")
            where = f" (chat {chat})" if chat is not None else ""
            self.violations.append(f"{method}: {error.description}{where}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
