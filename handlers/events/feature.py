"""What events offer the application: their commands, buttons and schedules."""

from __future__ import annotations

import functools

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import ID, Command
from handlers.events.agenda import agenda_command
from handlers.events.calendar import calendar_command, calendar_pressed, list_command
from handlers.events.card import refresh, rsvp_pressed, rsvps_command
from handlers.events.changes import change_command, holiday_pressed
from handlers.events.common import SCHEDULE_KIND
from handlers.events.drafting import create, drop_pressed, save_pressed
from handlers.events.reception import answer_command, ask_command, questions_command
from handlers.events.reminders import deliver

COMMANDS = [
    Command("events", N_("Upcoming evening talks and reception days"), convener=False),
    Command("event", N_("Schedule an evening talk: title, then lines 时间, 地点, 主持"), convener=True,
            where="both"),
    Command("reception", N_("Schedule a reception day (接待日)"), convener=True, where="both"),
    Command("event_cancel", N_("Cancel one occurrence or the whole series, with a reason"), convener=True),
    Command("event_move", N_("Move one occurrence or the whole series, with a reason"), convener=True),
    Command("agenda", N_("The agenda of the next talk; conveners add items"), convener=False),
    Command("rsvps", N_("Who is coming to the next occurrence"), convener=True),
    Command("ask", N_("Queue a question for the next reception day"), convener=False, where="both"),
    Command("questions", N_("The reception day's question queue"), convener=True),
    Command("answer", N_("Answer a queued question, or carry it to the next reception day"), convener=True),
    Command("calendar", N_("This chat's events as a calendar file (.ics)"), convener=False),
]


def register(app: Application) -> list[Command]:
    for command in ("event", "talk", "reception"):
        app.add_handler(CommandHandler(command, create))
    app.add_handler(CommandHandler("events", list_command))
    app.add_handler(CommandHandler(["event_cancel", "event_move"], change_command))
    app.add_handler(CommandHandler("agenda", agenda_command))
    app.add_handler(CommandHandler("rsvps", rsvps_command))
    app.add_handler(CommandHandler("ask", ask_command))
    app.add_handler(CommandHandler(["questions", "reception_queue"], questions_command))
    app.add_handler(CommandHandler("answer", answer_command))
    app.add_handler(CommandHandler("calendar", calendar_command))
    app.add_handler(CallbackQueryHandler(save_pressed, pattern=rf"^ev:s:{ID}$"))
    app.add_handler(CallbackQueryHandler(drop_pressed, pattern=rf"^ev:x:{ID}$"))
    app.add_handler(CallbackQueryHandler(rsvp_pressed, pattern=rf"^ev:r:{ID}:{ID}:[gmn]$"))
    app.add_handler(CallbackQueryHandler(calendar_pressed, pattern=rf"^ev:c:{ID}$"))
    app.add_handler(CallbackQueryHandler(holiday_pressed, pattern=rf"^ev:h:{ID}:{ID}$"))
    runtime(app).scheduler.register(SCHEDULE_KIND, deliver)
    runtime(app).refresher.replays("event", functools.partial(refresh, runtime(app), app.bot))
    return COMMANDS
