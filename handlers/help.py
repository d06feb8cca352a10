"""/help: a short menu of topics as buttons; a topic shows what the person pressing may do there,
the guided way first and the typed form as an example."""

from __future__ import annotations

import asyncio
import importlib
import weakref
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import guides
from bot.i18n import N_, Translator
from handlers.base import Command, Refused, Turn, edit_html, handler


@dataclass(frozen=True)
class HelpTopic:
    """A button of the /help menu and the page it opens: the commands of the features it explains."""

    key: str  # callback data hp:<key>
    icon: str
    label: str  # msgid: the button and the page's title
    about: str  # msgid: one line under the title
    # the features' command lists: "handlers.polls.feature" (its COMMANDS) or "module:LIST"; read
    # when /help is shown, as core is imported before the features
    features: tuple[str, ...]


TOPICS = (
    HelpTopic("votes", "🗳", N_("Votes"), N_("Polls, proposals and sign-up chains: vote by pressing the "
                                            "buttons under a vote."), ("handlers.polls.feature",)),
    HelpTopic("owners", "🏠", N_("Owner votes"), N_("Votes counted per household, by owners and floor area, "
                                                   "and the household registry they count."),
              ("handlers.households", "handlers.review")),
    HelpTopic("ideas", "💡", N_("Golden ideas"), N_("Golden ideas and micro-wishes: suggest them, endorse "
                                                   "them with 👍 and follow them until done."),
              ("handlers.ideas.feature",)),
    HelpTopic("consult", "🗣", N_("Consultations"),
              N_("Open questions to the whole community: write statements, agree or disagree with each, "
                 "and see the common ground across buildings."), ("handlers.consultations.feature",)),
    HelpTopic("requests", "📣", N_("Requests"), N_("Report a problem and follow it until it is solved and "
                                                  "you are satisfied."),
              ("handlers.requests.feature", "handlers.monthly", "handlers.ratings.feature")),
    HelpTopic("notices", "📢", N_("Notices"),
              N_("Notices (公示) of fees, accounts and repairs: read them and confirm with ✅ Read; "
                 "conveners see who has read them."), ("handlers.notices.feature", "handlers.board.feature")),
    HelpTopic("events", "🌙", N_("Evening talks and reception days"),
              N_("When and where they are, who comes, the agenda and the questions for the reception "
                 "day."), ("handlers.events.feature",)),
    HelpTopic("minutes", "📝", N_("Minutes"), N_("Meetings, their minutes and the action items that follow "
                                                "them."), ("handlers.minutes.feature",)),
    HelpTopic("settings", "⚙️", N_("Settings"), N_("The chat's language, community name, time zone, "
                                                  "reminders and roles."),
              ("handlers.core:SETTINGS_COMMANDS", "handlers.roles", "handlers.communities",
               "handlers.sharing")),
)
TOPIC_KEYS = {topic.key: topic for topic in TOPICS}
MENU = "menu"  # hp:menu: back to the topics
# A command explained under another topic than its feature's: the owner vote is started with the
# polls, but it is about the households that vote.
MOVED = {"ownervote": "owners", "receipt": "owners"}
# Sent alone, these start a dialogue that asks step by step (see handlers/guide); listed first.
GUIDED = tuple(guides.ENTRY)
MEETING_USAGE = N_("Usage: /meeting kind title, then optionally a line 地点 and the place, e.g.\n"
                   "/meeting 议事会 凉亭漏雨怎么修\n地点 东门凉亭")
IDEA_USAGE = N_("Usage: /idea and your idea, e.g. /idea 凉亭的石凳冬天太凉，换成木椅")
WISH_USAGE = N_("Usage: /wish and the small need, e.g. /wish 3栋楼道的灯坏了，想换个新灯泡")
ROW = 14  # a label longer than this has a row of its own; shorter ones go two to a row


def _commands_of(feature: str) -> list[Command]:
    module, _, name = feature.partition(":")
    return getattr(importlib.import_module(module), name or "COMMANDS")


def _typed_form(name: str, t: Translator) -> str | None:
    """The typed form of a guided command: the usage text its feature answers a mistake with."""
    from handlers.events.drafting import USAGE as EVENT_USAGE
    from handlers.polls.creating import KIND_OF_COMMAND
    from handlers.polls.creating import USAGE as VOTE_USAGE
    from handlers.requests.reporting import _usage as report_usage

    if name in KIND_OF_COMMAND:
        return t.gettext(VOTE_USAGE[KIND_OF_COMMAND[name]])
    if name == "report":
        return report_usage(t)
    from handlers.consultations.common import USAGE as CONSULT_USAGE

    usage = {"event": EVENT_USAGE, "meeting": MEETING_USAGE, "idea": IDEA_USAGE, "wish": WISH_USAGE,
             "consult": CONSULT_USAGE}.get(name)
    return t.gettext(usage) if usage else None


