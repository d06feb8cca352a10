"""Minutes taken live in the chat, and the action items they create, followed until done.

Entries are stored as recorded (minute_entries); the minutes are rendered from that log with
the chat's locale and the template of the meeting's kind (minutes_<kind>.html.j2 / .md.j2),
which a deployer may override in the template directory.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta

from telegram import MessageEntity
from telegram.ext import Application, CallbackContext, CommandHandler

from bot.domain import minutes as rules
from bot.domain.models import Firing
from bot.domain.when import WhenError, parse_when
from bot.i18n import N_, Translator
from bot.runtime import Runtime, runtime
from handlers.base import Command, Refused, Turn, handler, person_of, send_html, tell_privately
from handlers.roles import ROLE_NAMES
from storage import chats
from storage import minutes as store
from storage import roles as role_store

log = logging.getLogger(__name__)

COMMANDS = [
    Command("meeting", N_("Start taking minutes: /meeting [kind] [title]"), convener=True),
    Command("topic", N_("Minutes: a new topic"), convener=True),
    Command("note", N_("Minutes: a note (reply to a message to quote its author)"), convener=True),
    Command("decision", N_("Minutes: what was agreed"), convener=True),
    Command("action", N_("Minutes: an action item — owner, text, 截止 due"), convener=True),
    Command("ref", N_("Minutes: an idea discussed, by its number"), convener=True),
    Command("undo", N_("Minutes: take back the last entry"), convener=True),
    Command("chair", N_("Minutes: hand the chair to the person you reply to"), convener=True),
    Command("endmeeting", N_("End the meeting and post the minutes"), convener=True),
    Command("actions", N_("Open action items"), convener=False),
    Command("done", N_("Mark an action item done"), convener=False),
    Command("blocked", N_("Mark an action item blocked, with why"), convener=False),
    Command("meetings", N_("Past meetings"), convener=False),
    Command("minutes", N_("Post the minutes of a past meeting again"), convener=False),
    Command("minutes_export", N_("All minutes as one file"), convener=False),
]
KIND_NAMES = {
    "talk": N_("Evening talk"),
    "council": N_("Council meeting"),
    "reception": N_("Reception day"),
    "briefing": N_("Public integrity briefing (廉情发布会)"),
}
STATUS_NAMES = {"open": N_("open"), "done": N_("done"), "blocked": N_("blocked"), "dropped": N_("dropped")}
SECTION_NAMES = {
    "construction": N_("Construction progress"),
    "performance": N_("Performance review"),
    "briefing": N_("Briefing"),
    "other": N_("Other matters"),
}
CLOSE_KIND = "minutes_close"
DUE_KIND = "minutes_due"
REMIND_BEFORE = 86400  # one day before due, and at due
ROLE_WORDS = {"物业": "property_manager", "物業": "property_manager", "物业公司": "property_manager"}


def _group_only(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Minutes belong to a group: use this command in the group."))


def _names(t: Translator, table: dict[str, str]) -> dict[str, str]:
    return {k: t.gettext(v) for k, v in table.items()}


async def _running(turn: Turn) -> rules.Meeting:
    """The open meeting, when the speaker chairs it."""
    _group_only(turn)
    meeting = await store.open_of(turn.rt.store, turn.chat_id)
    if meeting is None:
        raise Refused(turn.t.gettext("No meeting is running. A convener starts one with /meeting."))
    if turn.person is None or turn.person.id != meeting.chair_id:
        raise Refused(
            turn.t.gettext("Only the chair (%(name)s) records the minutes.", name=meeting.chair_name)
        )
    return meeting


# -- rendering -----------------------------------------------------------------------------------


async def build(rt: Runtime, meeting: rules.Meeting, community: str) -> rules.Minutes:
    earlier = await store.actions_before(rt.store, meeting.chat_id, meeting.number)
    previous = await store.by_number(rt.store, meeting.chat_id, meeting.number - 1)
    return rules.build(
        meeting,
        await store.entries(rt.store, meeting.id),
        await store.actions_of_meeting(rt.store, meeting.id),
        community=community,
        earlier=earlier,
        since=previous.started_at if previous else None,
    )


def render(rt: Runtime, t: Translator, m: rules.Minutes, fmt: str = "html") -> str:
    text = rt.renderer.render(
        f"minutes_{m.meeting.kind}.{fmt}.j2",
        t,
        m=m,
        kind_name=t.gettext(KIND_NAMES[m.meeting.kind]),
        status_names=_names(t, STATUS_NAMES),
        section_names=_names(t, SECTION_NAMES),
    )
    return html.unescape(text) if fmt == "md" else text


def html_document(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>'
        + html.escape(title)
        + '</title></head>\n<body style="white-space: pre-wrap; font-family: sans-serif">\n'
        + body
        + "\n</body></html>\n"
    ).encode("utf-8")


async def post(rt: Runtime, bot, chat_id: int, meeting: rules.Meeting) -> None:
    """The minutes as HTML messages, then as a document (HTML and Markdown)."""
    chat = await chats.get(rt.store, chat_id)
    t = rt.translator(chat)
    m = await build(rt, meeting, (chat.title if chat else None) or "")
    text = render(rt, t, m)
    await send_html(bot, chat_id, text)
    name = f"minutes-{meeting.number}"
    await bot.send_document(chat_id, html_document(name, text), filename=f"{name}.html")
    await bot.send_document(chat_id, render(rt, t, m, "md").encode("utf-8"), filename=f"{name}.md")


# -- the meeting -------------------------------------------------------------------------------------


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
    _group_only(turn)
    await turn.require_convener()
    first_line, place = rules.split_place(turn.body.strip())
    words = first_line.split(maxsplit=1)
    kind = rules.kind_of(words[0]) if words else None
    title = (words[1] if kind and len(words) > 1 else (None if kind else first_line)) or None
    event = await _tied_event(turn)
    if kind is None:
        kind = {"talk": "talk", "reception": "reception"}.get(event.kind, "talk") if event else "talk"
    now = turn.rt.clock.now()
    meeting = await store.start(
        turn.rt.store,
        chat_id=turn.chat_id,
        kind=kind,
        title=title or (event.title if event else None),
        place=place or (event.place if event else None),
        event_id=event.id if event else None,
        chair_id=turn.person.id,
        chair_name=turn.person.name,
        now=now,
        origin=turn.origin,
    )
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
    )
    await turn.reply(
        html.escape(
            turn.t.gettext(
                "Meeting #%(number)s (%(kind)s) started; %(chair)s chairs and records. "
                "Record with /topic, /note, /decision, /action, /ref; /undo takes back the last entry; "
                "/endmeeting posts the minutes.",
                number=meeting.number,
                kind=turn.t.gettext(KIND_NAMES[kind]),
                chair=meeting.chair_name,
            )
        )
    )


async def _record(turn: Turn, kind: str, usage: str, **extra) -> None:
    meeting = await _running(turn)
    text = turn.body.strip()
    if not text and kind != "note":
        raise Refused(turn.t.gettext(usage))
    await store.record(
        turn.rt.store,
        meeting.id,
        kind=kind,
        text=text,
        author_id=turn.person.id,
        author_name=turn.person.name,
        now=turn.rt.clock.now(),
        origin=f"{turn.origin}:entry",
        **extra,
    )
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
    message = turn.update.effective_message
    quoted = message.reply_to_message
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
    await store.record(
        turn.rt.store,
        meeting.id,
        kind="note",
        text=text,
        author_id=turn.person.id,
        author_name=turn.person.name,
        now=turn.rt.clock.now(),
        origin=f"{turn.origin}:entry",
        speaker_id=speaker.id if speaker else None,
        speaker_name=speaker.name if speaker else None,
    )
    await turn.reply(html.escape(turn.t.gettext("Recorded.")))


@handler
async def ref_command(turn: Turn) -> None:
    meeting = await _running(turn)
    from storage import ideas

    words = turn.body.strip().lstrip("#").split(maxsplit=1)
    number = int(words[0]) if words and words[0].isdigit() else None
    idea = await ideas.by_number(turn.rt.store, turn.chat_id, number) if number else None
    if idea is None:
        raise Refused(turn.t.gettext("Usage: /ref and the number of an idea of this chat, e.g. /ref 3"))
    text = words[1] if len(words) > 1 else idea.text
    await store.record(
        turn.rt.store,
        meeting.id,
        kind="idea",
        text=text,
        author_id=turn.person.id,
        author_name=turn.person.name,
        now=turn.rt.clock.now(),
        origin=f"{turn.origin}:entry",
        data={"number": idea.number},
    )
    await turn.reply(html.escape(turn.t.gettext("Recorded.")))


ACTION_USAGE = N_(
    "Usage: /action owner and what to do, then 截止 and when, e.g.\n/action 物业 修好凉亭顶棚\n"
    "截止 两周后\nThe owner is a member (reply to them or @mention them) or a role such as 物业."
)


async def _owner(turn: Turn, text: str) -> tuple[int | None, str | None, str, str]:
    """(user id, role, name, remaining text) from a reply, a mention or a leading role word."""
    message = turn.update.effective_message
    quoted = message.reply_to_message
    if quoted is not None and quoted.from_user is not None and not quoted.from_user.is_bot:
        who = person_of(quoted.from_user)
        return who.id, None, who.name, text
    for entity, value in message.parse_entities([MessageEntity.TEXT_MENTION, MessageEntity.MENTION]).items():
        rest = _body_without(message.text, value)
        if entity.type == MessageEntity.TEXT_MENTION and entity.user:
            return entity.user.id, None, person_of(entity.user).name, rest
        return None, None, value, rest
    words = text.split(maxsplit=1)
    if words:
        word = words[0].lower()
        role = ROLE_WORDS.get(word) or next(
            (r for r, label in ROLE_NAMES.items() if word in (r, label, turn.t.gettext(label).lower())), None
        )
        if role:
            grants = [g for g in await role_store.of_chat(turn.rt.store, turn.chat_id) if g.role == role]
            name = words[0] + (turn.t.aside(turn.t.listing(g.name for g in grants)) if grants else "")
            owner_id = grants[0].user_id if len(grants) == 1 else None
            return owner_id, role, name, words[1] if len(words) > 1 else ""
    raise Refused(
        turn.t.gettext("Who does it? Reply to the owner, @mention them or start with a role such as 物业.")
        + "\n\n"
        + turn.t.gettext(ACTION_USAGE)
    )


def _body_without(full: str, mention: str) -> str:
    body = re.sub(r"^/\S+[ \t]*", "", full or "", count=1)
    return body.replace(mention, "", 1).strip()


@handler
async def action_command(turn: Turn) -> None:
    meeting = await _running(turn)
    owner_id, role, owner_name, rest = await _owner(turn, turn.body.strip())
    text, due_text = rules.split_due(rest)
    due = None
    if due_text:
        try:
            due = parse_when(due_text, turn.rt.clock.now().astimezone(turn.t.tz))
        except WhenError:
            raise Refused(
                turn.t.gettext(
                    "I cannot read the due date %(text)s, e.g. 截止 两周后 or 截止 明天 18:00.", text=due_text
                )
            ) from None
    if not text:
        raise Refused(turn.t.gettext(ACTION_USAGE))
    now = turn.rt.clock.now()
    item = await store.add_action(
        turn.rt.store,
        chat_id=turn.chat_id,
        meeting_id=meeting.id,
        owner_id=owner_id,
        owner_role=role,
        owner_name=owner_name,
        text=text,
        due_at=due,
        now=now,
        origin=f"{turn.origin}:item",
    )
    await store.record(
        turn.rt.store,
        meeting.id,
        kind="action",
        text=turn.body.strip(),
        author_id=turn.person.id,
        author_name=turn.person.name,
        now=now,
        origin=f"{turn.origin}:entry",
        data={"number": item.number},
    )
    if due is not None and due > now:
        offsets = (0, REMIND_BEFORE) if due - now > timedelta(seconds=REMIND_BEFORE) else (0,)
        await turn.rt.scheduler.add(
            chat_id=turn.chat_id,
            kind=DUE_KIND,
            first_at=due,
            tz=str(turn.t.tz),
            offsets=offsets,
            ref=str(item.id),
        )
    when = turn.t.gettext(", due %(when)s", when=turn.t.datetime(due)) if due else ""
    await turn.reply(
        html.escape(
            turn.t.gettext(
                "Action item #%(number)s for %(owner)s%(when)s recorded.",
                number=item.number,
                owner=owner_name,
                when=when,
            )
        )
    )


async def _cancel_schedules(rt: Runtime, kind: str, ref: str) -> None:
    from storage import schedules

    for schedule in await schedules.of_ref(rt.store, kind, ref):
        if schedule.active:
            await rt.scheduler.cancel(schedule.id)


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
            await _cancel_schedules(turn.rt, DUE_KIND, str(item.id))
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
    quoted = turn.update.effective_message.reply_to_message
    if quoted is None or quoted.from_user is None or quoted.from_user.is_bot:
        raise Refused(turn.t.gettext("Reply with /chair to a message of the person who takes the chair."))
    who = person_of(quoted.from_user)
    await store.set_chair(turn.rt.store, meeting.id, who.id, who.name)
    await store.record(
        turn.rt.store,
        meeting.id,
        kind="chair",
        text=who.name,
        author_id=turn.person.id,
        author_name=turn.person.name,
        now=turn.rt.clock.now(),
        origin=f"{turn.origin}:entry",
        data={"id": who.id, "name": who.name},
    )
    await turn.reply(html.escape(turn.t.gettext("%(name)s chairs the meeting now.", name=who.name)))


@handler
async def end_command(turn: Turn) -> None:
    meeting = await _running(turn)
    await _close(turn.rt, turn.context.bot, meeting, "chair")


async def _close(rt: Runtime, bot, meeting: rules.Meeting, by: str) -> None:
    if not await store.close(rt.store, meeting.id, by, rt.clock.now()):
        return
    await _cancel_schedules(rt, CLOSE_KIND, str(meeting.id))
    await post(rt, bot, meeting.chat_id, await store.get(rt.store, meeting.id))


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
    )
    await _close(rt, context.bot, meeting, "auto")


# -- action items ---------------------------------------------------------------------------------


async def deliver_due(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    item = await store.action_by_id(rt.store, int(firing.schedule.ref))
    if item is None or item.status not in ("open", "blocked"):
        return
    chat_id = firing.schedule.chat_id
    t = rt.translator(await chats.get(rt.store, chat_id))
    text = rt.renderer.render("minutes_reminder.html.j2", t, a=item, overdue=firing.offset == 0)
    if not await tell_privately(rt, context.bot, item.owner_id, text):
        await send_html(context.bot, chat_id, text)


@handler
async def actions_command(turn: Turn) -> None:
    _group_only(turn)
    items = await store.actions_of_chat(turn.rt.store, turn.chat_id)
    await turn.reply(
        turn.render("minutes_actions.html.j2", items=items, status_names=_names(turn.t, STATUS_NAMES))
    )


async def _mark(turn: Turn, status: str) -> None:
    _group_only(turn)
    words = turn.body.strip().lstrip("#").split(maxsplit=1)
    number = int(words[0]) if words and words[0].isdigit() else None
    note = words[1].strip() if len(words) > 1 else None
    usage = (
        N_("Usage: /done number [note], e.g. /done 1 已修好")
        if status == "done"
        else N_("Usage: /blocked number and why, e.g. /blocked 1 等材料到货")
    )
    item = await store.action(turn.rt.store, turn.chat_id, number) if number else None
    if item is None or item.status == "dropped" or (status == "blocked" and not note):
        raise Refused(turn.t.gettext(usage))
    if turn.person.id != item.owner_id and not await turn.is_convener():
        raise Refused(
            turn.t.gettext(
                "Only the owner of action item #%(number)s or a convener can mark it.", number=item.number
            )
        )
    await store.set_status(turn.rt.store, item.id, status, note, turn.rt.clock.now())
    if status == "done":
        await _cancel_schedules(turn.rt, DUE_KIND, str(item.id))
    await turn.reply(
        html.escape(
            turn.t.gettext(
                "Action item #%(number)s: %(status)s.",
                number=item.number,
                status=turn.t.gettext(STATUS_NAMES[status]),
            )
        )
    )


@handler
async def done_command(turn: Turn) -> None:
    await _mark(turn, "done")


@handler
async def blocked_command(turn: Turn) -> None:
    await _mark(turn, "blocked")


async def open_items(rt: Runtime, chat_id: int) -> list[rules.ActionItem]:
    return await store.actions_of_chat(rt.store, chat_id)


# -- the archive --------------------------------------------------------------------------------------


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
    meeting = await store.by_number(turn.rt.store, turn.chat_id, int(word)) if word.isdigit() else None
    if meeting is None or meeting.status != "closed":
        raise Refused(
            turn.t.gettext("Usage: /minutes and the number of a past meeting; /meetings lists them.")
        )
    await post(turn.rt, turn.context.bot, turn.chat_id, meeting)


@handler
async def export_command(turn: Turn) -> None:
    _group_only(turn)
    found = await store.of_chat(turn.rt.store, turn.chat_id)
    if not found:
        raise Refused(turn.t.gettext("No meeting has been recorded yet. Conveners start one with /meeting."))
    community = (turn.chat.title if turn.chat else None) or ""
    parts = [render(turn.rt, turn.t, await build(turn.rt, m, community), "md") for m in found]
    await turn.context.bot.send_document(
        turn.chat_id, ("\n\n---\n\n".join(parts) + "\n").encode("utf-8"), filename="minutes-all.md"
    )


def register(app: Application) -> list[Command]:
    for name, fn in (
        ("meeting", start_command),
        ("topic", topic_command),
        ("note", note_command),
        ("decision", decision_command),
        ("action", action_command),
        (["ref", "idea_ref"], ref_command),
        ("undo", undo_command),
        ("chair", chair_command),
        ("endmeeting", end_command),
        ("actions", actions_command),
        ("done", done_command),
        ("blocked", blocked_command),
        ("meetings", meetings_command),
        ("minutes", minutes_command),
        ("minutes_export", export_command),
    ):
        app.add_handler(CommandHandler(name, fn))
    runtime(app).scheduler.register(CLOSE_KIND, deliver_close)
    runtime(app).scheduler.register(DUE_KIND, deliver_due)
    return COMMANDS
