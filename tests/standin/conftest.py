"""Fixtures for testing the Telegram stand-in itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.local.standin import FakeTelegram
from tests.standin.support import SPEC, Api


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(spec_path=SPEC) as server:
        yield server


@pytest.fixture
async def api(tg: FakeTelegram) -> AsyncIterator[Api]:
    async with httpx.AsyncClient() as client:
        yield Api(tg, client)
