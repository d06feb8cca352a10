"""What a consultation shows: consensus across buildings, what divides, what each building and each
opinion group agrees on, participation; as a message, a heat map and a CSV file. Never who wrote
or voted what; a building or group of fewer than three voters is not shown on its own."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden

from bot import charts
from bot.domain import consultations as rules
from bot.domain.opinion_groups import OpinionGroups, letter, opinion_groups
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers import cards
from handlers.base import in_topic
from handlers.consultations.card import KIND
from storage import chats
from storage import consultations as store

log = logging.getLogger(__name__)
SHOWN = 8  # statements listed per part of the summary
SHORT = 60  # characters of a statement quoted in the summary
CHART_ROWS = 40


@dataclass(frozen=True)
class Figures:
    consultation: store.Consultation
    statements: list[store.Statement]
    summary: rules.Summary
    groups: OpinionGroups
    group_tallies: dict[int, dict[int, rules.Tally]]  # opinion group index -> statement -> tally
    votes: int
    outcomes: dict[int, list[store.Outcome]]


async def figures(rt: Runtime, consultation: store.Consultation) -> Figures:
    shown = await store.statements(rt.store, consultation.id)
    ids = [s.id for s in shown]
    ballots, building_of = await store.ballots(rt.store, consultation.id)
    shown_ids = set(ids)
    ballots = [b for b in ballots if b.statement in shown_ids]
    summary = rules.summarize(ids, ballots, building_of)
    groups = await asyncio.to_thread(opinion_groups, ids, ballots)
    member_of = {voter: index for index, group in enumerate(groups.groups) for voter in group}
    by_group = rules.tallies([b for b in ballots if b.voter in member_of],
                             {v: str(i) for v, i in member_of.items()})
    return Figures(consultation, shown, summary, groups,
                   {int(k): v for k, v in by_group.items() if k is not None}, len(ballots),
                   await store.outcomes(rt.store, consultation.id))


def _pct(t: Translator, tally: rules.Tally | None) -> str | None:
    if tally is None or tally.sided < rules.MIN_GROUP:
        return None
    return t.percent(float(tally.share))


def _short(text: str) -> str:
    return text if len(text) <= SHORT else text[:SHORT - 1] + "…"


def _taken(t: Translator, outcomes: list[store.Outcome]) -> list[str]:
    said = []
    for o in outcomes:
        if o.kind == "poll" and o.poll_number is not None:
            said.append(t.gettext("put to vote #%(number)s", number=o.poll_number))
        elif o.kind == "agenda" and o.occurrence is not None:
            said.append(t.gettext("on the agenda of event #%(number)s on %(when)s", number=o.event_number,
                                  when=t.datetime(o.occurrence)))
    return said


def summary_html(rt: Runtime, t: Translator, f: Figures, *, final: bool) -> str:
    s, by_id = f.summary, {st.id: st for st in f.statements}
    buildings = list(s.by_building)  # in their natural order

    def row(statement_id: int) -> dict:
        st = by_id[statement_id]
        return {"number": st.number, "text": _short(st.text), "author": st.author_name,
                "share": _pct(t, s.overall.get(statement_id)),
                "buildings": t.listing(t.labelled(t.place(b), _pct(t, s.by_building[b].get(statement_id)))
                                       for b in buildings if _pct(t, s.by_building[b].get(statement_id))),
                "taken": _taken(t, f.outcomes.get(statement_id, []))}

    divisions = [{**row(d.statement), "agreeing": [t.place(b) for b in d.agreeing],
                  "rejecting": [t.place(b) for b in d.rejecting]} for d in s.divisions[:SHOWN]]
    def listed(ids) -> str:
        return t.listing(str(by_id[i].number) for i in ids)

    tops = [(t.place(b), listed(s.top_by_building.get(b, ()))) for b in buildings]
    groups = [(letter(index), len(members), listed(f.groups.agrees_on[index][:5]))
              for index, members in enumerate(f.groups.groups)]
    return rt.renderer.render(
        "consultation_summary.html.j2", t, c=f.consultation, final=final, statements=len(f.statements),
        votes=f.votes, participants=s.participants, unplaced=s.unplaced,
        participation=[(t.place(b), s.participation[b]) for b in buildings],
        consensus=[row(i) for i in s.consensus[:SHOWN]], divisions=divisions, tops=tops, groups=groups,
        threshold=t.percent(float(rules.THRESHOLD)), least=rules.MIN_GROUP)


def _outcome_buttons(t: Translator, f: Figures) -> InlineKeyboardMarkup | None:
    rows, by_id = [], {st.id: st for st in f.statements}
    for statement_id in f.summary.consensus[:5]:
        kinds = {o.kind for o in f.outcomes.get(statement_id, [])}
        number = by_id[statement_id].number
        row = []
        if "poll" not in kinds:
            row.append(InlineKeyboardButton(t.gettext("📊 Put %(number)s to the vote", number=number),
                                            callback_data=f"cs:p:{statement_id}"))
        if "agenda" not in kinds:
            row.append(InlineKeyboardButton(t.gettext("🗓 %(number)s on the next talk's agenda",
                                                      number=number),
                                            callback_data=f"cs:g:{statement_id}"))
        if row:
            rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None


def chart_rows(t: Translator, f: Figures) -> tuple[list[tuple[str, list[float | None]]], list[str]]:
    """The heat map's rows (statements) and columns (everyone, buildings, opinion groups)."""
    s = f.summary
    buildings = list(s.by_building)  # in their natural order
    columns = [t.gettext("Everyone"), *(t.place(b) for b in buildings),
               *(t.gettext("Group %(letter)s", letter=letter(i)) for i in range(len(f.groups.groups)))]
    rows = []
    for st in f.statements[:CHART_ROWS]:
        tallies = [s.overall.get(st.id), *(s.by_building[b].get(st.id) for b in buildings),
                   *(f.group_tallies.get(i, {}).get(st.id) for i in range(len(f.groups.groups)))]
        rows.append((f"#{st.number} {st.text}",
                     [float(x.share) if x is not None and x.sided >= rules.MIN_GROUP else None
                      for x in tallies]))
    return rows, columns


