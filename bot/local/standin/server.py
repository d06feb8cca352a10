"""A local Telegram Bot API server with scriptable users, groups and messages.

``FakeTelegram`` serves the Bot API over HTTP on 127.0.0.1 and keeps the state of the
world (users, chats, messages, pending updates). Scenario code plays the users through
``FakeUser``/``FakeChat`` objects and reads what the bot wrote.

Here are the HTTP server, the dispatch of calls and the waiting; the world itself is in
``world``, the updates and their delivery in ``updates``, the methods in ``methods``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.local.standin.forum import Forums
from bot.local.standin.methods import ApiMethods
from bot.local.standin.params import ApiError, Params, decode_value
from bot.local.standin.records import Call, FakeDocument
from bot.local.standin.scenario import FakeChat, FakeMessage, FakeUser
from bot.local.standin.spec import ApiSpec, Upload
from bot.local.standin.updates import Updates, _Update
from bot.local.standin.world import World, _Query

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GROUP_ANONYMOUS_BOT_ID = 1087968824


class FakeTelegram(World, Forums, Updates, ApiMethods):
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
        # A slow network: seconds a call of a method (by name) is on its way, or a function giving them.
        # A call whose sender is gone by the time it arrives never reaches the server.
        self.latency: dict[str, float | Callable[[], float]] = {}
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

    async def next_change(self) -> None:
        """Wait until anything happens in the world (a message, an edit, a request)."""
        await self._event.wait()

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
            delay = self.latency.get(self._method_name(method) or method, 0)
            if delay:
                await asyncio.sleep(delay() if callable(delay) else delay)
                if request.transport is None or request.transport.is_closing():
                    return web.Response(status=499)
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
        self._touch()  # a refusal is news too, to whoever waits on the bot's calls


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
