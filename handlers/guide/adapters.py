"""What each guided flow needs of its feature: the groups and households to choose from, the
preview, and the posting, which reads the written-out answers as the typed command would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.domain import guide_residents, guide_votes, guides
from bot.domain.guide import Answers, Flow, State, Step
from bot.domain.polls import is_setting
from bot.i18n import N_, Translator
from bot.runtime import Runtime
from handlers.base import NO_GROUP as NO_GROUP_MEMBER
from handlers.base import Turn, groups_of
from handlers.consultations import feature as consultations
from handlers.events import drafting as events
from handlers.ideas import submitting as ideas
from handlers.minutes import recording as meetings
from handlers.polls import creating as votes
from handlers.polls.delivery import short_notice_warning
from handlers.requests import reporting as requests
from storage import chats, communities, households, members


@dataclass(frozen=True)
class Feature:
    """How a flow's written-out command is previewed and posted, from the person's private turn."""

    command: Callable[[Flow, Answers], str]
    preview: Callable[[Turn, State, str, str], Awaitable[str]]
    post: Callable[[Turn, State, str, str], Awaitable[object]]
    done: str = N_("Posted in %(group)s.")  # said under the preview once posted


async def group_of(turn: Turn, state: State) -> Turn:
    """The turn as if in the group (its topic) the flow posts to."""
    return await turn.posting_in(state.chat_id, state.thread)


async def _vote_preview(turn: Turn, state: State, command: str, body: str) -> str:
    group = await group_of(turn, state)
    vote = await votes.prepare(group, command, body)
    shown = await votes.preview(group, vote)  # and below it, the warning open_vote will give
    warning = short_notice_warning(group.rt, group.t, vote.draft.kind, group.rt.clock.now(), vote.deadline)
    return f"{shown}\n\n{warning}" if warning else shown


async def _vote_post(turn: Turn, state: State, command: str, body: str) -> object:
    group = await group_of(turn, state)
    return await votes.open_vote(group, await votes.prepare(group, command, body))


async def _event_preview(turn: Turn, state: State, command: str, body: str) -> str:
    group = await group_of(turn, state)
    return events.preview(group, await events.prepare(group, command, body))


async def _event_post(turn: Turn, state: State, command: str, body: str) -> object:
    group = await group_of(turn, state)
    return await events.save(group, await events.prepare(group, command, body))


async def _meeting_preview(turn: Turn, state: State, command: str, body: str) -> str:
    group = await group_of(turn, state)
    return await meetings.preview(group, await meetings.prepare(group, body))


async def _meeting_post(turn: Turn, state: State, command: str, body: str) -> object:
    group = await group_of(turn, state)
    return await meetings.start(group, await meetings.prepare(group, body))


async def _idea_preview(turn: Turn, state: State, command: str, body: str) -> str:
    anonymous = guide_residents.anonymous(state.answers)
    return await ideas.preview(await group_of(turn, state), command, body, anonymous)


async def _idea_post(turn: Turn, state: State, command: str, body: str) -> object:
    anonymous = guide_residents.anonymous(state.answers)
    return await ideas.post(await group_of(turn, state), command, body, anonymous)


async def _consult_preview(turn: Turn, state: State, command: str, body: str) -> str:
    return await consultations.preview(await group_of(turn, state), body)


async def _consult_post(turn: Turn, state: State, command: str, body: str) -> object:
    return await consultations.post(await group_of(turn, state), body)


def _request(state: State, body: str) -> dict:
    return {"chat_id": state.chat_id, "category": state.answers["category"], "text": body, "photo": None}


async def _report_preview(turn: Turn, state: State, command: str, body: str) -> str:
    return requests.draft_preview(turn, _request(state, body), await chats.get(turn.rt.store, state.chat_id))


async def _report_post(turn: Turn, state: State, command: str, body: str) -> object:
    return await requests.file(turn, _request(state, body), state.answers.get("shown") == "public")


VOTES = Feature(guide_votes.command_of, _vote_preview, _vote_post)
FEATURES = {
    "poll": VOTES, "ownervote": VOTES,
    "event": Feature(lambda flow, answers: "event", _event_preview, _event_post),
    "meeting": Feature(lambda flow, answers: "meeting", _meeting_preview, _meeting_post),
    "idea": Feature(lambda flow, answers: str(answers.get("kind", "idea")), _idea_preview, _idea_post),
    "report": Feature(lambda flow, answers: "report", _report_preview, _report_post,
                      done=N_("Sent to %(group)s.")),
    "consult": Feature(lambda flow, answers: "consult", _consult_preview, _consult_post),
}
NO_GROUP = {
    "poll": N_("You convene no group I serve, and only a group's conveners start votes. Ask to be made "
               "a convener of your community's group, then try again."),
    "ownervote": N_("You convene no group I serve, and only a group's conveners start owner votes. Ask "
                    "to be made a convener of your community's group, then try again."),
    "event": N_("You convene no group I serve, and only a group's conveners schedule talks and reception "
                "days. Ask to be made a convener of your community's group, then try again."),
    "meeting": N_("You convene no group I serve, and only a group's conveners start meetings. Ask to be "
                  "made a convener of your community's group, then try again."),
    "consult": N_("You convene no group I serve, and only a group's conveners open consultations. Ask to "
                  "be made a convener of your community's group, then try again."),
    "idea": NO_GROUP_MEMBER,
    "report": NO_GROUP_MEMBER,
}


async def groups(turn: Turn, flow: Flow) -> list[tuple[int, str]]:
    """The groups the person may start this flow's thing in."""
    found = await groups_of(turn)
    if not flow.conveners:
        return found
    return [(chat_id, title) for chat_id, title in found if await turn.convenes(chat_id)]


