"""The household registry: imported privately from a CSV file, summed up per building;
owners bind their Telegram account to their household with a one-time code."""

from __future__ import annotations

import csv
import html
import io

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.domain import numbers
from bot.domain.registry import RegistryError, parse_registry
from bot.i18n import N_
from handlers import review
from handlers.base import Command, Refused, Turn, deep_link, handler, send_html, start_links
from storage import chats, communities, drafts, households, members

COMMANDS = [
    Command("households", N_("Household registry: summary, import, binding codes, review (公示) before "
                             "a vote"), convener=True),
    Command("bind", N_("Register as the owner of your household with its code"), convener=False,
            where="private"),
]
MAX_FILE = 2 * 1024 * 1024
NOT_CONVENER = N_("Only the community's conveners (the main group's administrators and the conveners it "
                  "named) can import its household registry.")
WORDS = {
    "import": ("import", "导入", "導入"),
    "codes": ("codes", "code", "绑定码", "綁定碼", "码", "碼"),
    "review": ("review", "公示", "业主信息公示", "業主資訊公示"),
}
MANAGING = ("import", "codes", "review")  # the registry is the community's: only its conveners manage it


def _word(arg: str) -> str | None:
    return next((key for key, words in WORDS.items() if arg.casefold() in words), None)


def _link(turn: Turn, payload: str) -> str:
    return deep_link(turn.context.bot.username, payload)


async def _community_name(turn: Turn, chat) -> str:
    """The name of the community ``chat`` belongs to (its main group's title when unnamed)."""
    found = await communities.get(turn.rt.store, chat.community_id) if chat.community_id else None
    return found.name if found else chat.title or ""


@handler
async def households_command(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("The registry belongs to your community: use /households in one of "
                                     "its groups."))
    await turn.require_convener()  # the summary: this chat's conveners too (a building group's admins)
    args = list(turn.context.args or [])
    action = _word(args[0]) if args else None
    if action in MANAGING:
        await turn.require_community_convener()
    if action == "import":
        await turn.reply(turn.render("registry_import.html.j2", may_import=True), _import_button(turn))
    elif action == "codes":
        await _send_codes(turn, args[1:])
    elif action == "review":
        await review.publish(turn, " ".join(args[1:]))
    elif args:
        raise Refused(turn.t.gettext(
            "Usage: /households (summary), /households import, /households codes (all units), "
            "/households codes 6-2-301, or /households review 6栋 (the registry published for the "
            "owners to check; without a building: all of it)"))
    else:
        await turn.reply(turn.render("registry_summary.html.j2",
                                     buildings=await households.summary(turn.rt.store, turn.chat_id),
                                     manages=await turn.convenes_community()))


def _import_button(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        turn.t.gettext("Send the registry privately"), url=_link(turn, f"i{turn.chat_id}"))]])


async def _import_link(turn: Turn, payload: str) -> None:
    """``/start i<chat>``: the next CSV file this convener sends privately is the registry of
    that group's community."""
    chat_id = numbers.chat_id(payload)
    chat = await chats.get(turn.rt.store, chat_id) if chat_id is not None else None
    if chat is None or not await turn.convenes_community(chat.id):
        raise Refused(turn.t.gettext(NOT_CONVENER))
    await drafts.put(turn.rt.store, turn.person.id, drafts.REGISTRY_IMPORT, {"chat_id": chat.id},
                     turn.rt.clock.now())
    await turn.reply(turn.render("registry_send.html.j2", group=await _community_name(turn, chat)))


