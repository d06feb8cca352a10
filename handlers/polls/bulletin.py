"""The bulletin published when an owner vote closes, and /receipt: a household finds its ballot
in it by the code it was given."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from bot.domain import bulletin as rules
from bot.domain import delivery, owner_vote
from bot.domain.polls import Poll
from bot.i18n import N_, Translator
from bot.runtime import Runtime
from handlers import cards
from handlers.base import Refused, Turn, handler, send_file
from storage import bulletins, chats, communities, households, polls

CHOICE_NAMES = {"agree": N_("Agree"), "disagree": N_("Disagree"), "abstain": N_("Abstain")}
STATUS_OPEN = N_("voting is still open: it is counted when voting closes")


async def publish(rt: Runtime, poll: Poll, changes: Iterable = ()) -> dict:
    """Seal the vote's ballot log and keep its bulletin (a closed owner vote; ``changes``: the
    registry's changes since its review, owners' names masked)."""
    electorate = await households.by_ids(rt.store, await polls.electorate(rt.store, poll.id))
    rows = await polls.ballots(rt.store, poll.id)
    ballots = [owner_vote.Ballot(b.household_id, owner_vote.CHOICES[b.choices[0]], b.seq)
               for b in rows if b.choices and b.household_id]
    tally = owner_vote.count(electorate, ballots, owner_vote.Rule(poll.major, poll.follow_majority))
    counted = rules.counted_ballots(electorate, ballots, await bulletins.receipt_rows(rt.store, poll.id),
                                    poll.secret)
    community = await communities.of_chat(rt.store, poll.chat_id)
    changed = [{"unit": c.label, "field": c.field, "old": c.old, "new": c.new, "at": c.at.isoformat()}
               for c in changes]
    body = rules.build(community=community.name if community else "", poll=poll, tally=tally,
                       households=electorate, ballots=counted, chain=await bulletins.seal(rt.store, poll.id),
                       notice_days=delivery.notice_days(poll.created_at, poll.closed_at or poll.deadline),
                       extra={"registry_changes": changed} if changed else None)
    await bulletins.save(rt.store, poll.id, rules.text(body), body["sha256"], rt.clock.now())
    return body


async def post_files(rt: Runtime, bot, poll: Poll, body: dict) -> None:
    """The bulletin (JSON) and its readable table (CSV) in every group that showed the vote."""
    shown = dict.fromkeys([poll.chat_id, *(chat for chat, _ in await cards.of(rt, "poll", poll))])
    for chat_id in shown:
        t = rt.translator(await chats.get(rt.store, chat_id))
        caption = t.gettext("Bulletin of vote #%(number)s. Anyone can recount it: yishi verify %(file)s",
                            number=poll.number, file=_name(poll))
        await send_file(bot, chat_id, rules.text(body).encode("utf-8"), _name(poll), caption=caption)
        await send_file(bot, chat_id, _table(t, body), f"vote-{poll.number}-ballots.csv")


def _name(poll: Poll) -> str:
    return f"vote-{poll.number}-bulletin.json"


def _table(t: Translator, body: dict) -> bytes:
    """The counted ballots as a spreadsheet opens them (UTF-8 with BOM)."""
    out = io.StringIO()
    w = csv.writer(out)
    secret = body["vote"]["secret"]
    w.writerow([t.gettext("Receipt"), *[t.gettext("Household")] * (not secret), t.gettext("Choice"),
                t.gettext("Area (m²)"), t.gettext("Number of households")])
    for b in body["ballots"]:
        w.writerow([b["receipt"], *[b.get("units", "")] * (not secret), t.gettext(CHOICE_NAMES[b["choice"]]),
                    b["area"], b["households"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@handler
async def receipt_command(turn: Turn) -> None:
    """``/receipt CODE``: the ballot a receipt stands for in a published bulletin; ``/receipt``
    alone, privately: the receipts one was given and what became of each."""
    args = turn.context.args or []
    if args:
        code = rules.normal_receipt(" ".join(args))
        if code is None:
            raise Refused(turn.t.gettext("A receipt looks like K7M2-Q9XP: eight letters and digits."))
        found = [{"number": b["vote"]["number"], "question": b["vote"]["question"],
                  "community": b["community"], "choice": ballot["choice"],
                  "area": int(ballot["area"].replace(".", "")), "households": ballot["households"],
                  "sha256": b["sha256"]} for b, ballot in await bulletins.with_receipt(turn.rt.store, code)]
        await turn.reply(turn.render("poll_receipt_found.html.j2", code=code, found=found,
                                     choice_names=CHOICE_NAMES))
        return
    if not turn.in_private:
        raise Refused(turn.t.gettext("Your receipts are yours alone: send /receipt to me in a private chat."))
    given = await bulletins.given_to(turn.rt.store, turn.person.id)
    counted = {}
    for row in given:
        published = await bulletins.get(turn.rt.store, row["poll_id"])
        counted[row["receipt"]] = None if published is None else next(
            (b for b in published["ballots"] if b.get("receipt") == row["receipt"]), False)
    await turn.reply(turn.render("poll_receipts.html.j2", given=given, counted=counted,
                                 choice_names=CHOICE_NAMES, still_open=STATUS_OPEN,
                                 options=owner_vote.CHOICES))

