"""The baseline: a bare python-telegram-bot bot doing a benchmark's work without storage.

It answers each button press, keeps one vote per person in memory and edits the vote's message
at most once per YISHI_EDIT_SECONDS (the latest state counts, as Yishi's live messages do), and
sends one reply per command (/ownervote posts a vote with buttons like Yishi's). PTB's own
concurrency (``concurrent_updates(256)``), no rate limiter: its replies and its edits every 5 s
stay within Telegram's limits in the benchmarks. Run as ``python -m bench.bare_bot`` with
TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL and YISHI_EDIT_SECONDS, as ``yishi run`` is run."""

from __future__ import annotations

import asyncio
import html
import logging
import os
import time
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

CHOICES = ("Agree", "Disagree", "Abstain")
log = logging.getLogger("bare_bot")


@dataclass
class Vote:
    number: int
    chat_id: int
    message_id: int
    question: str
    choices: dict[int, int] = field(default_factory=dict)  # user id -> option
    presses: int = 0
    shown: int = 0  # presses shown on the message
    last: float = float("-inf")
    task: asyncio.Task | None = None

    def html(self) -> str:
        counts = [sum(1 for c in self.choices.values() if c == i) for i in range(len(CHOICES))]
        tally = " · ".join(f"{c} {n}" for c, n in zip(CHOICES, counts, strict=True))
        return f"<b>{html.escape(self.question)}</b>\n\n{tally}\n{self.presses} presses"


def keyboard(number: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(c, callback_data=f"pv:{number}:{i}")]
                                 for i, c in enumerate(CHOICES)])


def votes(context: ContextTypes.DEFAULT_TYPE) -> dict[int, Vote]:
    return context.bot_data.setdefault("votes", {})


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    name, _, rest = (message.text or "").partition(" ")
    name = name.split("@")[0].lower()

    async def reply(text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
        return await context.bot.send_message(
            message.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True))

    if name == "/ownervote":
        number = len(votes(context)) + 1
        question = rest.splitlines()[0] if rest else "Vote"
        vote = votes(context)[number] = Vote(number, message.chat_id, 0, question)
        vote.message_id = (await reply(vote.html(), keyboard(number))).message_id
    elif name == "/close" and rest.strip().isdigit() and int(rest) in votes(context):
        await reply(f"Closed.\n\n{votes(context)[int(rest)].html()}")
    else:
        await reply(f"<b>{html.escape(name)}</b>: done.")


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    _, number, option = (query.data or "::").split(":")
    vote = votes(context).get(int(number)) if number.isdigit() else None
    if vote is None or not option.isdigit():
        await query.answer("This button is no longer valid.", show_alert=True)
        return
    vote.choices[query.from_user.id] = int(option)
    vote.presses += 1
    await query.answer(f"You voted {CHOICES[int(option)]}. You can change it until voting closes.")
    if vote.task is None or vote.task.done():
        vote.task = asyncio.get_running_loop().create_task(show(context, vote))


async def show(context: ContextTypes.DEFAULT_TYPE, vote: Vote) -> None:
    """Edit the vote's message while it lags behind, at most once per interval."""
    interval = float(os.environ.get("YISHI_EDIT_SECONDS", "5"))
    while vote.shown != vote.presses:
        wait = vote.last + interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        vote.shown = vote.presses
        try:
            await context.bot.edit_message_text(vote.html(), chat_id=vote.chat_id, message_id=vote.message_id,
                                                parse_mode=ParseMode.HTML, reply_markup=keyboard(vote.number))
        except Exception:
            log.exception("could not edit the vote's message")
        vote.last = time.monotonic()


def build() -> Application:
    api = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
    app = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(f"{api}/bot")
           .base_file_url(f"{api}/file/bot").concurrent_updates(256).build())
    app.add_handler(MessageHandler(filters.COMMAND, command))
    app.add_handler(CallbackQueryHandler(press))
    return app


def main() -> None:
    logging.basicConfig(level=os.environ.get("YISHI_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    build().run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
