"""Writing a notice: ``/notice 标题`` and its text give a preview; photos or a PDF sent in answer
attach to it; Post (and pin) sends the files and then the card."""

from __future__ import annotations

import functools
import html
import logging
from datetime import timedelta

from telegram import InputMediaPhoto
from telegram.error import BadRequest, Forbidden

from bot.domain import numbers
from bot.runtime import Runtime
from handlers.base import Refused, Turn, edit_html, handler, in_topic, send_html
from handlers.notices.card import card, preview, refresh
from handlers.notices.common import USAGE, in_group, parse, pressed, stale
from handlers.notices.reports import reads_report
from storage import chats
from storage import notices as store

log = logging.getLogger(__name__)
DRAFT_TAKES_FILES = timedelta(days=1)  # how long after it was written a draft still takes files


@handler
async def notice_command(turn: Turn) -> None:
    """``/notice 标题`` + lines: a draft with its preview; ``/notice 3``: who has read #3."""
    in_group(turn)
    first, _, rest = turn.body.partition("\n")
    if not first.strip() and not rest.strip():
        raise Refused(turn.t.gettext(USAGE))
    await turn.require_convener()
    if not rest.strip() and numbers.whole(first.strip().lstrip("#")) is not None:
        await reads_report(turn, first.strip())
        return
    if not first.strip():
        raise Refused(turn.t.gettext("A notice needs a title on the first line.") + "\n"
                      + turn.t.gettext(USAGE))
    title, text = parse(turn.t, first, rest)
    notice = await store.draft(turn.rt.store, chat_id=turn.chat_id, user_id=turn.person.id, title=title,
                               text=text, thread=turn.thread, now=turn.rt.clock.now(), origin=turn.origin)
    if notice.preview_id is None:  # not shown yet (or handled again after a crash before it was)
        message = await turn.reply(*await preview(turn.rt, turn.t, notice))
        await store.set_preview(turn.rt.store, notice.id, message.message_id)


async def _own_draft(turn: Turn, posting: bool = False) -> tuple[store.Notice, list[str]]:
    """The draft whose preview button was pressed, if the presser wrote it and still convenes
    (``posting``: or the notice that press posted, when it is handled again after a crash)."""
    notice, rest = await pressed(turn, "preview")
    if notice.status != "draft" and not (posting and notice.status == "posted"):
        raise stale(turn)
    if notice.created_by != turn.person.id:
        raise Refused(turn.t.gettext("Only the convener who wrote this notice can do that."))
    await turn.require_convener(notice.chat_id)
    return notice, rest


@handler
async def attach_pressed(turn: Turn) -> None:
    """``nt:a:<notice>``: the author's next photos or PDF in this chat attach to the draft."""
    notice, rest = await _own_draft(turn)
    if rest or not await store.set_attaching(turn.rt.store, notice.id):
        raise stale(turn)
    await turn.answer(turn.t.gettext("Send the photos or the PDF now, in answer to the preview."))
    await refresh(turn.rt, turn.context.bot, notice.id, now=True)


@handler
async def cancel_pressed(turn: Turn) -> None:
    notice, rest = await _own_draft(turn)
    if rest or not await store.cancel(turn.rt.store, notice.id):
        raise stale(turn)
    await turn.answer()
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id,
                    html.escape(turn.t.gettext("Notice cancelled: nothing was posted.")))


