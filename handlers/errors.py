"""The global error handler: log it, tell the user briefly, keep the chat's state right."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import Application, CallbackContext

from bot.runtime import runtime
from handlers.base import Turn

log = logging.getLogger(__name__)


async def on_error(update: object, context: CallbackContext) -> None:
    error = context.error
    rt = runtime(context)
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, BadRequest) and "message is not modified" in str(error).lower():
        return
    if isinstance(error, ChatMigrated) and chat is not None:
        await rt.migrate_chat(chat.id, error.new_chat_id)
        return
    if isinstance(error, Forbidden):
        if chat is not None:
            log.info("chat %s no longer reachable: %s", chat.id, error)
            await rt.deactivate_chat(chat.id)
        return
    log.error("update %s failed", getattr(update, "update_id", "-"), exc_info=error)
    if not isinstance(update, Update) or chat is None:
        return
    try:
        turn = await Turn.load(update, context)
        text = turn.t.gettext("Sorry, something went wrong. Please try again in a moment.")
        if update.callback_query is not None:
            await turn.answer(text, alert=True)
        else:
            await turn.reply(html.escape(text))
    except Exception:
        log.warning("could not tell chat %s about the error", chat.id, exc_info=True)


def register(app: Application) -> list:
    app.add_error_handler(on_error)
    return []
