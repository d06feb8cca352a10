"""The stored registry: re-importing keeps bindings, retires what is gone, codes work once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.models import Person
from bot.domain.owner_vote import Household
from storage import chats, households, users
from storage.db import Database

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "r.sqlite3")
    await chats.seen(database, -1, "supergroup", "6栋业主群", NOW)
    await users.seen(database, Person(7, "陈建国"), NOW)
    yield database
    await database.close()


def unit(number: str, area: int, entrance: str = "1") -> Household:
    return Household(0, "6", entrance, number, area)


async def test_reimport_keeps_bindings_updates_areas_and_retires_missing_units(db):
    first = await households.import_registry(db, -1, [unit("101", 8950), unit("102", 9000)], NOW)
    assert (first.added, first.updated, first.unchanged, first.retired) == (2, 0, 0, 0)
    registry = {h.unit: h for h in await households.active(db, -1)}
    code = (await households.new_codes(db, [registry["101"].id], 1, NOW))[registry["101"].id]
    assert (await households.bind(db, code, 7, NOW))[1].unit == "101"

    again = await households.import_registry(db, -1, [unit("101", 9100), unit("201", 12035)], NOW)
    assert (again.added, again.updated, again.unchanged, again.retired) == (1, 1, 0, 1)
    now = {h.unit: h for h in await households.active(db, -1)}
    assert set(now) == {"101", "201"}
    assert now["101"].id == registry["101"].id and now["101"].area == 9100
    assert await households.owners(db, [now["101"].id]) == {now["101"].id: [(7, False)]}
    summary = await households.summary(db, -1)
    assert [(s.building, s.households, s.area, s.bound) for s in summary] == [("6", 2, 21135, 1)]

    back = await households.import_registry(db, -1, [unit("101", 9100), unit("102", 9000)], NOW)
    assert (back.added, back.updated, back.unchanged, back.retired) == (0, 1, 1, 1)  # 102 returns


async def test_a_code_works_once_and_a_new_one_voids_the_old(db):
    await households.import_registry(db, -1, [unit("101", 8950)], NOW)
    (h,) = await households.active(db, -1)
    old = (await households.new_codes(db, [h.id], 1, NOW))[h.id]
    new = (await households.new_codes(db, [h.id], 1, NOW))[h.id]
    assert await households.bind(db, old, 7, NOW) is None
    assert await households.bind(db, new.lower(), 7, NOW) is not None  # typed in lower case
    assert await households.bind(db, new, 7, NOW) is None
