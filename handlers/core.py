"""/start, /help, /lang and /settings: meeting the bot and setting a chat up."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import spans
from bot.domain.events import DEFAULT_REMINDERS as DEFAULT_EVENT_REMINDERS
from bot.domain.minutes import DEFAULT_AUTOCLOSE_HOURS
from bot.domain.polls import DEFAULT_VOTE_REMINDERS
from bot.i18n import LANGUAGE_NAMES, LOCALES, N_, Translator
from handlers.base import Command, Refused, Turn, handler, offered, start_links
from handlers.help import help_, help_pressed
from storage import chats, communities

log = logging.getLogger(__name__)

ABOUT_COMMANDS = [  # about the bot itself: in the menus, not in a /help topic
    Command("start", N_("What this bot does"), convener=False, where="both"),
    Command("help", N_("Commands you can use here"), convener=False, where="both"),
]
SETTINGS_COMMANDS = [
    Command("lang", N_("Choose the chat's language"), convener=True, where="both"),
    Command("settings", N_("Community name and time zone"), convener=True),
]
COMMANDS = ABOUT_COMMANDS + SETTINGS_COMMANDS

SETTING_KEYS = {
    "name": ("name", "名称", "名稱", "小区", "小區", "community"),
    "tz": ("tz", "时区", "時區", "timezone"),
    "reminders": ("reminders", "提醒", "投票提醒"),
    "events": ("events", "活动提醒", "活動提醒", "活动", "活動"),
    "meetings": ("meetings", "meeting", "会议", "會議"),
}
# settings that are reminder times: the chat setting they are stored in, and the default
REMINDER_SETTINGS = {"reminders": ("vote_reminders", DEFAULT_VOTE_REMINDERS),
                     "events": ("event_reminders", DEFAULT_EVENT_REMINDERS)}


@handler
async def start(turn: Turn) -> None:
    payload = (turn.context.args or [""])[0]
    links = start_links(turn.context.application)
    if turn.in_private and payload[:1] in links:
        await links[payload[:1]](turn, payload[1:])
    elif turn.in_private:
        username = turn.context.bot.username
        await turn.reply(turn.render("start_private.html.j2",
                                     add_link=f"https://t.me/{username}?startgroup=true"))
    else:
        await turn.reply(turn.render("start_group.html.j2"))


def _language_keyboard(current: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(("✓ " if code == current else "") + LANGUAGE_NAMES[code],
                             callback_data=f"lang:set:{code}")
        for code in LOCALES
    ]])


@handler
async def lang(turn: Turn) -> None:
    await turn.require_convener()
    await turn.reply(turn.render("lang.html.j2"), _language_keyboard(turn.t.locale))


@handler
async def lang_pressed(turn: Turn) -> None:
    code = turn.update.callback_query.data.split(":")[-1]
    if code not in LOCALES:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await turn.require_convener()
    await chats.set_locale(turn.rt.store, turn.chat_id, code, turn.rt.clock.now())
    t = Translator(code, turn.t.tz, turn.t.today)
    await turn.answer(t.gettext("Language set to %(language)s.", language=LANGUAGE_NAMES[code]))
    await turn.update.callback_query.edit_message_text(
        turn.rt.renderer.render("lang_set.html.j2", t, language=LANGUAGE_NAMES[code]),
        parse_mode=ParseMode.HTML,
    )
    await set_chat_menu(turn.context.application, turn.chat_id, t, private=turn.in_private)


@handler
async def settings(turn: Turn) -> None:
    await turn.require_convener()
    args = turn.context.args or []
    if args:
        key = next((k for k, words in SETTING_KEYS.items() if args[0].lower() in words), None)
        value = " ".join(args[1:]).strip()
        if key is None or not value:
            raise Refused(turn.t.gettext(
                "Usage: /settings name <community name>, /settings tz <time zone> (e.g. "
                "/settings tz Asia/Shanghai), /settings reminders 24h 2h (before a vote's "
                "deadline; off for none), or /settings events 1d 1h (before each event)"))
        now = turn.rt.clock.now()
        if key == "name":
            if len(value) > 64:
                raise Refused(turn.t.gettext("The community name can be at most 64 characters."))
            await turn.require_community_convener()
            await communities.set_name(turn.rt.store, turn.chat.community_id, value, now)
        elif key == "meetings":
            autoclose = spans.span(value, longest=timedelta(days=30))
            if autoclose is None:
                raise Refused(turn.t.gettext(
                    "I cannot read %(text)s. Say how long a meeting may stay open before it closes "
                    "itself, e.g. /settings meetings 4h or /settings 会议 3小时.", text=value))
            await chats.set_setting(turn.rt.store, turn.chat_id, "meeting_autoclose_hours",
                                    autoclose.total_seconds() / 3600, now)
        elif key in REMINDER_SETTINGS:
            offsets = spans.offsets(value)
            if offsets is None:
                raise Refused(turn.t.gettext(
                    "I cannot read %(text)s. Say how long before to remind, up to five times, e.g. "
                    "/settings reminders 24h 2h, 1天 3小时, or off.", text=value))
            await chats.set_setting(turn.rt.store, turn.chat_id, REMINDER_SETTINGS[key][0],
                                    list(offsets), now)
        else:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise Refused(turn.t.gettext(
                    "%(zone)s is not a time zone I know. Use a name such as Asia/Shanghai "
                    "or Asia/Hong_Kong.", zone=value)) from None
            await turn.require_community_convener()
            await communities.set_tz(turn.rt.store, turn.chat.community_id, value, now)
        turn = await Turn.load(turn.update, turn.context)
    reminders = {key: [timedelta(seconds=s) for s in (turn.chat.settings or {}).get(name, default)]
                 for key, (name, default) in REMINDER_SETTINGS.items()}
    autoclose = (turn.chat.settings or {}).get("meeting_autoclose_hours", DEFAULT_AUTOCLOSE_HOURS)
    await turn.reply(turn.render("settings.html.j2", default_tz=turn.rt.settings.tz,
                                 reminders=reminders["reminders"], event_reminders=reminders["events"],
                                 autoclose=timedelta(hours=autoclose)))


def menu(commands: list[Command], t: Translator, private: bool, convener: bool) -> list[BotCommand]:
    return [BotCommand(c.name, t.gettext(c.description))
            for c in offered(commands, private, convener)]


async def set_default_menus(app: Application) -> None:
    """Menus for every chat: English by default, Simplified for Chinese clients
    (Telegram's "zh" cannot tell the scripts apart)."""
    commands = app.bot_data["commands"]
    rt = app.bot_data["runtime"]
    tz = ZoneInfo(rt.settings.tz)
    scopes = ((BotCommandScopeDefault(), False, False),
              (BotCommandScopeAllPrivateChats(), True, False),
              (BotCommandScopeAllChatAdministrators(), False, True))
    for language, locale in ((None, "en"), ("zh", "zh_Hans")):
        t = Translator(locale, tz)
        for scope, private, convener in scopes:
            await app.bot.set_my_commands(menu(commands, t, private, convener), scope=scope,
                                          language_code=language)


async def set_chat_menu(app: Application, chat_id: int, t: Translator, private: bool) -> None:
    """A chat that chose a language gets its menu in that language."""
    commands = app.bot_data["commands"]
    try:
        await app.bot.set_my_commands(menu(commands, t, private, False),
                                      scope=BotCommandScopeChat(chat_id))
        if not private:
            await app.bot.set_my_commands(menu(commands, t, False, True),
                                          scope=BotCommandScopeChatAdministrators(chat_id))
    except TelegramError:
        log.warning("could not set the command menu of chat %s", chat_id, exc_info=True)


@handler
async def stale_pressed(turn: Turn) -> None:
    """Any press no feature took: a button of an old message, or data no button of ours carries."""
    raise Refused(turn.t.gettext("This button is no longer valid."))


def register_last(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(stale_pressed))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_))
    app.add_handler(CommandHandler("lang", lang))
    app.add_handler(CommandHandler("settings", settings))
    app.add_handler(CallbackQueryHandler(lang_pressed, pattern=r"^lang:set:[A-Za-z_]{2,10}$"))
    app.add_handler(CallbackQueryHandler(help_pressed, pattern=r"^hp:[a-z]{1,12}$"))
    return COMMANDS
