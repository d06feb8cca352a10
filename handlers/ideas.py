"""Golden ideas (金点子) and micro-wishes: submitted, endorsed, followed to a decision.

Callback data (all under 64 bytes):
  id:pc:<draft>:<chat>:<0|1>  a private draft goes to a group, named (0) or anonymous (1)
  id:de:<draft>:<idea>        endorse the similar idea instead of posting the draft
  id:dp:<draft>               post the draft anyway
  id:e:<idea>  id:v:<idea>    endorse / volunteer (toggles), on the idea's card
  id:m:<idea>                 a convener opens the manage buttons
  id:s:<idea>:<state>         a convener moves the idea to a state
  id:p:<idea>  id:a:<idea>    a convener puts it to the vote / on the next meeting's agenda
  id:l:<filter>:<kind>:<page> a page of /ideas
"""

from __future__ import annotations

import functools
import html
import logging
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackContext, CallbackQueryHandler, CommandHandler

from bot.domain import ideas as rules
from bot.domain.ideas import KIND_NAMES, OPEN_STATES, STATE_NAMES, STATES, Idea, IdeaError
from bot.domain.models import Firing
from bot.domain.polls import MAX_QUESTION, Draft
from bot.domain.when import parse_clock, parse_weekday
from bot.i18n import N_, Translator
from bot.runtime import Runtime, runtime
from handlers.base import Command, Refused, Turn, edit_html, handler, send_html, tell_privately
from handlers.polls import open_vote
from storage import chats, schedules
from storage import ideas as store

log = logging.getLogger(__name__)

COMMANDS = [
    Command("idea", N_("Suggest a golden idea (金点子); privately, you may stay anonymous"),
            convener=False, where="both"),
    Command("wish", N_("Post a micro-wish (微心愿): a small concrete need"), convener=False, where="both"),
    Command("ideas", N_("Top ideas and wishes, by state or kind"), convener=False),
    Command("idea_state", N_("Move an idea on: discussion, accepted, in_progress, done, declined, merged"),
            convener=True),
    Command("idea_poll", N_("Put an idea to the vote as a proposal"), convener=True),
    Command("idea_agenda", N_("Put an idea on the next meeting's agenda"), convener=True),
    Command("digest", N_("This week's ideas; conveners set the weekly digest's day and time"),
            convener=False),
]
SCHEDULE_KIND = "idea_digest"
PAGE_SIZE = 8
DIGEST_TOP = 5


def _error(turn: Turn, problem: IdeaError) -> Refused:
    return Refused(turn.t.gettext(problem.message, **problem.params))


def _stale(turn: Turn) -> Refused:
    return Refused(turn.t.gettext("This button is no longer valid."))


async def _check_rate(turn: Turn) -> None:
    recent = await store.submitted_since(turn.rt.store, turn.person.id,
                                         turn.rt.clock.now() - timedelta(hours=1))
    if rules.rate_limited(recent):
        raise Refused(turn.t.gettext("You can submit at most %(most)s ideas an hour. Please try again "
                                     "later.", most=rules.HOURLY_LIMIT))


# -- the card --------------------------------------------------------------------------------------

async def _card(rt: Runtime, t: Translator, idea: Idea) -> tuple[str, InlineKeyboardMarkup | None]:
    text = rt.renderer.render("idea.html.j2", t, idea=idea, kind_name=KIND_NAMES[idea.kind],
                              state_names=STATE_NAMES, volunteers=await store.volunteers(rt.store, idea.id))
    if not idea.is_open:
        return text, None
    return text, InlineKeyboardMarkup([
        [InlineKeyboardButton(t.gettext("👍 Endorse · %(num)s", num=idea.endorsements),
                              callback_data=f"id:e:{idea.id}"),
         InlineKeyboardButton(t.gettext("🙋 Volunteer"), callback_data=f"id:v:{idea.id}")],
        [InlineKeyboardButton(t.gettext("⚙️ Manage"), callback_data=f"id:m:{idea.id}")],
    ])


