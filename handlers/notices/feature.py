"""What notices offer the application: their commands, buttons, the files that attach to a
draft, and the private link to a notice's earlier versions."""

from __future__ import annotations

import functools

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import ID, Command, start_links
from handlers.notices.card import VERSIONS_LINK, read_pressed, refresh, versions_link, versions_pressed
from handlers.notices.posting import attach_pressed, attachment, cancel_pressed, notice_command, post_pressed
from handlers.notices.reports import edit_command, list_command, list_page

# After the features' own handlers (group 0): a PDF in a group passes the registry's document
# handler, which takes CSV files only, and still reaches a draft waiting for it.
ATTACHMENTS = 1

COMMANDS = [
    Command("notice", N_("Post a notice (公示): fees, accounts, maintenance-fund spending; /notice 3: "
                         "who has read notice 3, by building"), convener=True),
    Command("notice_edit", N_("Change a notice; every earlier version stays one press away"),
            convener=True),
    Command("notices", N_("The community's notices, newest first"), convener=False),
]


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("notice", notice_command))
    app.add_handler(CommandHandler("notice_edit", edit_command))
    app.add_handler(CommandHandler("notices", list_command))
    app.add_handler(CallbackQueryHandler(read_pressed, pattern=rf"^nt:r:{ID}$"))
    app.add_handler(CallbackQueryHandler(versions_pressed, pattern=rf"^nt:v:{ID}$"))
    app.add_handler(CallbackQueryHandler(attach_pressed, pattern=rf"^nt:a:{ID}$"))
    app.add_handler(CallbackQueryHandler(post_pressed, pattern=rf"^nt:p:{ID}:[01]$"))
    app.add_handler(CallbackQueryHandler(cancel_pressed, pattern=rf"^nt:x:{ID}$"))
    app.add_handler(CallbackQueryHandler(list_page, pattern=rf"^nt:l:{ID}$"))
    app.add_handler(MessageHandler((tg_filters.PHOTO | tg_filters.Document.ALL) & tg_filters.ChatType.GROUPS,
                                   attachment), group=ATTACHMENTS)
    runtime(app).refresher.replays("notice", functools.partial(refresh, runtime(app), app.bot))
    start_links(app)[VERSIONS_LINK] = versions_link
    return COMMANDS
