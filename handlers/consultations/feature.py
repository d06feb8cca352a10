"""What consultations offer the application: /consult (open one, or step by step; with a number:
its summary now, close, hide, hidden, csv), /consultations, /statement, and the buttons."""

from __future__ import annotations

import functools
import html
from datetime import datetime, timedelta

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot.domain import consultations as rules
from bot.domain import owner_vote
from bot.domain.when import end_of_day_after
from bot.i18n import N_
from bot.runtime import runtime
from handlers.base import (
    ID,
    Command,
    Refused,
    Turn,
    handler,
    start_links,
    tell_privately,
)
from handlers.consultations.card import (
    CLOSE_KIND,
    KIND,
    TAKE_PART,
    WRITE,
    close,
    deliver_close,
    open_consultation,
    refresh,
)
from handlers.consultations.common import USAGE, add_statement, community_chat, may_write, pick, refuse_closed
from handlers.consultations.summary import export_csv, post_summary
from handlers.consultations.taking import taken
from handlers.consultations.voting import pressed, signed, take_part_link, write_link, written
from handlers.guide.entry import guided, offering_guide
from handlers.polls.common import time_ahead
from storage import chats, communities
from storage import consultations as store

COMMANDS = [
    Command("consult", N_("Ask the community an open question: residents write statements and vote on "
                          "them one by one"), convener=True),
    Command("consultations", N_("Consultations: open and past"), convener=False, where="both"),
    Command("statement", N_("Add your statement to a consultation"), convener=False, where="both"),
]
STATEMENTS = 3  # private text handlers: after features' own (0), a dispute's note (1), a comment (2)
VERBS = {"close": "close", "关闭": "close", "關閉": "close", "结束": "close", "結束": "close",
         "hide": "hide", "隐藏": "hide", "隱藏": "hide", "show": "show", "恢复": "show", "恢復": "show",
         "hidden": "hidden", "已隐藏": "hidden", "已隱藏": "hidden", "csv": "csv", "导出": "csv",
         "導出": "csv", "匯出": "csv"}
MANAGE = N_("Usage: /consult 2 posts consultation #2's summary now; /consult 2 close; /consult 2 hide 5 "
            "reason; /consult 2 show 5; /consult 2 hidden; /consult 2 csv")


async def prepare(turn: Turn, body: str) -> tuple[rules.Draft, tuple[str, ...], datetime]:
    """Read the typed consultation, check it and the speaker's right."""
    with offering_guide(turn, "consult"):
        try:
            draft = rules.parse_command(body)
        except rules.ConsultationError as problem:
            raise Refused(turn.t.gettext(problem.message, **problem.params) + "\n\n"
                          + turn.t.gettext(USAGE)) from None
        scope: tuple[str, ...] = ()
        if draft.scope_text is not None:
            read = owner_vote.parse_scope(draft.scope_text) or ()
            scope = tuple(dict.fromkeys(item.split("-")[0] for item in read))
            known = await store.buildings(turn.rt.store, (await communities.of_chat(
                turn.rt.store, turn.chat_id)).id)
            unknown = [b for b in scope if known and b not in known]
            if not scope or unknown:
                raise Refused(turn.t.gettext("I cannot read the scope %(text)s. Write buildings of the "
                                             "community, e.g. 范围 6栋 or 范围 6,7.", text=draft.scope_text))
        closes_at = _end(turn, draft.deadline_text)
    await turn.require_convener()
    return draft, scope, closes_at


def _end(turn: Turn, text: str | None) -> datetime:
    now = turn.rt.clock.now()
    if text is None:
        return end_of_day_after(now.astimezone(turn.t.tz), rules.DEFAULT_DAYS)
    return time_ahead(turn, text, least=timedelta(hours=1), most=timedelta(days=rules.MAX_DAYS),
                      too_far=N_("A consultation can run at most three months."),
                      passed=N_("The end %(when)s has already passed."))


async def preview(turn: Turn, body: str) -> str:
    """The card exactly as opening will post it."""
    draft, scope, closes_at = await prepare(turn, body)
    now = turn.rt.clock.now()
    number = await turn.rt.store.next_number("consultations", turn.chat_id)
    shown = store.Consultation(0, 0, turn.chat_id, number, draft.question, scope, "open", None, None,
                               turn.person.id, now, closes_at, None)
    text = turn.rt.renderer.render("consultation.html.j2", turn.t, c=shown, statements=len(draft.seeds),
                                   participants=0, buildings=[], scope=[turn.t.place(b) for b in scope])
    seeds = "\n".join(f"{n}. {html.escape(s)}" for n, s in enumerate(draft.seeds, start=1))
    return f"{text}\n\n{seeds}" if seeds else text


async def post(turn: Turn, body: str) -> store.Consultation:
    return await open_consultation(turn, *await prepare(turn, body))