async def refresh(rt: Runtime, bot, idea_id: int, *, now: bool = False) -> None:
    """Bring the card up to date (debounced, unless ``now``)."""

    async def render() -> None:
        idea = await store.get(rt.store, idea_id)
        if idea is None or idea.message_id is None:
            return
        text, markup = await _card(rt, rt.translator(await chats.get(rt.store, idea.chat_id)), idea)
        await edit_html(bot, idea.chat_id, idea.message_id, text, markup, shown=rt.refresher.shown)

    await rt.refresher.show(("idea", idea_id), render, now)


# -- submitting ----------------------------------------------------------------------------------

@handler
async def submit(turn: Turn) -> None:
    kind = "wish" if turn.update.effective_message.text.split()[0].lstrip("/").lower().startswith("wish") \
        else "idea"
    try:
        text = rules.check_text(turn.body)
    except IdeaError as problem:
        raise _error(turn, problem) from None
    await _check_rate(turn)
    rt, now = turn.rt, turn.rt.clock.now()
    if not turn.in_private:
        draft = await store.add_draft(rt.store, user_id=turn.person.id, kind=kind, text=text,
                                      chat_id=turn.chat_id, anonymous=False, now=now)
        if not await _offer_similar(turn, draft):
            await _post(turn, draft)
        return
    groups = await store.groups_of(rt.store, turn.person.id)
    if not groups:
        raise Refused(turn.t.gettext(
            "I do not know your community's group yet. Send any command there first (e.g. /ideas), "
            "then try again."))
    draft = await store.add_draft(rt.store, user_id=turn.person.id, kind=kind, text=text, chat_id=None,
                                  anonymous=False, now=now)
    rows = [[InlineKeyboardButton(turn.t.gettext("%(group)s · with my name", group=title),
                                  callback_data=f"id:pc:{draft.id}:{chat_id}:0"),
             InlineKeyboardButton(turn.t.gettext("%(group)s · anonymous", group=title),
                                  callback_data=f"id:pc:{draft.id}:{chat_id}:1")]
            for chat_id, title in groups]
    await turn.reply(turn.render("idea_choose.html.j2", text=text), InlineKeyboardMarkup(rows))


async def _offer_similar(turn: Turn, draft: store.Draft) -> bool:
    """If an open idea of the group resembles the draft, ask the author what to do."""
    candidates = await store.of_chat(turn.rt.store, draft.chat_id)
    found = rules.most_similar(draft.text, [(i.id, i.text) for i in candidates])
    if found is None:
        return False
    similar = next(i for i in candidates if i.id == found[0])
    t = turn.t
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(t.gettext("👍 Endorse #%(number)s instead", number=similar.number),
                              callback_data=f"id:de:{draft.id}:{similar.id}")],
        [InlineKeyboardButton(t.gettext("Post mine anyway"), callback_data=f"id:dp:{draft.id}")],
    ])
    text = turn.render("idea_similar.html.j2", idea=similar, kind_name=KIND_NAMES[similar.kind])
    if turn.update.callback_query is not None:
        await turn.update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                                           reply_markup=markup)
    else:
        await turn.reply(text, markup)
    return True


async def _post(turn: Turn, draft: store.Draft) -> Idea:
    """Store the draft as an idea, post its card in the group and make sure the digest runs."""
    rt = turn.rt
    idea = await store.create(rt.store, chat_id=draft.chat_id, kind=draft.kind, text=draft.text,
                              anonymous=draft.anonymous, user_id=draft.user_id, now=rt.clock.now(),
                              origin=turn.origin)
    chat = await chats.get(rt.store, idea.chat_id)
    if idea.message_id is None:  # not posted yet (or handled again after a crash before it was)
        text, markup = await _card(rt, rt.translator(chat), idea)
        message = await send_html(turn.context.bot, idea.chat_id, text, markup)
        await store.set_message(rt.store, idea.id, message.message_id)
    await store.drop_draft(rt.store, draft.id)
    await ensure_digest(rt, chat)
    if turn.update.callback_query is not None:
        await turn.update.callback_query.edit_message_text(html.escape(turn.t.gettext(
            "Posted as #%(number)s in %(group)s.", number=idea.number, group=chat.title or "")))
    return idea


