"""/board: the community's public board (公示栏), a read-only web page behind an unguessable link.

A community convener sends /board in any group of the community: the link comes privately (it
is theirs to post where residents should see it). ``/board rotate`` revokes the link and sends
a new one; the old one answers 404 from then on. Only when the bot serves the board
(``--board-url``, handlers/board/web.py).
"""

from __future__ import annotations

from telegram.ext import Application, CommandHandler

from bot.i18n import N_
from handlers.base import Command, Refused, Turn, handler, tell_privately
from storage import boards, communities

COMMANDS = [Command("board", N_("The community's public board (公示栏) on the web: its link, sent to you "
                                "privately; /board rotate replaces the link"), convener=True)]
ROTATE = ("rotate", "new", "更换", "更換", "换", "換")


def _url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/b/{token}/"


@handler
async def board_command(turn: Turn) -> None:
    t, rt = turn.t, turn.rt
    if turn.in_private:
        raise Refused(t.gettext("The board belongs to a community: send /board in one of its groups."))
    await turn.require_community_convener()
    if not rt.settings.board_url:
        raise Refused(t.gettext("This bot does not serve a public board: its operator starts it with "
                                "--board-url (YISHI_BOARD_URL)."))
    args = [a.casefold() for a in turn.context.args or []]
    if args and (len(args) > 1 or args[0] not in ROTATE):
        raise Refused(t.gettext("Usage: /board (the board's link) or /board rotate (a new link; the old "
                                "one stops working)"))
    await turn.require_private_chat()
    community = await communities.of_chat(rt.store, turn.chat_id)
    if community is None:
        raise Refused(t.gettext("This chat belongs to no community yet."))
    rotated = bool(args)
    token = await boards.link(rt.store, community.id, turn.person.id, rt.clock.now(), rotate=rotated)
    text = turn.render("board/link.html.j2", community=community.name, url=_url(rt.settings.board_url, token),
                       rotated=rotated)
    if not await tell_privately(rt, turn.context.bot, turn.person.id, text):
        await turn.require_private_chat()  # they blocked the bot meanwhile: say how to start it
    await turn.reply(t.gettext("I sent you the board's new link privately; the old one no longer works.")
                     if rotated else t.gettext("I sent you the board's link privately."))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("board", board_command))
    return COMMANDS