def topic_of(command: Command) -> str | None:
    """The key of the topic explaining ``command`` (None: /start and /help, or a feature no topic
    explains yet)."""
    if command.name in MOVED:
        return MOVED[command.name]
    return next((topic.key for topic in TOPICS
                 if any(command in _commands_of(feature) for feature in topic.features)), None)


@dataclass(frozen=True)
class HelpLine:
    """One command as a topic's page shows it."""

    name: str
    description: str  # msgid
    mark: str | None  # "conveners": for conveners only; "private": used in the private chat
    guided: bool
    usage: str | None  # translated: the typed form, for a guided command


def _may_use(command: Command, private: bool, convener: bool) -> bool:
    """In a private chat, what works there; in a group, what the person's role allows there, and
    what they may do in their private chat with the bot."""
    if private:
        return command.in_private
    return convener or not command.convener


def _lines(commands: list[Command], topic: HelpTopic, t: Translator, private: bool,
           convener: bool) -> list[HelpLine]:
    lines = []
    for command in commands:
        if topic_of(command) != topic.key or not _may_use(command, private, convener):
            continue
        mark = None if private else ("private" if not command.in_groups
                                     else "conveners" if command.convener else None)
        guided = command.name in GUIDED
        usage = _typed_form(command.name, t) if guided else None
        lines.append(HelpLine(command.name, command.description, mark, guided, usage))
    return sorted(lines, key=lambda line: not line.guided)  # the guided ones first, else as registered


@dataclass(frozen=True)
class HelpViewer:
    private: bool
    convener: bool


async def _viewer(turn: Turn) -> HelpViewer:
    """Who is asking (or pressing), and where: what /help shows is theirs."""
    return HelpViewer(turn.in_private, not turn.in_private and await turn.is_convener())


def _registered(turn: Turn) -> list[Command]:
    return turn.context.application.bot_data["commands"]


def _menu(turn: Turn, viewer: HelpViewer) -> tuple[str, InlineKeyboardMarkup]:
    commands = _registered(turn)
    topics = [topic for topic in TOPICS
              if _lines(commands, topic, turn.t, viewer.private, viewer.convener)]
    usable = {c.name for c in commands if c.name in GUIDED and _may_use(c, viewer.private, viewer.convener)}
    guided = next((name for name in GUIDED if name in usable), None)
    text = turn.render("help.html.j2", topics=topics, convener=viewer.convener, private=viewer.private,
                       guided=guided)
    rows: list[list[InlineKeyboardButton]] = []
    for topic in topics:
        label = f"{topic.icon} {turn.t.gettext(topic.label)}"
        button = InlineKeyboardButton(label, callback_data=f"hp:{topic.key}")
        if len(label) <= ROW and rows and len(rows[-1]) == 1 and len(rows[-1][0].text) <= ROW:
            rows[-1].append(button)
        else:
            rows.append([button])
    return text, InlineKeyboardMarkup(rows)


def _page(turn: Turn, viewer: HelpViewer, topic: HelpTopic) -> tuple[str, InlineKeyboardMarkup] | None:
    """The topic's page for this person, None when it has nothing they may do."""
    commands = _registered(turn)
    lines = _lines(commands, topic, turn.t, viewer.private, viewer.convener)
    if not lines:
        return None
    elsewhere = viewer.private and any(topic_of(c) == topic.key and not c.in_private for c in commands)
    text = turn.render("help_topic.html.j2", topic=topic, guided=[line for line in lines if line.guided],
                       others=[line for line in lines if not line.guided], private=viewer.private,
                       elsewhere=elsewhere)
    back = InlineKeyboardButton(turn.t.gettext("◀ Back"), callback_data=f"hp:{MENU}")
    return text, InlineKeyboardMarkup([[back]])


@handler
async def help_(turn: Turn) -> None:
    text, markup = _menu(turn, await _viewer(turn))
    await turn.reply(text, markup)


# presses being shown, per message: two people pressing at once are shown one after the other
_SHOWING: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = weakref.WeakValueDictionary()


@handler
async def help_pressed(turn: Turn) -> None:
    """A topic, or Back to the menu: the same message shows it, as the presser may use it. What the
    message shows already is not sent again (Telegram refuses an edit that changes nothing)."""
    query = turn.update.callback_query
    key = query.data.removeprefix("hp:")
    viewer = await _viewer(turn)
    if key == MENU:
        view = _menu(turn, viewer)
    elif key in TOPIC_KEYS:
        view = _page(turn, viewer, TOPIC_KEYS[key])
        if view is None:
            raise Refused(turn.t.gettext("There is nothing in this topic for you to do here. Send /help "
                                         "to see what you can do."))
    else:
        raise Refused(turn.t.gettext("This button is no longer valid."))
    message = query.message
    where = (message.chat.id, message.message_id)
    lock = _SHOWING.setdefault(where, asyncio.Lock())
    async with lock:
        await edit_html(turn.context.bot, *where, *view, shown=turn.rt.refresher.shown)
    await turn.answer()