async def _own_draft(turn: Turn, draft_id: str) -> store.Draft:
    draft = await store.draft(turn.rt.store, int(draft_id)) if draft_id.isdigit() else None
    if draft is None or draft.user_id != turn.person.id:
        raise _stale(turn)
    return draft


@handler
async def choose_group(turn: Turn) -> None:
    """``id:pc:<draft>:<chat>:<anonymous>``, pressed in the author's private chat."""
    parts = turn.update.callback_query.data.split(":")
    if len(parts) != 5 or not turn.in_private or parts[4] not in ("0", "1"):
        raise _stale(turn)
    draft = await _own_draft(turn, parts[2])
    groups = dict(await store.groups_of(turn.rt.store, turn.person.id))
    chat_id = int(parts[3]) if re.fullmatch(r"-?\d+", parts[3]) else None
    if chat_id not in groups:
        raise _stale(turn)
    await _check_rate(turn)
    await store.place_draft(turn.rt.store, draft.id, chat_id, parts[4] == "1")
    draft = await store.draft(turn.rt.store, draft.id)
    await turn.answer()
    if not await _offer_similar(turn, draft):
        await _post(turn, draft)


@handler
async def draft_choice(turn: Turn) -> None:
    """``id:de:<draft>:<idea>`` endorse the similar idea instead; ``id:dp:<draft>`` post anyway."""
    parts = turn.update.callback_query.data.split(":")
    if len(parts) < 3:
        raise _stale(turn)
    draft = await _own_draft(turn, parts[2])
    if draft.chat_id is None or (not turn.in_private and turn.chat_id != draft.chat_id):
        raise _stale(turn)
    if parts[1] == "dp":
        await _check_rate(turn)
        await turn.answer()
        await _post(turn, draft)
        return
    idea = await store.get(turn.rt.store, int(parts[3])) if len(parts) == 4 and parts[3].isdigit() else None
    if idea is None or idea.chat_id != draft.chat_id or not idea.is_open:
        raise _stale(turn)
    await store.endorse(turn.rt.store, idea.id, turn.person.id, turn.rt.clock.now())
    await store.drop_draft(turn.rt.store, draft.id)
    await turn.answer()
    await turn.update.callback_query.edit_message_text(html.escape(turn.t.gettext(
        "You endorsed #%(number)s instead.", number=idea.number)))
    await refresh(turn.rt, turn.context.bot, idea.id)


# -- pressing the card's buttons ---------------------------------------------------------------------

async def _pressed_idea(turn: Turn, on_card: bool) -> tuple[Idea, list[str]]:
    """The idea a button belongs to, refusing forged, foreign and stale presses."""
    query = turn.update.callback_query
    parts = (query.data or "").split(":")
    idea = await store.get(turn.rt.store, int(parts[2])) if len(parts) > 2 and parts[2].isdigit() else None
    if idea is None or query.message is None or query.message.chat.id != idea.chat_id:
        raise _stale(turn)
    if on_card and query.message.message_id != idea.message_id:
        raise _stale(turn)
    if idea.state == "merged":
        raise Refused(turn.t.gettext("This idea was merged into #%(number)s; support it there.",
                                     number=idea.merged_into))
    if not idea.is_open:
        raise Refused(turn.t.gettext("This idea is closed (%(state)s).",
                                     state=turn.t.gettext(STATE_NAMES[idea.state])))
    return idea, parts[3:]


