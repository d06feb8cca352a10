"""What the public board (公示栏) shows of a community, gathered through storage, and its files.

Only what the community's main group may see (``seen_from`` its main group: nothing started in
the committee group), and only as the chat showed it: a vote's figures are rendered by the very
macros of its result message, a named poll lists names only where the chat listed them, a
secret owner vote only as its bulletin published it. No user ids, no units beside secret
ballots. The files are those the chat was sent: bulletins as published, minutes as the minutes
commands render them, the calendar as /calendar makes it.

The board reuses the handlers' renderers (the chat's messages and files), so it is wired in by
the composition root (bot/app.py) like the handlers themselves.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot import charts
from bot.documents import docx_from_markdown, html_page
from bot.domain import bulletin as bulletin_rules
from bot.domain import delivery
from bot.domain import events as event_rules
from bot.domain.models import Community
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers import monthly as monthly_report
from handlers.events.calendar import calendar_file
from handlers.events.common import KIND_NAMES as EVENT_KINDS
from handlers.minutes import rendering as minutes_rendering
from handlers.minutes.common import KIND_NAMES as MEETING_KINDS
from handlers.polls import bulletin as bulletin_files
from handlers.polls.showing import _view as poll_view
from storage import bulletins, chats, communities, events, minutes, notices, polls

log = logging.getLogger(__name__)
CLOSED = ("closed", "final")
NOTICES_SHOWN = 30
EVENTS_SHOWN = 15
EVENT_HORIZON = timedelta(days=45)
MINUTES_FORMATS = {"md": "text/markdown", "html": "text/html",
                   "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(frozen=True)
class Board:
    """A community as its board shows it: its main group (what it may see) and language."""

    community: Community
    main_chat_id: int
    locale: str  # the main group's language, the page's default
    tz: ZoneInfo


async def board_of(rt: Runtime, community_id: int) -> Board | None:
    community = await communities.get(rt.store, community_id)
    main = community.main_chat_id if community else None
    if community is None or main is None:
        return None
    t = rt.translator(await chats.get(rt.store, main))
    tz = ZoneInfo(community.tz) if community.tz else t.tz
    return Board(community, main, t.locale, tz)


def translator(rt: Runtime, board: Board | None, locale: str | None) -> Translator:
    chosen = locale or (board.locale if board else rt.settings.locale)
    tz = board.tz if board else ZoneInfo(rt.settings.tz)
    return Translator(chosen, tz, rt.clock.now().astimezone(tz).date())


def _figures(rt: Runtime, t: Translator, template: str, **view: object) -> Markup:
    """Telegram HTML a template rendered (b, i, s, a only, escaped): valid HTML as it is."""
    return Markup(rt.renderer.render(template, t, **view))


async def votes(rt: Runtime, t: Translator, board: Board) -> list[dict]:
    """Closed votes, newest first, with the figures their result message showed."""
    found = []
    for poll in reversed(await polls.of_chat(rt.store, board.main_chat_id, CLOSED)):
        view = await poll_view(rt, poll)
        view.update(notice_days=delivery.notice_days(poll.created_at, poll.closed_at or poll.deadline),
                    notice_needed=delivery.NOTICE_DAYS)
        body = await bulletins.get(rt.store, poll.id) if poll.kind == "owner" else None
        found.append({"poll": poll, "kind_name": view["kind_name"], "bulletin": body,
                      "passed": _passed(view), "figures": _figures(rt, t, "board/_figures.html.j2", **view)})
    return found


def _passed(view: dict) -> bool | None:
    if "owner" in view:
        return view["owner"].passed
    if view["poll"].kind == "proposal":
        return view["tally"].passed
    return None


async def bulletin_file(rt: Runtime, board: Board, number: int) -> tuple[dict, str] | None:
    """An owner vote's bulletin (and the vote's file name) when the board shows the vote."""
    poll = await polls.by_number(rt.store, board.main_chat_id, number)
    if poll is None or poll.kind != "owner" or poll.status not in CLOSED:
        return None
    body = await bulletins.get(rt.store, poll.id)
    return (body, f"vote-{poll.number}") if body else None


def bulletin_json(body: dict) -> bytes:
    return bulletin_rules.text(body).encode("utf-8")


def bulletin_csv(t: Translator, body: dict) -> bytes:
    return bulletin_files._table(t, body)


async def posted_notices(rt: Runtime, board: Board) -> list:
    found, _ = await notices.posted(rt.store, board.main_chat_id, 0, NOTICES_SHOWN)
    return found


async def meetings(rt: Runtime, board: Board) -> list[dict]:
    """Closed meetings, newest first."""
    return [{"meeting": m, "kind_name": MEETING_KINDS[m.kind]}
            for m in reversed(await minutes.of_chat(rt.store, board.main_chat_id))]


async def minutes_file(rt: Runtime, t: Translator, board: Board, number: int, fmt: str) -> bytes | None:
    """Minutes of closed meeting ``number`` as the minutes commands make them (md, html, docx)."""
    meeting = await minutes.by_number(rt.store, board.main_chat_id, number)
    if meeting is None or meeting.status != "closed" or fmt not in MINUTES_FORMATS:
        return None
    m = await minutes_rendering.build(rt, meeting, board.community.name)
    title = t.labelled(board.community.name, t.gettext("Minutes of meeting #%(number)s", number=number))
    if fmt == "md":
        return minutes_rendering.render(rt, t, m, "md").encode("utf-8")
    if fmt == "html":
        return html_page(title, t.locale, minutes_rendering.render(rt, t, m))
    markdown = minutes_rendering.render(rt, t, m, "md")
    return await asyncio.to_thread(docx_from_markdown, markdown, title, t.locale)


async def _events(rt: Runtime, board: Board, active_only: bool) -> list:
    found = await events.of_chat(rt.store, board.main_chat_id, active_only=active_only)
    return [(e, await events.changes(rt.store, e.id)) for e in found]


async def upcoming(rt: Runtime, board: Board) -> list[dict]:
    now = rt.clock.now()
    rows = [{"at": o, "event": e, "kind_name": EVENT_KINDS.get(e.kind, e.kind)}
            for e, changes in await _events(rt, board, True)
            for o in event_rules.upcoming(e, changes, now, count=5, include_cancelled=True,
                                          horizon=EVENT_HORIZON)]
    rows.sort(key=lambda r: r["at"].at)
    return rows[:EVENTS_SHOWN]


async def calendar(rt: Runtime, board: Board) -> bytes:
    """The community's events as /calendar sends them."""
    return calendar_file(await _events(rt, board, False), board.community.name or "Yishi", rt.clock.now())


async def monthly(rt: Runtime, bot, t: Translator, board: Board) -> dict:
    """This month's figures as the chat's monthly report counts them: its summary and its charts
    (SVG, the text in the page's language)."""
    local = rt.clock.now().astimezone(t.tz)
    month = date(local.year, local.month, 1)
    figures = await monthly_report.gather(rt, bot, board.main_chat_id, t, month)
    try:
        svg = str(await asyncio.to_thread(charts.render_svg, figures, t))
    except Exception:  # a chart is a picture of figures shown beside it: never the page's failure
        log.warning("the board's monthly chart could not be drawn", exc_info=True)
        svg = ""
    start = svg.find("<svg")  # without the XML prolog and doctype a file has
    return {"month": month, "summary": monthly_report.summary(rt, t, figures),
            "svg": Markup(svg[start:].strip()) if start >= 0 else None}
