"""/grant, /revoke and /roles: who convenes, leads a building, or speaks for the property manager."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler

from bot.domain.roles import NEEDS_BUILDING, normalize_building, parse_role
from bot.i18n import N_
from handlers.base import Command, Refused, Turn, handler, person_of
from storage import roles, users

COMMANDS = [
    Command("roles", N_("Who holds which role here"), convener=False),
    Command("grant", N_("Give a role: reply to a member's message"), convener=True),
    Command("revoke", N_("Take a role back: reply to a member's message"), convener=True),
]

ROLE_NAMES = {
    "convener": N_("convener"),
    "deputy": N_("deputy convener"),
    "building_lead": N_("building lead"),
    "property_manager": N_("property manager"),
    "committee": N_("owners' committee"),
    "grid_worker": N_("grid worker"),
}


def _in_group(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Roles belong to a group: use this command in the group."))


def _target(turn: Turn, usage: str):
    reply = turn.quoted
    if reply is None or reply.from_user is None or reply.from_user.is_bot:
        raise Refused(usage)
    return reply.from_user


def _role(turn: Turn, usage: str) -> str:
    args = turn.context.args or []
    role = parse_role(args[0]) if args else None
    if role is None:
        raise Refused(usage)
    return role


@handler
async def grant(turn: Turn) -> None:
    _in_group(turn)
    await turn.require_community_convener()
    usage = turn.t.gettext(
        "Reply to the member's message with /grant <role> [building]. Roles: convener, deputy, "
        "building_lead (with a building, e.g. /grant building_lead 6), property_manager, "
        "committee, grid_worker.")
    member = _target(turn, usage)
    role = _role(turn, usage)
    args = turn.context.args[1:]
    building = normalize_building(" ".join(args)) if args else ""
    if role in NEEDS_BUILDING and not building:
        raise Refused(turn.t.gettext("A building lead needs a building, e.g. /grant building_lead 6"))
    await users.seen(turn.rt.store, person_of(member), turn.rt.clock.now())
    await roles.grant(turn.rt.store, turn.chat_id, member.id, role, building, turn.person.id,
                      turn.rt.clock.now())
    await turn.reply(turn.render("role_granted.html.j2", name=member.full_name,
                                 role=turn.t.gettext(ROLE_NAMES[role]), building=building))


@handler
async def revoke(turn: Turn) -> None:
    _in_group(turn)
    await turn.require_community_convener()
    usage = turn.t.gettext("Reply to the member's message with /revoke <role>, e.g. /revoke deputy")
    member = _target(turn, usage)
    role = _role(turn, usage)
    removed = await roles.revoke(turn.rt.store, turn.chat_id, member.id, role)
    role_name = turn.t.gettext(ROLE_NAMES[role])
    if not removed:
        raise Refused(turn.t.gettext("%(name)s does not hold the role %(role)s.",
                                     name=member.full_name, role=role_name))
    await turn.reply(turn.render("role_revoked.html.j2", name=member.full_name, role=role_name))


@handler
async def list_roles(turn: Turn) -> None:
    _in_group(turn)
    grants = await roles.of_chat(turn.rt.store, turn.chat_id)
    named = [(turn.t.gettext(ROLE_NAMES[g.role]), g) for g in grants if g.role in ROLE_NAMES]
    await turn.reply(turn.render("roles.html.j2", grants=named))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("grant", grant))
    app.add_handler(CommandHandler("revoke", revoke))
    app.add_handler(CommandHandler("roles", list_roles))
    return COMMANDS
