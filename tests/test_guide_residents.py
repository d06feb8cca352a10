"""Ideas and requests written step by step by residents, and the same typed."""

from __future__ import annotations

from datetime import timedelta

from storage import ideas, requests


async def joined(english_group):
    admin, (li,), group = await english_group("Li")
    await li.send(group, "/ideas")  # seen in the group
    await group.expect_message()
    await li.send(li.private, "/start")
    await li.private.expect_message()
    return admin, li, group


async def test_an_anonymous_wish_step_by_step_is_the_one_typed(bot, tg, english_group):
    _admin, li, group = await joined(english_group)
    await li.send(li.private, "/wish")
    ask = await li.private.expect_message()
    assert "What is your idea?" in ask.text  # a wish, one group: nothing else to ask first
    await li.send(li.private, "帮6栋王奶奶取快递")
    signed = await li.private.expect_message()
    await li.press(signed, "Anonymous")
    preview = await li.private.expect_message()
    assert "帮6栋王奶奶取快递" in preview.text and "From: anonymous" in preview.text
    assert "Li" not in preview.text
    await li.press(preview, "✅ Post")
    card = await group.expect_message()
    assert "帮6栋王奶奶取快递" in card.text and card.text in preview.text
    await li.send(li.private, "/wish 帮6栋王奶奶取快递")  # typed: the group and the name are asked
    choose = await li.private.expect_message()
    await li.press(choose, "Cuiyuan owners · anonymous")
    await tg.until(lambda: "A similar idea is already open" in choose.text, what="the similar idea offered")
    await li.press(choose, "Post mine anyway")
    await group.expect_message()
    guided, typed = [await ideas.by_number(bot.runtime.store, group.id, n) for n in (1, 2)]
    assert (guided.kind, guided.text, guided.anonymous, guided.author_id) == (
        typed.kind, typed.text, typed.anonymous, typed.author_id) == ("wish", "帮6栋王奶奶取快递", True, None)


async def test_a_request_step_by_step_is_the_request_typed(bot, tg, english_group):
    _admin, li, group = await joined(english_group)
    await li.send(group, "/report")  # from the group: the dialogue is private
    assert "I wrote to you privately" in (await group.expect_message()).text
    category = await li.private.expect_message()
    await li.press(category, "noise")
    assert "Describe the problem" in (await li.private.expect_message()).text
    await li.send(li.private, "3-2-501 karaoke every night after midnight")
    shown = await li.private.expect_message()
    await li.press(shown, "◀ Back")
    await tg.until(lambda: "Describe the problem" in shown.text, what="the description asked again")
    await li.send(li.private, "3-2-501 loud karaoke every night after midnight")
    await li.press(await li.private.expect_message(), "Tell the group too")
    preview = await li.private.expect_message()
    assert "loud karaoke" in preview.text
    await li.press(preview, "✅ Post")
    assert "Request #1 received" in (await li.private.expect_message()).text
    told = await group.expect_message()
    assert "loud karaoke" in told.text and "Li" not in told.text
    await tg.until(lambda: "Sent to Cuiyuan owners." in preview.text, what="the private confirmation")

    await li.send(li.private, "/report 噪音 3-2-501 loud karaoke every night after midnight")
    await li.press(await li.private.expect_message(), "Submit, and tell the group (without my name)")
    await li.private.expect_message()
    await group.expect_message()
    guided, typed = [await requests.get(bot.runtime.store, n) for n in (1, 2)]
    assert (guided.category, guided.text, guided.public, guided.reporter_id, guided.chat_id) == (
        typed.category, typed.text, typed.public, typed.reporter_id, typed.chat_id)


async def test_a_link_to_a_group_one_is_not_in_starts_nothing(bot, tg, english_group):
    _admin, _li, group = await joined(english_group)
    stranger = tg.user("Stranger", language_code="en")
    await stranger.send(stranger.private, f"/start greport_{group.id}")
    assert (await stranger.private.expect_message()).text == "This link is no longer valid."
    await stranger.send(stranger.private, f"/start gpoll_{group.id}")
    assert "only the conveners" in (await stranger.private.expect_message()).text
    await stranger.send(stranger.private, "anything")
    await stranger.private.expect_no_message()


async def test_a_wish_left_a_day_is_put_away_with_the_way_back(bot, tg, english_group):
    _admin, li, _group = await joined(english_group)
    await li.send(li.private, "/wish")
    await li.private.expect_message()
    await tg.wait_idle()
    bot.clock.advance(timedelta(days=1, minutes=1))
    note = (await li.private.expect_message()).text
    assert "(New idea or wish)" in note and "Send /wish to start again." in note
