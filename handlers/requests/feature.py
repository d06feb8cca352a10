"""What requests offer the application: their commands, buttons, schedules and report links."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import CHAT, ID, Command, start_links
from handlers.requests.assigning import assign_command, escalate_command
from handlers.requests.common import CLOSE, DUE
from handlers.requests.figures import figures_command, targets_command
from handlers.requests.handling import deliver_close, deliver_due, pressed, request_command
from handlers.requests.lists import list_command, queue_command
from handlers.requests.reporting import (
    _report_link,
    category_chosen,
    chosen_community,
    described,
    photo,
    report_command,
    submit,
)

COMMANDS = [
    Command("report", N_("Report a problem (诉求) to those who handle it"), convener=False, where="both"),
    Command("requests", N_("Open requests (conveners: all of them, privately)"), convener=False,
            where="both"),
    Command("request", N_("Show one request, or move it on: accept, start, resolve, reopen, rate"),
            convener=False, where="both"),
    Command("assign", N_("Assign a request to the property manager, grid worker or committee"),
            convener=True, where="both"),
    Command("escalate", N_("Escalate a request to a government department (吹哨)"), convener=True,
            where="both"),
    Command("queue", N_("The requests assigned to you"), convener=False, where="private"),
    Command("targets", N_("Response and resolution targets per category"), convener=False),
    Command("figures", N_("This month's requests: response, resolution, satisfaction"), convener=False,
            where="both"),  # privately: each community one serves, side by side
]


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("report", report_command))
    app.add_handler(CommandHandler("requests", list_command))
    app.add_handler(CommandHandler("request", request_command))
    app.add_handler(CommandHandler("assign", assign_command))
    app.add_handler(CommandHandler("escalate", escalate_command))
    app.add_handler(CommandHandler(["queue", "myqueue"], queue_command))
    app.add_handler(CommandHandler("targets", targets_command))
    app.add_handler(CommandHandler(["figures", "stats"], figures_command))
    app.add_handler(MessageHandler(tg_filters.PHOTO & tg_filters.ChatType.PRIVATE, photo))
    app.add_handler(MessageHandler(tg_filters.TEXT & ~tg_filters.COMMAND & tg_filters.ChatType.PRIVATE,
                                   described))
    app.add_handler(CallbackQueryHandler(category_chosen, pattern=r"^rq:k:[a-z]{1,12}$"))
    app.add_handler(CallbackQueryHandler(chosen_community, pattern=rf"^rq:c:{CHAT}$"))
    app.add_handler(CallbackQueryHandler(submit, pattern=r"^rq:s:[01]$"))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^rq:(?:[aw]:{ID}|r:{ID}:[0-9]{{1,2}})$"))
    runtime(app).scheduler.register(DUE, deliver_due)
    runtime(app).scheduler.register(CLOSE, deliver_close)
    start_links(app)["q"] = _report_link
    return COMMANDS
