"""What the minutes commands share: names, the running meeting its chair records, and recording
an entry of it."""

from __future__ import annotations

from datetime import datetime

from bot.domain import minutes as rules
from bot.i18n import N_, Translator
from handlers.base import Refused, Turn
from storage import minutes as store

KIND_NAMES = {
    "talk": N_("Evening talk"),
    "council": N_("Council meeting"),
    "reception": N_("Reception day"),
    "briefing": N_("Public integrity briefing (廉情发布会)"),
}
STATUS_NAMES = {"open": N_("not started"), "started": N_("in progress"), "blocked": N_("blocked"),
                "done": N_("done"), "dropped": N_("dropped")}
CLOSE_KIND = "minutes_close"
DUE_KIND = "minutes_due"


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


async def record_entry(turn: Turn, meeting: rules.Meeting, kind: str, text: str, *,
                       now: datetime | None = None, **extra) -> None:
    """An entry of the meeting's minutes, written by the speaker (now, unless ``now``)."""
    await store.record(
        turn.rt.store,
        meeting.id,
        kind=kind,
        text=text,
        author_id=turn.person.id,
        author_name=turn.person.name,
        now=now or turn.rt.clock.now(),
        origin=f"{turn.origin}:entry",
        **extra,
    )
