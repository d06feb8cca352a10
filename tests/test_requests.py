"""Resident requests (诉求), end to end: reported privately, assigned, handled, rated, counted."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from storage import drafts

WATER = ("The property company raised the water price by 0.4 yuan per ton without approval "
         "(物业擅自将每吨水费提高0.4元)")
RESOLUTION = "Overcharge refunded in full; all fees now posted on the notice board"


async def started(english_group):
    admin, (manager, grid, li, zhao), group = await english_group("Chen", "Gao", "Li", "Zhao")
    for user, role in ((manager, "property_manager"), (grid, "grid_worker")):
        said = await user.send(group, "/roles")
        await group.expect_message()
        await admin.send(group, f"/grant {role}", reply_to=said)
        assert "Chen" in (await group.expect_message()).text or role == "grid_worker"
    for user in (admin, manager, grid, li, zhao):
        await user.send(user.private, "/start")
        await user.private.expect_message()
    for user in (li, zhao):  # seen in the group, so the bot knows their community
        await user.send(group, "/targets")
        await group.expect_message()
    return admin, manager, grid, li, zhao, group


async def report(li, text=WATER, category="物业费", photo=None, public=False):
    await li.send(li.private, f"/report {category} {text}")
    draft = await li.private.expect_message()
    assert text in draft.text and "Cuiyuan owners" in draft.text
    if photo:
        await li.send_photo(li.private, photo)
        assert "Photo attached" in (await li.private.expect_message()).text
    label = "Submit, and tell the group (without my name)" if public else "Submit privately"
    await li.press(draft, label)
    done = await li.private.expect_message()
    assert "received" in done.text
    return int(done.text.split("#")[1].split(" ")[0].rstrip("."))


async def test_the_water_fee_request_is_reported_assigned_resolved_rated_and_counted(bot, tg, english_group):
    admin, manager, _, li, zhao, group = await started(english_group)
    before = bot.clock.now()
    number = await report(li, photo=b"\xff\xd8\xff\xe0 water bill")
    reported_at = bot.clock.now()
    assert number == 1

    await admin.send(group, "/assign 1 物业")
    told = await group.expect_message()
    assert told.text == "Request #1 assigned to Chen (property manager)."
    picture = await manager.private.expect_message()
    assert picture.photo is not None and picture.photo.data == b"\xff\xd8\xff\xe0 water bill"
    notice = await manager.private.expect_message()
    assert "Request #1 was assigned to you." in notice.text
    assert WATER in notice.text and "Reported by Li" in notice.text and "fees" in notice.text
    assert all(WATER not in m.text and "Li" not in (m.text or "") for m in group.bot_messages[-1:])

    bot.clock.advance(timedelta(hours=2))
    await manager.press(notice, "Accept")
    assert (await manager.private.expect_message()).text == "Request #1 accepted."
    assert "taken on" in (await li.private.expect_message()).text

    bot.clock.advance(timedelta(days=1))
    await manager.send(manager.private, f"/request 1 resolve {RESOLUTION}")
    assert (await manager.private.expect_message()).text == "Request #1 resolved."
    resolved_at = bot.clock.now()
    result = await li.private.expect_message()
    assert RESOLUTION in result.text and "reopen" in result.text
    assert "Chen" in result.text and "Reported by" not in result.text

    answer = await li.press(result, "⭐⭐⭐⭐⭐")
    assert not answer.show_alert
    thanks = await li.private.expect_message()
    assert thanks.text == "Thank you: request #1 is closed with your rating of 5."
    assert "confirmed by the resident" in (await manager.private.expect_message()).text
    again = await li.press(result, data="rq:r:1:5")  # a second press changes nothing
    assert again.show_alert and "closed" in again.text

    month = reported_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    await zhao.send(group, f"/figures {month}")
    figures = (await group.expect_message()).text
    t = Translator("en", ZoneInfo("Asia/Shanghai"))
    low = round((resolved_at - reported_at).total_seconds() / 3600, 1)
    high = round((bot.clock.now() - before).total_seconds() / 3600, 1)
    assert "Received: 1" in figures
    assert "Response rate: 100% (1 of 1 accepted within the target)" in figures
    assert "Resolution rate: 100% (1 of 1 resolved within the target)" in figures
    assert "Satisfaction: 100% (1 of 1 ratings were 4 or 5)" in figures
    assert any(f"Median time to resolve: {t.number(h)} hours" in figures for h in {low, high})
    assert low == 26.0
    assert "Li" not in figures and WATER not in figures


async def test_an_overdue_request_reminds_its_assignee_and_shows_on_the_conveners_list(
        bot, tg, english_group):
    admin, _, grid, li, _, group = await started(english_group)
    await report(li, "The gate light of building 3 is broken", category="维修")
    await admin.send(group, "/assign 1 网格员")
    assert "assigned to Gao (grid worker)" in (await group.expect_message()).text
    assert "assigned to you" in (await grid.private.expect_message()).text
    await tg.wait_idle()
    bot.clock.advance(timedelta(hours=24, minutes=1))  # repairs: respond within 24 hours
    reminder = await grid.private.expect_message()
    assert "Reminder: request #1 is overdue. Please accept it." in reminder.text
    await admin.send(group, "/requests")
    assert (await group.expect_message()).text == "I sent you the list privately."
    listing = (await admin.private.expect_message()).text
    assert "#1 repairs · reported" in listing and "overdue: response" in listing
    assert "by Li" in listing and "handled by Gao" in listing
    await group.expect_no_message()  # the assignee was told privately: nothing in the group


async def test_a_request_reported_in_the_group_moves_to_private_chat(bot, tg, english_group):
    _, _, _, li, zhao, group = await started(english_group)
    secret = "Loud karaoke in 3-2-501 every night after midnight"
    await li.send(group, f"/report 噪音 {secret}")
    moved = await group.expect_message()
    assert secret not in moved.text and "Li" not in moved.text
    link = moved.buttons[0][0].url
    assert link.endswith(f"?start=q{group.id}")
    await li.send(li.private, f"/start q{group.id}")
    draft = await li.private.expect_message()
    assert secret in draft.text
    await li.press(draft, "Submit privately")
    assert "Request #1 received" in (await li.private.expect_message()).text
    await group.expect_no_message()
    assert all(secret not in (m.text or "") for m in group.bot_messages)
    await zhao.send(group, "/request 1")
    assert "is not public" in (await group.expect_message()).text


async def test_the_reporters_name_is_never_shown_to_other_residents(bot, tg, english_group):
    admin, manager, _, li, zhao, group = await started(english_group)
    await report(li, "The lawn by building 5 has not been mowed for two months", category="綠化",
                 public=True)
    notice = await group.expect_message()
    assert "mowed" in notice.text and "Li" not in notice.text and "greenery" in notice.text
    await zhao.send(group, "/request 1")
    shown = (await group.expect_message()).text
    assert "mowed" in shown and "Li" not in shown
    await zhao.send(group, "/requests")
    listed = (await group.expect_message()).text
    assert "#1 greenery" in listed and "Li" not in listed
    await zhao.send(zhao.private, "/request 1")
    assert "There is no request 1" in (await zhao.private.expect_message()).text
    await zhao.send(zhao.private, "/requests")
    mine = (await zhao.private.expect_message()).text
    assert "mowed" not in mine and "Li" not in mine
    await admin.send(admin.private, "/request 1")
    assert "Reported by Li" in (await admin.private.expect_message()).text
    await admin.send(group, "/assign 1 property")
    await group.expect_message()
    await manager.send(manager.private, "/request 1 accept")
    await manager.send(manager.private, "/request 1 resolve Mowed on Saturday")
    resolved = await group.expect_message()  # the group saw it reported, so it sees it resolved
    assert "Mowed on Saturday" in resolved.text and "Li" not in resolved.text


async def test_reopening_with_a_reason_and_an_unconfirmed_resolution_closes_itself(bot, tg, english_group):
    admin, manager, _, li, _, group = await started(english_group)
    await admin.send(group, "/targets confirm 3")
    assert "closes itself after 3 days" in (await group.expect_message()).text
    await report(li)
    await admin.send(group, "/assign 1 property")
    await group.expect_message()
    await manager.private.expect_message()
    await manager.send(manager.private, "/request 1 受理")
    assert (await manager.private.expect_message()).text == "Request #1 accepted."
    await manager.send(manager.private, "/request 1 resolve Refunded")
    await manager.private.expect_message()
    assert "taken on" in (await li.private.expect_message()).text
    assert "Refunded" in (await li.private.expect_message()).text
    await li.send(li.private, "/request 1 reopen")
    assert "Say why it is not solved" in (await li.private.expect_message()).text
    await li.send(li.private, "/request 1 reopen The bill still shows the old price")
    assert (await li.private.expect_message()).text == "Request #1 reopened."
    told = await manager.private.expect_message()
    assert "reopened by the resident:" in told.text and "still shows the old price" in told.text
    await manager.send(manager.private, "/request 1 办结 Corrected the bill as well")
    assert (await manager.private.expect_message()).text == "Request #1 resolved."
    await li.private.expect_message()
    await tg.wait_idle()
    bot.clock.advance(timedelta(days=3, minutes=1))
    closed = await li.private.expect_message()
    assert "Request #1 was closed, as its resolution was not confirmed" in closed.text
    await li.send(li.private, "/request 1")
    shown = (await li.private.expect_message()).text
    assert "closed" in shown and "Rated" not in shown
    await li.private.expect_no_message()  # the first resolution's timer found nothing to close


async def test_bad_input_is_refused_and_changes_nothing(bot, tg, english_group):
    admin, manager, _, li, zhao, group = await started(english_group)

    async def says(user, text, chat=None):
        chat = chat or user.private
        await user.send(chat, text)
        return (await chat.expect_message()).text

    assert "What is it about?" in await says(li, "/report")  # alone: asked step by step
    assert li.private.bot_messages[-1].button_texts == [
        "repairs", "fees", "parking", "noise", "safety", "greenery", "other", "◀ Back", "✖ Cancel"]
    assert "What is it about?" in await says(li, "/report 水电 The meter is wrong")  # no category: asked
    assert "Describe the problem" in await says(li, "/report 维修")
    assert "at most 1000 characters; yours has 1001" in await says(li, "/report 维修 " + "x" * 1001)
    await drafts.pop(bot.runtime.store, li.id, drafts.REQUEST)  # start again, as from a clean slate

    await report(li, "The pump room door is open", category="安全")
    assert "Sorry, only the conveners" in await says(zhao, "/assign 1 物业", group)
    assert "Sorry, you may not do that with request #1." in await says(zhao, "/request 1 accept")
    assert "Sorry, you may not do that" in await says(li, "/request 1 accept")  # the reporter
    assert "Usage: /assign" in await says(admin, "/assign 1 楼长", group)
    assert "There is no request 99" in await says(admin, "/assign 99 物业", group)
    huge = "99999999999999999999999"
    assert f"There is no request {huge}" in await says(li, f"/request {huge}")
    assert f"There is no request {huge}" in await says(admin, f"/escalate {huge} 市场监管局", group)
    assert "There is no request ²" in await says(li, "/request ²")
    await admin.send(group, "/assign 1 物业")
    await group.expect_message()
    notice = await manager.private.expect_message()
    assert notice.button_texts == ["Accept"]
    assert "is reported: that is not possible now" in await says(manager, "/request 1 resolve Done")
    assert "I do not know close" in await says(manager, "/request 1 close")

    own = await says(zhao, "/requests")
    assert "You have not reported anything yet" in own
    zhao_message = zhao.private.bot_messages[-1]
    for data in ("rq:a:1", "rq:a:999", "rq:r:1:5", "rq:s:1", "rq:c:-4001", "rq:x:1"):
        answer = await zhao.press(zhao_message, data=data)
        assert answer.show_alert and answer.text == "This button is no longer valid.", data

    await manager.press(notice, "Accept")
    await manager.private.expect_message()
    await manager.send(manager.private, "/request 1 resolve Locked")
    await manager.private.expect_message()
    assert "taken on" in (await li.private.expect_message()).text
    result = await li.private.expect_message()
    assert "Locked" in result.text
    assert "rating is a whole number from 1 to 5" in await says(li, "/request 1 rate 7")
    bad = await li.press(result, data="rq:r:1:9")
    assert bad.show_alert and "rating is a whole number from 1 to 5" in bad.text
    assert "A note can be at most 500" in await says(li, "/request 1 reopen " + "y" * 501)
    shown = await says(li, "/request 1")
    assert "resolved" in shown and "Rated" not in shown

    for n in range(4):  # five an hour
        await report(li, f"Problem number {n + 2}", category="其他")
    assert "at most 5 requests an hour" in await says(li, "/report 其他 One too many")
    bot.clock.advance(timedelta(hours=1, minutes=1))
    await li.send(li.private, "/report 其他 Allowed again")
    assert "Allowed again" in (await li.private.expect_message()).text

    assert "Usage: /targets" in await says(admin, "/targets 维修 3d 24h", group)
    assert "only the conveners" in await says(zhao, "/targets 维修 12h 2d", group)
    changed = await says(admin, "/targets 維修 12小时 2天", group)
    assert "repairs: respond within 12 hours, resolve within 2 days" in changed
    assert "Usage: /figures" in await says(zhao, "/figures 2026-13", group)
    assert "Say which department" in await says(admin, "/escalate 1", group)
    assert "only the conveners" in await says(zhao, "/escalate 1 Call the city", group)
    escalated = await says(admin, "/escalate 1 市场监管局: pump room safety", group)
    assert "escalated (吹哨)" in escalated
    await admin.send(group, "/requests")
    await group.expect_message()
    listing = (await admin.private.expect_message()).text
    assert listing.index("Escalated to government departments") < listing.index("#1 safety")


async def test_a_report_half_written_survives_a_restart(bot, tg, english_group):
    _, _, _, li, _, _ = await started(english_group)
    await li.send(li.private, f"/report 物业费 {WATER}")
    draft = await li.private.expect_message()
    await li.send_photo(li.private, b"\xff\xd8 receipt")
    assert "Photo attached" in (await li.private.expect_message()).text
    await bot.restart()
    await li.press(draft, "Submit privately")
    assert "Request #1 received" in (await li.private.expect_message()).text
    await li.send(li.private, "/request 1")
    assert (await li.private.expect_message()).photo is not None  # the photo stayed with the draft
    assert WATER in (await li.private.expect_message()).text


async def test_a_resident_who_never_wrote_in_the_group_reports_privately_choosing_by_buttons(
        bot, tg, english_group):
    _, (sun, zhou), _ = await english_group("Sun", "Zhou")
    stranger = tg.user("Stranger", language_code="en")
    for user in (sun, zhou, stranger):
        await user.send(user.private, "/start")
        await user.private.expect_message()
    await stranger.send(stranger.private, "/report 维修 The lift is broken")
    assert "You are not in any group I serve" in (await stranger.private.expect_message()).text

    await sun.send(sun.private, "/report")  # Sun is in the group but has never written there
    ask = await sun.private.expect_message()
    assert "What is it about?" in ask.text
    await sun.press(ask, "repairs")
    assert "Describe the problem in one message" in (await sun.private.expect_message()).text
    await sun.send(sun.private, "The lift of building 6 stops between floors since Monday")
    await sun.press(await sun.private.expect_message(), "Privately")
    draft = await sun.private.expect_message()
    assert "The lift of building 6 stops between floors" in draft.text and "Cuiyuan owners" in draft.text
    await sun.press(draft, "✅ Post")
    assert "Request #1 received" in (await sun.private.expect_message()).text
    await sun.send(sun.private, "Thanks!")  # no request being written: nothing to answer
    await sun.private.expect_no_message(within=0.3)
    assert sun.private.bot_messages[-1].text.startswith("Request #1 received")

    await zhou.send(zhou.private, "/idea 东门加装自行车棚")  # an idea, from someone never seen in the group
    choose = await zhou.private.expect_message()
    assert choose.button_texts == ["Cuiyuan owners · with my name", "Cuiyuan owners · anonymous"]
