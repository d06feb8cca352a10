"""Resident requests (诉求): reported, assigned, handled, confirmed and rated."""

from __future__ import annotations

from telegram.ext import Application

from handlers.base import Command


def register(app: Application) -> list[Command]:
    return []
