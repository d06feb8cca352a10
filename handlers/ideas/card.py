"""The idea's card in the group, kept up to date, and its buttons for residents: endorse and
volunteer."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import numbers
from bot.domain.ideas import KIND_NAMES, STATE_NAMES, Idea
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.base import Refused, Turn, edit_html, handler
from handlers.ideas.common import _stale
from storage import chats
from storage import ideas as store


async def _card(rt: Runtime, t: Translator, idea: Idea) -> tuple[str, InlineKeyboardMarkup | None]:
    text = rt.renderer.render("idea.html.j2", t, idea=idea, kind_name=KIND_NAMES[idea.kind],
                              state_names=STATE_NAMES, volunteers=await store.volunteers(rt.store, idea.id))
    if not idea.is_open:
        return text, None
    return text, InlineKeyboardMarkup([
        [InlineKeyboardButton(t.gettext("👍 Endorse · %(num)s", num=idea.endorsements),
                              callback_data=f"id:e:{idea.id}"),
         InlineKeyboardButton(t.gettext("🙋 Volunteer"), callback_data=f"id:v:{idea.id}")],
        [InlineKeyboardButton(t.gettext("⚙️ Manage"), callback_data=f"id:m:{idea.id}")],
    ])


async def refresh(rt: Runtime, bot, idea_id: int, *, now: bool = False) -> None:
    """Bring the card up to date (debounced, unless ``now``)."""

    async def render() -> None:
        idea = await store.get(rt.store, idea_id)
        if idea is None or idea.message_id is None:
            return
        text, markup = await _card(rt, rt.translator(await chats.get(rt.store, idea.chat_id)), idea)
        await edit_html(bot, idea.chat_id, idea.message_id, text, markup, shown=rt.refresher.shown)

    await rt.refresher.show(("idea", idea_id), render, now)


async def _pressed_idea(turn: Turn, on_card: bool) -> tuple[Idea, list[str]]:
    """The idea a button belongs to, refusing forged, foreign and stale presses."""
    query = turn.update.callback_query
    parts = (query.data or "").split(":")
    idea_id = numbers.whole(parts[2]) if len(parts) > 2 else None
    idea = await store.get(turn.rt.store, idea_id) if idea_id is not None else None
    if idea is None or query.message is None or query.message.chat.id != idea.chat_id:
        raise _stale(turn)
    if on_card and query.message.message_id != idea.message_id:
        raise _stale(turn)
    if idea.state == "merged":
        raise Refused(turn.t.gettext("This idea was merged into #%(number)s; support it there.",
                                     number=idea.merged_into))
    if not idea.is_open:
        raise Refused(turn.t.gettext("This idea is closed (%(state)s).",
                                     state=turn.t.gettext(STATE_NAMES[idea.state])))
    return idea, parts[3:]


@handler
async def endorse(turn: Turn) -> None:
    idea, _ = await _pressed_idea(turn, on_card=True)
    now_on = await store.toggle_endorsement(turn.rt.store, idea.id, turn.person.id, turn.rt.clock.now(),
                                            turn.origin)
    await turn.answer(turn.t.gettext("You endorse #%(number)s.", number=idea.number) if now_on
                      else turn.t.gettext("Endorsement taken back."))
    await refresh(turn.rt, turn.context.bot, idea.id)


@handler
async def volunteer(turn: Turn) -> None:
    idea, _ = await _pressed_idea(turn, on_card=True)
    now_on = await store.toggle_volunteer(turn.rt.store, idea.id, turn.person.id, turn.rt.clock.now(),
                                          turn.origin)
    await turn.answer(turn.t.gettext("Thank you! You are listed as a volunteer.") if now_on
                      else turn.t.gettext("You are no longer listed as a volunteer."))
    await refresh(turn.rt, turn.context.bot, idea.id)
