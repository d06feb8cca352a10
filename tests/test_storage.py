"""SQLite: migrations, refusing newer databases, moving a migrated group, delivery keys."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.models import Firing
from storage import chats, events, roles, schedules, users
from storage.db import Database, StorageError, migrations

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


async def test_fresh_database_is_migrated_with_wal_and_foreign_keys(db, tmp_path):
    assert await db.schema_version() == len(migrations())
    assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1


async def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    first = await Database.open(tmp_path / "k.sqlite3")
    await chats.seen(first, -1, "group", "翠苑小区", NOW)
    await chats.set_locale(first, -1, "zh_Hant", NOW)
    await first.close()
    second = await Database.open(tmp_path / "k.sqlite3")
    assert (await chats.get(second, -1)).locale == "zh_Hant"
    await second.close()


async def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(migrations()) + 5}")
    with pytest.raises(StorageError, match="newer than this Yishi knows"):
        await Database.open(path)


async def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError):
        await Database.open(path)


async def test_migrating_a_group_moves_every_row(db):
    await chats.seen(db, -42, "group", "6栋", NOW)
    await chats.set_locale(db, -42, "zh_Hant", NOW)
    await users.seen(db, _person(7), NOW)
    await roles.grant(db, -42, 7, "building_lead", "6", 1, NOW)
    s = await schedules.add(db, chat_id=-42, kind="k", ref=None, first_at=NOW, rrule=None,
                            tz="Asia/Shanghai", offsets=(0,), payload={}, now=NOW)
    await chats.seen(db, -1001, "supergroup", "6栋", NOW)  # the new id spoke first
    assert await chats.migrate(db, -42, -1001, "supergroup", NOW)
    assert await chats.get(db, -42) is None
    moved = await chats.get(db, -1001)
    assert (moved.kind, moved.locale) == ("supergroup", "zh_Hant")
    assert [g.building for g in await roles.of_chat(db, -1001)] == ["6"]
    assert (await schedules.get(db, s.id)).chat_id == -1001
    assert not await chats.migrate(db, -42, -1001, "supergroup", NOW)  # second notice: nothing
    await chats.seen(db, -42, "group", "6栋", NOW)  # a late update from the old id
    assert await chats.get(db, -42) is None
    assert not await chats.migrate(db, -42, -1001, "supergroup", NOW)
    assert (await chats.get(db, -1001)).locale == "zh_Hant"


async def test_a_firing_is_claimed_once(db):
    await chats.seen(db, -5, "group", "g", NOW)
    s = await schedules.add(db, chat_id=-5, kind="k", ref="1", first_at=NOW, rrule=None,
                            tz="Asia/Shanghai", offsets=(0, 3600), payload={"a": 1}, now=NOW)
    firing = Firing(s, NOW, 0, NOW)
    assert await schedules.claim(db, firing, NOW)
    assert not await schedules.claim(db, firing, NOW)
    await schedules.release(db, firing)
    assert await schedules.claim(db, firing, NOW)
    await schedules.settle(db, firing, NOW)
    await schedules.release(db, firing)  # a sent delivery is never released
    assert not await schedules.claim(db, firing, NOW)
    early = Firing(s, NOW, 3600, NOW - timedelta(hours=1))
    await schedules.skip(db, early, NOW)
    assert await schedules.deliveries(db, s.id) == [(NOW, 3600, "skipped"), (NOW, 0, "sent")]
    assert await schedules.last_fire(db, s.id) == NOW


def _person(uid):
    from bot.domain.models import Person

    return Person(uid, f"user{uid}")


async def test_a_moved_series_carries_answers_and_agenda_but_never_doubles_an_answer(db):
    await chats.seen(db, -42, "group", "6栋", NOW)
    for user in (7, 8):
        await users.seen(db, _person(user), NOW)
    first, second = NOW + timedelta(days=1), NOW + timedelta(days=8)
    event = await events.create(db, chat_id=-42, kind="talk", title="夜话", place=None, hosts=None,
                                start=first, duration=None, rrule="FREQ=WEEKLY", tz="Asia/Shanghai",
                                reminders=None, created_by=7, now=NOW)
    await events.answer(db, event.id, first, 7, "A", "going", NOW)
    await events.answer(db, event.id, first, 8, "B", "maybe", NOW)
    await events.answer(db, event.id, second, 7, "A", "no", NOW)  # answered the later one already
    await events.add_item(db, event.id, first, "凉亭", 7, NOW)
    await events.rekey(db, event.id, {first: second})
    assert await events.answers(db, event.id, second) == [("A", "no"), ("B", "maybe")]
    assert await events.answers(db, event.id, first) == [("A", "going")]  # kept, not doubled
    assert await events.items(db, event.id, second) == ["凉亭"]
