"""The monthly report (月报): on the first of each month in the community's main group, and on
demand with ``/report_month [YYYY-MM]``: one chart image with a short summary, and the same
charts as a PDF for printing."""

from __future__ import annotations

import asyncio
import functools
import html
import logging
from datetime import date, datetime, time
from fractions import Fraction

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackContext, CommandHandler, TypeHandler

from bot import charts
from bot.domain import monthly as rules
from bot.domain import owner_vote
from bot.domain import requests as request_rules
from bot.domain.events import apply_changes, schedule_of
from bot.domain.models import Firing
from bot.domain.recurrence import occurrences
from bot.domain.when import parse_clock
from bot.i18n import N_, Translator
from bot.runtime import Runtime, runtime
from handlers.base import Command, Refused, Turn, handler, in_topic, send_file, send_html
from storage import chats, households, polls, ratings, schedules
from storage import events as event_store
from storage import monthly as store
from storage import requests as request_store

log = logging.getLogger(__name__)
SCHEDULE_KIND = "monthly_report"
DEFAULT_TIME = time(9, 0)
CAPTION_LIMIT = 1024
# After every feature, in a handler group of its own (it sees every update, so it must never take
# one from a feature): a group's first update makes sure its report is scheduled.
ENSURE = 9

COMMANDS = [
    Command("report_month", N_("The monthly report with charts (月报): last month, or /report_month 2026-11"),
            convener=False),
]


def _setting(chat) -> dict:
    return (chat.settings if chat else {}).get("monthly_report") or {}


def _first_at(now: datetime, t: Translator, at: time) -> datetime:
    """The first of a month at ``at``, local: this month's when still ahead, else the next's."""
    local = now.astimezone(t.tz)
    first = datetime.combine(date(local.year, local.month, 1), at, tzinfo=t.tz)
    if first <= local:
        following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
        first = datetime.combine(following, at, tzinfo=t.tz)
    return first


async def ensure_schedule(rt: Runtime, chat, *, renew: bool = False) -> None:
    """One monthly schedule per main group, on the 1st at its report time (default 9:00)."""
    if chat is None or chat.kind == "private" or chat.role != "main":
        return
    current = [s for s in await schedules.of_chat(rt.store, chat.id) if s.kind == SCHEDULE_KIND and s.active]
    if current and not renew:
        return
    for old in current:
        await rt.scheduler.cancel(old.id)
    setting = _setting(chat)
    if setting.get("off"):
        return
    t = rt.translator(chat)
    at = parse_clock(setting["time"]) if "time" in setting else DEFAULT_TIME
    await rt.scheduler.add(chat_id=chat.id, kind=SCHEDULE_KIND, first_at=_first_at(rt.clock.now(), t, at),
                           tz=str(t.tz), rrule="FREQ=MONTHLY;BYMONTHDAY=1", ref=str(chat.id))


async def _seen(update: Update, context: CallbackContext) -> None:
    chat = update.effective_chat
    if chat is None or chat.type == "private":
        return
    rt = runtime(context)
    if rt.seen.get(("monthly", chat.id)):
        return
    rt.seen[("monthly", chat.id)] = True
    await ensure_schedule(rt, await chats.get(rt.store, chat.id))


# -- the figures ---------------------------------------------------------------------------------

def _bounds(t: Translator, month: date) -> tuple[datetime, datetime]:
    start, end = request_rules.month_bounds(month.year, month.month)
    return start.replace(tzinfo=t.tz), end.replace(tzinfo=t.tz)


async def _members(bot, chat_id: int) -> int | None:
    try:
        return max(await bot.get_chat_member_count(chat_id) - 1, 0) or None  # without the bot
    except (BadRequest, Forbidden):
        return None


async def _votes(rt: Runtime, bot, chat_id: int, start: datetime, end: datetime) -> list[rules.Vote]:
    found, members = [], None
    for row in await store.closed_polls(rt.store, chat_id, start, end):
        if row["kind"] == "owner":
            electorate = await households.by_ids(rt.store, await polls.electorate(rt.store, row["id"]))
            ballots = [owner_vote.Ballot(b.household_id, owner_vote.CHOICES[b.choices[0]], b.seq)
                       for b in await polls.ballots(rt.store, row["id"]) if b.choices and b.household_id]
            tally = owner_vote.count(electorate, ballots,
                                     owner_vote.Rule(bool(row["major"]), bool(row["follow_majority"])))
            found.append(rules.Vote(row["number"], True, tally.participating_heads, tally.eligible_heads,
                                    tally.passed))
        else:
            if members is None:
                members = await _members(bot, chat_id) or 0
            found.append(rules.Vote(row["number"], False, row["voters"], members or None))
    return found


async def _held(rt: Runtime, chat_id: int, start: datetime, end: datetime, now: datetime) -> tuple[int, int]:
    counted = {"talk": 0, "reception": 0}
    until = min(end, now)
    for event in await event_store.of_chat(rt.store, chat_id):
        if event.kind not in counted or until <= start:
            continue
        originals = occurrences(schedule_of(event), start, until)
        found = apply_changes(originals, await event_store.changes(rt.store, event.id), start, until)
        counted[event.kind] += sum(1 for o in found if not o.cancelled and start <= o.at < until)
    return counted["talk"], counted["reception"]


async def _rating(rt: Runtime, chat_id: int) -> rules.Rating | None:
    """The community's latest property rating: its average over every answer, out of 5."""
    result = await ratings.latest_result(rt.store, chat_id)
    if result is None or not result.answers:
        return None
    return rules.Rating(score=float(Fraction(result.total, result.answers)), responses=result.raters,
                        published=result.closed_at.date() if result.closed_at else None,
                        title=result.quarter)


