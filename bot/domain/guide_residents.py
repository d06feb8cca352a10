"""What residents start step by step: a golden idea or a micro-wish (``/idea``, ``/wish``) and a
request (``/report``)."""

from __future__ import annotations

from bot.domain.guide import Answers, Choice, Flow, Step
from bot.domain.ideas import MAX_TEXT
from bot.domain.requests import CATEGORIES
from bot.i18n import N_

IDEA_KINDS = (Choice("idea", N_("Golden idea"), N_("a suggestion for the whole compound")),
              Choice("wish", N_("Micro-wish"), N_("a small thing neighbours could help with")))
SIGNED = (Choice("named", N_("With my name")),
          Choice("anonymous", N_("Anonymous"), N_("no one, conveners included, can find out it is yours")))

IDEA = Flow("idea", N_("New idea or wish"), (
    Step("group", "group", N_("Group"), N_("Which group is it for?")),
    Step("kind", "choice", N_("Kind"), N_("A golden idea or a micro-wish?"), choices=IDEA_KINDS),
    Step("text", "text", N_("Text"), N_("What is your idea? Write it in one message."), length=MAX_TEXT),
    Step("signed", "choice", N_("Name"), N_("Should the group see your name?"), choices=SIGNED),
), lambda a: str(a["text"]), conveners=False)

CATEGORY_LABELS = {"repairs": N_("repairs"), "fees": N_("fees"), "parking": N_("parking"),
                   "noise": N_("noise"), "safety": N_("safety"), "greenery": N_("greenery"),
                   "other": N_("other")}
SHOWN = (Choice("private", N_("Privately")),
         Choice("public", N_("Tell the group too"), N_("the group sees the request without your name")))

REPORT = Flow("report", N_("New request"), (
    Step("group", "group", N_("Group"), N_("Which community is this request for?")),
    Step("category", "choice", N_("Category"), N_("What is it about?"),
         choices=tuple(Choice(c, CATEGORY_LABELS[c]) for c in CATEGORIES)),
    Step("text", "text", N_("Description"),
         N_("Describe the problem in one message: what, where, since when."), length=1000),
    Step("shown", "choice", N_("Who sees it"), N_("Who may see it?"), choices=SHOWN),
), lambda a: str(a["text"]), conveners=False)


def anonymous(answers: Answers) -> bool:
    return answers.get("signed") == "anonymous"


FLOWS = {flow.name: flow for flow in (IDEA, REPORT)}
