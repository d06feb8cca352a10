"""What votes offer the application: their commands, buttons, schedules and ballot links."""

from __future__ import annotations

import functools

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import ID, Command, start_links
from handlers.polls.bulletin import receipt_command
from handlers.polls.closing import close_command, extend_command, final_command, reopen_command
from handlers.polls.common import SCHEDULE_KIND
from handlers.polls.creating import KIND_OF_COMMAND, create
from handlers.polls.delivery import RECEIVED, delivery_command, received
from handlers.polls.export import export_command
from handlers.polls.reminders import deliver, list_command, not_voted_command, remind_command
from handlers.polls.showing import refresh
from handlers.polls.voting import _private_ballot_link, chain_pressed, chain_reply, vote

COMMANDS = [
    Command("polls", N_("Open and recent votes"), convener=False),
    Command("poll", N_("Start a poll: question, then one option per line"), convener=True, where="both"),
    Command("propose", N_("Put a proposal to the vote: agree, disagree, abstain"), convener=True,
            where="both"),
    Command("chain", N_("Start a sign-up chain (接龙)"), convener=True, where="both"),
    Command("ownervote", N_("Owner vote: one ballot per household, counted by owners and floor area"),
            convener=True, where="both"),
    Command("close", N_("Close a vote now, optionally with the outcome"), convener=True),
    Command("extend", N_("Move a vote's deadline"), convener=True),
    Command("reopen", N_("Reopen a closed vote"), convener=True),
    Command("final", N_("Make a vote's result final, with the outcome"), convener=True),
    Command("notvoted", N_("Who has not voted yet"), convener=True),
    Command("remind", N_("Remind those who have not voted"), convener=True),
    Command("delivery", N_("Which households an owner vote's notice reached, and which to visit"),
            convener=True),
    Command("export", N_("Get a vote's result as a CSV file"), convener=True),
    Command("receipt", N_("Your owner-vote receipts, or find one in its vote's bulletin"), convener=False,
            where="both"),
]


def register(app: Application) -> list[Command]:
    for command in KIND_OF_COMMAND:
        app.add_handler(CommandHandler(command, create))
    app.add_handler(CommandHandler("close", close_command))
    app.add_handler(CommandHandler("extend", extend_command))
    app.add_handler(CommandHandler("reopen", reopen_command))
    app.add_handler(CommandHandler("final", final_command))
    app.add_handler(CommandHandler("remind", remind_command))
    app.add_handler(CommandHandler("notvoted", not_voted_command))
    app.add_handler(CommandHandler("delivery", delivery_command))
    app.add_handler(CommandHandler("polls", list_command))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CommandHandler("receipt", receipt_command))
    app.add_handler(CallbackQueryHandler(vote, pattern=rf"^pv:{ID}:[0-9]{{1,2}}$"))
    app.add_handler(CallbackQueryHandler(chain_pressed, pattern=rf"^p[jl]:{ID}$"))
    app.add_handler(CallbackQueryHandler(received, pattern=rf"^{RECEIVED}:{ID}$"))
    app.add_handler(MessageHandler(tg_filters.REPLY & tg_filters.TEXT & ~tg_filters.COMMAND
                                   & tg_filters.ChatType.GROUPS, chain_reply))
    runtime(app).scheduler.register(SCHEDULE_KIND, deliver, deadline=True)
    runtime(app).refresher.replays("poll", functools.partial(refresh, runtime(app), app.bot))
    start_links(app)["v"] = _private_ballot_link
    return COMMANDS