@handler
async def endorse(turn: Turn) -> None:
    idea, _ = await _pressed_idea(turn, on_card=True)
    now_on = await store.toggle_endorsement(turn.rt.store, idea.id, turn.person.id, turn.rt.clock.now(),
                                            turn.origin)
    await turn.answer(turn.t.gettext("You endorse #%(number)s.", number=idea.number) if now_on
                      else turn.t.gettext("Endorsement taken back."))
    await refresh(turn.rt, turn.context.bot, idea.id)


@handler
async def volunteer(turn: Turn) -> None:
    idea, _ = await _pressed_idea(turn, on_card=True)
    now_on = await store.toggle_volunteer(turn.rt.store, idea.id, turn.person.id, turn.rt.clock.now(),
                                          turn.origin)
    await turn.answer(turn.t.gettext("Thank you! You are listed as a volunteer.") if now_on
                      else turn.t.gettext("You are no longer listed as a volunteer."))
    await refresh(turn.rt, turn.context.bot, idea.id)


@handler
async def manage(turn: Turn) -> None:
    idea, _ = await _pressed_idea(turn, on_card=True)
    await turn.require_convener()
    await turn.answer()
    t = turn.t
    rows = [[InlineKeyboardButton(t.gettext("→ %(state)s", state=t.gettext(STATE_NAMES[s])),
                                  callback_data=f"id:s:{idea.id}:{s}")]
            for s in STATES if s in rules.TRANSITIONS[idea.state] and s not in ("declined", "merged")]
    if idea.poll_id is None:
        rows.append([InlineKeyboardButton(t.gettext("🗳 Put to the vote"), callback_data=f"id:p:{idea.id}")])
    rows.append([InlineKeyboardButton(t.gettext("📋 Next meeting's agenda"),
                                      callback_data=f"id:a:{idea.id}")])
    await turn.reply(turn.render("idea_manage.html.j2", idea=idea), InlineKeyboardMarkup(rows))


@handler
async def state_pressed(turn: Turn) -> None:
    idea, rest = await _pressed_idea(turn, on_card=False)
    await turn.require_convener()
    if len(rest) != 1 or rest[0] not in STATES:
        raise _stale(turn)
    await change(turn, idea, rest[0], None)
    await turn.answer()


@handler
async def poll_pressed(turn: Turn) -> None:
    idea, _ = await _pressed_idea(turn, on_card=False)
    await turn.require_convener()
    await turn.answer()
    await to_vote(turn, idea)


@handler
async def agenda_pressed(turn: Turn) -> None:
    idea, _ = await _pressed_idea(turn, on_card=False)
    await turn.require_convener()
    await turn.answer()
    await to_agenda(turn, idea)


# -- conveners moving ideas on ----------------------------------------------------------------------

async def change(turn: Turn, idea: Idea, target: str, reason: str | None, into: Idea | None = None) -> None:
    """Apply a state change the rules allow: store it, update the card(s), tell the group and
    the author (privately, named ideas only: an anonymous idea has no author to write to)."""
    try:
        rules.check_change(idea.state, target, reason, into_state=into.state if into else None,
                           into_self=into is not None and into.id == idea.id)
    except IdeaError as problem:
        raise _error(turn, problem) from None
    rt = turn.rt
    await store.change_state(rt.store, idea, target, reason=reason, by=turn.person.id,
                             now=rt.clock.now(), into=into)
    await refresh(rt, turn.context.bot, idea.id, now=True)
    if into is not None:
        await refresh(rt, turn.context.bot, into.id, now=True)
    changed = await store.get(rt.store, idea.id)
    await turn.reply(turn.render("idea_changed.html.j2", idea=changed, state_names=STATE_NAMES,
                                 kind_name=KIND_NAMES[idea.kind], private=False))
    if changed.author_id is not None and not changed.anonymous:
        await _tell_author(turn, changed)


async def _tell_author(turn: Turn, idea: Idea) -> None:
    rt = turn.rt
    chat = await chats.get(rt.store, idea.chat_id)
    t = rt.translator(chat)
    text = rt.renderer.render("idea_changed.html.j2", t, idea=idea, state_names=STATE_NAMES,
                              kind_name=KIND_NAMES[idea.kind], private=True, group=chat.title or "")
    await tell_privately(rt, turn.context.bot, idea.author_id, text)


