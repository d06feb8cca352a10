"""The world a benchmark starts from, on both sides: people and groups in the stand-in (ids
1001, 1002, ... for people, -4001, -4002, ... for groups, in the order they are made), and the
same chats, people, registry, polls or events written with the project's storage functions into
the SQLite file before the bot starts. The file is written once and copied for every round."""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from bench.harness import StandIn
from bot.clock import Clock
from bot.domain.models import Person
from bot.domain.owner_vote import Household
from bot.domain.polls import DEFAULT_VOTE_REMINDERS, Draft, options_of
from bot.i18n import Translator
from bot.local.standin import FakeChat, FakeUser
from bot.local.standin.params import Params
from bot.render import Renderer
from handlers import events as event_handlers
from handlers import polls as poll_handlers
from storage import chats, events, households, polls, schedules, users
from storage.db import Database

TZ = "Asia/Shanghai"


def now() -> datetime:
    return Clock().now()


def person(user: FakeUser) -> Person:
    return Person(user.id, user.first_name, user.last_name, user.username, user.language_code)


def groups(tg: StandIn, count: int, members: int = 0, title: str = "Compound") -> list[FakeChat]:
    """``count`` groups the bot was already in, each with a convener (its creator) and members."""
    made = []
    for number in range(1, count + 1):
        convener = tg.user(f"Convener {number}", language_code="en")
        people = [tg.user(f"Resident {number}.{i}", language_code="en") for i in range(members)]
        chat = tg.group(f"{title} {number}", admins=[convener], members=people)
        chat.bot_status = "member"
        made.append(chat)
    return made


def copy(template: Path, to: Path) -> Path:
    """A fresh database for one round: a copy of the seeded file."""
    shutil.copyfile(template, to)
    return to


async def database(path: Path) -> Database:
    return await Database.open(path)


async def close(db: Database) -> None:
    """Close, with everything in the main file (no -wal left beside it for the copies)."""
    await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await db.close()


async def known(db: Database, chat_list: list[FakeChat], when: datetime) -> None:
    """The groups and their people, as the bot stores them when it hears from them."""
    for chat in chat_list:
        await chats.seen(db, chat.id, chat.type, chat.title, when)
        for user in chat.everyone:
            await users.seen(db, person(user), when)


async def registry(db: Database, chat: FakeChat, owners: list[FakeUser], when: datetime) -> list[Household]:
    """A registry (buildings of 100 units: 25 floors x 4, 60-150 m²) and an owner bound to each
    unit, written with the storage functions behind /households import and /bind."""
    rng = random.Random(278)
    rows = [Household(0, str(1 + i // 100), "", f"{1 + i % 100 // 4}{1 + i % 4:02d}",
                      rng.randrange(6000, 15001)) for i in range(len(owners))]
    await households.import_registry(db, chat.id, rows, when)
    units = await households.active(db, chat.id)
    codes = await households.new_codes(db, [h.id for h in units], chat.creator.id, when)
    by_unit = {(h.building, h.unit): h for h in units}
    bound = [by_unit[(r.building, r.unit)] for r in rows]  # owner i holds the i-th unit written
    for owner, unit in zip(owners, bound, strict=True):
        await households.bind(db, codes[unit.id], owner.id, when)
    return bound


QUESTIONS = ("Where should the bicycle shed go?", "Which day for the spring clean-up?",
             "Paint colour for the stairwells?", "Who should run the summer party?")
OPTIONS = (("East gate", "West gate", "Behind block 3"), ("Saturday", "Sunday"),
           ("White", "Light grey", "Pale green", "Cream"),
           ("The committee", "Volunteers", "The property manager"))


async def open_polls(db: Database, chat_list: list[FakeChat], per_group: int, when: datetime,
                     username: str) -> list[tuple[int, str, str | None]]:
    """``per_group`` open polls with deadlines 2-30 days ahead in each group, stored as /poll stores
    them (the poll, its message id, its close-and-remind schedule); returns the message each poll
    has in the group (chat id, HTML, keyboard JSON), in the order the bot sent them."""
    rng, renderer = random.Random(1), Renderer(None)
    shown: list[tuple[int, str, str | None]] = []
    t = Translator("en", ZoneInfo(TZ))
    for chat in chat_list:
        for number in range(per_group):
            pick = rng.randrange(len(QUESTIONS))
            deadline = (when + timedelta(days=2, seconds=rng.randrange(28 * 86400))).replace(microsecond=0)
            draft = Draft(kind="single", question=QUESTIONS[pick], options=list(OPTIONS[pick]),
                          deadline_text="in some days")
            poll = await polls.create(db, chat_id=chat.id, draft=draft,
                                      options=options_of("single", draft.options), deadline=deadline,
                                      scope=(), electorate=[], created_by=chat.creator.id, now=when)
            view = SimpleNamespace(store=db, renderer=renderer)
            html = await poll_handlers._message_html(view, t, poll)
            markup = poll_handlers._keyboard(t, poll, [], username)
            shown.append((chat.id, html, markup.to_json() if markup else None))
            await polls.set_message(db, poll.id, number + 1)  # the group's messages are the polls'
            await schedules.add(db, chat_id=chat.id, kind=poll_handlers.SCHEDULE_KIND, ref=str(poll.id),
                                first_at=deadline, rrule=None, tz=TZ, offsets=(0, *DEFAULT_VOTE_REMINDERS),
                                payload={}, now=when)
    return shown


async def post(tg: StandIn, messages: list[tuple[int, str, str | None]]) -> None:
    """The bot's messages as it sent them before this run (not counted by flood control)."""
    release = tg.hold_flood_clock()
    try:
        for chat_id, html, markup in messages:
            raw = {"chat_id": chat_id, "text": html, "parse_mode": "HTML"}
            if markup:
                raw["reply_markup"] = markup
            await tg.api_sendMessage(Params(raw, {}))
    finally:
        release()


async def event_reminders(db: Database, chat_list: list[FakeChat], due: datetime, when: datetime) -> None:
    """An evening talk in each group an hour after ``due``, with one reminder an hour before it
    (so due at ``due``), stored as saving an /event stores it (the event and its schedule)."""
    for chat in chat_list:
        event = await events.create(db, chat_id=chat.id, kind="talk", title="Evening talk with the committee",
                                    place="East gate pavilion", hosts=None, start=due + timedelta(hours=1),
                                    duration=timedelta(hours=2), rrule=None, tz=TZ, reminders=(3600,),
                                    created_by=chat.creator.id, now=when)
        await schedules.add(db, chat_id=chat.id, kind=event_handlers.SCHEDULE_KIND, ref=str(event.id),
                            first_at=event.start, rrule=None, tz=TZ, offsets=(0, 3600), payload={}, now=when)