@handler
async def post_pressed(turn: Turn) -> None:
    """``nt:p:<notice>:<pin>``: number the notice, send its files and its card, pin it if asked."""
    notice, rest = await _own_draft(turn, posting=True)
    if rest not in (["0"], ["1"]):
        raise stale(turn)
    pin = rest == ["1"]
    rt = turn.rt
    if not await store.post(rt.store, notice.id, pin, rt.clock.now(), turn.origin):
        raise stale(turn)
    await turn.answer()
    notice = await store.get(rt.store, notice.id)
    chat = await chats.get(rt.store, notice.chat_id)
    t = rt.translator(chat)
    if notice.message_id is None:  # not sent yet (or handled again after a crash before it was)
        await _send_files(rt, turn.context.bot, notice, t.labelled(
            t.gettext("📢 Notice #%(number)s", number=notice.number), notice.title))
        sent = await send_html(turn.context.bot, notice.chat_id, *card(rt, t, notice),
                               thread=notice.thread_id)
        await store.set_message(rt.store, notice.id, sent.message_id)
        notice = await store.get(rt.store, notice.id)
    pinned = pin and await _pin(turn.context.bot, notice)
    done = (turn.t.gettext("Posted and pinned as notice #%(number)s.", number=notice.number) if pinned
            else turn.t.gettext("Posted as notice #%(number)s.", number=notice.number))
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id, html.escape(done))
    if pin and not pinned:
        await store.set_pinned(rt.store, notice.id, False)
        await turn.reply(html.escape(turn.t.gettext(
            "Notice #%(number)s is posted, but I could not pin it: I may pin messages only as an "
            "administrator of this group with the right to pin messages. Pin it by hand, or give me that "
            "right for the next notice.", number=notice.number)))


async def _send_files(rt: Runtime, bot, notice: store.Notice, caption: str) -> None:
    """The photos (an album when there are several) and then the PDF, before the card."""
    attached = await store.files(rt.store, notice.id)
    photos = [f.file_id for f in attached if f.kind == "photo"]
    send = None
    if len(photos) == 1:
        send = functools.partial(bot.send_photo, notice.chat_id, photos[0], caption=caption)
    elif photos:
        album = [InputMediaPhoto(photo, caption=caption if index == 0 else None)
                 for index, photo in enumerate(photos)]
        send = functools.partial(bot.send_media_group, notice.chat_id, album)
    if send is not None:
        await in_topic(send, notice.thread_id)
    for pdf in (f for f in attached if f.kind == "pdf"):
        await in_topic(functools.partial(bot.send_document, notice.chat_id, pdf.file_id, caption=caption),
                       notice.thread_id)


async def _pin(bot, notice: store.Notice) -> bool:
    """Pin the card, telling the members (False: the bot may not pin there)."""
    try:
        await bot.pin_chat_message(notice.chat_id, notice.message_id, disable_notification=False)
    except (BadRequest, Forbidden) as error:
        log.info("notice %s not pinned in chat %s: %s", notice.id, notice.chat_id, error)
        return False
    return True


@handler
async def attachment(turn: Turn) -> None:
    """A photo or a document in a group: when its sender's draft there takes files, it is
    attached (a PDF, or up to ten photos); anything else in the group is none of ours."""
    if turn.in_private or turn.person is None:
        return
    notice = await store.attaching(turn.rt.store, turn.chat_id, turn.person.id,
                                   turn.rt.clock.now() - DRAFT_TAKES_FILES)
    if notice is None:
        return
    message = turn.update.effective_message
    if message.photo:
        kind, file, name = "photo", message.photo[-1], None
    elif message.document is not None and _is_pdf(message.document):
        kind, file, name = "pdf", message.document, message.document.file_name
    else:
        raise Refused(turn.t.gettext("A notice carries photos or one PDF; this file was not attached."))
    outcome = await store.add_file(turn.rt.store, notice.id, kind, file.file_id, file.file_unique_id, name,
                                   turn.rt.clock.now())
    if outcome == "full":
        raise Refused(turn.t.gettext("A notice carries at most %(most)s photos and one PDF; this one was "
                                     "not attached.", most=store.MAX_PHOTOS))
    if outcome == "added":
        await refresh(turn.rt, turn.context.bot, notice.id)  # the preview lists it


def _is_pdf(document) -> bool:
    return document.mime_type == "application/pdf" or (document.file_name or "").lower().endswith(".pdf")
