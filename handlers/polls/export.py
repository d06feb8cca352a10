"""A vote's result as a CSV file, sent to the convener privately."""

from __future__ import annotations

import csv
import html
import io

from bot.domain import owner_vote
from bot.domain.polls import Poll
from bot.i18n import Translator
from bot.runtime import Runtime
from handlers.base import Turn, handler
from handlers.polls.common import STATUS_NAMES, _target
from handlers.polls.showing import _view, option_label
from storage import households, polls


@handler
async def export_command(turn: Turn) -> None:
    poll, _ = await _target(turn)
    await turn.require_private_chat()
    data = await export_csv(turn.rt, turn.t, poll)
    await turn.context.bot.send_document(
        turn.person.id, data, filename=f"vote-{poll.number}.csv",
        caption=turn.t.gettext("Result of #%(number)s: %(question)s", number=poll.number,
                               question=poll.question)[:1000])
    await turn.reply(html.escape(turn.t.gettext("I sent you the result privately.")))


async def export_csv(rt: Runtime, t: Translator, poll: Poll) -> bytes:
    """The result as CSV (UTF-8 with BOM, which spreadsheet programs in China open correctly):
    the tally, then each ballot; choices only where the ballot was named."""
    out = io.StringIO()
    w = csv.writer(out)
    view = await _view(rt, poll)
    w.writerow([t.gettext("Vote"), f"#{poll.number}", poll.question])
    outcome = [poll.outcome] if poll.outcome else []
    w.writerow([t.gettext("Status"), t.gettext(STATUS_NAMES[poll.status]), *outcome])
    named = poll.shows_names
    if poll.kind == "owner":
        o = view["owner"]
        w.writerow([t.gettext("Choice"), t.gettext("Owners"), t.gettext("Area (m²)")])
        for choice in owner_vote.CHOICES:
            w.writerow([option_label(t, poll, owner_vote.CHOICES.index(choice)),
                        getattr(o, f"{choice}_heads"), _m2(getattr(o, f"{choice}_area"))])
        w.writerow([t.gettext("Took part"), o.participating_heads, _m2(o.participating_area)])
        w.writerow([t.gettext("Eligible"), o.eligible_heads, _m2(o.eligible_area)])
        w.writerow([t.gettext("Passed"), t.gettext("yes") if o.passed else t.gettext("no")])
        w.writerow([])
        ballots = {b.household_id: b for b in await polls.ballots(rt.store, poll.id)}
        w.writerow([t.gettext("Household"), t.gettext("Area (m²)"), t.gettext("Took part"),
                     *[t.gettext("Choice")] * named])  # a secret vote's file has no choice column
        for h in await households.by_ids(rt.store, await polls.electorate(rt.store, poll.id)):
            b = ballots.get(h.id)
            w.writerow([h.label, _m2(h.area), t.gettext("yes") if b else t.gettext("no"),
                        *[option_label(t, poll, b.choices[0]) if b else ""] * named])
    else:
        rows = await polls.ballots(rt.store, poll.id)
        if poll.kind != "chain":
            for c in view["tally"].options:
                w.writerow([option_label(t, poll, c.position), c.votes])
        w.writerow([])
        shown = named and poll.kind != "chain"
        w.writerow([t.gettext("Member"), *[t.gettext("Choice")] * shown, t.gettext("Note")])
        for b in rows:
            if b.choices:
                choice = [", ".join(option_label(t, poll, p) for p in b.choices)] * shown
                w.writerow([b.name, *choice, b.note or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _m2(centi: int) -> str:
    return f"{centi / 100:.2f}"
