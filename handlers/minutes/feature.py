"""What minutes offer the application: their commands and schedules."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler

from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import Command
from handlers.minutes.actions import (
    action_command,
    actions_command,
    blocked_command,
    deliver_due,
    done_command,
    started_command,
)
from handlers.minutes.common import CLOSE_KIND, DUE_KIND
from handlers.minutes.recording import (
    chair_command,
    decision_command,
    deliver_close,
    end_command,
    note_command,
    present_command,
    ref_command,
    start_command,
    topic_command,
    undo_command,
)
from handlers.minutes.rendering import export_command, meetings_command, minutes_command

COMMANDS = [
    Command("meeting", N_("Start taking minutes: /meeting [kind] [title]"), convener=True, where="both"),
    Command("topic", N_("Minutes: a new topic"), convener=True),
    Command("note", N_("Minutes: a note (reply to a message to quote its author)"), convener=True),
    Command("decision", N_("Minutes: what was agreed"), convener=True),
    Command("action", N_("Minutes: an action item — owner, text, 截止 due"), convener=True),
    Command("ref", N_("Minutes: an idea discussed, by its number"), convener=True),
    Command("undo", N_("Minutes: take back the last entry"), convener=True),
    Command("chair", N_("Minutes: hand the chair to the person you reply to"), convener=True),
    Command("present", N_("Minutes: mark someone present (reply, or names)"), convener=True),
    Command("endmeeting", N_("End the meeting and post the minutes"), convener=True),
    Command("actions", N_("Open action items"), convener=False),
    Command("done", N_("Mark an action item done"), convener=False),
    Command("started", N_("Mark an action item in progress"), convener=False),
    Command("blocked", N_("Mark an action item blocked, with why"), convener=False),
    Command("meetings", N_("Past meetings"), convener=False),
    Command("minutes", N_("Post the minutes of a past meeting again"), convener=False),
    Command("minutes_export", N_("All minutes as one file"), convener=False),
]


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
        ("present", present_command),
        ("endmeeting", end_command),
        ("actions", actions_command),
        ("done", done_command),
        ("started", started_command),
        ("blocked", blocked_command),
        ("meetings", meetings_command),
        ("minutes", minutes_command),
        ("minutes_export", export_command),
    ):
        app.add_handler(CommandHandler(name, fn))
    runtime(app).scheduler.register(CLOSE_KIND, deliver_close)
    runtime(app).scheduler.register(DUE_KIND, deliver_due)
    return COMMANDS
