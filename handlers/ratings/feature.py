"""What rating the property service offers the application: /rating, its buttons, schedules and
the private link."""

from __future__ import annotations

import functools
import html
import re
from datetime import datetime, timedelta

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.domain import ratings as rules
from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import ID, Command, Refused, Turn, handler, start_links
from handlers.polls.common import time_ahead
from handlers.ratings.rating import commented, pressed, rating_link
from handlers.ratings.survey import (
    CLOSE_KIND,
    LINK,
    OPEN_KIND,
    RATER_NAMES,
    close_survey,
    deliver_close,
    deliver_open,
    dimension_name,
    open_survey,
    quarter_name,
    refresh,
)
from storage import communities
from storage import ratings as store

COMMANDS = [
    Command("rating", N_("Rate the property service: open this quarter's rating, close it, its settings"),
            convener=True),
]
COMMENTS = 2  # after the features' own private text (0) and a dispute's note (1)
RATERS = {"按户": "household", "按戶": "household", "household": "household",
          "按人": "resident", "resident": "resident"}
DEADLINE = ("截止", "截至", "deadline")
USAGE = N_("Usage: /rating opens this quarter's rating (/rating 按人: each resident rates, not each "
           "household; add 截止 and a date for another deadline than in 14 days); /rating close; "
           "/rating dimensions 保洁 安保 维修 绿化 服务态度; /rating schedule 1 9:00 (or off); "
           "/rating threshold 3.5")
_TIME = re.compile(r"^([0-9]{1,2})[:：]([0-9]{2})$")


@handler
async def rating_command(turn: Turn) -> None:
    await turn.require_community_convener()
    words = turn.body.split()
    verb = words[0].casefold() if words else ""
    if verb in ("close", "关闭", "關閉", "结束", "結束"):
        await _close(turn)
    elif verb in ("dimensions", "维度", "維度"):
        await _dimensions(turn, words[1:])
    elif verb in ("threshold", "门槛", "門檻"):
        await _threshold(turn, words[1:])
    elif verb in ("schedule", "定时", "定時"):
        await _schedule(turn, words[1:])
    elif verb in ("help", "?"):
        await turn.reply(html.escape(turn.t.gettext(USAGE)))
    else:
        await _open(turn, words)


async def _open(turn: Turn, words: list[str]) -> None:
    rater, closes_at = None, None
    for position, word in enumerate(words):
        if word.casefold() in DEADLINE:
            closes_at = _deadline(turn, " ".join(words[position + 1:]))
            break
        if word.casefold() not in RATERS:
            raise Refused(turn.t.gettext(USAGE))
        rater = RATERS[word.casefold()]
    rt = turn.rt
    survey, fresh = await open_survey(rt, turn.context.bot, turn.chat_id, rater=rater, closes_at=closes_at,
                                      opened_by=turn.person.id, origin=turn.origin, thread=turn.thread)
    if not fresh and survey.is_open:
        raise Refused(turn.t.gettext("This quarter's rating (%(quarter)s) is open already; close it with "
                                     "/rating close.", quarter=quarter_name(turn.t, survey.quarter)))
    if not fresh:
        raise Refused(turn.t.gettext("This quarter's rating (%(quarter)s) has been held already.",
                                     quarter=quarter_name(turn.t, survey.quarter)))


def _deadline(turn: Turn, text: str) -> datetime:
    if not text.strip():
        raise Refused(turn.t.gettext(USAGE))
    return time_ahead(turn, text, least=timedelta(hours=1), most=timedelta(days=92),
                      too_far=N_("A rating can stay open at most three months."))


async def _close(turn: Turn) -> None:
    survey = await store.current(turn.rt.store, turn.chat_id)
    if survey is None:
        raise Refused(turn.t.gettext("No rating is open. /rating opens this quarter's."))
    await close_survey(turn.rt, turn.context.bot, survey)


async def _dimensions(turn: Turn, words: list[str]) -> None:
    try:
        chosen = rules.read_dimensions(words)
    except rules.RatingError:
        raise Refused(turn.t.gettext(
            "Give up to %(most)s dimensions of at most %(length)s characters each, e.g. /rating dimensions "
            "保洁 安保 维修 绿化 服务态度 停车", most=rules.MAX_DIMENSIONS, length=rules.MAX_LABEL)) from None
    await store.set_settings(turn.rt.store, turn.chat_id, turn.rt.clock.now(), dimensions=chosen)
    await turn.reply(html.escape(turn.t.gettext(
        "From the next rating on, residents rate: %(dimensions)s.",
        dimensions=turn.t.listing(dimension_name(turn.t, d) for d in chosen))))


async def _threshold(turn: Turn, words: list[str]) -> None:
    try:
        value = rules.read_threshold(" ".join(words))
    except rules.RatingError:
        raise Refused(turn.t.gettext("Give the threshold as a number from 1 to 5, e.g. /rating threshold "
                                     "3.5")) from None
    await store.set_settings(turn.rt.store, turn.chat_id, turn.rt.clock.now(), threshold=value)
    await turn.reply(html.escape(turn.t.gettext(
        "From the next rating on, a dimension rated below %(threshold)s on average goes on the red list.",
        threshold=turn.t.number(rules.rounded(value, 2)))))


async def _schedule(turn: Turn, words: list[str]) -> None:
    rt, t = turn.rt, turn.t
    community = await communities.of_chat(rt.store, turn.chat_id)
    await rt.scheduler.cancel_ref(OPEN_KIND, str(community.id))
    if words and words[0].casefold() in ("off", "关", "關", "取消"):
        await turn.reply(html.escape(t.gettext("Ratings are no longer opened automatically.")))
        return
    day = int(words[0]) if words and words[0].isdigit() else None
    found = _TIME.match(words[1]) if len(words) == 2 else None
    if day is None or not 1 <= day <= 28 or found is None or int(found.group(1)) > 23 \
            or int(found.group(2)) > 59:
        raise Refused(t.gettext("Give the day of the quarter's first month (1 to 28) and the time, e.g. "
                                "/rating schedule 1 9:00, or /rating schedule off"))
    now = rt.clock.now().astimezone(t.tz)
    first = rules.next_quarter_day(now, day, int(found.group(1)), int(found.group(2)))
    await rt.scheduler.add(chat_id=turn.chat_id, kind=OPEN_KIND, first_at=first, tz=str(t.tz),
                           rrule=rules.quarterly_rule(day), ref=str(community.id), origin=turn.origin)
    chosen = await store.settings(rt.store, turn.chat_id)
    await turn.reply(html.escape(t.gettext(
        "Each quarter's rating opens automatically here on day %(day)s of its first month at %(time)s "
        "(%(rater)s); the next on %(when)s.", day=day, time=t.time(first),
        rater=t.gettext(RATER_NAMES[chosen.rater]), when=t.datetime(first))))


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("rating", rating_command))
    app.add_handler(CallbackQueryHandler(
        pressed, pattern=rf"^rt:(?:l:{ID}:[0-9]{{1,2}}|s:{ID}:[0-9]{{1,2}}:[1-5])$"))
    app.add_handler(MessageHandler(tg_filters.TEXT & ~tg_filters.COMMAND & tg_filters.ChatType.PRIVATE,
                                   commented), group=COMMENTS)
    rt = runtime(app)
    rt.scheduler.register(OPEN_KIND, deliver_open)
    rt.scheduler.register(CLOSE_KIND, deliver_close, deadline=True)
    rt.refresher.replays("rating", functools.partial(refresh, rt, app.bot))
    start_links(app)[LINK] = rating_link
    return COMMANDS