@handler
async def consult_command(turn: Turn) -> None:
    body = turn.body.strip()
    if not body:
        await guided(turn, "consult")
        return
    if turn.in_private:
        raise Refused(turn.t.gettext("Consultations belong to a group: use this command in the group, or "
                                     "/consult alone to be asked step by step."))
    words = body.split()
    if not words[0].isdigit():
        await post(turn, body)
        return
    consultation = await pick(turn, int(words[0]))
    verb = VERBS.get(words[1].casefold()) if len(words) > 1 else "summary"
    if verb in ("summary", "csv"):
        await _shown(turn, consultation, verb)
        return
    await turn.require_convener(consultation.chat_id)
    if verb == "close":
        if not await close(turn.rt, turn.context.bot, consultation):
            raise Refused(turn.t.gettext("Consultation #%(number)s has ended.", number=consultation.number))
    elif verb in ("hide", "show") and len(words) > 2 and words[2].isdigit():
        await _hide(turn, consultation, int(words[2]), " ".join(words[3:]), verb == "hide")
    elif verb == "hidden":
        await turn.reply(turn.render("consultation_hidden.html.j2", c=consultation,
                                     statements=await store.statements(turn.rt.store, consultation.id,
                                                                       hidden=True)))
    else:
        raise Refused(turn.t.gettext(MANAGE))


async def _shown(turn: Turn, consultation: store.Consultation, verb: str) -> None:
    """The summary now (conveners; everyone once it ended), or the CSV file (everyone)."""
    if verb == "csv":
        data = await export_csv(turn.rt, turn.t, consultation)
        await turn.send_file(data, f"consultation-{consultation.number}.csv", caption=html.escape(
            turn.t.gettext("Consultation #%(number)s: the votes on each statement per building and opinion "
                           "group; no voter is named.", number=consultation.number)))
        return
    if consultation.is_open:
        await turn.require_convener(consultation.chat_id)
    await post_summary(turn.rt, turn.context.bot, consultation, final=not consultation.is_open,
                       only=[turn.chat_id], thread=turn.thread)


async def _hide(turn: Turn, consultation: store.Consultation, number: int, reason: str, hide: bool) -> None:
    rt, t = turn.rt, turn.t
    statement = await store.statement_of(rt.store, consultation.id, number)
    if statement is None:
        raise Refused(t.gettext("Consultation #%(number)s has no statement %(statement)s.",
                                number=consultation.number, statement=number))
    if not hide:
        if not await store.unhide(rt.store, statement.id):
            raise Refused(t.gettext("Statement %(statement)s is not hidden.", statement=number))
        await turn.reply(html.escape(t.gettext("Statement %(statement)s is shown again.", statement=number)))
    else:
        reason = reason.strip()
        if not reason or len(reason) > 200:
            raise Refused(t.gettext("Give the reason its author will read (at most 200 characters), e.g. "
                                    "/consult %(number)s hide %(statement)s 与议题无关",
                                    number=consultation.number, statement=number))
        if not await store.hide(rt.store, statement.id, turn.person.id, reason, rt.clock.now()):
            raise Refused(t.gettext("Statement %(statement)s is hidden already.", statement=number))
        await turn.reply(html.escape(t.gettext(
            "Statement %(statement)s is hidden; its author is told why. /consult %(number)s hidden lists "
            "hidden statements.", statement=number, number=consultation.number)))
        await _tell_author(turn, consultation, statement, reason)
    await refresh(rt, turn.context.bot, consultation.id)


async def _tell_author(turn: Turn, consultation: store.Consultation, statement: store.Statement,
                       reason: str) -> None:
    if statement.seeded:
        return
    t = turn.rt.translator(await chats.get(turn.rt.store, statement.author_id))
    await tell_privately(turn.rt, turn.context.bot, statement.author_id, turn.rt.renderer.render(
        "consultation_hidden_told.html.j2", t, c=consultation, statement=statement, reason=reason))


@handler
async def consultations_command(turn: Turn) -> None:
    found = await store.of_chat(turn.rt.store, await community_chat(turn))
    await turn.reply(turn.render("consultation_list.html.j2", consultations=found))


@handler
async def statement_command(turn: Turn) -> None:
    """/statement [N] text: a statement, in the group or privately."""
    body = turn.body.strip()
    words = body.split(maxsplit=1)
    number = int(words[0]) if words and words[0].isdigit() else None
    text = words[1] if number is not None and len(words) > 1 else ("" if number is not None else body)
    consultation = refuse_closed(turn, await pick(turn, number, await community_chat(turn)))
    if not text.strip():
        raise Refused(turn.t.gettext(
            "Write the statement after the command, e.g. /statement %(number)s 不应占用绿地建车位",
            number=consultation.number))
    await may_write(turn, consultation)
    await add_statement(turn, consultation, text)


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler("consult", consult_command))
    app.add_handler(CommandHandler("consultations", consultations_command))
    app.add_handler(CommandHandler("statement", statement_command))
    app.add_handler(CallbackQueryHandler(
        pressed, pattern=rf"^cs:(?:v:{ID}:(?:-1|0|1)(?::{ID})?|b:{ID}:[^:]{{1,20}}|[wn]:{ID}|r:{ID}:0|"
                         rf"o:{ID}|a:{ID})$"))
    app.add_handler(CallbackQueryHandler(signed, pattern=rf"^cs:s:{ID}:[01]$"))
    app.add_handler(CallbackQueryHandler(taken, pattern=rf"^cs:[pg]:{ID}$"))
    app.add_handler(MessageHandler(tg_filters.TEXT & ~tg_filters.COMMAND & tg_filters.ChatType.PRIVATE,
                                   written), group=STATEMENTS)
    rt = runtime(app)
    rt.scheduler.register(CLOSE_KIND, deliver_close, deadline=True)
    rt.refresher.replays(KIND, functools.partial(refresh, rt, app.bot))
    start_links(app)[TAKE_PART] = take_part_link
    start_links(app)[WRITE] = write_link
    return COMMANDS
