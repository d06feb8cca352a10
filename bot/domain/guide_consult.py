"""The guided way to open a consultation (``/consult`` alone): the question, whose views are
asked, when it ends and a few statements to start with, written out as the typed command."""

from __future__ import annotations

from bot.domain.consultations import MAX_QUESTION, MAX_SEEDS, MAX_STATEMENT
from bot.domain.guide import Answers, Flow, Step
from bot.domain.guide_votes import deadline_line
from bot.i18n import N_

CONSULT = Flow("consult", N_("New consultation"), (
    Step("group", "group", N_("Group"), N_("Which group is it for?")),
    Step("question", "text", N_("Question"),
         N_("What do you ask the community? Write the open question in one message, e.g. "
            "停车位和绿地怎么平衡？"), length=MAX_QUESTION),
    Step("scope", "scope", N_("Residents"), N_("Whose views are asked? Press buildings, then Done; none "
                                                "pressed means the whole community.")),
    Step("deadline", "when", N_("End"), N_("When does the consultation end?"),
         N_("Press a choice, pick a day in the calendar, or write a time such as 12月20日."),
         skip=N_("In two weeks")),
    Step("seeds", "list", N_("Statements"),
         N_("Write a few statements to start with, one message each, one idea per statement; residents "
            "add their own. Press Done when all are there."), most=MAX_SEEDS, length=MAX_STATEMENT),
), lambda a: compose(a))


def compose(a: Answers) -> str:
    lines = [str(a["question"])]
    buildings = list(dict.fromkeys(str(item).split("-")[0] for item in a.get("scope") or []))
    if buildings:
        lines.append("范围 " + ",".join(f"{b}栋" for b in buildings))
    lines += deadline_line(a)
    lines += [str(seed) for seed in a.get("seeds") or []]
    return "\n".join(lines)


FLOWS = {CONSULT.name: CONSULT}
