"""What the request commands share: names, writing to people privately, who is acting on a
request, and how a request is shown."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.domain import numbers
from bot.domain import requests as rules
from bot.domain.requests import CATEGORIES, Request
from bot.i18n import N_, Translator
from bot.runtime import Runtime
from handlers.base import Refused, Turn, groups_of, may_write, tell_privately
from handlers.roles import ROLE_NAMES
from storage import chats, members, roles, users
from storage import requests as store

CATEGORY_NAMES = {
    "repairs": N_("repairs"), "fees": N_("fees"), "parking": N_("parking"), "noise": N_("noise"),
    "safety": N_("safety"), "greenery": N_("greenery"), "other": N_("other"),
}
STATE_NAMES = {
    "reported": N_("reported"), "accepted": N_("taken on"), "in_progress": N_("being handled"),
    "resolved": N_("resolved"), "closed": N_("case closed"),
}
DUE, CLOSE = "request_due", "request_close"
WORKERS = ("grid_worker", "convener", "deputy")  # who follow the requests of every community they serve


def _names(t: Translator) -> dict:
    return {"category_names": CATEGORY_NAMES, "state_names": STATE_NAMES, "role_names": ROLE_NAMES}


def _unknown_category(t: Translator, word: str) -> Refused:
    known = t.listing(t.gettext(CATEGORY_NAMES[c]) + t.aside(c) for c in CATEGORIES)
    return Refused(t.gettext("I do not know the category %(word)s. Categories: %(known)s.",
                             word=word, known=known))


async def _translator_for(rt: Runtime, user_id: int) -> Translator:
    return rt.translator(await chats.get(rt.store, user_id), await users.get(rt.store, user_id))


async def _tell(rt: Runtime, bot, user_id: int | None, text: str,
                markup: InlineKeyboardMarkup | None = None, photo: str | None = None) -> bool:
    """Write to someone privately; False when the bot may not (never started, blocked)."""
    if photo and await may_write(rt, user_id):
        try:
            await bot.send_photo(user_id, photo)
        except (Forbidden, BadRequest):
            return False
    return await tell_privately(rt, bot, user_id, text, markup)


async def _actors(turn: Turn, request: Request) -> set[str]:
    found = set()
    if turn.person.id == request.reporter_id:
        found.add("reporter")
    if turn.person.id == request.assignee_id:
        found.add("assignee")
    if await turn.convenes(request.chat_id):
        found.add("convener")
    if "grid_worker" in await turn.role_names(request.chat_id):
        found.add("worker")  # sees the community's requests (without names), moves none on
    return found


async def _request_arg(turn: Turn, word: str | None) -> Request:
    """The request numbered ``word`` in the community of the group, or, in private, of the
    community the person acts for."""
    number = numbers.whole(word)
    request = None
    if number is not None and not turn.in_private:
        request = await store.by_number(turn.rt.store, turn.chat_id, number)
    elif number is not None:
        request = await _private_request(turn, number)
    if request is None:
        raise Refused(turn.t.gettext("There is no request %(word)s. /requests lists them.",
                                     word=word or ""))
    return request


async def _private_request(turn: Turn, number: int) -> Request | None:
    """Request #``number`` of the community the person acts for (the one they chose). Of several,
    unchosen, the one they have to do with; when that is more than one, they are asked to choose."""
    found = [request for chat_id, _ in await groups_of(turn)
             if (request := await store.by_number(turn.rt.store, chat_id, number)) is not None]
    if len(found) > 1:
        found = [request for request in found if await _actors(turn, request)]
    if len(found) > 1:
        raise Refused(turn.t.gettext(
            "There is a request #%(id)s in %(communities)s. Choose the community you act for with "
            "/community, then try again.", id=number,
            communities=turn.t.listing(request.community_name for request in found)))
    return found[0] if found else None


async def _served(turn: Turn) -> list[tuple[int, str]]:
    """The communities whose requests the person follows, as (main group id, name): those they are
    the grid worker, a convener or a deputy of, and those whose main group they administer."""
    rt, person = turn.rt, turn.person.id
    served = dict(await roles.communities_of(rt.store, person, WORKERS))
    for chat_id, name in await members.groups_of(rt.store, person):
        if chat_id not in served and await turn.convenes(chat_id):
            served[chat_id] = name
    return sorted(served.items(), key=lambda place: (place[1], place[0]))


def _late(rt: Runtime, request: Request) -> str | None:
    return rules.overdue(request.state, request.respond_by, request.resolve_by, rt.clock.now())


def _view(rt: Runtime, t: Translator, request: Request, *, names: bool, detail: bool) -> str:
    return rt.renderer.render("request.html.j2", t, r=request, names=names, detail=detail,
                              late=_late(rt, request), **_names(t))


def _buttons(t: Translator, request: Request, actors: set[str]) -> InlineKeyboardMarkup | None:
    rows = []
    handles = not {"assignee", "convener"}.isdisjoint(actors)
    if handles and request.state == "reported":
        rows.append([InlineKeyboardButton(t.gettext("Accept"), callback_data=f"rq:a:{request.id}")])
    if handles and request.state == "accepted":
        rows.append([InlineKeyboardButton(t.gettext("Start work"), callback_data=f"rq:w:{request.id}")])
    if "reporter" in actors and request.state == "resolved":
        rows.append([InlineKeyboardButton("⭐" * n, callback_data=f"rq:r:{request.id}:{n}")
                     for n in range(1, 6)])
    return InlineKeyboardMarkup(rows) if rows else None
