"""A survey's life in the group: opened (by a convener or the schedule), its card kept up to date
with the number of raters, closed (by a convener or at its deadline) with the result posted."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackContext

from bot.domain import ratings as rules
from bot.domain.models import Firing
from bot.domain.when import end_of_day_after
from bot.i18n import N_, Translator
from bot.runtime import Runtime, runtime
from handlers.base import deep_link, edit_html, send_html
from storage import chats, schedules
from storage import ratings as store

log = logging.getLogger(__name__)

OPEN_KIND = "rating_open"  # ref: the community's id; fires on a quarter's first days
CLOSE_KIND = "rating_close"  # ref: the survey's id; fires at its deadline
LINK = "r"  # t.me/<bot>?start=r<survey>
SHOWN_COMMENTS = 10
RATER_NAMES = {"household": N_("by household"), "resident": N_("by resident")}


def dimension_name(t: Translator, dimension: str) -> str:
    """A default dimension in the chat's language; one a convener wrote, as written."""
    return t.gettext(rules.NAMES[dimension]) if dimension in rules.NAMES else dimension


def quarter_name(t: Translator, quarter: str) -> str:
    year, number = rules.parse_quarter(quarter)
    return t.gettext("Q%(quarter)s %(year)s", quarter=number, year=year)


def average(t: Translator, value) -> str:
    return t.number(rules.rounded(value, 1))


def share(t: Translator, value) -> str:
    return t.percent(rules.rounded(value, 3))


def average_change(t: Translator, change) -> str:
    return rules.arrow(change) + t.number(abs(rules.rounded(change, 1)))


def share_change(t: Translator, change) -> str:
    """A change of a share in percentage points: ↓9.3."""
    return rules.arrow(change) + t.number(abs(rules.rounded(change * 100, 1)))


async def _card(rt: Runtime, bot, t: Translator,
                survey: store.Survey) -> tuple[str, InlineKeyboardMarkup | None]:
    counted = await store.raters(rt.store, survey.id)
    households = await store.household_count(rt.store, survey.community_id) \
        if survey.rater == "household" else None
    html = rt.renderer.render("rating.html.j2", t, survey=survey, quarter=quarter_name(t, survey.quarter),
                              dimensions=[dimension_name(t, d) for d in survey.dimensions],
                              raters=counted, households=households)
    if not survey.is_open:
        return html, None
    button = InlineKeyboardButton(t.gettext("⭐ Rate privately"),
                                  url=deep_link(bot.username, f"{LINK}{survey.id}"))
    return html, InlineKeyboardMarkup([[button]])


async def refresh(rt: Runtime, bot, survey_id: int, now: bool = False) -> None:
    """Show the survey's card as it is now (debounced: at most one edit per interval)."""

    async def render() -> None:
        survey = await store.get(rt.store, survey_id)
        if survey is None or survey.message_id is None:
            return
        t = rt.translator(await chats.get(rt.store, survey.chat_id))
        try:
            await edit_html(bot, survey.chat_id, survey.message_id, *await _card(rt, bot, t, survey),
                            shown=rt.refresher.shown)
        except Forbidden as error:
            log.warning("cannot update rating %s: %s", survey_id, error)

    await rt.refresher.show(("rating", survey_id), render, now=now)


async def open_survey(rt: Runtime, bot, chat_id: int, *, rater: str | None = None,
                      closes_at: datetime | None = None, opened_by: int | None = None,
                      origin: str | None = None, thread: int | None = None) -> tuple[store.Survey, bool]:
    """This quarter's survey of the community of ``chat_id``, opened and its card posted in
    ``chat_id`` (True), or the one the quarter has already (False)."""
    t = rt.translator(await chats.get(rt.store, chat_id))
    now = rt.clock.now()
    chosen = await store.settings(rt.store, chat_id)
    survey, fresh = await store.open_survey(
        rt.store, chat_id=chat_id, quarter=rules.quarter_of(now.astimezone(t.tz)),
        rater=rater or chosen.rater, dimensions=chosen.dimensions, threshold=chosen.threshold,
        closes_at=closes_at or end_of_day_after(now.astimezone(t.tz), rules.DEFAULT_DAYS),
        opened_by=opened_by, now=now, origin=origin)
    if survey.message_id is None and survey.chat_id == chat_id:
        message = await send_html(bot, chat_id, *await _card(rt, bot, t, survey), thread=thread)
        await store.set_message(rt.store, survey.id, message.message_id)
        if not any(s.active for s in await schedules.of_ref(rt.store, CLOSE_KIND, str(survey.id))):
            await rt.scheduler.add(chat_id=chat_id, kind=CLOSE_KIND, first_at=survey.closes_at, tz=str(t.tz),
                                   ref=str(survey.id))
        survey = await store.get(rt.store, survey.id)
    return survey, fresh  # type: ignore[return-value]


async def close_survey(rt: Runtime, bot, survey: store.Survey) -> bool:
    """Close the survey: the card says so and the result is posted under it. False: closed already."""
    if not await store.close(rt.store, survey.id, rt.clock.now()):
        return False
    await rt.scheduler.cancel_ref(CLOSE_KIND, str(survey.id))
    await refresh(rt, bot, survey.id, now=True)
    survey = await store.get(rt.store, survey.id)
    t = rt.translator(await chats.get(rt.store, survey.chat_id))
    await send_html(bot, survey.chat_id, result_html(rt, t, await store.figures(rt.store, survey),
                                                     await store.comments(rt.store, survey.id)))
    return True


def result_html(rt: Runtime, t: Translator, figures: rules.RatingResult, comments: list[str]) -> str:
    rows = []
    for d in figures.dimensions:
        rows.append({
            "name": dimension_name(t, d.dimension), "count": d.count,
            "average": average(t, d.average) if d.average is not None else None,
            "share": share(t, d.share) if d.share is not None else None,
            "change": average_change(t, d.change) if d.change is not None else None,
        })
    return rt.renderer.render(
        "rating_result.html.j2", t, figures=figures, quarter=quarter_name(t, figures.quarter),
        previous=quarter_name(t, rules.previous_quarter(figures.quarter)), rows=rows,
        headline=share(t, figures.share) if figures.share is not None else None,
        change=share_change(t, figures.change) if figures.change is not None else None,
        red=[dimension_name(t, d) for d in figures.red],
        honour=[dimension_name(t, d) for d in figures.honour],
        threshold=t.number(rules.rounded(figures.threshold, 2)), comments=comments[:SHOWN_COMMENTS],
        more=max(len(comments) - SHOWN_COMMENTS, 0))


async def deliver_close(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    survey = await store.get(rt.store, int(firing.schedule.ref))
    if survey is not None and survey.is_open and survey.closes_at == firing.occurrence:
        await close_survey(rt, context.bot, survey)


async def deliver_open(context: CallbackContext, firing: Firing) -> None:
    """The quarter began: open its survey in the schedule's group (once: a quarter has one)."""
    rt = runtime(context)
    try:
        origin = f"rating-open:{firing.schedule.id}:{firing.occurrence.isoformat()}"
        await open_survey(rt, context.bot, firing.schedule.chat_id, origin=origin)
    except BadRequest as error:
        log.warning("rating not opened in chat %s: %s", firing.schedule.chat_id, error)
