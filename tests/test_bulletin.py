"""Results residents can check: a secret owner vote gives each ballot a receipt, its close
publishes a bulletin anyone can recount with `yishi verify`, a household finds its receipt, and
an edited ballot or an altered count is caught. No secret voter can be told from anything the
bot wrote or logged."""

from __future__ import annotations

import json
import logging
import re
import sqlite3

from bot.cli import main as yishi
from bot.domain.bulletin import digest
from tests.test_owner_votes import bind_all, cast, import_registry, joined  # noqa: F401 (cast: a fixture)

REGISTRY = "building,entrance,unit,area,owner,developer\n" + "\n".join([
    "6,1,101,90.00,,", "6,1,102,100.00,,", "6,1,201,110.00,,", "6,1,202,120.00,,",
    "6,1,301,95.50,,是", "6,1,302,95.50,,是",  # unsold: the developer, one owner
])
RECEIPT = re.compile(r"Your receipt for vote #1: ([A-Z2-9]{4}-[A-Z2-9]{4})")


async def ballot(owner, choice: str) -> str:
    """Vote privately on the secret vote #1; the receipt the bot gave."""
    await owner.send(owner.private, "/start v1")
    await owner.press(await owner.private.expect_message(), choice)
    return RECEIPT.search((await owner.private.expect_message()).text).group(1)


async def closed_vote(bot, tg, cast):  # noqa: F811
    admin, group = await joined(bot, cast)
    await import_registry(admin, group, REGISTRY)
    owners = await bind_all(tg, admin, group, ["6-1-101", "6-1-102", "6-1-201"])
    await admin.send(group, "/ownervote 6号楼更换电梯\n范围 6栋\n无记名\n截止 20天后")
    await group.expect_message()
    for owner in owners.values():  # the vote's notice, delivered to each owner
        assert "Notice of owner vote #1" in (await owner.private.expect_message()).text
    receipts = {"first": await ballot(owners["6-1-101"], "Disagree")}
    receipts["101"] = await ballot(owners["6-1-101"], "Agree")  # changed: a new receipt
    receipts["102"] = await ballot(owners["6-1-102"], "Agree")
    receipts["201"] = await ballot(owners["6-1-201"], "Abstain")
    group.skip_messages()
    await admin.send(group, "/close 1")
    result = await group.expect_message()
    files = {}
    for _ in range(2):
        document = (await group.expect_message()).document
        files[document.file_name] = document.data
    return admin, group, owners, receipts, result, files


async def test_a_secret_vote_is_published_with_receipts_and_anyone_can_recount_it(
        bot, tg, cast, tmp_path, capsys, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    _, group, owners, receipts, result, files = await closed_vote(bot, tg, cast)
    assert set(files) == {"vote-1-bulletin.json", "vote-1-ballots.csv"}
    published = json.loads(files["vote-1-bulletin.json"])
    assert published["registry"] == {"owners": 5, "households": 6, "area": "611.00"}
    assert sorted(b["receipt"] for b in published["ballots"]) == sorted(
        [receipts["101"], receipts["102"], receipts["201"]])  # the latest ballot of each; not the first
    assert {b["receipt"]: b["choice"] for b in published["ballots"]}[receipts["101"]] == "agree"
    assert published["result"]["taking_part"] == {"owners": 3, "area": "300.00"}
    assert published["result"]["passed"] is False  # 3 of 5 owners: below two thirds
    assert f"Bulletin SHA-256: {published['sha256']}" in result.text
    assert published["chain"]["final_hash"] in result.text and published["chain"]["rows"] == 4

    owner = owners["6-1-101"]  # a household finds its receipt
    await owner.send(owner.private, f"/receipt {receipts['101'].lower().replace('-', '')}")
    found = (await owner.private.expect_message()).text
    assert f"Receipt {receipts['101']} was counted in vote #1" in found and "Choice: Agree" in found
    await owner.send(owner.private, "/receipt")
    mine = (await owner.private.expect_message()).text
    assert f"{receipts['101']} (Agree) — ✅ counted in the bulletin" in mine
    assert f"{receipts['first']} (Disagree) — replaced by a later ballot for your household" in mine
    await owner.send(owner.private, f"/receipt {receipts['first']}")
    assert "is not in any published bulletin" in (await owner.private.expect_message()).text

    path = tmp_path / "vote-1-bulletin.json"
    path.write_bytes(files["vote-1-bulletin.json"])
    assert yishi(["verify", str(path), "--db", str(bot.db_path)]) == 0
    assert "The published result matches the recount." in capsys.readouterr().out

    # no secret voter can be told from what the bot wrote in the group, the files or its logs
    said = [m.text or "" for m in group.messages if m.sender.is_bot] + [
        data.decode("utf-8-sig") for data in files.values()]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for label, person in owners.items():
        for text in said:
            assert person.full_name not in text and label not in text and str(person.id) not in text
    for code in receipts.values():
        assert code not in logged, [r.name for r in caplog.records if code in r.getMessage()]
        assert all(code not in (m.text or "") for m in group.messages if not m.document)


async def test_an_edited_ballot_or_an_altered_count_fails_verification(bot, tg, cast, tmp_path,  # noqa: F811
                                                                       capsys):
    *_, files = await closed_vote(bot, tg, cast)
    path = tmp_path / "vote-1-bulletin.json"
    path.write_bytes(files["vote-1-bulletin.json"])

    altered = json.loads(files["vote-1-bulletin.json"])
    altered["result"]["agree"]["owners"] += 1
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(altered, ensure_ascii=False), encoding="utf-8")
    assert yishi(["verify", str(forged)]) == 1
    assert "sha256" in capsys.readouterr().out  # the file is not the one published
    altered["sha256"] = digest(altered)  # resealed: the recount still disagrees
    forged.write_text(json.dumps(altered, ensure_ascii=False), encoding="utf-8")
    assert yishi(["verify", str(forged)]) == 1
    assert "result.agree.owners: published 3, recounted 2" in capsys.readouterr().out

    await bot.stop()
    with sqlite3.connect(bot.db_path) as db:
        row = db.execute("SELECT id FROM ballot_log WHERE poll_id = 1 ORDER BY id LIMIT 1 OFFSET 2"
                         ).fetchone()[0]
        db.execute("UPDATE ballot_log SET choices = '[1]' WHERE id = ?", (row,))
    assert yishi(["verify", str(path), "--db", str(bot.db_path)]) == 1
    assert f"ballot log row {row} was changed after it was written" in capsys.readouterr().out
