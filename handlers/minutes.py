"""Minutes taken live in the chat, and the action items they create, followed until done."""

from __future__ import annotations

from telegram.ext import Application

from handlers.base import Command


def register(app: Application) -> list[Command]:
    return []