async def choices(turn: Turn, state: State, step: Step) -> list[tuple]:
    """(value, label) of the groups, or of the buildings and entrances of the group's registry."""
    if step.kind == "group":
        return await groups(turn, guides.FLOWS[state.flow])
    if step.kind != "scope" or state.chat_id is None:
        return []
    items: list[str] = []
    for household in await households.active(turn.rt.store, state.chat_id):
        for item in (household.building, f"{household.building}-{household.entrance}" if household.entrance
                     else None):
            if item and item not in items:
                items.append(item)
    return [(item, turn.t.place(item)) for item in items]


def item_problem(step: Step, items: list[str], text: str) -> str | None:
    """Why a typed option cannot join the list (a msgid), or None."""
    if len(items) >= step.most:
        return N_("There can be at most %(most)s: press Done, or Remove the last.")
    if text.casefold() in {item.casefold() for item in items}:
        return N_("%(item)s is in the list already.")
    if "\n" in text or is_setting(text):
        return N_("%(item)s reads as a setting (截止, 多选 …), not as an option: write it another way.")
    return None


def typed_command(flow: Flow, state: State) -> tuple[str, str]:
    """The command and the text after it that the answers make."""
    return FEATURES[flow.name].command(flow, state.answers), flow.compose(state.answers)


async def preview(turn: Turn, flow: Flow, state: State) -> str:
    """What will be posted, in the group's language; a refusal says what is wrong."""
    return await FEATURES[flow.name].preview(turn, state, *typed_command(flow, state))


async def post(turn: Turn, flow: Flow, state: State) -> str:
    """Post it as the typed command would; what to say under the preview then."""
    feature = FEATURES[flow.name]
    await feature.post(turn, state, *typed_command(flow, state))
    if not flow.conveners:
        await _remember(turn, state.chat_id)
    chat = await chats.get(turn.rt.store, state.chat_id)
    return turn.t.gettext(feature.done, group=(chat.community or chat.title or "") if chat else "")


async def _remember(turn: Turn, chat_id: int) -> None:
    """A resident of several communities who chose none yet now acts for the one just written to:
    their next private /idea, /report and /ask go there without asking (/community changes it)."""
    person = turn.person.id
    if len(await members.groups_of(turn.rt.store, person)) > 1 and \
            await communities.chosen(turn.rt.store, person) is None:
        await communities.choose(turn.rt.store, person, chat_id)


async def private_translator(rt: Runtime, user_id: int) -> Translator:
    return rt.translator(await chats.get(rt.store, user_id))
