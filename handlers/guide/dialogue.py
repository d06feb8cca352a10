"""The guided dialogue in a person's private chat: one question a message, answered by pressing or
typing, Back and Cancel at every step, then a preview exactly as it will be posted.

The state is the person's draft (``storage.drafts.GUIDE``): a restart, or the person coming back
hours later, goes on from the question shown. A draft left a day without an answer is put away,
with a note.
"""

from __future__ import annotations

import asyncio
import html
import weakref
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardMarkup
from telegram.ext import ApplicationHandlerStop, CallbackContext

from bot.domain import guide, guides, numbers
from bot.domain.guide import Flow, State, Step
from bot.domain.models import Firing
from bot.domain.when import parse_clock
from bot.runtime import runtime
from handlers.base import Refused, Turn, edit_html, handler, send_html, tell_privately
from handlers.guide import adapters
from handlers.guide.asking import button, question
from handlers.polls.common import read_time
from storage import drafts

EXPIRES = timedelta(days=1)
EXPIRY_KIND = "guide_expiry"


async def load(turn: Turn) -> tuple[Flow, State] | None:
    data = await drafts.get(turn.rt.store, turn.person.id, drafts.GUIDE)
    if data is None:
        return None
    state = State.from_json(data)
    return guides.FLOWS[state.flow], state


async def save(turn: Turn, state: State) -> None:
    await drafts.put(turn.rt.store, turn.person.id, drafts.GUIDE, state.to_json(), turn.rt.clock.now())


async def begin(turn: Turn, command: str, chat_id: int | None = None, thread: int | None = None) -> None:
    """Start the flow of ``command`` in the person's private chat (``turn`` speaks there); a flow
    under way is replaced. ``chat_id``: the group it was asked from, when it was."""
    flow, preset = guides.ENTRY[command]
    state = State(flow=flow.name, chat_id=chat_id, thread=thread, command=command)
    state.answers.update(preset)
    if chat_id is not None:  # asked from a group (or a link to one): only who may, there
        if flow.conveners:
            await (await turn.posting_in(chat_id, thread)).require_convener()
        elif chat_id not in dict(await adapters.groups(turn, flow)):
            raise Refused(turn.t.gettext("This link is no longer valid."))
    else:
        groups = await adapters.groups(turn, flow)
        if not groups:
            raise Refused(turn.t.gettext(adapters.NO_GROUP[flow.name]))
        if len(groups) == 1:
            state.chat_id = groups[0][0]
    if state.chat_id is not None:
        state.answers["group"] = state.chat_id  # not among the answers Back takes away
    await save(turn, state)
    await turn.rt.scheduler.add(chat_id=turn.person.id, kind=EXPIRY_KIND, tz=str(turn.t.tz),
                                first_at=turn.rt.clock.now() + EXPIRES, ref=str(turn.person.id),
                                origin=f"{turn.origin}:guide")
    await show(turn, flow, state)


async def show(turn: Turn, flow: Flow, state: State) -> None:
    """Send the next question (or the preview) as a new message."""
    text, markup = await _screen(turn, flow, state)
    sent = await send_html(turn.context.bot, turn.person.id, text, markup)
    state.message_id = sent.message_id
    await save(turn, state)


async def redraw(turn: Turn, flow: Flow, state: State) -> None:
    """Show a change to the question on screen (a toggle, an item, another month) in place."""
    state.revision += 1
    text, markup = await _screen(turn, flow, state)
    await edit_html(turn.context.bot, turn.person.id, state.message_id, text, markup)
    await save(turn, state)


async def _screen(turn: Turn, flow: Flow, state: State) -> tuple[str, InlineKeyboardMarkup]:
    t = turn.t
    if state.editing:
        rows = [[button(state, t.gettext(s.label), "ek", flow.steps.index(s))]
                for s in guide.answered(flow, state)]
        rows.append([button(state, t.gettext("Back to the preview"), "pv")])
        return html.escape(t.gettext("What would you like to change?")), InlineKeyboardMarkup(rows)
    step = guide.pending(flow, state)
    if step is not None:
        return question(t, flow, state, step, await adapters.choices(turn, state, step),
                        turn.rt.clock.now().astimezone(t.tz))
    edit = [button(state, t.gettext("✏️ Edit"), "e"), button(state, t.gettext("✖ Cancel"), "x")]
    try:
        shown = await adapters.preview(turn, flow, state)
    except Refused as refusal:
        return html.escape(str(refusal)), InlineKeyboardMarkup([edit])
    intro = html.escape(t.gettext("This is how it will look. Post it?"))
    return f"{intro}\n\n{shown}", InlineKeyboardMarkup([[button(state, t.gettext("✅ Post"), "p")], edit])


async def _advance(turn: Turn, flow: Flow, state: State, step: Step, value: object, said: str) -> None:
    """Record the answer, leave it written under its question, and ask the next one."""
    asked = html.escape(turn.t.gettext(step.question(state.answers)))
    guide.give(state, step, value)
    if step.kind == "group":
        state.chat_id = int(value)  # type: ignore[arg-type]
    await edit_html(turn.context.bot, turn.person.id, state.message_id, f"{asked}\n→ {html.escape(said)}")
    await show(turn, flow, state)


