"""Ways into a guided flow: a creating command sent alone, the "Step by step" button under a
refusal, and the deep link that brings someone from the group into the private chat."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import guides
from handlers.base import Refused, Turn, deep_link, may_write

_PAYLOAD = re.compile(r"^([a-z]{1,12})_(-?[0-9]{1,16})(?:_([0-9]{1,10}))?$")


def guide_button(turn: Turn, command: str) -> InlineKeyboardMarkup:
    """The button that starts ``command`` step by step (in a group: in the private chat)."""
    label = turn.t.gettext("Step by step")
    if turn.in_private:
        return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"gs:{command}")]])
    payload = f"g{command}_{turn.chat_id}" + (f"_{turn.thread}" if turn.thread else "")
    link = deep_link(turn.context.bot.username, payload)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=link)]])


@contextmanager
def offering_guide(turn: Turn, command: str) -> Iterator[None]:
    """A refusal of what was typed for ``command`` comes with the button that asks it step by step."""
    try:
        yield
    except Refused as refusal:
        if refusal.markup is not None:
            raise
        raise Refused(str(refusal), guide_button(turn, command)) from None


async def guided(turn: Turn, command: str) -> None:
    """``command`` sent alone: its questions are asked in the person's private chat. From a group,
    the group sees one short answer and nothing of the dialogue."""
    from handlers.guide.dialogue import begin  # the dialogue posts through the features that call this

    if turn.in_private:
        await begin(turn, command)
        return
    if guides.conveners_only(command):
        await turn.require_convener()
    if not await may_write(turn.rt, turn.person.id):
        await turn.reply(html.escape(turn.t.gettext(
            "I will ask you step by step in a private chat: press the button, then Start.")),
            guide_button(turn, command))
        return
    await begin(await turn.posting_in(turn.person.id, None), command, turn.chat_id, turn.thread)
    chat = InlineKeyboardButton(turn.t.gettext("Open the private chat"),
                                url=f"https://t.me/{turn.context.bot.username}")
    await turn.reply(html.escape(turn.t.gettext("I wrote to you privately: answer my questions there.")),
                     InlineKeyboardMarkup([[chat]]))


async def deep_linked(turn: Turn, payload: str) -> None:
    """``/start g<command>_<group>[_<topic>]``: the flow for that group, privately."""
    from handlers.guide.dialogue import begin

    found = _PAYLOAD.match(payload)
    if found is None:
        return
    command, chat_id, thread = found.group(1), int(found.group(2)), found.group(3)
    await begin(turn, command, chat_id, int(thread) if thread else None)
