"""Notices (公示) with read receipts, played by a convener and residents against the stand-in: a
fee change posted with photos and the accounts as a PDF, pinned; residents confirm they read it;
the convener sees who has, by building; an edit keeps every version."""

from __future__ import annotations

from datetime import timedelta

from storage import notices as store
from tests.test_communities import _with_committee
from tests.test_owner_votes import bind_all, import_registry

RESIDENTS = ("Li Qiang", "Zhao Min")
FEES = ("/notice Property fees from January\nFrom 1 January the fee is 2.0 yuan per m² a month.\n"
        "Accounts attached.")
PDF = b"%PDF-1.4\n% the 2026 accounts\n"


async def draft(admin, group, text=FEES):
    await admin.send(group, text)
    return await group.expect_message()


async def post(admin, group, text=FEES, button="Post"):
    """A notice posted without files: its card."""
    preview = await draft(admin, group, text)
    await admin.press(preview, button)
    return await group.expect_message()


def calls(tg, method):
    return [call for call in tg.calls if call.method == method]


async def test_a_notice_with_photos_and_a_pdf_is_posted_pinned_and_read(bot, tg, english_group):
    admin, (li, zhao), group = await english_group(*RESIDENTS)
    await group.promote_bot(by=admin)
    preview = await draft(admin, group)
    assert preview.text.startswith("📢 Notice (preview) Property fees from January")
    assert "2.0 yuan per m²" in preview.text
    assert preview.button_texts == ["📎 Send photos or a PDF", "📌 Post and pin", "Post", "Cancel"]
    refused = await li.press(preview, "📌 Post and pin")
    assert refused.show_alert and "Only the convener who wrote this notice" in refused.text

    answer = await admin.press(preview, "📎 Send photos or a PDF")
    assert "Send the photos or the PDF now" in answer.text
    await group.expect_edit(preview)
    assert "in answer to this message" in preview.text
    assert "📎 Send photos or a PDF" not in preview.button_texts
    await admin.send_photo(group, b"notice board, page 1", reply_to=preview)
    await admin.send_photo(group, b"notice board, page 2", reply_to=preview)
    await admin.send_document(group, "accounts-2026.pdf", PDF, reply_to=preview)
    await tg.until(lambda: "2 photos and PDF accounts-2026.pdf" in preview.text, what="the files listed")
    await li.send_photo(group, b"a cat on the wall")  # someone else's photo is none of the notice's
    await admin.send_document(group, "accounts.xlsx", b"PK", reply_to=preview)
    assert "photos or one PDF" in (await group.expect_message()).text

    await admin.press(preview, "📌 Post and pin")
    first, second, pdf, card = [await group.expect_message() for _ in range(4)]
    assert first.photo is not None and second.photo is not None
    assert pdf.document.file_name == "accounts-2026.pdf"
    assert first.extra["media_group_id"] == second.extra["media_group_id"]
    assert first.text == "📢 Notice #1: Property fees from January" == pdf.text
    assert card.text.startswith("📢 Notice #1 Property fees from January\nFrom 1 January")
    assert "Posted: " in card.text and "Read: 0" in card.text and "Changed" not in card.text
    assert card.button_texts == ["✅ Read"]
    await tg.until(lambda: group.pinned is card, what="the card pinned")
    pin = calls(tg, "pinChatMessage")[-1]
    assert pin.params["message_id"] == card.message_id and pin.params["disable_notification"] is False
    await tg.until(lambda: preview.text == "Posted and pinned as notice #1.", what="the preview answered")
    assert preview.buttons == []

    assert (await li.press(card, "✅ Read")).text == "Thank you: noted that you have read notice #1."
    assert (await zhao.press(card, "✅ Read")).text.startswith("Thank you")
    assert (await li.press(card, "✅ Read")).text == "You have read notice #1 already."
    await tg.until(lambda: "Read: 2" in card.text, what="two readers on the card")
    edits = card.edit_count
    assert (await zhao.press(card, "✅ Read")).text == "You have read notice #1 already."
    await tg.wait_idle(quiet=0.5)
    assert card.edit_count == edits and tg.not_modified == 0  # nothing changed, nothing edited
    assert (await store.by_number(bot.runtime.store, group.id, 1)).reads == 2


