"""How a guided question looks: its text and its buttons, for each kind of step.

Button data is ``gd:<revision>:<op>`` or ``gd:<revision>:<op>:<number>``; the revision makes the
buttons of an older question stale.
"""

from __future__ import annotations

import html
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import guide
from bot.domain.guide import Flow, State, Step
from bot.i18n import Translator

CHECKED, UNCHECKED = "✅", "⬜"
DATA = r"^gd:[0-9]{1,6}:[a-z]{1,2}(?::-?[0-9]{1,16})?$"
NUMBERS = {"max_choices": (2, 3, 4, 5), "capacity": (10, 20, 30, 50, 100)}


def button(state: State, label: str, op: str, arg: int | None = None) -> InlineKeyboardButton:
    data = f"gd:{state.revision}:{op}" + ("" if arg is None else f":{arg}")
    return InlineKeyboardButton(label, callback_data=data)


def question(t: Translator, flow: Flow, state: State, step: Step, choices: list[tuple[int, str]],
             now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    """The message that asks ``step`` (``choices``: the groups or the households to pick from)."""
    number = len(guide.answered(flow, state)) + 1
    lines = [f"<b>{html.escape(t.gettext(flow.title))}</b> · "
             + html.escape(t.gettext("step %(number)s", number=number)),
             html.escape(t.gettext(step.question(state.answers)))]
    if step.hint:
        lines.append(f"<i>{html.escape(t.gettext(step.hint))}</i>")
    rows: list[list[InlineKeyboardButton]] = []
    kind = step.kind
    if kind == "choice":
        for index, choice in enumerate(step.choices):
            lines.append(_meaning(t, choice.label, choice.hint))
            rows.append([button(state, t.gettext(choice.label), "c", index)])
    elif kind == "toggles":
        picked = set(state.view.get("picked", []))
        for index, choice in enumerate(step.choices):
            lines.append(_meaning(t, choice.label, choice.hint))
            mark = CHECKED if choice.value in picked else UNCHECKED
            rows.append([button(state, f"{mark} {t.gettext(choice.label)}", "t", index)])
        rows.append([button(state, t.gettext("Done"), "ok")])
    elif kind in ("group", "scope"):
        rows += _picks(t, state, step, choices)
    elif kind == "list":
        items = state.view.get("items", [])
        lines += [f"{k}. {html.escape(item)}" for k, item in enumerate(items, 1)]
        row = [button(state, t.gettext("Remove the last"), "rm")] if items else []
        row += [button(state, t.gettext("Done"), "ok")] if len(items) >= step.least else []
        rows.append(row)
    elif kind == "number":
        quick = [n for n in NUMBERS.get(step.key, ()) if step.least <= n <= _most(step, state)]
        rows.append([button(state, t.number(n), "n", n) for n in quick])
    elif kind == "when":
        rows += when_rows(t, state, now)
    elif kind == "clock":
        slots = [button(state, slot, "k", index) for index, slot in enumerate(guide.SLOTS)]
        rows += [slots[:3], slots[3:]]
    if step.skip:
        rows.append([button(state, t.gettext(step.skip), "sk")])
    rows.append(nav_row(t, state))
    return "\n".join(lines), InlineKeyboardMarkup([r for r in rows if r])


def nav_row(t: Translator, state: State) -> list[InlineKeyboardButton]:
    return [button(state, t.gettext("◀ Back"), "bk"), button(state, t.gettext("✖ Cancel"), "x")]


def _meaning(t: Translator, label: str, hint: str | None) -> str:
    if hint is None:
        return f"· {html.escape(t.gettext(label))}"
    said = t.gettext("%(name)s: %(meaning)s", name=t.gettext(label), meaning=t.gettext(hint))
    return "· " + html.escape(said)


def _most(step: Step, state: State) -> int:
    if step.key == "max_choices":
        return len(state.answers.get("options", [])) or step.most
    return step.most


def _picks(t: Translator, state: State, step: Step, choices: list[tuple[int, str]]) -> list:
    """Groups (one press picks) or households (buildings and entrances, toggled, then Done)."""
    if step.kind == "group":
        return [[button(state, label, "g", value)] for value, label in choices]
    picked = set(state.view.get("picked", []))
    rows, row, building = [], [], None
    for index, (item, label) in enumerate(choices):
        head = str(item).split("-")[0]
        if row and (head != building or len(row) == 4):
            rows.append(row)
            row = []
        building = head
        mark = CHECKED if item in picked else ""
        row.append(button(state, f"{mark}{label}", "b", index))
    rows.append(row)
    rows.append([button(state, t.gettext("Done"), "ok")])
    return rows


def when_rows(t: Translator, state: State, now: datetime) -> list[list[InlineKeyboardButton]]:
    """Quick choices, then a month calendar; once a day is picked, the times of that day."""
    day = state.view.get("day")
    if day:
        picked = date.fromisoformat(day)
        slots = [button(state, slot, "s", index) for index, slot in enumerate(guide.SLOTS)]
        return [[InlineKeyboardButton(t.date(picked), callback_data=f"gd:{state.revision}:no")],
                slots[:3], slots[3:], [button(state, t.gettext("Another day"), "ad")]]
    quick = [button(state, t.gettext(label), "q", index)
             for index, (name, label) in enumerate(guide.QUICK_TIMES) if guide.quick_time(name, now)]
    rows = [quick[k:k + 2] for k in range(0, len(quick), 2)]
    month = date.fromisoformat(state.view.get("month") or now.date().replace(day=1).isoformat())
    this_month = now.date().replace(day=1)
    header = [button(state, "‹", "m", _month_number(guide.shift_month(month, -1)))
              if month > this_month else InlineKeyboardButton("·", callback_data=f"gd:{state.revision}:no"),
              InlineKeyboardButton(t.month(month), callback_data=f"gd:{state.revision}:no"),
              button(state, "›", "m", _month_number(guide.shift_month(month, 1)))]
    rows.append(header)
    for week in guide.month_grid(month):
        rows.append([button(state, str(d.day), "d", int(d.strftime("%Y%m%d")))
                     if d is not None and d >= now.date()
                     else InlineKeyboardButton("·", callback_data=f"gd:{state.revision}:no") for d in week])
    return rows


def _month_number(month: date) -> int:
    return month.year * 100 + month.month
