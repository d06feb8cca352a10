"""Fixtures for testing the Telegram stand-in itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.local.standin import FakeTelegram
from tests.standin.support import SPEC, Api


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    # These tests send message after message into one private chat to check what Telegram
    # accepts; flood control, one message a second by default, is tested with its own clock.
    async with FakeTelegram(spec_path=SPEC, private_rate=(30, 1.0)) as server:
        yield server


@pytest.fixture
async def api(tg: FakeTelegram) -> AsyncIterator[Api]:
    async with httpx.AsyncClient() as client:
        yield Api(tg, client)
