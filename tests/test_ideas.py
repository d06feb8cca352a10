"""Golden ideas and micro-wishes, played by residents and a convener against the stand-in."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.ideas import next_weekly

RESIDENTS = ("Li Qiang", "Zhao Min", "Sun Yue", "Zhou")


async def seen_in_group(person, group):
    """Privacy mode: the bot learns who is in the group when they use a command there."""
    await person.send(group, "/ideas")
    await group.expect_message()


async def submit(person, group, text):
    await person.send(group, text)
    return await group.expect_message()


async def test_an_anonymous_idea_is_endorsed_and_put_to_the_vote_without_revealing_its_author(
        bot, tg, english_group):
    admin, (li, zhao, sun, zhou), group = await english_group(*RESIDENTS)
    await seen_in_group(li, group)
    await li.send(li.private, "/idea Replace the cold stone seats in the pavilion with wooden ones")
    choose = await li.private.expect_message()
    assert "Which group" in choose.text
    assert choose.button_texts == ["Cuiyuan owners · with my name", "Cuiyuan owners · anonymous"]
    await li.press(choose, "Cuiyuan owners · anonymous")
    card = await group.expect_message()
    assert "Golden idea #1" in card.text and "wooden ones" in card.text
    assert "From: anonymous" in card.text and "Li" not in card.text
    assert "0 endorsements" in card.text and "Status: new" in card.text
    await tg.until(lambda: "Posted as #1" in (choose.text or ""), what="the private confirmation")

    for resident in (zhao, sun, zhou):
        assert (await resident.press(card, data="id:e:1")).text == "You endorse #1."
    await tg.until(lambda: "3 endorsements" in card.text, what="three endorsements on the card")
    assert card.button_texts[0] == "👍 Endorse · 3"
    assert (await zhou.press(card, data="id:e:1")).text == "Endorsement taken back."
    await tg.until(lambda: "2 endorsements" in card.text, what="the toggle back")
    await zhou.press(card, data="id:e:1")
    await tg.until(lambda: "3 endorsements" in card.text, what="three again")
    tg.deliver_again("callback_query")  # the same press delivered twice does not toggle it back
    await tg.wait_idle(quiet=0.5)
    assert "3 endorsements" in card.text

    refused = await zhao.press(card, "⚙️ Manage")
    assert refused.show_alert and "only the conveners" in refused.text
    await admin.press(card, "⚙️ Manage")
    manage = await group.expect_message()
    assert "Idea #1: what next?" in manage.text
    await admin.press(manage, "🗳 Put to the vote")
    proposal = await group.expect_message()
    assert "Proposal #1" in proposal.text and "wooden ones" in proposal.text
    assert "From idea #1, endorsed by 3." in proposal.text
    assert proposal.button_texts == ["Agree · 0", "Disagree · 0", "Abstain · 0"]
    changed = await group.expect_message()
    assert "Now: under discussion" in changed.text
    await tg.until(lambda: "Status: under discussion" in card.text, what="the card's new state")

    await admin.send(group, "/ideas")
    listing = await group.expect_message()
    await admin.send(group, "/digest")
    digest = await group.expect_message()
    assert "#1" in listing.text and "#1" in digest.text and "wooden ones" in digest.text
    for message in (card, manage, proposal, changed, listing, digest):
        assert "Li" not in message.text, message.text
    await li.private.expect_no_message(within=0.3)  # an anonymous author is not written to


async def test_a_similar_idea_is_offered_for_endorsement_instead(bot, tg, english_group):
    _, (li, zhao, sun, _), group = await english_group(*RESIDENTS)
    first = await submit(li, group, "/idea 小区东门加装自行车棚")
    assert "From: Li Qiang" in first.text
    prompt = await submit(zhao, group, "/idea 东门建一个自行车棚吧")
    assert "A similar idea is already open" in prompt.text and "#1" in prompt.text
    assert prompt.button_texts == ["👍 Endorse #1 instead", "Post mine anyway"]
    other = await sun.press(prompt, "Post mine anyway")
    assert other.show_alert and other.text == "This button is no longer valid."
    assert (await zhao.press(prompt, "👍 Endorse #1 instead")).text is None
    await tg.until(lambda: "You endorsed #1 instead." in prompt.text, what="the prompt answered")
    await tg.until(lambda: "1 endorsement" in first.text, what="the endorsement on #1")
    await group.expect_no_message(within=0.3)  # no second card

    prompt = await submit(sun, group, "/wish 东门加装自行车棚，顺便装个灯")
    assert "A similar idea is already open" in prompt.text
    await sun.press(prompt, "Post mine anyway")
    card = await group.expect_message()
    assert "Micro-wish #2" in card.text and "From: Sun Yue" in card.text
    await tg.until(lambda: "Posted as #2" in prompt.text, what="the prompt answered")
    prompt = await submit(li, group, "/idea 東門加裝自行車棚")  # the same idea, in Traditional script
    assert "A similar idea is already open" in prompt.text
    await li.press(prompt, "Post mine anyway")
    await group.expect_message()
    unrelated = await submit(li, group, "/idea 6号楼更换新水表")
    assert "Golden idea #4" in unrelated.text  # different topic: posted straight away


async def test_declining_needs_a_reason_and_the_named_author_is_told(bot, tg, english_group):
    admin, (li, zhao, *_), group = await english_group(*RESIDENTS)
    await li.send(li.private, "/start")
    await li.private.expect_message()
    card = await submit(li, group, "/idea Build a second parking garage")
    await admin.send(group, "/idea_state 1 declined")
    assert "Declining needs a reason" in (await group.expect_message()).text
    await zhao.send(group, "/idea_state 1 declined too expensive")
    assert "only the conveners" in (await group.expect_message()).text
    await admin.send(group, "/idea_state 1 done")
    assert "An idea that is new cannot become done." in (await group.expect_message()).text
    assert "Status: new" in card.text
    await li.private.expect_no_message(within=0.3)

    await admin.send(group, "/idea_state 1 declined 预算不足，明年再议")
    changed = await group.expect_message()
    assert "Now: declined" in changed.text and "预算不足，明年再议" in changed.text
    told = await li.private.expect_message()
    assert "News of your idea in Cuiyuan owners" in told.text and "预算不足" in told.text
    await tg.until(lambda: "Status: declined" in card.text and card.buttons == [],
                   what="the card closed")
    late = await zhao.press(card, data="id:e:1")
    assert late.show_alert and "closed" in late.text


async def test_merging_carries_endorsements_and_forged_presses_change_nothing(bot, tg, english_group):
    admin, (li, zhao, sun, zhou), group = await english_group(*RESIDENTS)
    other = tg.group("Another compound", admins=[admin], members=[li])
    await other.add_bot(by=admin)
    await other.expect_message()
    first = await submit(li, group, "/idea Plant more trees along the fence")
    second = await submit(zhao, group, "/wish New water meters for building 6")
    elsewhere = await submit(li, other, "/idea Paint the gate")
    await sun.press(first, data="id:e:1")
    await sun.press(second, data="id:e:2")
    await zhou.press(second, data="id:e:2")
    for message, data in ((elsewhere, "id:e:1"), (first, "id:e:99"), (first, "id:e:x"),
                          (first, "id:e:2"), (first, "id:s:3:accepted"), (first, "id:l:bogus:-:0"),
                          (first, "id:pc:1:1:1"), (first, "id:dp:77")):
        answer = await li.press(message, data=data)
        assert answer.show_alert and answer.text == "This button is no longer valid.", data
    await admin.send(group, "/idea_state 2 merged 2")
    assert "cannot be merged into itself" in (await group.expect_message()).text
    await admin.send(group, "/idea_state 2 merged 1")
    assert "Now: merged → #1" in (await group.expect_message()).text
    await tg.until(lambda: "2 endorsements" in first.text, what="sun counted once, zhou carried")
    assert "Merged into #1" in second.text and second.buttons == []
    stale = await zhou.press(second, data="id:e:2")
    assert stale.show_alert and "merged into #1" in stale.text
    await admin.send(group, "/idea_state 2 accepted")
    assert "cannot become accepted" in (await group.expect_message()).text


async def test_bad_input_and_the_hourly_limit(bot, tg, english_group):
    _, (li, *_), group = await english_group(*RESIDENTS)
    await li.send(group, "/idea")  # alone: asked step by step, privately
    assert "I will ask you step by step in a private chat" in (await group.expect_message()).text
    await li.send(group, "/idea " + "长" * 501)
    assert "at most 500 characters; this one has 501" in (await group.expect_message()).text
    topics = ["路灯", "快递柜", "健身器材", "垃圾分类亭", "儿童滑梯"]
    for number, topic in enumerate(topics, 1):
        assert f"#{number}" in (await submit(li, group, f"/idea 增设{topic}")).text
    await li.send(group, "/idea 增设充电桩")
    assert "at most 5 ideas an hour" in (await group.expect_message()).text
    bot.clock.advance(timedelta(hours=1, minutes=1))
    assert "#6" in (await submit(li, group, "/idea 增设充电桩")).text


async def test_lists_filter_by_state_and_kind_and_page_with_buttons(bot, tg, english_group):
    admin, (li, zhao, sun, zhou), group = await english_group(*RESIDENTS)
    topics = ["路灯", "快递柜", "健身器材", "垃圾分类亭", "儿童滑梯", "充电桩", "长椅", "雨棚", "花坛",
              "监控"]
    for i, topic in enumerate(topics):
        await submit([li, zhao, sun, zhou][i % 4], group, f"/{'wish' if i % 3 == 0 else 'idea'} 增设{topic}")
    await zhou.press(group.bot_messages[-1], data="id:e:10")
    await admin.send(group, "/idea_state 2 accepted")
    await group.expect_message()
    await li.send(group, "/ideas")
    listing = await group.expect_message()
    assert listing.text.splitlines()[1].startswith("#10 ")  # the endorsed one first
    assert "Page 1 of 2" in listing.text and listing.button_texts == ["Next ›"]
    await li.press(listing, "Next ›")
    await tg.until(lambda: "Page 2 of 2" in listing.text, what="the second page")
    assert listing.button_texts == ["‹ Previous"]
    await li.send(group, "/ideas 已采纳")
    accepted = await group.expect_message()
    assert "#2 " in accepted.text and "#1 " not in accepted.text
    await li.send(group, "/ideas 微心愿")
    wishes = await group.expect_message()
    assert {"#1 ", "#4 ", "#7 ", "#10 "} <= {line.split("🌱")[0] for line in wishes.text.splitlines()}
    assert "#2 " not in wishes.text


async def test_the_weekly_digest_fires_once_after_a_restart(bot, tg, english_group):
    admin, (li, zhao, *_), group = await english_group(*RESIDENTS)
    card = await submit(li, group, "/idea Benches for the back hill")
    await zhao.press(card, data="id:e:1")
    await submit(zhao, group, "/wish A ramp at entrance 2")
    await admin.send(group, "/idea_state 1 accepted")
    await group.expect_message()
    await tg.wait_idle(quiet=0.3)
    await bot.stop()
    now = bot.clock.now().astimezone(ZoneInfo("Asia/Shanghai"))
    sunday = next_weekly(now, 6, datetime.min.time().replace(hour=20))
    bot.clock.advance(sunday - now + timedelta(minutes=30))  # within the hour of grace
    await bot.start()
    digest = await group.expect_message()
    assert "Ideas this week" in digest.text
    assert "Benches for the back hill" in digest.text and "A ramp at entrance 2" in digest.text
    assert "new → accepted" in digest.text and "1. #1" in digest.text
    await group.expect_no_message(within=1.0)


async def test_conveners_set_the_digest_day_and_put_ideas_on_the_agenda(bot, tg, english_group):
    admin, (li, *_), group = await english_group(*RESIDENTS)
    await li.send(group, "/digest 周五 19:30")
    assert "only the conveners" in (await group.expect_message()).text
    await admin.send(group, "/digest someday")
    assert "Usage: /digest" in (await group.expect_message()).text
    await admin.send(group, "/digest 周五 19:30")
    assert "every Friday at 19:30" in (await group.expect_message()).text
    card = await submit(li, group, "/idea Stone seats in the pavilion")
    await admin.send(group, "/idea_agenda 1")
    assert "on the agenda of the next meeting" in (await group.expect_message()).text
    assert "Now: under discussion" in (await group.expect_message()).text
    await admin.send(group, "/idea_agenda 1")
    assert "on the agenda already" in (await group.expect_message()).text
    from storage import ideas as store
    assert [i.number for i in await store.agenda(bot.runtime.store, group.id)] == [1]
    now = bot.clock.now().astimezone(ZoneInfo("Asia/Shanghai"))
    friday = next_weekly(now, 4, datetime.min.time().replace(hour=19, minute=30))
    bot.clock.advance(friday - now + timedelta(minutes=1))
    digest = await group.expect_message()
    assert "Ideas this week" in digest.text and "new → under discussion" in digest.text
    assert "Status: under discussion" in card.text
