"""A personal-information request: `yishi person export` gives all of a person's data, `yishi person
delete` removes their names, units and bindings, and the community's record stays without them."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_owner_votes import bind_all, import_registry


def person(action: str, user_id: int, db) -> str:
    result = subprocess.run([sys.executable, "-m", "bot", "person", action, str(user_id), "--db", str(db)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_a_resident_s_data_is_exported_then_removed(bot, tg, english_group, tmp_path):
    admin, (li,), group = await english_group("Li")
    await import_registry(admin, group, "building,entrance,unit,area\n3,1,101,100\n3,1,102,90")
    owner = (await bind_all(tg, admin, group, ["3-1-101"]))["3-1-101"]
    said = await owner.send(group, "/roles")
    await group.expect_message()
    await admin.send(group, "/grant building_lead 3", reply_to=said)
    await group.expect_message()
    await admin.send(group, "/event 小区夜话\n时间 每周四 19:30")
    await admin.press(await group.expect_message(), "Save")
    card = await group.expect_message()
    await owner.press(card, "Going · 0")
    await li.press(card, "Maybe · 0")
    await tg.wait_idle(quiet=0.3)
    await bot.stop()
    db = tmp_path / "yishi.sqlite3"

    held = json.loads(person("export", owner.id, db))
    assert held["users"][0]["first_name"] == "Resident 3-1-101"
    assert len(held["household_owners"]) == 1 and held["roles"][0]["role"] == "building_lead"
    assert held["event_rsvps"][0]["answer"] == "going" and "members" in held

    removed = person("delete", owner.id, db)
    assert "bindings: 1" in removed and "roles: 1" in removed and "names: 1" in removed
    left = json.loads(person("export", owner.id, db))
    assert left["users"][0]["first_name"] == "—" and "household_owners" not in left and "roles" not in left
    assert json.loads(person("export", li.id, db))["users"][0]["first_name"] == "Li"  # others untouched

    await bot.start()
    await admin.send(group, "/rsvps 1")
    who = (await group.expect_message()).text
    assert "Resident 3-1-101" not in who and "Going (1): —" in who and "Maybe (1): Li" in who
    await admin.send(group, "/households")
    assert "0 bound" in (await group.expect_message()).text  # the unit is no longer theirs


def test_a_missing_database_is_one_line(tmp_path):
    command = [sys.executable, "-m", "bot", "person", "export", "1", "--db", str(tmp_path / "x")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith("yishi: database")
    assert "does not exist" in result.stderr
