"""The meeting, live: started by a convener, recorded by its chair, ended by the chair or, left
open, closed automatically."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from telegram.ext import CallbackContext

from bot.domain import minutes as rules
from bot.domain import numbers
from bot.domain.models import Firing
from bot.i18n import N_
from bot.runtime import Runtime, runtime
from handlers.base import Refused, Turn, handler, person_of, send_html
from handlers.guide.entry import guided
from handlers.minutes.common import (
    CLOSE_KIND,
    DUE_KIND,
    KIND_NAMES,
    _group_only,
    _running,
    record_entry,
)
from handlers.minutes.rendering import post
from storage import chats, topics
from storage import minutes as store


async def _tied_event(turn: Turn):
    """The chat's event under way (or just held), to tie the meeting to."""
    from bot.domain import events as event_rules
    from storage import events as event_store

    now = turn.rt.clock.now()
    for event in await event_store.of_chat(turn.rt.store, turn.chat_id):
        occurrence = event_rules.current(
            event, await event_store.changes(turn.rt.store, event.id), now, held_for=timedelta(hours=2)
        )
        if occurrence is not None and abs(occurrence.at - now) <= timedelta(hours=2):
            return event
    return None


@handler
async def start_command(turn: Turn) -> None:
    if not turn.body.strip() and (turn.in_private or await _tied_event(turn) is None):
        await guided(turn, "meeting")  # alone, with no talk under way to take it all from: asked
        return
    await start(turn, await prepare(turn, turn.body))


async def prepare(turn: Turn, body: str) -> dict:
    """Read ``/meeting [kind] [title]`` and a 地点 line; the event under way fills what is missing."""
    _group_only(turn)
    await turn.require_convener()
    if await store.open_of(turn.rt.store, turn.chat_id) is not None:
        raise Refused(turn.t.gettext("A meeting is running already: end it with /endmeeting first."))
    first_line, place = rules.split_place(body.strip())
    words = first_line.split(maxsplit=1)
    kind = rules.kind_of(words[0]) if words else None
    title = (words[1] if kind and len(words) > 1 else (None if kind else first_line)) or None
    event = await _tied_event(turn)
    if kind is None:
        kind = {"talk": "talk", "reception": "reception"}.get(event.kind, "talk") if event else "talk"
    return {"kind": kind, "title": title or (event.title if event else None),
            "place": place or (event.place if event else None), "event_id": event.id if event else None}


def _started(turn: Turn, number: int, kind: str) -> str:
    return html.escape(turn.t.gettext(
        "Meeting #%(number)s (%(kind)s) started; %(chair)s chairs and records. Record with /topic, /note, "
        "/decision, /action, /ref; /undo takes back the last entry; /endmeeting posts the minutes.",
        number=number, kind=turn.t.gettext(KIND_NAMES[kind]), chair=turn.person.name))


async def preview(turn: Turn, meeting: dict) -> str:
    """What the group will read when the meeting starts."""
    title = turn.t.named(turn.t.gettext(KIND_NAMES[meeting["kind"]]), meeting["title"] or "")
    lines = [f"<b>{html.escape(title)}</b>"]
    if meeting["place"]:
        lines.append(html.escape(turn.t.gettext("Place: %(place)s", place=meeting["place"])))
    return "\n".join([*lines, "", _started(turn, await turn.rt.store.next_number("meetings", turn.chat_id),
                                            meeting["kind"])])


async def start(turn: Turn, prepared: dict) -> None:
    """Open the meeting the turn's convener chairs, closing by itself if it is left open."""
    kind, now = prepared["kind"], turn.rt.clock.now()
    meeting = await store.start(
        turn.rt.store,
        chat_id=turn.chat_id,
        kind=kind,
        title=prepared["title"],
        place=prepared["place"],
        event_id=prepared["event_id"],
        chair_id=turn.person.id,
        chair_name=turn.person.name,
        now=now,
        origin=turn.origin,
    )
    if meeting is not None:
        await turn.keep_topic(f"meeting:{meeting.id}")
    if meeting is None:
        raise Refused(turn.t.gettext("A meeting is running already: end it with /endmeeting first."))
    hours = (
        (turn.chat.settings or {}).get("meeting_autoclose_hours", rules.DEFAULT_AUTOCLOSE_HOURS)
        if turn.chat
        else rules.DEFAULT_AUTOCLOSE_HOURS
    )
    await turn.rt.scheduler.add(
        chat_id=turn.chat_id,
        kind=CLOSE_KIND,
        first_at=now + timedelta(hours=hours),
        tz=str(turn.t.tz),
        ref=str(meeting.id),
        origin=f"{turn.origin}:close",
    )
    await turn.reply(_started(turn, meeting.number, kind))


async def _record(turn: Turn, kind: str, usage: str, **extra) -> None:
    meeting = await _running(turn)
    text = turn.body.strip()
    if not text and kind != "note":
        raise Refused(turn.t.gettext(usage))
    await record_entry(turn, meeting, kind, text, **extra)
    await turn.reply(html.escape(turn.t.gettext("Recorded.")))


@handler
async def topic_command(turn: Turn) -> None:
    await _record(turn, "topic", N_("Usage: /topic and the topic, e.g. /topic 凉亭漏雨"))


@handler
async def decision_command(turn: Turn) -> None:
    await _record(
        turn, "decision", N_("Usage: /decision and what was agreed, e.g. /decision 请物业两周内修好")
    )