@handler
async def document(turn: Turn) -> None:
    message = turn.update.effective_message
    if not (message.document.file_name or "").lower().endswith((".csv", ".txt")):
        return
    if not turn.in_private:
        if await turn.is_convener():  # warned; offered the import when theirs to make
            may_import = await turn.convenes_community()
            await turn.reply(turn.render("registry_import.html.j2", misplaced=True, may_import=may_import),
                             _import_button(turn) if may_import else None)
        return
    target = await drafts.get(turn.rt.store, turn.person.id, drafts.REGISTRY_IMPORT) or {}
    chat = await chats.get(turn.rt.store, target["chat_id"]) if "chat_id" in target else None
    if chat is None:
        raise Refused(turn.t.gettext(
            "To import a household registry, run /households import in the group first."))
    if not await turn.convenes_community(chat.id):
        raise Refused(turn.t.gettext(NOT_CONVENER))
    if message.document.file_size and message.document.file_size > MAX_FILE:
        raise Refused(turn.t.gettext("The file is too large (at most 2 MB)."))
    data = bytes(await (await message.document.get_file()).download_as_bytearray())
    try:
        rows = parse_registry(data)
    except RegistryError as error:
        problems = [turn.t.gettext(p.message, **p.params) for p in error.problems]
        await turn.reply(turn.render("registry_problems.html.j2", problems=problems))
        return
    result = await households.import_registry(turn.rt.store, chat.id, rows, turn.rt.clock.now(),
                                              by=turn.person.id)
    await drafts.pop(turn.rt.store, turn.person.id, drafts.REGISTRY_IMPORT)
    await turn.reply(turn.render("registry_imported.html.j2", result=result,
                                 group=await _community_name(turn, chat),
                                 buildings=await households.summary(turn.rt.store, chat.id), manages=True))


async def _send_codes(turn: Turn, labels: list[str]) -> None:
    """One-time codes, sent to the convener privately: for the named units, or a CSV of all."""
    registry = await households.active(turn.rt.store, turn.chat_id)
    if not registry:
        raise Refused(turn.t.gettext("There is no household registry yet: /households import"))
    by_label = {h.label: h for h in registry}
    wanted = [by_label.get(label.replace("—", "-")) for label in labels] if labels else registry
    unknown = [label for label, h in zip(labels, wanted, strict=False) if h is None]
    if unknown:
        raise Refused(turn.t.gettext("No such household: %(units)s. Write units as building-entrance-"
                                     "unit, e.g. 6-2-301.", units=", ".join(unknown)))
    await turn.require_private_chat()
    codes = await households.new_codes(turn.rt.store, [h.id for h in wanted], turn.person.id,
                                       turn.rt.clock.now())
    bot = turn.context.bot
    if labels:
        await send_html(bot, turn.person.id, turn.render(  # split: many units make a long message
            "registry_codes.html.j2", codes=[(h.label, codes[h.id], _link(turn, f"b{codes[h.id]}"))
                                             for h in wanted]))
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([turn.t.gettext("Household"), turn.t.gettext("Code"), turn.t.gettext("Link")])
        for h in wanted:
            writer.writerow([h.label, codes[h.id], _link(turn, f"b{codes[h.id]}")])
        await bot.send_document(
            turn.person.id, ("\ufeff" + out.getvalue()).encode("utf-8"), filename="codes.csv",
            caption=turn.t.gettext("One-time codes for %(count)s households. Earlier unused codes "
                                   "of these households no longer work.", count=len(wanted)))
    await turn.reply(html.escape(turn.t.gettext("I sent you the codes privately.")))


@handler
async def bind_command(turn: Turn) -> None:
    if not turn.in_private:
        raise Refused(turn.t.gettext("Send your code to me in a private chat, not in the group."))
    args = turn.context.args or []
    if len(args) != 1:
        raise Refused(turn.t.gettext("Usage: /bind CODE (the code your convener gave you)"))
    await _bind(turn, args[0])


async def _bind(turn: Turn, code: str) -> None:
    bound = await households.bind(turn.rt.store, code, turn.person.id, turn.rt.clock.now())
    if bound is None:
        raise Refused(turn.t.gettext(
            "This code is not valid or was already used. Ask your convener for a new one."))
    chat_id, household = bound
    chat = await chats.get(turn.rt.store, chat_id)
    several = len(await members.groups_of(turn.rt.store, turn.person.id)) > 1
    if chat is not None:  # what they send privately from now on is for their household's community
        await communities.choose(turn.rt.store, turn.person.id, chat.id)
    await turn.reply(turn.render("registry_bound.html.j2", unit=household.label, several=several,
                                 community=await _community_name(turn, chat) if chat else ""))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("households", households_command))
    app.add_handler(CommandHandler("bind", bind_command))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    start_links(app)["i"] = _import_link
    start_links(app)["b"] = _bind
    return COMMANDS