async def _target(turn: Turn, args: list[str]) -> Idea:
    if turn.in_private:
        raise Refused(turn.t.gettext("Ideas belong to a group: use this command in the group."))
    await turn.require_convener()
    idea = None
    if args and args[0].lstrip("#").isdigit():
        idea = await store.by_number(turn.rt.store, turn.chat_id, int(args[0].lstrip("#")))
    if idea is None:
        raise Refused(turn.t.gettext("Which idea? Give its number, e.g. /idea_state 3 accepted. "
                                     "/ideas lists them."))
    return idea


@handler
async def state_command(turn: Turn) -> None:
    """``/idea_state 3 declined 预算不足``, ``/idea_state 5 merged 2``."""
    args = turn.body.split(maxsplit=2)
    idea = await _target(turn, args)
    target = rules.word(args[1]) if len(args) > 1 else None
    if target not in STATES:
        raise Refused(turn.t.gettext("Usage: /idea_state number state [reason], e.g. /idea_state 3 "
                                     "accepted, /idea_state 3 declined 预算不足, /idea_state 5 merged 2. "
                                     "States: discussion, accepted, in_progress, done, declined, merged."))
    rest = args[2].strip() if len(args) > 2 else ""
    into = None
    if target == "merged":
        number = rest.split()[0].lstrip("#") if rest else ""
        into = await store.by_number(turn.rt.store, turn.chat_id, int(number)) if number.isdigit() else None
        if number and into is None:
            raise Refused(turn.t.gettext("There is no idea #%(number)s here.", number=number))
        rest = ""
    await change(turn, idea, target, rest or None, into)


async def to_vote(turn: Turn, idea: Idea) -> None:
    if idea.poll_id is not None:
        raise Refused(turn.t.gettext("Idea #%(number)s was put to the vote already.", number=idea.number))
    question = idea.text if len(idea.text) <= MAX_QUESTION else idea.text[:MAX_QUESTION - 1] + "…"
    details = [idea.text] if question != idea.text else []
    details.append(turn.t.gettext("From idea #%(number)s, endorsed by %(count)s.", number=idea.number,
                                  count=idea.endorsements))
    poll = await open_vote(turn, Draft(kind="proposal", question=question, details=details))
    await store.set_poll(turn.rt.store, idea.id, poll.id)
    if idea.state == "new":
        await change(turn, idea, "discussion", None)


async def to_agenda(turn: Turn, idea: Idea) -> None:
    if not await store.put_on_agenda(turn.rt.store, idea, turn.person.id, turn.rt.clock.now()):
        raise Refused(turn.t.gettext("Idea #%(number)s is on the agenda already.", number=idea.number))
    await turn.reply(html.escape(turn.t.gettext(
        "Idea #%(number)s is on the agenda of the next meeting.", number=idea.number)))
    if idea.state == "new":
        await change(turn, idea, "discussion", None)


async def _open_target(turn: Turn):
    idea = await _target(turn, turn.body.split())
    if not idea.is_open:
        raise Refused(turn.t.gettext("This idea is closed (%(state)s).",
                                     state=turn.t.gettext(STATE_NAMES[idea.state])))
    return idea


@handler
async def poll_command(turn: Turn) -> None:
    await to_vote(turn, await _open_target(turn))


@handler
async def agenda_command(turn: Turn) -> None:
    await to_agenda(turn, await _open_target(turn))


# -- lists -----------------------------------------------------------------------------------------

def _filters(words: list[str]) -> tuple[str, str, int]:
    """(state filter: a state, "open" or "all"; kind or "-"; page from 0) from typed words."""
    chosen, kind, page = "open", "-", 0
    for typed in words:
        meaning = rules.word(typed)
        if meaning in ("idea", "wish"):
            kind = meaning
        elif meaning is not None:
            chosen = meaning
        elif typed.isdigit():
            page = int(typed) - 1
    return chosen, kind, page


