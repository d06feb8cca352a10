"""What ideas offer the application: their commands, buttons and the weekly digest."""

from __future__ import annotations

import functools

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import CHAT, ID, Command
from handlers.ideas.card import endorse, refresh, volunteer
from handlers.ideas.digest import SCHEDULE_KIND, deliver, digest_command
from handlers.ideas.lists import list_command, list_page
from handlers.ideas.managing import (
    agenda_command,
    agenda_pressed,
    manage,
    poll_command,
    poll_pressed,
    state_command,
    state_pressed,
)
from handlers.ideas.submitting import choose_group, draft_choice, submit

COMMANDS = [
    Command("idea", N_("Suggest a golden idea (金点子); privately, you may stay anonymous"),
            convener=False, where="both"),
    Command("wish", N_("Post a micro-wish (微心愿): a small concrete need"), convener=False, where="both"),
    Command("ideas", N_("Top ideas and wishes, by state or kind"), convener=False),
    Command("idea_state", N_("Move an idea on: discussion, accepted, in_progress, done, declined, merged"),
            convener=True),
    Command("idea_poll", N_("Put an idea to the vote as a proposal"), convener=True),
    Command("idea_agenda", N_("Put an idea on the next meeting's agenda"), convener=True),
    Command("digest", N_("This week's ideas; conveners set the weekly digest's day and time"),
            convener=False),
]


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler(["idea", "wish"], submit))
    app.add_handler(CommandHandler("ideas", list_command))
    app.add_handler(CommandHandler("idea_state", state_command))
    app.add_handler(CommandHandler("idea_poll", poll_command))
    app.add_handler(CommandHandler("idea_agenda", agenda_command))
    app.add_handler(CommandHandler("digest", digest_command))
    app.add_handler(CallbackQueryHandler(choose_group, pattern=rf"^id:pc:{ID}:{CHAT}:[01]$"))
    app.add_handler(CallbackQueryHandler(draft_choice, pattern=rf"^id:(?:de:{ID}:{ID}|dp:{ID})$"))
    app.add_handler(CallbackQueryHandler(endorse, pattern=rf"^id:e:{ID}$"))
    app.add_handler(CallbackQueryHandler(volunteer, pattern=rf"^id:v:{ID}$"))
    app.add_handler(CallbackQueryHandler(manage, pattern=rf"^id:m:{ID}$"))
    app.add_handler(CallbackQueryHandler(state_pressed, pattern=rf"^id:s:{ID}:[a-z_]{{1,20}}$"))
    app.add_handler(CallbackQueryHandler(poll_pressed, pattern=rf"^id:p:{ID}$"))
    app.add_handler(CallbackQueryHandler(agenda_pressed, pattern=rf"^id:a:{ID}$"))
    app.add_handler(CallbackQueryHandler(list_page, pattern=rf"^id:l:[a-z_]{{1,20}}:[a-z-]{{1,10}}:{ID}$"))
    runtime(app).scheduler.register(SCHEDULE_KIND, deliver)
    runtime(app).refresher.replays("idea", functools.partial(refresh, runtime(app), app.bot))
    return COMMANDS
