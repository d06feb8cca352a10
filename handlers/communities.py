"""/link and /community: one community across its main group, building groups and committee group.

A convener of the main group asks for a one-time code (``/link building 6`` or ``/link committee``,
or the buttons of ``/link``); the code comes privately; an administrator of the other group sends
``/link CODE`` there. ``/community`` shows the community's chats (main-group conveners unlink
from there) and, in a private chat, which community one acts for.
"""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import numbers
from bot.domain.models import Community
from bot.domain.roles import normalize_building, parse_chat_role
from bot.i18n import N_, Translator
from handlers.base import CHAT, Command, Refused, Turn, edit_html, groups_of, handler, tell_privately
from storage import communities, households, members

COMMANDS = [
    Command("community", N_("This community's groups; in private, which community you act for"),
            convener=False, where="both"),
    Command("link", N_("Link another group (building, committee) to this community"), convener=True),
]
ROLE_NAMES = {"main": N_("main group"), "building": N_("building group"), "committee": N_("committee group")}
CODE = re.compile(r"^[A-Za-z0-9]{8}$")
MOST_BUILDINGS = 12
BUILDING_DATA = 20  # the longest building label a button carries (see register)


def describe(t: Translator, role: str, buildings: tuple[str, ...]) -> str:
    """"building group of 6, 7", "committee group"."""
    name = t.gettext(ROLE_NAMES[role])
    if role == "building" and buildings:
        return t.gettext("%(role)s of building %(buildings)s", role=name, buildings=t.listing(buildings))
    return name


def _in_group(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Groups are linked in the groups themselves: send /link there."))


@handler
async def link(turn: Turn) -> None:
    _in_group(turn)
    args = list(turn.context.args or [])
    if len(args) == 1 and CODE.match(args[0]) and parse_chat_role(args[0]) is None:
        await _use_code(turn, args[0])
        return
    await turn.require_community_convener()
    if not turn.chat.is_main:
        raise Refused(turn.t.gettext("Links are made from the community's main group: send /link there."))
    role = parse_chat_role(args[0]) if args else None
    if role is None:
        await turn.reply(html.escape(turn.t.gettext(
            "Which group do you want to link? Choose below, or send /link building 6 (a building's "
            "group) or /link committee (the committee's group).")), await _link_buttons(turn))
        return
    labels = (normalize_building(word) for word in args[1:])
    buildings = tuple(dict.fromkeys(label for label in labels if label))
    if role == "building" and not buildings:
        raise Refused(turn.t.gettext("A building group needs its buildings, e.g. /link building 6 or "
                                     "/link 楼栋 6 7."))
    await _send_code(turn, role, buildings[:MOST_BUILDINGS])


async def _link_buttons(turn: Turn) -> InlineKeyboardMarkup:
    t = turn.t
    found = [b.building for b in await households.summary(turn.rt.store, turn.chat_id)][:MOST_BUILDINGS]
    rows = [[InlineKeyboardButton(t.gettext("Committee group"), callback_data="cm:l:c")]]
    rows += [[InlineKeyboardButton(describe(t, "building", (b,)), callback_data=f"cm:l:b:{b}")]
             for b in found if len(b) <= BUILDING_DATA and ":" not in b]
    return InlineKeyboardMarkup(rows)


@handler
async def link_pressed(turn: Turn) -> None:
    parts = turn.update.callback_query.data.split(":")
    await turn.require_community_convener()
    if not turn.chat.is_main:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    role = "committee" if parts[2] == "c" else "building"
    await _send_code(turn, role, tuple(parts[3:4]))
    await turn.answer(turn.t.gettext("I sent you the code privately."))


async def _send_code(turn: Turn, role: str, buildings: tuple[str, ...]) -> None:
    """A one-time code for the group to be linked, written privately to the convener."""
    await turn.require_private_chat()
    rt = turn.rt
    code, expires = await communities.new_code(rt.store, turn.chat.community_id, role, buildings,
                                               turn.person.id, rt.clock.now())
    private = rt.translator(None, turn.person)
    name = (await communities.get(rt.store, turn.chat.community_id)).name
    text = rt.renderer.render("community_code.html.j2", private, code=code, community=name,
                              what=describe(private, role, buildings), expires=expires)
    if not await tell_privately(rt, turn.context.bot, turn.person.id, text):
        await turn.require_private_chat()
    if turn.update.callback_query is None:
        await turn.reply(html.escape(turn.t.gettext(
            "I sent you a one-time code privately. Send /link and the code in the group to be linked.")))


async def _use_code(turn: Turn, code: str) -> None:
    t, rt = turn.t, turn.rt
    if not await turn.convenes(turn.chat_id):
        raise Refused(t.gettext("Only this group's administrators can link it to a community."))
    mine = await communities.get(rt.store, turn.chat.community_id)
    if not turn.chat.is_main:
        raise Refused(t.gettext("This group belongs to %(community)s already. A convener of that community's "
                                "main group can unlink it with /community.", community=mine.name))
    if len(mine.chats) > 1:
        raise Refused(t.gettext("This group is the main group of a community with other groups: it cannot "
                                "join another one."))
    if await communities.owns_anything(rt.store, turn.chat_id):
        raise Refused(t.gettext(
            "This group keeps votes, ideas, requests, events, minutes or a registry of its own, which "
            "would be numbered twice in another community: it cannot be linked. Link a group that "
            "does not use Yishi yet."))
    joined = await communities.use_code(rt.store, code, turn.chat_id, turn.person.id, rt.clock.now())
    if joined is None:
        raise Refused(t.gettext("This code is unknown, used or expired. Ask a convener of the main group "
                                "for a new one with /link."))
    turn = await Turn.load(turn.update, turn.context)
    rt.seen.pop(("chat", turn.chat_id), None)
    found = await communities.get(rt.store, joined)
    await turn.reply(turn.render("community_linked.html.j2", community=found.name,
                                 what=describe(turn.t, turn.chat.role, turn.chat.buildings)))


def _unlink_buttons(t: Translator, community: Community, manage: bool) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(t.gettext("Unlink %(group)s", group=title),
                                  callback_data=f"cm:u:{chat_id}")]
            for chat_id, title, role, _ in community.chats if manage and role != "main"]
    return InlineKeyboardMarkup(rows) if rows else None


