"""Drafts live in the database: a half-written report or a registry import waits across a restart
with no file beside the database, and the drafts file of an earlier version is taken over once."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot
from telegram.ext import PersistenceInput, PicklePersistence

from storage import drafts
from storage.db import Database

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
WATER = "The water price went up by 0.4 yuan per ton without approval"
REGISTRY = "building,entrance,unit,area\n3,1,101,100\n3,1,102,100\n"


# -- storage --------------------------------------------------------------------------------------

@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "d.sqlite3")
    yield database
    await database.close()


async def test_a_draft_is_kept_replaced_and_taken_once_per_person_and_kind(db):
    assert await drafts.get(db, 7, drafts.REQUEST) is None
    await drafts.put(db, 7, drafts.REQUEST, {"chat_id": -1, "text": "水费 多收"}, NOW)
    await drafts.put(db, 7, drafts.REGISTRY_IMPORT, {"chat_id": -2}, NOW)
    await drafts.put(db, 8, drafts.REQUEST, {"chat_id": -3}, NOW)
    await drafts.put(db, 7, drafts.REQUEST, {"chat_id": -1, "text": "水费", "photo": None}, NOW)
    assert await drafts.get(db, 7, drafts.REQUEST) == {"chat_id": -1, "text": "水费", "photo": None}
    assert await drafts.get(db, 7, drafts.REGISTRY_IMPORT) == {"chat_id": -2}
    assert await drafts.pop(db, 7, drafts.REQUEST) == {"chat_id": -1, "text": "水费", "photo": None}
    assert await drafts.pop(db, 7, drafts.REQUEST) is None
    assert await drafts.get(db, 8, drafts.REQUEST) == {"chat_id": -3}
    assert await drafts.get(db, 7, drafts.REGISTRY_IMPORT) == {"chat_id": -2}


async def test_drafts_untouched_for_a_month_are_dropped(db):
    start = NOW - timedelta(days=60)
    await drafts.put(db, 1, drafts.REQUEST, {"chat_id": -1}, start)
    await drafts.put(db, 3, drafts.REQUEST, {"chat_id": -1}, start)
    await drafts.put(db, 2, drafts.REQUEST, {"chat_id": -1}, start + timedelta(days=5))
    await drafts.put(db, 3, drafts.REQUEST, {"chat_id": -1}, start + timedelta(days=6))  # touched again
    assert await drafts.expire(db, start + timedelta(days=1)) == 1
    assert [await drafts.get(db, u, drafts.REQUEST) is None for u in (1, 2, 3)] == [True, False, False]
    await drafts.put(db, 4, drafts.REQUEST, {"chat_id": -1}, start + timedelta(days=36))  # stale ones go
    assert [await drafts.get(db, u, drafts.REQUEST) is None for u in (2, 3, 4)] == [True, False, False]


async def old_version_file(path, user_data: dict, bot: Bot | None = None) -> None:
    """The drafts file as earlier versions of Yishi wrote it."""
    persistence = PicklePersistence(
        filepath=path, store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                   callback_data=False), update_interval=2)
    if bot is not None:
        persistence.set_bot(bot)
    for user_id, data in user_data.items():
        await persistence.update_user_data(user_id, data)
    await persistence.flush()


async def test_the_old_drafts_file_is_imported_once_and_renamed(db, tmp_path):
    path = tmp_path / "d.sqlite3.drafts"
    report = {"chat_id": -5, "category": "fees", "text": WATER, "photo": None}
    await old_version_file(path, {7: {"request_draft": report, "registry_import_chat": -6},
                                  8: {"registry_import_chat": -9}, 9: {"something_else": 1}})
    await drafts.put(db, 8, drafts.REGISTRY_IMPORT, {"chat_id": -10}, NOW)  # newer than the file

    assert await drafts.import_pickle(db, path, NOW) == 3
    assert await drafts.get(db, 7, drafts.REQUEST) == report
    assert await drafts.get(db, 7, drafts.REGISTRY_IMPORT) == {"chat_id": -6}
    assert await drafts.get(db, 8, drafts.REGISTRY_IMPORT) == {"chat_id": -10}
    assert await drafts.get(db, 9, drafts.REQUEST) is None
    assert not path.exists() and (tmp_path / "d.sqlite3.drafts.migrated").exists()

    await drafts.pop(db, 7, drafts.REQUEST)
    assert await drafts.import_pickle(db, path, NOW) == 0  # never read again
    assert await drafts.get(db, 7, drafts.REQUEST) is None


class Gadget:
    def __reduce__(self):
        return (print, ("this must never run",))


@pytest.mark.parametrize("content", [b"", b"\x80\x05not a pickle", pickle.dumps([1, 2]),
                                     pickle.dumps({"user_data": {7: {"request_draft": Gadget()}}})],
                         ids=["empty", "garbage", "not a dict", "names a function"])
async def test_an_unreadable_drafts_file_is_set_aside_and_start_goes_on(db, tmp_path, content, capsys,
                                                                      caplog):
    path = tmp_path / "d.sqlite3.drafts"
    path.write_bytes(content)
    assert await drafts.import_pickle(db, path, NOW) == 0
    assert not path.exists() and (tmp_path / "d.sqlite3.drafts.unreadable").read_bytes() == content
    assert "this must never run" not in capsys.readouterr().out
    assert "cannot be read" in caplog.text
    assert await drafts.get(db, 7, drafts.REQUEST) is None


async def test_no_old_drafts_file_is_nothing_to_import(db, tmp_path):
    assert await drafts.import_pickle(db, tmp_path / "d.sqlite3.drafts", NOW) == 0
    assert list(tmp_path.glob("*.drafts*")) == []


# -- end to end -----------------------------------------------------------------------------------

async def community(tg, english_group):
    admin, (li,), group = await english_group("Li")
    await li.send(group, "/targets")  # seen in the group: the bot knows Li's community
    await group.expect_message()
    for user in (admin, li):
        await user.send(user.private, "/start")
        await user.private.expect_message()
    return admin, li, group


def no_drafts_file(bot) -> bool:
    return list(bot.db_path.parent.glob("*.drafts*")) == []


async def test_a_half_written_report_and_an_import_survive_a_restart_without_a_drafts_file(
        bot, tg, english_group):
    admin, li, group = await community(tg, english_group)
    await li.send(li.private, f"/report 物业费 {WATER}")
    draft = await li.private.expect_message()
    await li.send_photo(li.private, b"\xff\xd8 receipt")
    assert "Photo attached" in (await li.private.expect_message()).text
    await admin.send(group, "/households import")
    await group.expect_message()
    await admin.send(admin.private, f"/start i{group.id}")
    await admin.private.expect_message()
    await tg.wait_idle()
    assert no_drafts_file(bot)

    await bot.restart()
    assert no_drafts_file(bot)
    await li.press(draft, "Submit privately")
    assert "Request #1 received" in (await li.private.expect_message()).text
    await li.send(li.private, "/request 1")
    assert (await li.private.expect_message()).photo.data == b"\xff\xd8 receipt"
    assert WATER in (await li.private.expect_message()).text
    await admin.send_document(admin.private, "registry.csv", REGISTRY.encode())
    assert "imported" in (await admin.private.expect_message()).text
    await bot.stop()
    assert no_drafts_file(bot)


async def test_an_earlier_versions_drafts_are_taken_over_at_start(bot, tg, english_group):
    admin, li, group = await community(tg, english_group)
    await bot.stop()
    old = bot.db_path.with_name(bot.db_path.name + ".drafts")
    await old_version_file(old, {
        li.id: {"request_draft": {"chat_id": group.id, "category": "fees", "text": WATER, "photo": None}},
        admin.id: {"registry_import_chat": group.id},
    }, Bot(tg.token))

    await bot.start()
    assert not old.exists() and old.with_name(old.name + ".migrated").exists()
    await li.send(li.private, f"/start q{group.id}")  # the link of the group's "Continue privately"
    draft = await li.private.expect_message()
    assert WATER in draft.text
    await li.press(draft, "Submit privately")
    assert "Request #1 received" in (await li.private.expect_message()).text
    await admin.send_document(admin.private, "registry.csv", REGISTRY.encode())
    assert "imported" in (await admin.private.expect_message()).text
    await bot.restart()
    assert not old.exists()
