"""Minutes rendered from the recorded entries with the chat's locale and the meeting kind's
template, posted as messages and documents; the archive of past meetings."""

from __future__ import annotations

import html
from datetime import timedelta

from bot.documents import docx_from_markdown, html_page
from bot.domain import events as event_rules
from bot.domain import minutes as rules
from bot.domain import numbers
from bot.i18n import N_, Translator
from bot.runtime import Runtime
from handlers.base import Refused, Turn, handler, send_file, send_html
from handlers.minutes.common import KIND_NAMES, STATUS_NAMES, _group_only, _names
from storage import chats, events
from storage import minutes as store

SECTION_NAMES = {
    "construction": N_("Construction progress"),
    "performance": N_("Performance review"),
    "briefing": N_("Briefing"),
    "other": N_("Other matters"),
}


async def build(rt: Runtime, meeting: rules.Meeting, community: str) -> rules.Minutes:
    earlier = await store.actions_before(rt.store, meeting.chat_id, meeting.number)
    previous = await store.by_number(rt.store, meeting.chat_id, meeting.number - 1)
    coming, agenda = await _event_side(rt, meeting)
    return rules.build(
        meeting,
        await store.entries(rt.store, meeting.id),
        await store.actions_of_meeting(rt.store, meeting.id),
        community=community,
        earlier=earlier,
        since=previous.started_at if previous else None,
        coming=coming,
        agenda=agenda,
    )


async def _event_side(rt: Runtime, meeting: rules.Meeting) -> tuple[list[str], list[str]]:
    """Who said they would come to the event occurrence the meeting took the place of, and the
    agenda conveners wrote for it."""
    event = await events.get(rt.store, meeting.event_id) if meeting.event_id else None
    if event is None:
        return [], []
    changes = await events.changes(rt.store, event.id)
    occurrence = event_rules.current(event, changes, meeting.started_at, held_for=timedelta(hours=2))
    if occurrence is None or abs(occurrence.at - meeting.started_at) > timedelta(hours=2):
        return [], []
    coming = [name for name, answer in await events.answers(rt.store, event.id, occurrence.key)
              if answer == "going"]
    return coming, await events.items(rt.store, event.id, occurrence.key)


def render(rt: Runtime, t: Translator, m: rules.Minutes, fmt: str = "html") -> str:
    text = rt.renderer.render(
        f"minutes_{m.meeting.kind}.{fmt}.j2",
        t,
        m=m,
        kind_name=t.gettext(KIND_NAMES[m.meeting.kind]),
        status_names=_names(t, STATUS_NAMES),
        section_names=_names(t, SECTION_NAMES),
        now=rt.clock.now(),
    )
    return html.unescape(text) if fmt == "md" else text


async def post(rt: Runtime, bot, chat_id: int, meeting: rules.Meeting, thread: int | None) -> None:
    """The minutes as HTML messages, then as files to keep and print: Word, HTML and Markdown; in
    forum topic ``thread`` when given."""
    chat = await chats.get(rt.store, chat_id)
    t = rt.translator(chat)
    m = await build(rt, meeting, (chat.community if chat else None) or "")
    text, markdown = render(rt, t, m), render(rt, t, m, "md")
    sent = await send_html(bot, chat_id, text, thread=thread)
    thread = sent.message_thread_id if sent.is_topic_message else None  # General, if the topic went
    name = f"minutes-{meeting.number}"
    title = t.gettext("Minutes of meeting #%(number)s", number=meeting.number)
    title = t.labelled(m.community or (chat.title if chat else None) or "", title)
    for data, suffix in ((docx_from_markdown(markdown, title, t.locale), "docx"),
                         (html_page(title, t.locale, text), "html"), (markdown.encode("utf-8"), "md")):
        await send_file(bot, chat_id, data, f"{name}.{suffix}", thread)


@handler
async def meetings_command(turn: Turn) -> None:
    _group_only(turn)
    await turn.reply(
        turn.render(
            "minutes_list.html.j2",
            meetings=await store.of_chat(turn.rt.store, turn.chat_id),
            kind_names=_names(turn.t, KIND_NAMES),
        )
    )


@handler
async def minutes_command(turn: Turn) -> None:
    _group_only(turn)
    word = turn.body.strip().lstrip("#")
    number = numbers.whole(word)
    meeting = await store.by_number(turn.rt.store, turn.chat_id, number) if number is not None else None
    if meeting is None or meeting.status != "closed":
        raise Refused(
            turn.t.gettext("Usage: /minutes and the number of a past meeting; /meetings lists them.")
        )
    await post(turn.rt, turn.context.bot, turn.chat_id, meeting, turn.thread)


@handler
async def export_command(turn: Turn) -> None:
    _group_only(turn)
    found = await store.of_chat(turn.rt.store, turn.chat_id)
    if not found:
        raise Refused(turn.t.gettext("No meeting has been recorded yet. Conveners start one with /meeting."))
    community = (turn.chat.community if turn.chat else None) or ""
    parts = [render(turn.rt, turn.t, await build(turn.rt, m, community), "md") for m in found]
    await turn.send_file(("\n\n---\n\n".join(parts) + "\n").encode("utf-8"), "minutes-all.md")
