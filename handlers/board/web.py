"""The public board (公示栏) on the web: an aiohttp application, read-only, one page per community
behind an unguessable link (storage/boards.py), served by ``yishi run`` beside the bot.

Routes, all under ``/b/<token>/``::

    /b/<token>/                          the board (``?lang=zh_Hans|zh_Hant|en``)
    /b/<token>/vote/<n>/bulletin.json    an owner vote's bulletin, as published
    /b/<token>/vote/<n>/ballots.csv      its table of counted ballots
    /b/<token>/minutes/<n>.md|html|docx  a closed meeting's minutes
    /b/<token>/events.ics                the community's events as a calendar

An unknown or revoked token, and anything else, answers 404 with a plain page in the asked
(else the bot's default) language. Pages are never cached, send no referrer (the token is in the
address) and load nothing from elsewhere.

``start``/``stop`` run it from the Application's post_init/post_shutdown when
``Settings.board_url`` is set, so one process serves the bot and its board.
"""

from __future__ import annotations

import logging

from aiohttp import web
from telegram.ext import Application

from bot.documents import language_tag
from bot.i18n import LANGUAGE_NAMES, LOCALES
from bot.runtime import Runtime
from handlers.board import pages
from storage import boards

log = logging.getLogger(__name__)
RUNTIME = web.AppKey("runtime", Runtime)
BOT = web.AppKey("bot", object)
RUNNER = "board"  # where the running site is kept in the Application's bot_data
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}
MINUTES_LABELS = (("docx", "Word (.docx)"), ("html", "HTML"), ("md", "Markdown"))


def url_of(base_url: str, token: str) -> str:
    """The board's address as residents open it."""
    return f"{base_url.rstrip('/')}/b/{token}/"


def _lang(request: web.Request) -> str | None:
    asked = request.query.get("lang")
    return asked if asked in LOCALES else None


def _respond(body: bytes | str, content_type: str, status: int = 200, filename: str | None = None,
             inline: bool = False) -> web.Response:
    headers = dict(HEADERS)
    if filename:
        headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    data = body.encode("utf-8") if isinstance(body, str) else body
    return web.Response(body=data, status=status, headers=headers, content_type=content_type,
                        charset="utf-8" if content_type.startswith("text/") or content_type.endswith("json")
                        else None)


def _missing(request: web.Request, board: pages.Board | None = None) -> web.Response:
    rt = request.app[RUNTIME]
    t = pages.translator(rt, board, _lang(request))
    page = rt.renderer.render("board/missing.html.j2", t, lang_tag=language_tag(t.locale))
    return _respond(page, "text/html", status=404)


async def _board(request: web.Request) -> pages.Board | None:
    rt = request.app[RUNTIME]
    community = await boards.community_of(rt.store, request.match_info["token"])
    return await pages.board_of(rt, community) if community is not None else None


async def board_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    board = await _board(request)
    if board is None:
        return _missing(request)
    lang = _lang(request)
    t = pages.translator(rt, board, lang)
    page = rt.renderer.render(
        "board/page.html.j2", t,
        community=board.community.name, lang_tag=language_tag(t.locale), now=rt.clock.now(),
        languages=[(code, LANGUAGE_NAMES[code]) for code in LOCALES],
        lang_query=f"?lang={lang}" if lang else "",
        votes=await pages.votes(rt, t, board),
        notices=await pages.posted_notices(rt, board),
        meetings=await pages.meetings(rt, board),
        minutes_formats=MINUTES_LABELS,
        events=await pages.upcoming(rt, board),
        monthly=await pages.monthly(rt, request.app[BOT], t, board),
    )
    return _respond(page, "text/html")


async def to_board(request: web.Request) -> web.Response:
    """``/b/<token>`` without its slash: the page's relative links need it."""
    raise web.HTTPFound(f"/b/{request.match_info['token']}/", headers=HEADERS)


async def bulletin(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    board = await _board(request)
    found = await pages.bulletin_file(rt, board, int(request.match_info["number"])) if board else None
    if found is None:
        return _missing(request, board)
    body, name = found
    if request.match_info["file"] == "bulletin.json":
        return _respond(pages.bulletin_json(body), "application/json", filename=f"{name}-bulletin.json")
    t = pages.translator(rt, board, _lang(request))
    return _respond(pages.bulletin_csv(t, body), "text/csv", filename=f"{name}-ballots.csv")


async def minutes(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    board = await _board(request)
    number, fmt = int(request.match_info["number"]), request.match_info["fmt"]
    t = pages.translator(rt, board, _lang(request))
    data = await pages.minutes_file(rt, t, board, number, fmt) if board else None
    if data is None:
        return _missing(request, board)
    return _respond(data, pages.MINUTES_FORMATS[fmt], filename=f"minutes-{number}.{fmt}")


async def calendar(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    board = await _board(request)
    if board is None:
        return _missing(request)
    return _respond(await pages.calendar(rt, board), "text/calendar", filename="events.ics", inline=True)


@web.middleware
async def _not_found(request: web.Request, handler) -> web.StreamResponse:
    """Any other address (and a wrong method) gets the same plain 404 page."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _missing(request)
    except web.HTTPMethodNotAllowed:
        return _missing(request)


def make_app(rt: Runtime, bot=None) -> web.Application:
    app = web.Application(middlewares=[_not_found])
    app[RUNTIME] = rt
    app[BOT] = bot  # the figures ask Telegram how many members a group has
    token = "{token:[A-Za-z0-9_-]{16,64}}"
    app.router.add_get(f"/b/{token}", to_board)
    app.router.add_get(f"/b/{token}/", board_page)
    app.router.add_get(f"/b/{token}/vote/{{number:[0-9]{{1,9}}}}/{{file:bulletin\\.json|ballots\\.csv}}",
                       bulletin)
    app.router.add_get(f"/b/{token}/minutes/{{number:[0-9]{{1,9}}}}.{{fmt:md|html|docx}}", minutes)
    app.router.add_get(f"/b/{token}/events.ics", calendar)
    return app


async def start(app: Application) -> None:
    """Serve the board on ``listen``:``board_port`` when the settings enable it (post_init)."""
    rt: Runtime = app.bot_data["runtime"]
    if not rt.settings.board_url:
        return
    runner = web.AppRunner(make_app(rt, app.bot), access_log=None)  # the addresses hold tokens: no log
    await runner.setup()
    await web.TCPSite(runner, rt.settings.listen, rt.settings.board_port).start()
    app.bot_data[RUNNER] = runner
    log.info("the public board is served on port %s as %s", rt.settings.board_port, rt.settings.board_url)


async def stop(app: Application) -> None:
    """Stop serving the board (post_shutdown), before the database closes."""
    runner = app.bot_data.pop(RUNNER, None)
    if runner is not None:
        await runner.cleanup()