@handler
async def note_command(turn: Turn) -> None:
    meeting = await _running(turn)
    quoted = turn.quoted
    text = turn.body.strip()
    speaker = None
    if quoted is not None and quoted.from_user is not None and not quoted.from_user.is_bot:
        speaker = person_of(quoted.from_user)
        text = text or (quoted.text or quoted.caption or "").strip()
    if not text:
        raise Refused(
            turn.t.gettext(
                "Usage: /note and the note, or reply to a resident's message with /note "
                "to record what they said."
            )
        )
    await record_entry(turn, meeting, "note", text, speaker_id=speaker.id if speaker else None,
                       speaker_name=speaker.name if speaker else None)
    await turn.reply(html.escape(turn.t.gettext("Recorded.")))


@handler
async def ref_command(turn: Turn) -> None:
    meeting = await _running(turn)
    from storage import ideas

    words = turn.body.strip().lstrip("#").split(maxsplit=1)
    number = numbers.whole(words[0]) if words else None
    idea = await ideas.by_number(turn.rt.store, turn.chat_id, number) if number else None
    if idea is None:
        raise Refused(turn.t.gettext("Usage: /ref and the number of an idea of this chat, e.g. /ref 3"))
    text = words[1] if len(words) > 1 else idea.text
    await record_entry(turn, meeting, "idea", text, data={"number": idea.number})
    await turn.reply(html.escape(turn.t.gettext("Recorded.")))


@handler
async def undo_command(turn: Turn) -> None:
    meeting = await _running(turn)
    entry = await store.undo_last(turn.rt.store, meeting.id, turn.rt.clock.now(), turn.origin)
    if entry is None:
        raise Refused(turn.t.gettext("Nothing to undo."))
    if entry.kind == "action":
        item = await store.action(turn.rt.store, turn.chat_id, entry.data.get("number"))
        if item is not None:
            await store.set_status(turn.rt.store, item.id, "dropped", None, turn.rt.clock.now())
            await turn.rt.scheduler.cancel_ref(DUE_KIND, str(item.id))
    await turn.reply(html.escape(turn.t.gettext("Taken back: %(text)s", text=entry.text)))


@handler
async def chair_command(turn: Turn) -> None:
    _group_only(turn)
    meeting = await store.open_of(turn.rt.store, turn.chat_id)
    if meeting is None:
        raise Refused(turn.t.gettext("No meeting is running. A convener starts one with /meeting."))
    if turn.person.id != meeting.chair_id and not await turn.is_convener():
        raise Refused(
            turn.t.gettext("Only the chair (%(name)s) records the minutes.", name=meeting.chair_name)
        )
    quoted = turn.quoted
    if quoted is None or quoted.from_user is None or quoted.from_user.is_bot:
        raise Refused(turn.t.gettext("Reply with /chair to a message of the person who takes the chair."))
    who = person_of(quoted.from_user)
    await store.set_chair(turn.rt.store, meeting.id, who.id, who.name)
    await record_entry(turn, meeting, "chair", who.name, data={"id": who.id, "name": who.name})
    await turn.reply(html.escape(turn.t.gettext("%(name)s chairs the meeting now.", name=who.name)))


@handler
async def present_command(turn: Turn) -> None:
    """``/present`` in reply to someone's message, or ``/present 张三 李四``: they were there."""
    meeting = await _running(turn)
    quoted = turn.quoted
    someone = quoted.from_user if quoted is not None else None
    names = [person_of(someone).name] if someone is not None and not someone.is_bot else []
    names += [n[:64] for n in re.split(r"[\s,，、;；]+", turn.body.strip()) if n]
    if not names:
        raise Refused(turn.t.gettext("Usage: reply to someone's message with /present, or "
                                     "/present 张三 李四"))
    await record_entry(turn, meeting, "present", "、".join(names), data={"names": names})
    await turn.reply(html.escape(turn.t.gettext("Present: %(names)s", names=turn.t.listing(names))))


@handler
async def end_command(turn: Turn) -> None:
    meeting = await _running(turn)
    await _close(turn.rt, turn.context.bot, meeting, "chair")


async def _close(rt: Runtime, bot, meeting: rules.Meeting, by: str) -> None:
    if not await store.close(rt.store, meeting.id, by, rt.clock.now()):
        return
    await rt.scheduler.cancel_ref(CLOSE_KIND, str(meeting.id))
    await post(rt, bot, meeting.chat_id, await store.get(rt.store, meeting.id), await _topic(rt, meeting))


async def _topic(rt: Runtime, meeting: rules.Meeting) -> int | None:
    """The forum topic the meeting was started in (None: General)."""
    return await topics.of(rt.store, meeting.chat_id, f"meeting:{meeting.id}")


async def deliver_close(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    meeting = await store.get(rt.store, int(firing.schedule.ref))
    if meeting is None or meeting.status != "open":
        return
    t = rt.translator(await chats.get(rt.store, meeting.chat_id))
    await send_html(
        context.bot,
        meeting.chat_id,
        html.escape(
            t.gettext(
                "Meeting #%(number)s was left open and is closed now. Here are its minutes.",
                number=meeting.number,
            )
        ),
        thread=await _topic(rt, meeting),
    )
    await _close(rt, context.bot, meeting, "auto")