_turns: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


def one_at_a_time(person_id: int) -> asyncio.Lock:
    """A press and a typed answer of one person arrive in lanes of their own: each reads the flow,
    changes it and writes it back, so they take turns, or one would undo the other."""
    lock = _turns.get(person_id)
    if lock is None:
        lock = _turns[person_id] = asyncio.Lock()
    return lock


@handler
async def pressed(turn: Turn) -> None:
    """``gd:<revision>:<op>[:<number>]`` under a question of the person's own flow."""
    async with one_at_a_time(turn.person.id):
        await _pressed(turn)


async def _pressed(turn: Turn) -> None:
    _, revision, op, *rest = turn.update.callback_query.data.split(":")
    found = await load(turn) if turn.in_private else None
    if found is None or int(revision) != found[1].revision:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    flow, state = found
    arg = int(rest[0]) if rest else None
    await turn.answer()
    if op == "x":
        await drafts.pop(turn.rt.store, turn.person.id, drafts.GUIDE)
        await edit_html(turn.context.bot, turn.person.id, state.message_id,
                        html.escape(turn.t.gettext("Cancelled: nothing was posted.")))
    elif op == "bk":
        if guide.back(flow, state):
            await redraw(turn, flow, state)
    elif op in ("e", "pv"):
        state.editing = op == "e"
        await redraw(turn, flow, state)
    elif op == "ek" and arg is not None and arg < len(flow.steps):
        state.editing = False
        guide.reopen(flow, state, flow.steps[arg].key)
        await redraw(turn, flow, state)
    elif op == "p":
        await _post(turn, flow, state)
    elif op != "no":
        step = guide.pending(flow, state)
        if step is not None:
            await _press(turn, flow, state, step, op, arg)