async def post_summary(rt: Runtime, bot, consultation: store.Consultation, *, final: bool,
                       only: list[int] | None = None, thread: int | None = None) -> None:
    """Post the summary (and its heat map) in every group the consultation is shown in, or in
    ``only`` those."""
    f = await figures(rt, consultation)

    async def render(t: Translator):
        return summary_html(rt, t, f, final=final), _outcome_buttons(t, f) if f.summary.consensus else None

    sent = await cards.tell_all(rt, bot, KIND, consultation, render, thread=thread, only=only)
    if not f.statements or not f.votes:
        return
    pictures: dict[str, bytes] = {}  # one heat map per language
    for chat_id, message_id in sent:
        t = rt.translator(await chats.get(rt.store, chat_id))
        if t.locale not in pictures:
            rows, columns = chart_rows(t, f)
            title = t.gettext("Consultation #%(number)s: agreement", number=consultation.number)
            pictures[t.locale] = await asyncio.to_thread(charts.render_consultation_png, rows, columns,
                                                         title, t)
        png = pictures[t.locale]
        try:
            await in_topic(functools.partial(
                bot.send_photo, chat_id, png, filename=f"consultation-{consultation.number}.png",
                caption=t.gettext("Share of those taking a side who agree, per building and opinion group; "
                                  "blank where fewer than %(least)s voted.", least=rules.MIN_GROUP),
                reply_parameters=ReplyParameters(message_id, allow_sending_without_reply=True)),
                thread if chat_id == consultation.chat_id else None)
        except (BadRequest, Forbidden) as error:
            log.warning("consultation %s chart not sent in chat %s: %s", consultation.id, chat_id, error)


async def export_csv(rt: Runtime, t: Translator, consultation: store.Consultation) -> bytes:
    """Statements and their votes per group (UTF-8 with BOM for spreadsheet programs); no voter."""
    f = await figures(rt, consultation)
    s = f.summary
    buildings = list(s.by_building)  # in their natural order
    groups: list[tuple[str, dict[int, rules.Tally]]] = [(t.gettext("Everyone"), s.overall)]
    groups += [(t.place(b), s.by_building[b]) for b in buildings]
    groups += [(t.gettext("Group %(letter)s", letter=letter(i)), f.group_tallies.get(i, {}))
               for i in range(len(f.groups.groups))]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([t.gettext("Consultation"), f"#{consultation.number}", consultation.question])
    header = [t.gettext("Number"), t.gettext("Statement"), t.gettext("Finding")]
    for name, _ in groups:
        header += [f"{name} {t.gettext('agree')}", f"{name} {t.gettext('disagree')}",
                   f"{name} {t.gettext('pass')}"]
    w.writerow(header)
    divided = {d.statement for d in s.divisions}
    for st in f.statements:
        finding = t.gettext("consensus") if st.id in s.consensus else \
            t.gettext("division") if st.id in divided else ""
        line = [st.number, st.text, finding]
        for _, tallies in groups:
            tally = tallies.get(st.id) or rules.Tally()
            line += [tally.agree, tally.disagree, tally.passed]
        w.writerow(line)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