async def _list(turn: Turn, chosen: str, kind: str, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    states = OPEN_STATES if chosen == "open" else STATES if chosen == "all" else (chosen,)
    found = await store.of_chat(turn.rt.store, turn.chat_id, states, None if kind == "-" else kind)
    shown, pages = rules.page(rules.rank(found, turn.rt.clock.now()), page, PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    text = turn.render("idea_list.html.j2", ideas=shown, state_names=STATE_NAMES, page=page + 1,
                       pages=pages, total=len(found), chosen=chosen, kind=kind)
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton(turn.t.gettext("‹ Previous"),
                                            callback_data=f"id:l:{chosen}:{kind}:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(turn.t.gettext("Next ›"),
                                            callback_data=f"id:l:{chosen}:{kind}:{page + 1}"))
    return text, InlineKeyboardMarkup([buttons]) if buttons else None


@handler
async def list_command(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Ideas belong to a group: use this command in the group."))
    text, markup = await _list(turn, *_filters(turn.body.split()))
    await turn.reply(text, markup)


@handler
async def list_page(turn: Turn) -> None:
    parts = turn.update.callback_query.data.split(":")
    if (turn.in_private or len(parts) != 5 or parts[2] not in (*STATES, "open", "all")
            or parts[3] not in ("-", "idea", "wish") or not parts[4].isdigit()):
        raise _stale(turn)
    text, markup = await _list(turn, parts[2], parts[3], int(parts[4]))
    await turn.answer()
    message = turn.update.callback_query.message
    await edit_html(turn.context.bot, message.chat.id, message.message_id, text, markup,
                    shown=turn.rt.refresher.shown)


# -- the weekly digest -------------------------------------------------------------------------------

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
    return rt.renderer.render("idea_digest.html.j2", t, fresh=fresh, changes=changes, top=top,
                              start=start, end=end, state_names=STATE_NAMES, kind_names=KIND_NAMES)


async def deliver(context: CallbackContext, firing: Firing) -> None:
    rt = runtime(context)
    chat = await chats.get(rt.store, firing.schedule.chat_id)
    if chat is None:
        return
    text = await _digest_html(rt, rt.translator(chat), chat.id, firing.occurrence)
    if text is not None:
        await send_html(context.bot, chat.id, text)


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


def register(app: Application) -> list[Command]:
    app.add_handler(CommandHandler(["idea", "wish"], submit))
    app.add_handler(CommandHandler("ideas", list_command))
    app.add_handler(CommandHandler("idea_state", state_command))
    app.add_handler(CommandHandler("idea_poll", poll_command))
    app.add_handler(CommandHandler("idea_agenda", agenda_command))
    app.add_handler(CommandHandler("digest", digest_command))
    app.add_handler(CallbackQueryHandler(choose_group, pattern=r"^id:pc:"))
    app.add_handler(CallbackQueryHandler(draft_choice, pattern=r"^id:d[ep]:"))
    app.add_handler(CallbackQueryHandler(endorse, pattern=r"^id:e:"))
    app.add_handler(CallbackQueryHandler(volunteer, pattern=r"^id:v:"))
    app.add_handler(CallbackQueryHandler(manage, pattern=r"^id:m:"))
    app.add_handler(CallbackQueryHandler(state_pressed, pattern=r"^id:s:"))
    app.add_handler(CallbackQueryHandler(poll_pressed, pattern=r"^id:p:"))
    app.add_handler(CallbackQueryHandler(agenda_pressed, pattern=r"^id:a:"))
    app.add_handler(CallbackQueryHandler(list_page, pattern=r"^id:l:"))
    runtime(app).scheduler.register(SCHEDULE_KIND, deliver)
    runtime(app).refresher.replays("idea", functools.partial(refresh, runtime(app), app.bot))
    return COMMANDS
