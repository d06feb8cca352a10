"""What guided creation offers the application: its buttons, its private text, its deep link."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.domain import guides
from bot.runtime import runtime
from handlers.base import Command, Turn, handler, start_links
from handlers.guide.asking import DATA
from handlers.guide.dialogue import EXPIRY_KIND, begin, expire, pressed, typed
from handlers.guide.entry import deep_linked

TYPED_ANSWERS = -1  # before the features' own private text handlers: a flow's answer is its own


@handler
async def start_pressed(turn: Turn) -> None:
    """``gs:<command>``: the "Step by step" button under a refusal in the private chat."""
    await begin(turn, turn.update.callback_query.data.split(":")[1])
    await turn.answer()


def register(app: Application) -> list[Command]:
    app.add_handler(CallbackQueryHandler(pressed, pattern=DATA))
    app.add_handler(CallbackQueryHandler(start_pressed, pattern=rf"^gs:({'|'.join(guides.ENTRY)})$"))
    private_text = tg_filters.TEXT & ~tg_filters.COMMAND & tg_filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private_text, typed), group=TYPED_ANSWERS)
    runtime(app).scheduler.register(EXPIRY_KIND, expire)
    start_links(app)["g"] = deep_linked
    return []
