"""Action items: recorded in a meeting with an owner and a due date, reminded, and marked done
or blocked."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from telegram import MessageEntity
from telegram.ext import CallbackContext

from bot.domain import minutes as rules
from bot.domain import numbers
from bot.domain.models import Firing
from bot.domain.when import DEADLINE_EXAMPLES, WhenError, parse_when
from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import Refused, Turn, handler, person_of, send_html, tell_privately
from handlers.minutes.common import (
    DUE_KIND,
    STATUS_NAMES,
    _group_only,
    _names,
    _running,
    record_entry,
)
from handlers.roles import ROLE_NAMES
from storage import chats, members, topics
from storage import minutes as store
from storage import roles as role_store

REMIND_BEFORE = 86400  # one day before due, and at due
ROLE_WORDS = {"物业": "property_manager", "物業": "property_manager", "物业公司": "property_manager"}
ACTION_USAGE = N_(
    "Usage: /action owner and what to do, then 截止 and when, e.g.\n/action 物业 修好凉亭顶棚\n"
    "截止 两周后\nThe owner is a member (reply to them or @mention them) or a role such as 物业."
)


async def _owner(turn: Turn, text: str) -> tuple[int | None, str | None, str, str]:
    """(user id, role, name, remaining text) from a reply, a mention or a leading role word."""
    message = turn.update.effective_message
    quoted = turn.quoted
    if quoted is not None and quoted.from_user is not None and not quoted.from_user.is_bot:
        who = person_of(quoted.from_user)
        return who.id, None, who.name, text
    for entity, value in message.parse_entities([MessageEntity.TEXT_MENTION, MessageEntity.MENTION]).items():
        rest = _body_without(message.text, value)
        if entity.type == MessageEntity.TEXT_MENTION and entity.user:
            return entity.user.id, None, person_of(entity.user).name, rest
        member = await _member_named(turn, value)
        return (member.id, None, member.name, rest) if member else (None, None, value, rest)
    words = text.split(maxsplit=1)
    member = await _member_named(turn, words[0]) if words else None
    if member is not None:
        return member.id, None, member.name, words[1] if len(words) > 1 else ""
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


async def _member_named(turn: Turn, word: str):
    """The member of the group the word names: "张师傅" as the group knows them, or "@zhang"."""
    wanted = word.removeprefix("@").casefold()
    for person in await members.present(turn.rt.store, turn.chat_id):
        known = (person.name, person.first_name, person.username or "")
        if wanted in (name.casefold() for name in known):
            return person
    return None


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
                turn.t.gettext("I cannot read the time %(text)s. Examples that work: %(examples)s.",
                               text=due_text, examples=turn.t.gettext(DEADLINE_EXAMPLES))
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
    await record_entry(turn, meeting, "action", turn.body.strip(), now=now, data={"number": item.number})
    if due is not None and due > now:
        offsets = (0, REMIND_BEFORE) if due - now > timedelta(seconds=REMIND_BEFORE) else (0,)
        await turn.rt.scheduler.add(
            chat_id=turn.chat_id,
            kind=DUE_KIND,
            first_at=due,
            tz=str(turn.t.tz),
            offsets=offsets,
            ref=str(item.id),
            origin=f"{turn.origin}:due",
        )
    when = turn.t.gettext(", due %(when)s", when=turn.t.datetime(due)) if due else ""
    said = turn.t.gettext("Action item #%(number)s for %(owner)s%(when)s recorded.", number=item.number,
                          owner=owner_name, when=when)
    if role is not None and owner_id is None and not await _held(turn, role):
        said += "\n" + turn.t.gettext("No one holds that role in this group yet, so no one will be reminded "
                                      "of this item: give it with /grant.")
    await turn.reply(html.escape(said))


async def _held(turn: Turn, role: str) -> bool:
    return any(g.role == role for g in await role_store.of_chat(turn.rt.store, turn.chat_id))


async def deliver_due(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    item = await store.action_by_id(rt.store, int(firing.schedule.ref))
    if item is None or item.status not in rules.OPEN_STATUSES:
        return
    chat_id = firing.schedule.chat_id
    t = rt.translator(await chats.get(rt.store, chat_id))
    text = rt.renderer.render("minutes_reminder.html.j2", t, a=item, overdue=firing.offset == 0)
    if not await tell_privately(rt, context.bot, item.owner_id, text):
        await send_html(context.bot, chat_id, text,
                        thread=await topics.of(rt.store, chat_id, f"meeting:{item.meeting_id}"))


@handler
async def actions_command(turn: Turn) -> None:
    _group_only(turn)
    items = await store.actions_of_chat(turn.rt.store, turn.chat_id)
    await turn.reply(
        turn.render("minutes_actions.html.j2", items=items, status_names=_names(turn.t, STATUS_NAMES),
                    now=turn.rt.clock.now())
    )


async def _mark(turn: Turn, status: str) -> None:
    _group_only(turn)
    words = turn.body.strip().lstrip("#").split(maxsplit=1)
    number = numbers.whole(words[0]) if words else None
    note = words[1].strip() if len(words) > 1 else None
    usage = MARK_USAGE[status]
    item = await store.action(turn.rt.store, turn.chat_id, number) if number else None
    if item is None or item.status == "dropped" or (status == "blocked" and not note):
        raise Refused(turn.t.gettext(usage))
    if turn.person.id != item.owner_id and not await turn.convenes(item.chat_id or turn.chat_id):
        raise Refused(
            turn.t.gettext(
                "Only the owner of action item #%(number)s or a convener can mark it.", number=item.number
            )
        )
    await store.set_status(turn.rt.store, item.id, status, note, turn.rt.clock.now())
    if status == "done":
        await turn.rt.scheduler.cancel_ref(DUE_KIND, str(item.id))
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


@handler
async def started_command(turn: Turn) -> None:
    await _mark(turn, "started")


MARK_USAGE = {
    "started": N_("Usage: /started number [note], e.g. /started 1 已联系施工队"),
    "done": N_("Usage: /done number [note], e.g. /done 1 已修好"),
    "blocked": N_("Usage: /blocked number and why, e.g. /blocked 1 等材料到货"),
}