async def _show(turn: Turn, community: Community) -> str:
    described = [(title, describe(turn.t, role, buildings)) for _, title, role, buildings in community.chats]
    return turn.render("community.html.j2", community=community, groups=described)


@handler
async def community(turn: Turn) -> None:
    if turn.in_private:
        await _choose(turn)
        return
    found = await communities.get(turn.rt.store, turn.chat.community_id)
    await turn.reply(await _show(turn, found),
                     _unlink_buttons(turn.t, found, await turn.convenes_community()))


@handler
async def unlink_pressed(turn: Turn) -> None:
    chat_id = numbers.chat_id(turn.update.callback_query.data.split(":")[2])
    found = await communities.get(turn.rt.store, turn.chat.community_id) if turn.chat else None
    if found is None or chat_id not in [c for c, _, role, _ in found.chats if role != "main"]:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await turn.require_community_convener()
    await communities.unlink(turn.rt.store, chat_id, turn.rt.clock.now())
    turn.rt.seen.pop(("chat", chat_id), None)
    title = next(title for c, title, _, _ in found.chats if c == chat_id)
    await turn.answer(turn.t.gettext("%(group)s is no longer part of this community.", group=title))
    found = await communities.get(turn.rt.store, turn.chat.community_id)
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id, await _show(turn, found),
                    _unlink_buttons(turn.t, found, True))


async def _choose(turn: Turn) -> None:
    acting = await groups_of(turn)  # asks Telegram first when the bot knows none of the person's groups
    places = await members.groups_of(turn.rt.store, turn.person.id) if len(acting) == 1 else acting
    current = acting[0][0] if len(acting) == 1 else None  # several: none chosen yet
    await turn.reply(turn.render("community_choose.html.j2", places=places,
                                 current=next((n for c, n in places if c == current), "")),
                     _choice_buttons(places, current))


def _choice_buttons(places: list[tuple[int, str]], current: int | None) -> InlineKeyboardMarkup | None:
    if len(places) < 2:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(("✓ " if chat_id == current else "") + name,
                                                       callback_data=f"cm:p:{chat_id}")]
                                 for chat_id, name in places])


@handler
async def choose_pressed(turn: Turn) -> None:
    chat_id = numbers.chat_id(turn.update.callback_query.data.split(":")[2])
    places = await members.groups_of(turn.rt.store, turn.person.id)
    if not turn.in_private or chat_id not in dict(places):
        raise Refused(turn.t.gettext("This button is no longer valid."))
    await communities.choose(turn.rt.store, turn.person.id, chat_id)
    name = dict(places)[chat_id]
    await turn.answer(turn.t.gettext("You now act for %(community)s.", community=name))
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id,
                    turn.render("community_choose.html.j2", places=places, current=name),
                    _choice_buttons(places, chat_id))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("link", link))
    app.add_handler(CommandHandler("community", community))
    app.add_handler(CallbackQueryHandler(link_pressed, pattern=rf"^cm:l:(c|b:[^:]{{1,{BUILDING_DATA}}})$"))
    app.add_handler(CallbackQueryHandler(unlink_pressed, pattern=rf"^cm:u:{CHAT}$"))
    app.add_handler(CallbackQueryHandler(choose_pressed, pattern=rf"^cm:p:{CHAT}$"))
    return COMMANDS
