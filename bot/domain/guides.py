"""Every guided flow, and the commands that start one: ``/propose`` is the vote flow with its kind
already given, ``/wish`` the idea flow with its own, and so on."""

from __future__ import annotations

from bot.domain import guide_consult, guide_events, guide_residents, guide_votes
from bot.domain.guide import Flow

FLOWS: dict[str, Flow] = {**guide_votes.FLOWS, **guide_events.FLOWS, **guide_residents.FLOWS,
                          **guide_consult.FLOWS}
# command -> (its flow, answers the command itself gives), in the order /help offers them
ENTRY: dict[str, tuple[Flow, dict]] = {
    command: (guide_votes.VOTE, {"kind": kind} if kind else {})
    for command, kind in guide_votes.COMMAND_KIND.items()
} | {"ownervote": (guide_votes.OWNER, {}), "event": (guide_events.EVENT, {}),
     "reception": (guide_events.EVENT, {"kind": "reception"}), "meeting": (guide_events.MEETING, {}),
     "report": (guide_residents.REPORT, {}), "idea": (guide_residents.IDEA, {"kind": "idea"}),
     "wish": (guide_residents.IDEA, {"kind": "wish"}), "consult": (guide_consult.CONSULT, {})}


def conveners_only(command: str) -> bool:
    """Whether only a group's conveners may start what ``command`` starts."""
    return ENTRY[command][0].conveners
