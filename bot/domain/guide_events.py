"""The guided way to schedule an evening talk or a reception day (``/event`` alone): its answers
written out as the typed ``/event`` command."""

from __future__ import annotations

from datetime import datetime

from bot.domain.events import MAX_TITLE
from bot.domain.guide import Answers, Choice, Flow, Step, typed_time
from bot.i18n import N_

KINDS = (Choice("talk", N_("Evening talk"), N_("residents and the committee talk things over")),
         Choice("reception", N_("Reception day"), N_("residents bring their questions, one by one")))
REPEATS = (Choice("weekly", N_("Every week")), Choice("monthly", N_("Every month, on a date")),
           Choice("last", N_("Every month, on its last day")), Choice("once", N_("Once")))
DAYS = tuple(Choice(word, label) for word, label in (
    ("一", N_("Monday")), ("二", N_("Tuesday")), ("三", N_("Wednesday")), ("四", N_("Thursday")),
    ("五", N_("Friday")), ("六", N_("Saturday")), ("日", N_("Sunday"))))
REMINDERS = (Choice("前一天20:00", N_("The evening before, 20:00")),
             Choice("当天12:00", N_("At noon that day")),
             Choice("2小时", N_("2 hours before")),
             Choice("30分钟", N_("30 minutes before")))


def _repeat(answers: Answers) -> str:
    return str(answers.get("repeat", ""))


EVENT = Flow("event", N_("New evening talk or reception day"), (
    Step("group", "group", N_("Group"), N_("Which group is it for?")),
    Step("kind", "choice", N_("Kind"), N_("What is it?"), choices=KINDS),
    Step("title", "text", N_("Title"), N_("What is its title? Write it in one message, e.g. 小区夜话."),
         length=MAX_TITLE),
    Step("repeat", "choice", N_("Repeats"), N_("How often is it held?"), choices=REPEATS),
    Step("days", "toggles", N_("Days of the week"), N_("On which days of the week? Press them, then Done."),
         choices=DAYS, needed=lambda a: _repeat(a) == "weekly", least=1),
    Step("monthday", "number", N_("Date"), N_("On which date of the month?"),
         needed=lambda a: _repeat(a) == "monthly", least=1, most=31),
    Step("start", "when", N_("Date and time"), N_("When is it held?"),
         N_("Press a choice, pick a day in the calendar, or write a time such as 12月8日 19:30."),
         needed=lambda a: _repeat(a) == "once"),
    Step("clock", "clock", N_("Time"), N_("At what time does it start?"),
         N_("Press a time or write one, such as 19:30."), needed=lambda a: _repeat(a) not in ("", "once")),
    Step("place", "text", N_("Place"), N_("Where is it held? Write the place in one message."),
         skip=N_("No place yet"), length=100),
    Step("hosts", "text", N_("Hosts"), N_("Who hosts it? Write the names, or skip."),
         skip=N_("No one named"), length=100),
    Step("reminders", "toggles", N_("Reminders"), N_("When should I remind the group? Press, then Done."),
         N_("None pressed: a day and an hour before, as usual."), choices=REMINDERS),
), lambda a: compose_event(a))


def compose_event(a: Answers) -> str:
    lines = [str(a["title"])]
    if a.get("kind") == "reception":
        lines.append("类型 接待日")
    repeat = _repeat(a)
    if repeat == "once":
        lines.append(f"时间 {typed_time(datetime.fromisoformat(str(a['start'])))}")
    else:
        when = {"weekly": "每周" + "、".join(d.value for d in DAYS if d.value in (a.get("days") or [])),
                "monthly": f"每月{a.get('monthday')}日", "last": "每月最后一天"}[repeat]
        lines.append(f"时间 {when} {a['clock']}")
    for key, word in (("place", "地点"), ("hosts", "主持")):
        if a.get(key):
            lines.append(f"{word} {a[key]}")
    if a.get("reminders"):
        lines.append("提醒 " + " ".join(str(r) for r in a["reminders"]))
    return "\n".join(lines)


MEETING_KINDS = (Choice("talk", N_("Evening talk")), Choice("council", N_("Council meeting")),
                 Choice("reception", N_("Reception day")),
                 Choice("briefing", N_("Public integrity briefing (廉情发布会)")))

MEETING = Flow("meeting", N_("New meeting"), (
    Step("group", "group", N_("Group"), N_("Which group is it for?")),
    Step("kind", "choice", N_("Kind"), N_("What kind of meeting are the minutes for?"),
         choices=MEETING_KINDS),
    Step("title", "text", N_("Title"), N_("What is it about? Write a title in one message."),
         N_("Skip it to take the title of the talk under way."), skip=N_("No title"), length=MAX_TITLE),
    Step("place", "text", N_("Place"), N_("Where is it held? Write the place in one message."),
         skip=N_("No place"), length=100),
), lambda a: compose_meeting(a))


def compose_meeting(a: Answers) -> str:
    lines = [" ".join(str(part) for part in (a["kind"], a.get("title")) if part)]
    return "\n".join(lines + ([f"地点 {a['place']}"] if a.get("place") else []))


FLOWS = {flow.name: flow for flow in (EVENT, MEETING)}
