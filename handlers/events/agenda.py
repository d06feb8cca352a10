"""The agenda of the next occurrence: items added by conveners, and for talks the ideas and open
action items to look back on."""

from __future__ import annotations

from bot.domain import events as rules
from bot.domain.events import Event, Occurrence
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.base import Refused, Turn, handler
from handlers.events.common import _group_only, _number_and_rest, _pick
from storage import events as store
from storage import ideas


async def open_action_items(rt: Runtime, t: Translator, chat_id: int) -> list[str]:
    """Open action items of earlier meetings, as look-back lines of the agenda: each with its state,
    and marked when past its due date."""
    from handlers.minutes.common import STATUS_NAMES
    from storage import minutes as minutes_store
    lines, now = [], rt.clock.now()
    for item in await minutes_store.actions_of_chat(rt.store, chat_id):
        state = t.gettext(STATUS_NAMES[item.status])
        late = " ⚠️" + t.gettext("overdue") if item.due_at and item.due_at < now else ""
        lines.append(f"#{item.number} {item.text} — {item.owner_name} [{state}]{late}")
    return lines


async def agenda_of(rt: Runtime, t: Translator, event: Event, occurrence: Occurrence) -> rules.Agenda:
    look_back = event.kind == "talk"
    return rules.assemble_agenda(
        await store.items(rt.store, event.id, occurrence.key),
        await ideas.agenda(rt.store, event.chat_id) if look_back else [],
        await ideas.of_chat(rt.store, event.chat_id, ("discussion",)) if look_back else [],
        await open_action_items(rt, t, event.chat_id) if look_back else [])


@handler
async def agenda_command(turn: Turn) -> None:
    _group_only(turn)
    number, text = _number_and_rest(turn)
    event, nxt = await _pick(turn, number, None if number else "talk", under_way=True)
    if nxt is None:
        raise Refused(turn.t.gettext("Event #%(number)s has no occurrence ahead.", number=event.number))
    if text:
        await turn.require_convener(event.chat_id)
        await store.add_item(turn.rt.store, event.id, nxt.key, text, turn.person.id, turn.rt.clock.now(),
                             turn.origin)
    await turn.reply(turn.render("event_agenda.html.j2", event=event, occurrence=nxt,
                                 agenda=await agenda_of(turn.rt, turn.t, event, nxt), added=bool(text)))