async def _press(turn: Turn, flow: Flow, state: State, step: Step, op: str, arg: int | None) -> None:
    t, view = turn.t, state.view
    if op == "sk" and step.skip:
        await _advance(turn, flow, state, step, None, t.gettext(step.skip))
    elif op == "c" and arg is not None and arg < len(step.choices):
        await _advance(turn, flow, state, step, step.choices[arg].value, t.gettext(step.choices[arg].label))
    elif op == "g":
        titles = dict(await adapters.choices(turn, state, step))
        if arg in titles:
            await _advance(turn, flow, state, step, arg, titles[arg])
    elif op in ("t", "b"):
        items = [c.value for c in step.choices] if op == "t" else [v for v, _ in await adapters.choices(
            turn, state, step)]
        if arg is not None and arg < len(items):
            picked = view.setdefault("picked", [])
            picked.remove(items[arg]) if items[arg] in picked else picked.append(items[arg])
            await redraw(turn, flow, state)
    elif op == "ok":
        await _done(turn, flow, state, step)
    elif op == "rm" and view.get("items"):
        view["items"].pop()
        await redraw(turn, flow, state)
    elif op == "k" and arg is not None and arg < len(guide.SLOTS):
        await _advance(turn, flow, state, step, guide.SLOTS[arg], guide.SLOTS[arg])
    elif op == "n" and arg is not None and step.least <= arg <= step.most:
        await _advance(turn, flow, state, step, arg, t.number(arg))
    elif op == "q" and arg is not None and arg < len(guide.QUICK_TIMES):
        moment = guide.quick_time(guide.QUICK_TIMES[arg][0], turn.rt.clock.now().astimezone(t.tz))
        if moment is not None:
            await _advance(turn, flow, state, step, moment.isoformat(), t.datetime(moment))
    elif op == "m" and arg is not None:
        view["month"] = date(arg // 100, arg % 100, 1).isoformat() if 1 <= arg % 100 <= 12 else None
        await redraw(turn, flow, state)
    elif op == "d" and arg is not None:
        view["day"] = _day(arg)
        await redraw(turn, flow, state)
    elif op == "ad":
        view.pop("day", None)
        await redraw(turn, flow, state)
    elif op == "s" and arg is not None and arg < len(guide.SLOTS) and view.get("day"):
        hour, minute = map(int, guide.SLOTS[arg].split(":"))
        moment = datetime.combine(date.fromisoformat(view["day"]), datetime.min.time(), t.tz).replace(
            hour=hour, minute=minute)
        await _moment(turn, flow, state, step, moment)


def _day(number: int) -> str | None:
    try:
        return date(number // 10000, number // 100 % 100, number % 100).isoformat()
    except ValueError:
        return None


async def _done(turn: Turn, flow: Flow, state: State, step: Step) -> None:
    t, view = turn.t, state.view
    if step.kind == "list":
        items = list(view.get("items", []))
        if len(items) >= step.least:
            await _advance(turn, flow, state, step, items, t.listing(items))
    elif step.kind == "toggles":
        picked = [c for c in step.choices if c.value in view.get("picked", [])]
        if len(picked) < step.least:
            await send_html(turn.context.bot, turn.person.id, html.escape(t.gettext("Press at least one.")))
            return
        said = t.listing([t.gettext(c.label) for c in picked]) if picked else t.gettext("none")
        await _advance(turn, flow, state, step, [c.value for c in picked], said)
    elif step.kind == "scope":
        labels = dict(await adapters.choices(turn, state, step))
        picked = [v for v in labels if v in view.get("picked", [])]
        said = t.listing([labels[v] for v in picked]) if picked else t.gettext("Every household")
        await _advance(turn, flow, state, step, picked, said)


async def _moment(turn: Turn, flow: Flow, state: State, step: Step, moment: datetime) -> None:
    now = turn.rt.clock.now()
    if moment <= now:
        await send_html(turn.context.bot, turn.person.id, html.escape(turn.t.gettext(
            "%(when)s has already passed.", when=turn.t.datetime(moment))))
        return
    await _advance(turn, flow, state, step, moment.isoformat(), turn.t.datetime(moment))


@handler
async def typed(turn: Turn) -> None:
    """A message in the private chat while a flow waits: the answer to its question."""
    async with one_at_a_time(turn.person.id):
        await _typed_answer(turn)


async def _typed_answer(turn: Turn) -> None:
    found = await load(turn)
    if found is None:
        return  # no flow under way: other features may be waiting for this text
    flow, state = found
    step = guide.pending(flow, state)
    text = (turn.update.effective_message.text or "").strip()
    try:
        if step is None or step.kind in ("choice", "toggles", "group", "scope"):
            raise Refused(turn.t.gettext("Please press one of the buttons above."))
        await _typed(turn, flow, state, step, text)
    except Refused as refusal:
        await turn.reply(html.escape(str(refusal)))
    raise ApplicationHandlerStop  # the text was the answer: no other feature reads it


async def _typed(turn: Turn, flow: Flow, state: State, step: Step, text: str) -> None:
    t = turn.t
    if not text or len(text) > step.length:
        raise Refused(t.gettext("Write at most %(most)s characters; yours has %(count)s.", most=step.length,
                                count=len(text)) if text else t.gettext("Please write some text."))
    if step.kind == "text":
        await _advance(turn, flow, state, step, text, text)
    elif step.kind == "list":
        items = state.view.setdefault("items", [])
        problem = adapters.item_problem(step, items, text)
        if problem:
            raise Refused(t.gettext(problem, most=step.most, item=text))
        items.append(text)
        await edit_html(turn.context.bot, turn.person.id, state.message_id, html.escape(
            t.gettext(step.question(state.answers))))  # the buttons move to the list below
        await show(turn, flow, state)
    elif step.kind == "number":
        value = numbers.whole(text.rstrip("人个個项項"), most=step.most)
        if value is None or value < step.least:
            raise Refused(t.gettext("Write a number from %(least)s to %(most)s.", least=step.least,
                                    most=step.most))
        await _advance(turn, flow, state, step, value, t.number(value))
    elif step.kind == "when":
        await _moment(turn, flow, state, step, read_time(turn, text))
    elif step.kind == "clock":
        at = parse_clock(text)
        if at is None:
            raise Refused(t.gettext("I cannot read the time %(text)s, e.g. 19:30 or 晚上7点半.", text=text))
        await _advance(turn, flow, state, step, f"{at:%H:%M}", f"{at:%H:%M}")


async def _post(turn: Turn, flow: Flow, state: State) -> None:
    try:
        done = await adapters.post(turn, flow, state)
    except Refused:  # something changed meanwhile (a deadline passed, a meeting began)
        await redraw(turn, flow, state)  # the preview says what, with Edit
        return
    await drafts.pop(turn.rt.store, turn.person.id, drafts.GUIDE)
    await edit_html(turn.context.bot, turn.person.id, state.message_id, html.escape(done))


async def expire(context: CallbackContext, firing: Firing) -> None:
    """A day after the last answer, an unfinished flow is put away and its author told so."""
    rt = runtime(context)
    user_id = int(firing.schedule.ref)
    touched = await drafts.touched(rt.store, user_id, drafts.GUIDE)
    if touched is None:
        return
    if touched + EXPIRES > rt.clock.now():
        await rt.scheduler.add(chat_id=user_id, kind=EXPIRY_KIND, first_at=touched + EXPIRES,
                               tz=firing.schedule.tz, ref=str(user_id))
        return
    data = await drafts.pop(rt.store, user_id, drafts.GUIDE)
    if data is not None:
        t = await adapters.private_translator(rt, user_id)
        flow = guides.FLOWS[data["flow"]]
        await tell_privately(rt, context.bot, user_id, html.escape(t.gettext(
            "A day went by without an answer, so I put away what you had begun (%(what)s). Send "
            "/%(command)s to start again.", what=t.gettext(flow.title),
            command=data.get("command") or flow.name)))