async def test_pinning_is_refused_when_the_bot_may_not_pin(bot, tg, english_group):
    admin, _, group = await english_group(*RESIDENTS)
    card = await post(admin, group, "/notice Water off on Tuesday\n9:00–12:00, building 6.",
                      "📌 Post and pin")
    assert "Notice #1 Water off on Tuesday" in card.text
    told = await group.expect_message()
    assert "Notice #1 is posted, but I could not pin it" in told.text and "administrator" in told.text
    assert group.pinned is None
    assert calls(tg, "pinChatMessage")[-1].status == 400

    group.bot_can_pin = False  # an administrator without the right to pin
    await group.promote_bot(by=admin)
    card = await post(admin, group, "/notice Lift maintenance\nBuilding 7, Thursday.", "📌 Post and pin")
    assert "could not pin it" in (await group.expect_message()).text
    assert group.pinned is None
    group.bot_can_pin = True
    card = await post(admin, group, "/notice Lift maintenance done", "📌 Post and pin")
    await tg.until(lambda: group.pinned is card, what="the card pinned")
    await group.expect_no_message(within=0.3)


async def test_a_resident_can_neither_post_nor_edit_a_notice(bot, tg, english_group):
    admin, (li, zhao), group = await english_group(*RESIDENTS)
    await li.send(group, "/notice Fees are abolished\nReally.")
    assert "only the conveners of this chat" in (await group.expect_message()).text
    card = await post(admin, group)
    await li.send(group, "/notice_edit 1\nFees are abolished.")
    assert "only the conveners of this chat" in (await group.expect_message()).text
    await li.send(group, "/notice 1")
    assert "only the conveners of this chat" in (await group.expect_message()).text
    for data in ("nt:p:1:0", "nt:x:1", "nt:a:1", "nt:r:99", "nt:v:1", "nt:r:1:2"):
        answer = await zhao.press(card, data=data)
        assert answer.show_alert and answer.text == "This button is no longer valid.", data
    await tg.wait_idle(quiet=0.3)
    assert "Fees are abolished" not in card.text and card.edit_count == 0
    notice = await store.by_number(bot.runtime.store, group.id, 1)
    assert notice.versions == 1 and notice.title == "Property fees from January"
    assert await store.by_number(bot.runtime.store, group.id, 2) is None

    await admin.send(group, "/notice")
    assert "Usage: /notice title" in (await group.expect_message()).text
    await admin.send(group, "/notice " + "长" * 121)
    assert "at most 120 characters; this one has 121" in (await group.expect_message()).text
    preview = await draft(admin, group, "/notice Never mind")
    await admin.press(preview, "Cancel")
    await tg.until(lambda: preview.text == "Notice cancelled: nothing was posted.", what="cancelled")
    assert await store.by_number(bot.runtime.store, group.id, 2) is None


async def test_an_edit_keeps_every_version_and_the_earlier_ones_are_one_press_away(bot, tg, english_group):
    admin, (li, zhao), group = await english_group(*RESIDENTS)
    await li.send(li.private, "/start")
    await li.private.expect_message()
    card = await post(admin, group, "/notice Parking fees\nParking costs 150 yuan a month.")
    await li.press(card, "✅ Read")
    await tg.until(lambda: "Read: 1" in card.text, what="one reader")
    bot.clock.advance(timedelta(days=1))
    await admin.send(group, "/notice_edit 1\nParking costs 120 yuan a month.")
    assert "Notice #1 changed." in (await group.expect_message()).text
    assert "120 yuan" in card.text and "150 yuan" not in card.text
    assert "✏️ Changed: " in card.text and "Read: 1" in card.text  # reads stay counted
    assert card.button_texts == ["✅ Read", "🕘 Earlier versions"]
    await admin.send(group, "/notice_edit 1\nParking costs 120 yuan a month.")
    assert "nothing changed" in (await group.expect_message()).text
    await admin.send(group, "/notice_edit 1 Parking fees lowered")  # a new title, the same text
    await group.expect_message()
    await tg.until(lambda: card.text.startswith("📢 Notice #1 Parking fees lowered"), what="new title")

    answer = await zhao.press(card, "🕘 Earlier versions")  # has never started the bot
    assert answer.show_alert and "press Start" in answer.text
    assert answer.url == "https://t.me/yishi_test_bot?start=n1"
    await zhao.send(zhao.private, "/start n1")
    sent = await zhao.private.expect_message()
    assert "Earlier versions" in sent.text and "Version 1" in sent.text and "Version 2" in sent.text
    assert "150 yuan" in sent.text and "Version 3" not in sent.text and "Wang Fang" in sent.text
    answer = await li.press(card, "🕘 Earlier versions")
    assert answer.text == "I sent you the earlier versions privately."
    assert "150 yuan" in (await li.private.expect_message()).text
    stranger = tg.user("Someone else", language_code="en")
    await stranger.send(stranger.private, "/start n1")
    assert "no longer valid" in (await stranger.private.expect_message()).text
    texts = [v.text for v in await store.versions(bot.runtime.store, 1)]
    assert texts == ["Parking costs 150 yuan a month.", "Parking costs 120 yuan a month.",
                     "Parking costs 120 yuan a month."]


