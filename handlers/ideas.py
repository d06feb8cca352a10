"""Golden ideas (金点子) and micro-wishes: submitted, endorsed, followed to a decision."""

from __future__ import annotations

from telegram.ext import Application

from handlers.base import Command


def register(app: Application) -> list[Command]:
    return []
