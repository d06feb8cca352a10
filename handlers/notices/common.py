"""What the notice handlers share: limits, parsing a notice's text, refusals, finding the
notice a button or a number means."""

from __future__ import annotations

from telegram import CallbackQuery

from bot.domain import numbers
from bot.i18n import N_, Translator
from handlers.base import Refused, Turn
from storage import notices as store

MAX_TITLE = 120
MAX_TEXT = 3000  # the card, with its title and counts, stays one message Telegram may edit
USAGE = N_("Usage: /notice title, then the text on the next lines, e.g.\n"
           "/notice 2026年物业费调整\n自1月1日起，物业费由每月每平方米1.8元调整为2.0元。")
EDIT_USAGE = N_("Usage: /notice_edit number, then the new text on the next lines (a new title after "
                "the number, if it changes), e.g.\n/notice_edit 3\n缴费截止日改为1月31日。")


def parse(t: Translator, first: str, rest: str) -> tuple[str, str]:
    """(title, text), checked: the title is one line, the text what follows."""
    title, text = " ".join(first.split()), rest.strip()
    if len(title) > MAX_TITLE:
        raise Refused(t.gettext("A notice's title can be at most %(most)s characters; this one has "
                                "%(count)s.", most=MAX_TITLE, count=len(title)))
    if len(text) > MAX_TEXT:
        raise Refused(t.gettext("A notice can be at most %(most)s characters; this one has %(count)s. "
                                "Attach the details as a PDF instead.", most=MAX_TEXT, count=len(text)))
    return title, text


def stale(turn: Turn) -> Refused:
    return Refused(turn.t.gettext("This button is no longer valid."))


def in_group(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Notices belong to a group: use this command in the group."))


async def pressed(turn: Turn, message: str = "card") -> tuple[store.Notice, list[str]]:
    """The notice a button belongs to and the rest of its data: refused when forged, from
    another chat, or not on the notice's own ``message`` ("card" or "preview")."""
    query: CallbackQuery = turn.update.callback_query
    parts = (query.data or "").split(":")
    notice_id = numbers.whole(parts[2]) if len(parts) > 2 else None
    notice = await store.get(turn.rt.store, notice_id) if notice_id is not None else None
    if notice is None or query.message is None or query.message.chat.id != notice.chat_id:
        raise stale(turn)
    shown_on = notice.message_id if message == "card" else notice.preview_id
    if query.message.message_id != shown_on:
        raise stale(turn)
    return notice, parts[3:]


async def numbered(turn: Turn, word: str | None) -> store.Notice:
    """Posted notice #``word`` of this group's community."""
    number = numbers.whole((word or "").lstrip("#"))
    notice = await store.by_number(turn.rt.store, turn.chat_id, number) if number is not None else None
    if notice is None:
        raise Refused(turn.t.gettext("There is no notice %(word)s here. /notices lists them.",
                                     word=word or ""))
    return notice