async def gather(rt: Runtime, bot, chat_id: int, t: Translator, month: date) -> rules.MonthFigures:
    """The figures of ``month`` in the community of the main group ``chat_id``."""
    now = rt.clock.now()
    start, end = _bounds(t, month)
    hidden = await store.committee_chats(rt.store, chat_id) - {chat_id}
    trend = []
    for first in rules.previous_months(month):
        since, until = _bounds(t, first)
        received = [r for r in await request_store.received(rt.store, chat_id, since, until)
                    if r.chat_id not in hidden]
        trend.append((first, request_rules.figures([r.item() for r in received], now)))
    talks, receptions = await _held(rt, chat_id, start, end, now)
    return rules.month_figures(
        month, votes=await _votes(rt, bot, chat_id, start, end),
        idea_list=await store.ideas(rt.store, chat_id),
        requests=trend, talks=talks, receptions=receptions,
        questions_answered=await store.questions_answered(rt.store, chat_id, start, end),
        action_counts=rules.actions(await store.actions(rt.store, chat_id), start, min(end, now)),
        rating=await _rating(rt, chat_id), ideas_new=await store.ideas_created(rt.store, chat_id, start, end))


def summary(rt: Runtime, t: Translator, figures: rules.MonthFigures, chat=None) -> str:
    """The short text residents read beside the image (Telegram HTML)."""
    return rt.renderer.render("monthly.html.j2", t, f=figures, chat=chat,
                              state_labels=charts.IDEA_STATE_LABELS, states=rules.IDEA_STATES)


async def post(rt: Runtime, bot, chat, month: date, thread: int | None = None) -> rules.MonthFigures:
    """Post the report of ``month`` in ``chat``: the photo with the summary, then the PDF."""
    t = rt.translator(chat)
    figures = await gather(rt, bot, chat.id, t, month)
    png, pdf = await asyncio.gather(asyncio.to_thread(charts.render_png, figures, t),
                                    asyncio.to_thread(charts.render_pdf, figures, t))
    text = summary(rt, t, figures, chat)
    caption = text if len(text) <= CAPTION_LIMIT else None
    sent = await in_topic(functools.partial(
        bot.send_photo, chat.id, png, caption=caption, parse_mode=ParseMode.HTML if caption else None,
        filename=f"report-{month:%Y-%m}.png"), thread)
    thread = sent.message_thread_id if sent.is_topic_message else thread
    if caption is None:
        await send_html(bot, chat.id, text, thread=thread)
    await send_file(bot, chat.id, pdf, f"report-{month:%Y-%m}.pdf", thread,
                    caption=html.escape(t.gettext("The monthly report for printing")))
    return figures


async def deliver(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    chat = await chats.get(rt.store, firing.schedule.chat_id)
    if chat is None or chat.role != "main":
        return
    t = rt.translator(chat)
    await post(rt, context.bot, chat, rules.previous_month(firing.occurrence.astimezone(t.tz)))


# -- the command ---------------------------------------------------------------------------------

OFF = ("off", "关闭", "關閉", "停止")
SCHEDULE = ("schedule", "定时", "定時", "时间", "時間")


@handler
async def report_month_command(turn: Turn) -> None:
    """``/report_month`` (last month), ``/report_month 2026-11``; conveners:
    ``/report_month schedule 9:00`` or ``/report_month schedule off``."""
    t, rt = turn.t, turn.rt
    if turn.in_private:
        raise Refused(t.gettext("The monthly report belongs to a group: use /report_month in the group."))
    args = turn.body.split()
    if args and args[0].casefold() in SCHEDULE:
        await _schedule_command(turn, args[1:])
        return
    if turn.chat is not None and turn.chat.role not in (None, "main"):
        raise Refused(t.gettext(
            "The monthly report is posted in the community's main group: ask for it there."))
    local = rt.clock.now().astimezone(t.tz)
    if not args:
        month = rules.previous_month(local)
    else:
        parsed = rules.parse_month(args[0]) if len(args) == 1 else None
        if parsed is None:
            raise Refused(t.gettext("Usage: /report_month (last month) or /report_month 2026-11"))
        month = date(*parsed, 1)
        if month > date(local.year, local.month, 1):
            raise Refused(t.gettext("That month has not begun yet."))
    await post(rt, turn.context.bot, turn.chat, month, turn.thread)


async def _schedule_command(turn: Turn, args: list[str]) -> None:
    t, rt = turn.t, turn.rt
    await turn.require_convener()
    if turn.chat is None or turn.chat.role != "main":
        raise Refused(t.gettext("The monthly report is posted in the community's main group: set it there."))
    if len(args) == 1 and args[0].casefold() in OFF:
        value: dict = {"off": True}
    else:
        at = parse_clock(" ".join(args)) if args else None
        if at is None:
            raise Refused(t.gettext("Usage: /report_month schedule 9:00 (the time on the first of each "
                                    "month), or /report_month schedule off"))
        value = {"time": at.strftime("%H:%M")}
    await chats.set_setting(rt.store, turn.chat_id, "monthly_report", value, rt.clock.now())
    chat = await chats.get(rt.store, turn.chat_id)
    await ensure_schedule(rt, chat, renew=True)
    if value.get("off"):
        await turn.reply(html.escape(t.gettext("The monthly report is off.")))
        return
    first = _first_at(rt.clock.now(), t, parse_clock(value["time"]))
    await turn.reply(html.escape(t.gettext(
        "The monthly report comes on the first of each month at %(time)s; next on %(when)s.",
        time=value["time"], when=t.datetime(first))))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("report_month", report_month_command))
    app.add_handler(TypeHandler(Update, _seen), group=ENSURE)
    runtime(app).scheduler.register(SCHEDULE_KIND, deliver)
    return COMMANDS
