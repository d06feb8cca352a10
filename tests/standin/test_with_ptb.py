"""A real python-telegram-bot Application talks to the stand-in without breaking the protocol."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.local.standin import FakeTelegram
from bot.ratelimit import TelegramLimiter
from tests.standin.support import SPEC

LANGUAGES = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("简体中文", callback_data="lang:set:zh_Hans"),
            InlineKeyboardButton("繁體中文", callback_data="lang:set:zh_Hant"),
        ]
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    await update.effective_message.reply_text(
        f"你好，<b>{update.effective_user.first_name}</b>！请选择语言：",
        parse_mode=ParseMode.HTML,
        reply_markup=LANGUAGES,
    )


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer("已保存")
    await query.edit_message_text(f"语言：<code>{query.data.rsplit(':', 1)[1]}</code>", "HTML")


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    document = update.effective_message.document
    assert document is not None
    data = await (await document.get_file()).download_as_bytearray()
    await context.bot.send_document(
        update.effective_chat.id,
        bytes(data).upper(),
        filename="echo.csv",
        caption=f"{len(data)} bytes",
    )


async def test_application_round_trip() -> None:
    async with FakeTelegram(spec_path=SPEC) as tg:
        app = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(f"{tg.url}/bot")
            .base_file_url(f"{tg.url}/file/bot")
            .rate_limiter(TelegramLimiter())  # the stand-in allows one message a second in private
            .build()
        )
        app.add_handler(CommandHandler("start", start))
        app.add_handler(CallbackQueryHandler(chosen, pattern=r"^lang:set:"))
        app.add_handler(MessageHandler(filters.Document.ALL, report))

        alice = tg.user("Alice")
        bob = tg.user("Bob")
        group = tg.group("翠苑小区", admins=[alice], members=[bob])
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                await alice.send(alice.private, "/start")
                menu = await alice.private.expect_message()
                assert menu.text == "你好，Alice！请选择语言："
                assert menu.entities == [{"type": "bold", "offset": 3, "length": 5}]
                assert [b.text for b in menu.buttons[0]] == ["简体中文", "繁體中文"]
                assert menu.reply_to is None  # reply_text quotes only in groups

                answer = await alice.press(menu, "繁體中文")
                assert answer.text == "已保存"
                edited = await alice.private.expect_edit(menu)
                assert edited.text == "语言：zh_Hant"
                assert edited.buttons == []
                assert edited.versions == ["你好，Alice！请选择语言："]

                await group.add_bot(by=alice)
                await bob.send(group, "just chatting")  # privacy mode: not delivered
                await bob.send(group, "/start@yishi_test_bot")
                hello = await group.expect_message()
                assert hello.text == "你好，Bob！请选择语言："
                assert hello.reply_to is not None and hello.reply_to.sender is bob
                await group.expect_no_message(within=0.3)

                await alice.send_document(alice.private, "households.csv", b"a,b\n1,2\n")
                echo = await alice.private.expect_message()
                assert echo.document is not None
                assert echo.document.data == b"A,B\n1,2\n"
                assert echo.document.file_name == "echo.csv"
                assert echo.text == "8 bytes"
                await tg.wait_idle()
            finally:
                await app.updater.stop()
                await app.stop()
        assert tg.violations == []
        assert {call.method for call in tg.calls} >= {"getMe", "getUpdates", "sendMessage"}
