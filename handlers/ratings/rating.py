"""Rating in the private chat: one message with a row of buttons 1–5 under each dimension, then an
optional comment (the next private message), kept without its author."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.domain import numbers
from bot.domain import ratings as rules
from bot.i18n import N_, Translator
from bot.runtime import Runtime
from handlers.answers import awaited_answer
from handlers.base import Refused, Turn, edit_html, handler
from handlers.ratings.survey import dimension_name, quarter_name, refresh
from storage import communities, drafts
from storage import ratings as store

MAX_COMMENT = 500


async def _voters(turn: Turn, survey: store.Survey) -> list[str]:
    """Whom the person rates for: their households in the community, or themselves; refused
    when they may not rate."""
    t = turn.t
    if survey.rater == "household":
        mine = await store.households_of(turn.rt.store, survey.community_id, turn.person.id)
        if not mine:
            raise Refused(t.gettext(
                "This rating is by household: only registered owners of the community's households can "
                "rate. To register, ask a convener for your household's code and send it to me in a "
                "private chat: /bind CODE"))
        return [f"h{h}" for h in mine]
    if not await _member(turn, survey):
        raise Refused(t.gettext("Only members of the community's groups can rate."))
    return [f"u{turn.person.id}"]


async def _member(turn: Turn, survey: store.Survey) -> bool:
    community = await communities.get(turn.rt.store, survey.community_id)
    for chat_id, *_ in community.chats if community else ():
        try:
            member = await turn.context.bot.get_chat_member(chat_id, turn.person.id)
        except (BadRequest, Forbidden):
            continue
        if member.status in ("member", "administrator", "creator", "restricted"):
            return True
    return False


def _form(rt: Runtime, t: Translator, survey: store.Survey, scores: dict[str, int],
          households: int) -> tuple[str, InlineKeyboardMarkup]:
    rows = [{"name": dimension_name(t, d), "score": scores.get(d)} for d in survey.dimensions]
    text = rt.renderer.render("rating_form.html.j2", t, survey=survey,
                              quarter=quarter_name(t, survey.quarter), rows=rows,
                              households=households, done=set(survey.dimensions) <= set(scores))
    keyboard = []
    for index, dimension in enumerate(survey.dimensions):
        keyboard.append([InlineKeyboardButton(f"▼ {dimension_name(t, dimension)}",
                                              callback_data=f"rt:l:{survey.id}:{index}")])
        keyboard.append([InlineKeyboardButton(f"✅{s}" if scores.get(dimension) == s else str(s),
                                              callback_data=f"rt:s:{survey.id}:{index}:{s}")
                         for s in rules.SCORES])
    return text, InlineKeyboardMarkup(keyboard)


async def _open_survey(turn: Turn, survey_id: int | None) -> store.Survey:
    survey = await store.get(turn.rt.store, survey_id) if survey_id is not None else None
    if survey is None:
        raise Refused(turn.t.gettext("This link is no longer valid."))
    if not survey.is_open:
        raise Refused(turn.t.gettext("This rating has closed."))
    return survey


async def rating_link(turn: Turn, payload: str) -> None:
    """``/start r<survey>``: the rater's form, in their private chat."""
    survey = await _open_survey(turn, numbers.whole(payload))
    voters = await _voters(turn, survey)
    scores = await store.scores_of(turn.rt.store, survey.id, voters)
    households = len(voters) if survey.rater == "household" else 0
    await turn.reply(*_form(turn.rt, turn.t, survey, scores, households))


@handler
async def pressed(turn: Turn) -> None:
    """rt:s:<survey>:<dimension>:<score>, or rt:l:<survey>:<dimension> (the dimension's name)."""
    query = turn.update.callback_query
    parts = query.data.split(":")
    survey = await _open_survey(turn, numbers.whole(parts[2]))
    index = numbers.whole(parts[3])
    if not turn.in_private or index is None or index >= len(survey.dimensions):
        raise Refused(turn.t.gettext("This button is no longer valid."))
    dimension = survey.dimensions[index]
    if parts[1] == "l":
        await turn.answer(turn.t.gettext(
            "Press a number in the row below %(dimension)s: 1 very dissatisfied, 2 dissatisfied, 3 fair, "
            "4 satisfied, 5 very satisfied.", dimension=dimension_name(turn.t, dimension)))
        return
    score = numbers.whole(parts[4])
    if score not in rules.SCORES:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    rt = turn.rt
    voters = await _voters(turn, survey)
    before = await store.scores_of(rt.store, survey.id, voters)
    await store.rate(rt.store, survey.id, voters, turn.person.id, dimension, score, rt.clock.now())
    after = {**before, dimension: score}
    await turn.answer(turn.t.labelled(dimension_name(turn.t, dimension), turn.t.number(score)))
    households = len(voters) if survey.rater == "household" else 0
    chat_id, message_id = query.message.chat.id, query.message.message_id

    async def render() -> None:
        scores = await store.scores_of(rt.store, survey.id, voters)
        form = _form(rt, turn.t, survey, scores, households)
        await edit_html(turn.context.bot, chat_id, message_id, *form, shown=rt.refresher.shown)

    rt.refresher.request(("rating_form", chat_id, message_id), render)
    await refresh(rt, turn.context.bot, survey.id)
    complete = set(survey.dimensions)
    if complete <= set(after) and not complete <= set(before):
        await drafts.put(rt.store, turn.person.id, store.COMMENT_DRAFT, {"survey_id": survey.id},
                         rt.clock.now())
        await turn.reply(html.escape(turn.t.gettext(
            "Thank you, your rating is saved. You can still change it until the rating closes.\n\n"
            "If you want to add a comment for the property service, send it to me now as one message: "
            "it is shown with the result, without your name. If not, there is nothing more to do.")))


@handler
async def commented(turn: Turn) -> None:
    """A plain private message after the comment prompt: the comment, stored without its author."""
    rt, person = turn.rt, turn.person.id
    answered = await awaited_answer(turn, store.COMMENT_DRAFT, MAX_COMMENT, N_(
        "A comment can be at most %(most)s characters; yours has %(count)s."))
    if answered is None:
        return
    draft, text = answered
    await drafts.pop(rt.store, person, store.COMMENT_DRAFT)
    survey = await store.get(rt.store, draft["survey_id"])
    if survey is None or not survey.is_open:
        raise Refused(turn.t.gettext("This rating has closed."))
    await store.add_comment(rt.store, survey.id, text, rt.clock.now())
    await turn.reply(html.escape(turn.t.gettext(
        "Thank you: your comment will be shown with the result, without your name.")))
