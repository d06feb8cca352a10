"""Forum supergroups: topics, where messages go, and what Telegram refuses about them."""

from __future__ import annotations

from bot.local.standin import FakeTelegram
from tests.standin.support import Api


async def test_messages_in_topics_carry_their_thread(tg: FakeTelegram, api: Api) -> None:
    alice = tg.user("Alice")
    forum = tg.forum("翠苑小区", admins=[alice])
    await forum.add_bot(by=alice)
    lifts = await forum.create_topic("电梯", by=alice)
    await alice.send(lifts, "/help")
    await alice.send(forum, "/help")
    updates = [u["message"] for u in await api.updates() if "message" in u]
    opened, in_topic, in_general = updates[-3:]
    assert opened["forum_topic_created"]["name"] == "电梯"
    assert opened["chat"]["is_forum"] is True
    assert opened["message_thread_id"] == opened["message_id"] == lifts.thread_id
    assert in_topic["message_thread_id"] == lifts.thread_id and in_topic["is_topic_message"] is True
    assert in_topic["reply_to_message"]["message_id"] == lifts.thread_id  # as Telegram does
    assert "message_thread_id" not in in_general and "reply_to_message" not in in_general

    sent = await api.ok("sendMessage", chat_id=forum.id, text="在话题里", message_thread_id=lifts.thread_id)
    assert sent["message_thread_id"] == lifts.thread_id and sent["is_topic_message"] is True
    reply = await api.ok("sendMessage", chat_id=forum.id, text="回复",
                         reply_parameters={"message_id": in_topic["message_id"]})
    assert reply["message_thread_id"] == lifts.thread_id  # a reply goes where its message is
    await api.ok("sendMessage", chat_id=forum.id, text="大家好")
    assert [m.text for m in lifts.bot_messages] == ["在话题里", "回复"]
    assert [m.text for m in forum.general] == ["大家好"]
    assert tg.violations == []


async def test_what_telegram_refuses_about_topics(tg: FakeTelegram, api: Api) -> None:
    alice = tg.user("Alice")
    forum = tg.forum("翠苑小区", admins=[alice])
    group = tg.supergroup("六号楼", admins=[alice])
    for chat in (forum, group):
        await chat.add_bot(by=alice)
    lifts = await forum.create_topic("电梯", by=alice)
    parking = await forum.create_topic("停车", by=alice)
    await alice.send(parking, "车位怎么分？")
    question = forum.messages[-1]

    error = await api.error("sendMessage", chat_id=forum.id, text="x", message_thread_id=lifts.thread_id,
                            reply_parameters={"message_id": question.message_id})
    assert error[:2] == (400, "Bad Request: message to be replied not found")  # not in that topic
    await lifts.close(by=alice)
    error = await api.error("sendMessage", chat_id=forum.id, text="x", message_thread_id=lifts.thread_id)
    assert error[:2] == (400, "Bad Request: TOPIC_CLOSED")
    await lifts.reopen(by=alice)
    await api.ok("sendMessage", chat_id=forum.id, text="x", message_thread_id=lifts.thread_id)
    await parking.delete()
    error = await api.error("sendDocument", chat_id=forum.id, message_thread_id=parking.thread_id,
                            document="https://example.org/a.pdf")
    assert error[:2] == (400, "Bad Request: message thread not found")
    assert tg.violations == []  # the bot could not have known the topic was gone

    error = await api.error("sendMessage", chat_id=group.id, text="x", message_thread_id=5)
    assert error[:2] == (400, "Bad Request: message thread not found")
    assert len(tg.violations) == 1  # naming a topic in a group that has none is the bot's mistake
