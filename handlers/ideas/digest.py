"""The weekly digest: new ideas, changes and the most endorsed, at the chat's day and time."""

from __future__ import annotations

import html
from datetime import timedelta

from telegram.ext import CallbackContext

from bot.domain import ideas as rules
from bot.domain.ideas import KIND_NAMES, STATE_NAMES
from bot.domain.models import Firing
from bot.domain.when import parse_clock, parse_weekday
from bot.i18n import Translator
from bot.runtime import Runtime, runtime
from handlers.base import Refused, Turn, handler, send_html
from storage import chats, schedules, topics
from storage import ideas as store

SCHEDULE_KIND = "idea_digest"
DIGEST_TOP = 5


def _digest_setting(chat) -> dict:
    return (chat.settings if chat else {}).get("idea_digest") or {}


async def ensure_digest(rt: Runtime, chat, *, renew: bool = False) -> None:
    """One weekly schedule per chat at its digest day and time (default Sunday 20:00)."""
    current = [s for s in await schedules.of_chat(rt.store, chat.id)  # by chat: follows migrations
               if s.kind == SCHEDULE_KIND and s.active]
    setting = _digest_setting(chat)
    if current and not renew:
        return
    for old in current:
        await rt.scheduler.cancel(old.id)
    if setting.get("off"):
        return
    tz = chat.tz or rt.settings.tz
    t = rt.translator(chat)
    at = parse_clock(setting["time"]) if "time" in setting else rules.DIGEST_TIME
    first = rules.next_weekly(rt.clock.now().astimezone(t.tz), setting.get("day", rules.DIGEST_DAY), at)
    await rt.scheduler.add(chat_id=chat.id, kind=SCHEDULE_KIND, first_at=first, tz=tz,
                           rrule="FREQ=WEEKLY", ref=str(chat.id))


async def _digest_html(rt: Runtime, t: Translator, chat_id: int, end) -> str | None:
    start = end - timedelta(days=7)
    fresh = await store.created_between(rt.store, chat_id, start, end)
    changes = await store.changes_between(rt.store, chat_id, start, end)
    top = sorted((i for i in await store.of_chat(rt.store, chat_id) if i.endorsements),
                 key=lambda i: (-i.endorsements, i.number))[:DIGEST_TOP]
    if not (fresh or changes or top):
        return None
    return rt.renderer.render("idea_digest.html.j2", t, fresh=fresh, changes=changes, top=top, start=start,
                              last=end - timedelta(days=1), state_names=STATE_NAMES, kind_names=KIND_NAMES)


async def deliver(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    chat = await chats.get(rt.store, firing.schedule.chat_id)
    if chat is None:
        return
    text = await _digest_html(rt, rt.translator(chat), chat.id, firing.occurrence)
    if text is not None:
        await send_html(context.bot, chat.id, text, thread=await topics.of(rt.store, chat.id, topics.IDEAS))


@handler
async def digest_command(turn: Turn) -> None:
    """``/digest``: the last seven days now; ``/digest 周日 20:00`` or ``/digest off`` (conveners)."""
    if turn.in_private:
        raise Refused(turn.t.gettext("Ideas belong to a group: use this command in the group."))
    args = turn.body.split()
    if not args:
        text = await _digest_html(turn.rt, turn.t, turn.chat_id, turn.rt.clock.now())
        await turn.reply(text or html.escape(turn.t.gettext("No ideas yet. Suggest one with /idea.")))
        return
    await turn.require_convener()
    now = turn.rt.clock.now()
    if args[0].casefold() in ("off", "关闭", "關閉", "停止"):
        value: dict = {"off": True}
    else:
        day = parse_weekday(args[0])
        at = parse_clock(" ".join(args[1:])) if len(args) > 1 else None
        if day is None or at is None:
            raise Refused(turn.t.gettext("Usage: /digest weekday time, e.g. /digest 周日 20:00 or "
                                         "/digest 星期五 19:30; /digest off stops it."))
        value = {"day": day, "time": at.strftime("%H:%M")}
    await turn.keep_topic(topics.IDEAS)
    await chats.set_setting(turn.rt.store, turn.chat_id, "idea_digest", value, now)
    chat = await chats.get(turn.rt.store, turn.chat_id)
    await ensure_digest(turn.rt, chat, renew=True)
    if value.get("off"):
        await turn.reply(html.escape(turn.t.gettext("The weekly idea digest is off.")))
        return
    first = rules.next_weekly(now.astimezone(turn.t.tz), value["day"], parse_clock(value["time"]))
    await turn.reply(html.escape(turn.t.gettext(
        "The weekly idea digest comes every %(weekday)s at %(time)s; next on %(when)s.",
        weekday=turn.t.weekday(first, "wide"), time=value["time"], when=turn.t.datetime(first))))
