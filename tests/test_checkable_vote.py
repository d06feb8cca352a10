"""The building-6 elevator vote from start to finish, checkable by anyone: the registry reviewed
(one dispute resolved and the unit corrected), the notice delivered and confirmed, secret ballots
with receipts, the close with its bulletin, a household finding its receipt, and `yishi verify`
confirming the result. No secret voter can be told from anything anyone else was sent, from the
files or from the logs."""

from __future__ import annotations

import json
import logging
import re

from bot.cli import main as yishi
from tests.test_communities import _linked
from tests.test_owner_votes import bind_all, import_registry
from tests.test_registry_review import FULL_NAMES, registry

RECEIPT = re.compile(r"Your receipt for vote #1: ([A-Z2-9]{4}-[A-Z2-9]{4})")


async def test_the_elevator_vote_can_be_checked_by_every_household(bot, tg, compound, tmp_path, capsys,
                                                                    caplog):
    caplog.set_level(logging.DEBUG)
    people, groups = compound
    await _linked(people, groups)
    wang, main, b6 = people["Wang"], groups["main"], groups["b6"]
    await import_registry(wang, main, registry())
    owners = await bind_all(tg, wang, main, ["6-1-101", "6-1-102", "6-1-201"])

    # the registry published for review; 6-1-201 disputes its area, the conveners correct it
    await wang.send(main, "/households review 6栋")
    for group in (main, b6):
        assert (await group.expect_message()).text.startswith("Registry review #1 of Cuiyuan owners")
    await main.expect_message()  # where it went
    entries = {label: await owner.private.expect_message() for label, owner in owners.items()}
    owner = owners["6-1-201"]
    await owner.press(entries["6-1-201"], "✏️ Wrong area")
    await owner.private.expect_message()
    await owner.send(owner.private, "房产证上是118.30平方米")
    await owner.private.expect_message()
    assert "New dispute #1" in (await wang.private.expect_message()).text
    await import_registry(wang, main, registry(**{"6-1-201": ("118.30", "王小明、李梅", "")}))
    await wang.send(main, "/dispute_resolve 1 面积已按房产证更正为118.30")
    await main.expect_message()
    assert "was resolved" in (await owner.private.expect_message()).text

    # the vote opens: each owner is sent its notice and confirms it
    await wang.send(main, "/ownervote 6号楼更换电梯\n范围 6栋\n无记名\n截止 20天后")
    await main.expect_message()
    await b6.expect_message()  # announced in building 6's group too
    for label, person in owners.items():
        notice = await person.private.expect_message()
        assert "Notice of owner vote #1" in notice.text
        if label != "6-1-102":
            await person.press(notice, "Received")
    await wang.send(main, "/delivery 1")
    delivered = (await main.expect_message()).text
    assert "Households: 4\nReached: 3" in delivered and "Confirmed: 2" in delivered
    assert "No owner bound: 6-1-202\nNot confirmed yet: 6-1-102" in delivered  # to visit in person

    # secret ballots, each with a receipt given privately; 6-1-101 changes its mind
    receipts = {}
    for label, choice in (("6-1-101", "Disagree"), ("6-1-101", "Agree"), ("6-1-102", "Agree"),
                          ("6-1-201", "Agree")):
        person = owners[label]
        await person.send(person.private, "/start v1")
        await person.press(await person.private.expect_message(), choice)
        receipts[label] = RECEIPT.search((await person.private.expect_message()).text).group(1)

    await wang.send(main, "/close 1")
    result = (await main.expect_message()).text
    assert "6-1-201: area 120.50 m² → 118.30 m²" in result  # the correction after the review
    assert "Notice period: 0 days" in result and "Less than the 15 days" in result  # closed early
    files = {}
    for _ in range(2):
        document = (await main.expect_message()).document
        files[document.file_name] = document.data
    published = json.loads(files["vote-1-bulletin.json"])
    assert published["sha256"] in result and published["chain"]["final_hash"] in result
    assert published["registry_changes"][0]["unit"] == "6-1-201"
    assert sorted(b["receipt"] for b in published["ballots"]) == sorted(receipts.values())
    assert published["result"]["agree"] == {"owners": 3, "area": "318.30"}
    assert all(set(b) == {"receipt", "choice", "area", "households"} for b in published["ballots"])

    # a household finds its receipt, and anyone recounts the bulletin
    person = owners["6-1-102"]
    await person.send(person.private, f"/receipt {receipts['6-1-102']}")
    found = (await person.private.expect_message()).text
    assert f"Receipt {receipts['6-1-102']} was counted in vote #1" in found
    path = tmp_path / "vote-1-bulletin.json"
    path.write_bytes(files["vote-1-bulletin.json"])
    assert yishi(["verify", str(path), "--db", str(bot.db_path)]) == 0
    assert "The published result matches the recount." in capsys.readouterr().out

    # nobody but the voter was sent their receipt (the bulletin lists it without unit or name); no
    # group, file or log names a voter
    await tg.wait_idle(quiet=0.3)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for label, voter in owners.items():
        code = receipts[label]
        assert code not in logged
        for chat in tg.chats.values():
            for message in (m for m in chat.messages if m.sender.is_bot):
                shown = (message.text or "") + (message.document.data.decode("utf-8", "replace")
                                                 if message.document else "")
                if chat.id != voter.id and not message.document:  # the bulletin lists receipts alone
                    assert code not in shown, (chat.title, shown[:80])
                if message.document and message.document.file_name == "vote-1-ballots.csv":
                    assert label not in shown  # no unit beside a secret ballot
                if chat.type != "private" or message.document:
                    assert voter.full_name not in shown and not any(n in shown for n in FULL_NAMES)
