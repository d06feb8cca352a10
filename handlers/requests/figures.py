"""Per-category targets, and the month's figures: response, resolution, satisfaction."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain import numbers
from bot.domain import requests as rules
from handlers.base import Refused, Turn, handler
from handlers.requests.common import _names, _served, _unknown_category
from storage import chats
from storage import requests as store


@handler
async def targets_command(turn: Turn) -> None:
    if turn.in_private:
        raise Refused(turn.t.gettext("Targets belong to a group: use /targets in the group."))
    t, rt = turn.t, turn.rt
    args = list(turn.context.args or [])
    settings = turn.chat.settings if turn.chat else {}
    if args:
        await turn.require_convener()
        usage = t.gettext("Usage: /targets 维修 24h 3d (respond within 24 hours, resolve within 3 "
                          "days), or /targets confirm 7 (days before an unconfirmed resolution closes)")
        now = rt.clock.now()
        if args[0].casefold() in ("confirm", "确认", "確認"):
            days = (numbers.whole(args[1]) if len(args) == 2 else None) or 0
            if not 1 <= days <= 60:
                raise Refused(usage)
            await chats.set_setting(rt.store, turn.chat_id, "request_confirm_days", days, now)
            settings = {**settings, "request_confirm_days": days}
        else:
            category = rules.parse_category(args[0])
            if category is None:
                raise _unknown_category(t, args[0])
            hours = [rules.parse_hours(a) for a in args[1:]]
            if len(hours) != 2 or None in hours or hours[0] > hours[1]:
                raise Refused(usage)
            chosen = {**settings.get("request_targets", {}), category: hours}
            await chats.set_setting(rt.store, turn.chat_id, "request_targets", chosen, now)
            settings = {**settings, "request_targets": chosen}
    targets = [(c, timedelta(hours=a), timedelta(hours=b))
               for c, (a, b) in rules.targets_of(settings).items()]
    await turn.reply(turn.render("request_targets.html.j2", targets=targets,
                                 confirm_days=settings.get("request_confirm_days",
                                                           rules.DEFAULT_CONFIRM_DAYS), **_names(t)))


@handler
async def figures_command(turn: Turn) -> None:
    """In a group, its community's figures of the month; in private, those of every community the
    person serves (grid worker, convener), side by side, with their total."""
    t, rt = turn.t, turn.rt
    year, month = _month(turn)
    if turn.in_private:
        await _figures_across(turn, year, month)
        return
    start, end = (moment.replace(tzinfo=t.tz) for moment in rules.month_bounds(year, month))
    received = await store.received(rt.store, turn.chat_id, start, end)
    counted = rules.figures([r.item() for r in received], rt.clock.now())
    await turn.reply(turn.render("request_figures.html.j2", f=counted, month=start))


def _month(turn: Turn) -> tuple[int, int]:
    """The month asked for (``/figures 2026-07``), else this month."""
    args = turn.context.args or []
    local = turn.rt.clock.now().astimezone(turn.t.tz)
    if not args:
        return local.year, local.month
    match = re.match(r"^(\d{4})-(\d{1,2})$", args[0])
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise Refused(turn.t.gettext("Usage: /figures (this month) or /figures 2026-07"))
    return int(match.group(1)), int(match.group(2))


async def _figures_across(turn: Turn, year: int, month: int) -> None:
    rt = turn.rt
    served = await _served(turn)
    if not served:
        raise Refused(turn.t.gettext(
            "Figures across communities are for their grid workers and conveners, and you are neither "
            "in any community I serve. In your community's group, /figures shows its figures."))
    groups = []
    for chat_id, name in served:  # each community's month in its own time zone, as its group counts it
        tz = rt.translator(await chats.get(rt.store, chat_id)).tz
        start, end = (moment.replace(tzinfo=tz) for moment in rules.month_bounds(year, month))
        groups.append((name, [r.item() for r in await store.received(rt.store, chat_id, start, end)]))
    each, total = rules.figures_across(groups, rt.clock.now())
    await turn.reply(turn.render("request_figures_across.html.j2", each=each, total=total,
                                 month=date(year, month, 1)))
