"""The guided ways to start a vote: polls, proposals and sign-up chains (``/poll`` alone), and
owner votes (``/ownervote`` alone). Each writes its answers out as the typed command."""

from __future__ import annotations

from datetime import datetime

from bot.domain.guide import Answers, Choice, Flow, Step, typed_time
from bot.domain.polls import MAX_CAPACITY, MAX_OPTION, MAX_OPTIONS, MAX_QUESTION
from bot.i18n import N_

VOTE_KINDS = (
    Choice("single", N_("Single choice"), N_("each person picks one option")),
    Choice("multiple", N_("Multiple choice"), N_("each person may pick several options")),
    Choice("proposal", N_("Proposal"), N_("agree, disagree or abstain")),
    Choice("chain", N_("Sign-up chain"), N_("people join a list (接龙)")),
)
COMMAND_KIND = {"poll": None, "propose": "proposal", "chain": "chain"}


def _kind(answers: Answers) -> str:
    return str(answers.get("kind", ""))


def _ask_question(answers: Answers) -> str:
    return {"proposal": N_("What is proposed? Write it in one message."),
            "chain": N_("What do people sign up for? Write the title in one message.")}.get(
        _kind(answers), N_("What is the question? Write it in one message."))


DEADLINE = Step("deadline", "when", N_("Deadline"), N_("When does voting close?"),
                N_("Press a choice, pick a day in the calendar, or write a time such as 周五 18:00."),
                skip=N_("No deadline"))

VOTE = Flow("poll", N_("New vote"), (
    Step("group", "group", N_("Group"), N_("Which group is it for?")),
    Step("kind", "choice", N_("Kind"), N_("What kind of vote?"), choices=VOTE_KINDS),
    Step("question", "text", N_("Question"), _ask_question, length=MAX_QUESTION),
    Step("options", "list", N_("Options"),
         N_("Write the options, one message each. Press Done when all are there."),
         needed=lambda a: _kind(a) in ("single", "multiple"), most=MAX_OPTIONS, least=2, length=MAX_OPTION),
    Step("max_choices", "number", N_("Most choices"), N_("How many options may one pick at most?"),
         needed=lambda a: _kind(a) == "multiple", skip=N_("Any number"), least=1, most=MAX_OPTIONS),
    Step("details", "text", N_("Explanation"), N_("Anything to explain? Write it in one message."),
         needed=lambda a: _kind(a) == "proposal", skip=N_("Nothing to add"), length=1000),
    Step("capacity", "number", N_("Places"), N_("How many places are there?"),
         needed=lambda a: _kind(a) == "chain", skip=N_("No limit"), least=1, most=MAX_CAPACITY),
    DEADLINE,
    Step("flags", "toggles", N_("Settings"), N_("Any of these? Press to switch on or off, then Done."),
         needed=lambda a: _kind(a) != "chain",
         choices=(Choice("anonymous", N_("Anonymous"), N_("the group sees counts, not names")),)),
), lambda a: compose_vote(a))

MATTERS = (
    Choice("auto", N_("Decide from the question"),
           N_("lifts and the maintenance fund are major matters, the rest ordinary")),
    Choice("major", N_("Major matter"), N_("three quarters of those taking part, by headcount and by floor "
                                           "area, must agree")),
    Choice("ordinary", N_("Ordinary matter"), N_("more than half of those taking part, by headcount and by "
                                                 "floor area, must agree")),
)
OWNER_FLAGS = (
    Choice("secret", N_("Secret ballot"), N_("no one sees how a household voted, conveners included")),
    Choice("follow_majority", N_("Non-voters follow the majority"),
           N_("only where the management rules say so")),
)

OWNER = Flow("ownervote", N_("New owner vote"), (
    Step("group", "group", N_("Group"), N_("Which group is it for?")),
    Step("question", "text", N_("Question"), N_("What do the owners decide? Write it in one message."),
         length=MAX_QUESTION),
    Step("scope", "scope", N_("Households"), N_("Which households vote? Press buildings or entrances, "
                                                "then Done; none pressed means every household.")),
    Step("matter", "choice", N_("Matter"), N_("What kind of matter is it?"), choices=MATTERS),
    DEADLINE,
    Step("flags", "toggles", N_("Settings"), N_("Any of these? Press to switch on or off, then Done."),
         choices=OWNER_FLAGS),
), lambda a: compose_owner(a))


def deadline_line(answers: Answers) -> list[str]:
    moment = answers.get("deadline")
    return [f"截止 {typed_time(datetime.fromisoformat(str(moment)))}"] if moment else []


def compose_vote(a: Answers) -> str:
    kind, lines = _kind(a), [str(a["question"])]
    if kind in ("single", "multiple"):
        lines += [str(option) for option in a.get("options", [])]
    if kind == "multiple":
        lines.append(f"多选 {a['max_choices']}" if a.get("max_choices") else "多选")
    if kind == "proposal" and a.get("details"):
        lines.append(str(a["details"]))
    if kind == "chain" and a.get("capacity"):
        lines.append(f"名额 {a['capacity']}")
    lines += deadline_line(a)
    lines += ["匿名"] if "anonymous" in (a.get("flags") or []) else []
    return "\n".join(lines)


def compose_owner(a: Answers) -> str:
    lines = [str(a["question"])]
    if a.get("scope"):
        lines.append("范围 " + ",".join(_scope_word(item) for item in a["scope"]))
    lines += {"major": ["重大"], "ordinary": ["一般"]}.get(str(a.get("matter")), [])
    lines += deadline_line(a)
    flags = a.get("flags") or []
    lines += [word for flag, word in (("secret", "无记名"), ("follow_majority", "从众")) if flag in flags]
    return "\n".join(lines)


def _scope_word(item: str) -> str:
    return item if "-" in item else f"{item}栋"


def command_of(flow: Flow, answers: Answers) -> str:
    """The typed command the answers make: ``/poll …``, ``/propose …``, ``/chain …``."""
    if flow is OWNER:
        return "ownervote"
    return {"proposal": "propose", "chain": "chain"}.get(_kind(answers), "poll")


FLOWS = {flow.name: flow for flow in (VOTE, OWNER)}