async def test_conveners_see_who_has_read_by_building(bot, tg, english_group):
    admin, (li, _), group = await english_group(*RESIDENTS)
    await import_registry(admin, group, "building,entrance,unit,area\n" + "\n".join(
        f"{b},1,{u},100" for b in (3, 4) for u in (101, 102, 201)))
    owners = await bind_all(tg, admin, group, ["3-1-101", "3-1-102", "4-1-101"])
    card = await post(admin, group, "/notice Maintenance fund spent on the roof\n36,000 yuan, see the PDF.")
    for reader in (owners["3-1-101"], owners["4-1-101"], li):
        await reader.press(card, "✅ Read")
    await tg.until(lambda: "Read: 3" in card.text, what="three readers")
    await admin.send(group, "/notice 1")
    report = (await group.expect_message()).text
    assert "Read: 3" in report
    assert "building 3: read by 1; bound households: 1 of 2 have read, 1 have not" in report
    assert "building 4: read by 1; bound households: 1 of 1 have read, 0 have not" in report
    assert "not registered): 1" in report
    await admin.send(group, "/notice 7")
    assert "There is no notice 7 here" in (await group.expect_message()).text


async def test_notices_are_listed_newest_first_a_page_at_a_time(bot, tg, english_group):
    admin, (li, _), group = await english_group(*RESIDENTS)
    await li.send(group, "/notices")
    assert "No notices yet" in (await group.expect_message()).text
    card = await post(admin, group, "/notice Fees 2026\nThe new fees.")
    await li.press(card, "✅ Read")
    await admin.send(group, "/notice_edit 1\nThe new fees, corrected.")
    await group.expect_message()
    db, now = bot.runtime.store, bot.runtime.clock.now()
    for number in range(2, 13):  # eleven more, as if posted earlier this year
        notice = await store.draft(db, chat_id=group.id, user_id=admin.id, title=f"Accounts {number}",
                                   text="", thread=None, now=now)
        await store.post(db, notice.id, False, now)
    await li.send(group, "/notices")
    listing = await group.expect_message()
    lines = listing.text.splitlines()
    assert lines[0] == "Notices" and lines[2].startswith("📢 #12 Accounts 12 · ")
    assert "#3 " in listing.text and "#2 " not in listing.text and "Page 1 of 2" in listing.text
    assert listing.button_texts == ["Next ›"]
    await li.press(listing, "Next ›")
    await tg.until(lambda: "Page 2 of 2" in listing.text, what="the second page")
    assert "📢 #1 Fees 2026 · " in listing.text and "✅ 1 · ✏️ changed" in listing.text
    assert listing.button_texts == ["‹ Previous"]


async def test_a_notice_of_the_committee_group_stays_there(bot, tg, compound):
    people, groups = compound
    await _with_committee(people, groups)
    wang, li, main, committee = people["Wang"], people["Li"], groups["main"], groups["committee"]
    card = await post(wang, committee, "/notice Draft accounts for review\nNot for owners yet.")
    assert "Notice #1 Draft accounts for review" in card.text

    await li.send(main, "/notices")
    assert "Draft accounts" not in (await main.expect_message()).text
    await wang.send(main, "/notice 1")
    assert "There is no notice 1 here" in (await main.expect_message()).text
    await wang.send(main, "/notice_edit 1\nLeaked.")
    assert "There is no notice 1 here" in (await main.expect_message()).text
    main_card = await post(wang, main, "/notice Accounts 2026\nFor every owner.")
    assert "Notice #2 Accounts 2026" in main_card.text  # numbered across the community
    await people["Chen"].send(groups["b6"], "/notices")
    listed = (await groups["b6"].expect_message()).text
    assert "#2 Accounts 2026" in listed and "Draft accounts" not in listed
    await wang.send(committee, "/notices")
    assert "Draft accounts" in (await committee.expect_message()).text
