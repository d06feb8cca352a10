"""Helpers for testing the Telegram stand-in: the API description and a small client."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.local.standin import FakeTelegram


def find_spec() -> Path | None:
    """The Bot API description beside the repository, or the one named by YISHI_BOT_API_SPEC."""
    configured = os.environ.get("YISHI_BOT_API_SPEC")
    path = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[3] / "shared/telegram-bot-api/api.json"
    )
    return path if path.is_file() else None


SPEC = find_spec()
needs_spec = pytest.mark.skipif(SPEC is None, reason="Bot API description (api.json) not found")


class Api:
    """A minimal Bot API client: ``await api("sendMessage", chat_id=1, text="hi")``."""

    def __init__(self, tg: FakeTelegram, client: httpx.AsyncClient) -> None:
        self.tg = tg
        self.client = client

    async def __call__(self, method: str, **params: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"{self.tg.url}/bot{self.tg.token}/{method}", json=params, timeout=30
        )
        body = response.json()
        assert (response.status_code == 200) == body["ok"], body
        if not body["ok"]:
            assert body["error_code"] == response.status_code
        return body

    async def ok(self, method: str, **params: Any) -> Any:
        body = await self(method, **params)
        assert body["ok"], body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str, dict[str, Any]]:
        body = await self(method, **params)
        assert not body["ok"], body
        return body["error_code"], body["description"], body.get("parameters", {})

    async def updates(self, **params: Any) -> list[dict[str, Any]]:
        return await self.ok("getUpdates", **params)
