"""The updates the bot gets: queued as the world changes, fetched with getUpdates or posted
to a webhook (retried, like Telegram, until the webhook accepts them).

``Updates`` is inherited by ``FakeTelegram``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from bot.local.standin.params import ApiError, Params, bad_request

if TYPE_CHECKING:
    from bot.local.standin.server import FakeTelegram

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


class Updates:
    """The queue of updates, its delivery to a webhook, and the Bot API methods for updates."""

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

    def deliver_again(self, kind: str = "callback_query") -> None:
        """Deliver the latest update of ``kind`` once more, as Telegram may when the bot's
        confirmation of it was lost (a crash, a webhook timeout)."""
        self._enqueue(kind, self._latest[kind])

    def _undelivered(self) -> bool:
        return any(not u.delivered for u in self._updates)

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

    # -- getting updates ---------------------------------------------------------------------

    async def api_getUpdates(self: FakeTelegram, p: Params) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.int("offset") or 0
        limit = min(max(p.int("limit") or 100, 1), 100)
        timeout = max(p.int("timeout") or 0, 0)
        allowed = p.json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise bad_request("can't parse allowed_updates JSON object", violation=True)
            self._allowed_updates = [str(kind) for kind in allowed]
            self._updates = [u for u in self._updates if self._allowed(u.kind)]
        if offset > 0:
            self._updates = [u for u in self._updates if u.update_id >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        if not self._updates and timeout > 0:
            await self._wait_until(
                lambda: (
                    bool(self._updates)
                    or self._closed
                    or self.webhook is not None
                    or self._poll_generation != generation
                ),
                timeout,
            )
        if self._poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        batch = self._updates[:limit]
        if batch:
            for update in batch:
                update.delivered = True
            self._last_activity = time.monotonic()
        return [update.to_dict() for update in batch]

    async def api_setWebhook(self: FakeTelegram, p: Params) -> Any:
        url = p.str("url") or ""
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        allowed = p.json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if not url:
            self.webhook = None
            self._touch()
            return True
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise bad_request("bad webhook: invalid webhook URL specified", violation=True)
        try:
            await asyncio.get_running_loop().getaddrinfo(parts.hostname, None)
        except OSError:
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known") from None
        secret = p.str("secret_token")
        if secret is not None and (
            not 1 <= len(secret) <= 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise bad_request("secret token contains unallowed characters", violation=True)
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": p.int("max_connections") or 40,
        }
        self._webhook_error = None
        self._touch()
        return True

    async def api_deleteWebhook(self: FakeTelegram, p: Params) -> Any:
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        self._touch()
        return True

    async def api_getWebhookInfo(self: FakeTelegram, p: Params) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info
