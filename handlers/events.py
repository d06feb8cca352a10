"""Evening talks and reception days: recurring events, reminders, RSVPs, agendas, the queue."""

from __future__ import annotations

from telegram.ext import Application

from handlers.base import Command


def register(app: Application) -> list[Command]:
    return []
