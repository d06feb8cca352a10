"""The notice's card in the group (and the draft's preview), kept up to date; the residents'
Read button; earlier versions, sent privately to whoever asks."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import numbers
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.base import Refused, Turn, deep_link, edit_html, handler, may_write, tell_privately
from handlers.notices.common import pressed
from storage import chats, users
from storage import notices as store

VERSIONS_LINK = "n"  # t.me/<bot>?start=n<notice id>: the earlier versions, privately


def card(rt: Runtime, t: Translator, notice: store.Notice) -> tuple[str, InlineKeyboardMarkup]:
    text = rt.renderer.render("notice.html.j2", t, notice=notice)
    rows = [[InlineKeyboardButton(t.gettext("✅ Read"), callback_data=f"nt:r:{notice.id}")]]
    if notice.versions > 1:
        rows[0].append(InlineKeyboardButton(t.gettext("🕘 Earlier versions"),
                                            callback_data=f"nt:v:{notice.id}"))
    return text, InlineKeyboardMarkup(rows)


def attached(t: Translator, files: list[store.File]) -> str:
    """What a draft carries: "2 photos and PDF accounts.pdf"."""
    photos = sum(1 for f in files if f.kind == "photo")
    parts = [t.ngettext("%(num)s photo", "%(num)s photos", photos, num=t.number(photos))] if photos else []
    parts += [t.gettext("PDF %(name)s", name=f.name or "").strip() for f in files if f.kind == "pdf"]
    return t.listing(parts) if parts else ""


async def preview(rt: Runtime, t: Translator, notice: store.Notice) -> tuple[str, InlineKeyboardMarkup]:
    files = await store.files(rt.store, notice.id)
    text = rt.renderer.render("notice_preview.html.j2", t, notice=notice, attached=attached(t, files),
                              most=store.MAX_PHOTOS)
    rows = [[InlineKeyboardButton(t.gettext("📌 Post and pin"), callback_data=f"nt:p:{notice.id}:1"),
             InlineKeyboardButton(t.gettext("Post"), callback_data=f"nt:p:{notice.id}:0")],
            [InlineKeyboardButton(t.gettext("Cancel"), callback_data=f"nt:x:{notice.id}")]]
    if not notice.attaching:
        rows.insert(0, [InlineKeyboardButton(t.gettext("📎 Send photos or a PDF"),
                                             callback_data=f"nt:a:{notice.id}")])
    return text, InlineKeyboardMarkup(rows)


async def refresh(rt: Runtime, bot, notice_id: int, *, now: bool = False) -> None:
    """Bring the card (or, for a draft, the preview) up to date: debounced, unless ``now``."""

    async def render() -> None:
        notice = await store.get(rt.store, notice_id)
        if notice is None:
            return
        t = rt.translator(await chats.get(rt.store, notice.chat_id))
        if notice.status == "posted" and notice.message_id is not None:
            await edit_html(bot, notice.chat_id, notice.message_id, *card(rt, t, notice),
                            shown=rt.refresher.shown)
        elif notice.status == "draft" and notice.preview_id is not None:
            await edit_html(bot, notice.chat_id, notice.preview_id, *await preview(rt, t, notice),
                            shown=rt.refresher.shown)

    await rt.refresher.show(("notice", notice_id), render, now)


@handler
async def read_pressed(turn: Turn) -> None:
    """``nt:r:<notice>`` on the card: the presser has read it (once; pressing again says so)."""
    notice, rest = await pressed(turn)
    if rest or notice.status != "posted":
        raise Refused(turn.t.gettext("This button is no longer valid."))
    if not await store.mark_read(turn.rt.store, notice.id, turn.person.id, turn.rt.clock.now()):
        await turn.answer(turn.t.gettext("You have read notice #%(number)s already.", number=notice.number))
        return
    await turn.answer(turn.t.gettext("Thank you: noted that you have read notice #%(number)s.",
                                     number=notice.number))
    await refresh(turn.rt, turn.context.bot, notice.id)


@handler
async def versions_pressed(turn: Turn) -> None:
    """``nt:v:<notice>``: the earlier versions, in the presser's private chat; one who has not
    started the bot is told so, and the answer opens the private chat (``/start n<notice>``)."""
    notice, rest = await pressed(turn)
    if rest or notice.versions < 2:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    if not await may_write(turn.rt, turn.person.id):
        link = deep_link(turn.context.bot.username, f"{VERSIONS_LINK}{notice.id}")
        await turn.update.callback_query.answer(turn.t.gettext(
            "I cannot write to you privately yet: open a private chat with me and press Start; the "
            "earlier versions come there."), show_alert=True, url=link)
        return
    if await _send_versions(turn.rt, turn.context.bot, turn.person.id, notice):
        await turn.answer(turn.t.gettext("I sent you the earlier versions privately."))
    else:
        await turn.answer(turn.t.gettext(
            "I cannot write to you privately yet: open a private chat with me, press Start, then try "
            "again."), alert=True)


async def _send_versions(rt: Runtime, bot, user_id: int, notice: store.Notice) -> bool:
    chat = await chats.get(rt.store, notice.chat_id)
    t = rt.translator(await chats.get(rt.store, user_id), await users.get(rt.store, user_id))
    earlier = (await store.versions(rt.store, notice.id))[:-1]
    text = rt.renderer.render("notice_versions.html.j2", t, notice=notice, versions=earlier,
                              group=(chat.title if chat else "") or "")
    return await tell_privately(rt, bot, user_id, text)


async def versions_link(turn: Turn, payload: str) -> None:
    """``/start n<notice>``: the earlier versions of a notice of a group the person is in."""
    notice_id = numbers.whole(payload)
    notice = await store.get(turn.rt.store, notice_id) if notice_id is not None else None
    if notice is None or notice.status != "posted" or notice.versions < 2 \
            or not await store.is_member(turn.rt.store, notice.chat_id, turn.person.id):
        raise Refused(turn.t.gettext("This link is no longer valid."))
    await _send_versions(turn.rt, turn.context.bot, turn.person.id, notice)
