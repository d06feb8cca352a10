"""Groups and supergroups: membership of the bot, migration, flood control, chat queries."""

from __future__ import annotations

import asyncio

import pytest

from bot.local.standin import FakeTelegram
from bot.local.standin.spec import ApiSpec
from tests.standin.support import SPEC, Api, needs_spec


def kinds(updates: list[dict]) -> list[str]:
    return [next(key for key in update if key != "update_id") for update in updates]


async def test_kicked_bot_gets_403(tg: FakeTelegram, api: Api) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    group = tg.group("翠苑小区", admins=[alice], members=[bob])
    supergroup = tg.supergroup("Block 7", admins=[bob])
    assert group.id < 0 and supergroup.id < -1000000000000
    error = await api.error("sendMessage", chat_id=group.id, text="hi")
    assert error[:2] == (403, "Forbidden: bot is not a member of the group chat")
    await group.add_bot(by=alice)
    await supergroup.add_bot(by=bob)
    await api.ok("sendMessage", chat_id=group.id, text="hi")
    await group.kick_bot(by=alice)
    await supergroup.kick_bot(by=bob)
    assert group.bot_status == "kicked"
    error = await api.error("sendMessage", chat_id=group.id, text="hi")
    assert error[:2] == (403, "Forbidden: bot was kicked from the group chat")
    error = await api.error("getChat", chat_id=supergroup.id)
    assert error[:2] == (403, "Forbidden: bot was kicked from the supergroup chat")
    assert len(tg.violations) == 2
    updates = await api.updates()
    kicked = [u["my_chat_member"] for u in updates if "my_chat_member" in u][-1]
    assert kicked["old_chat_member"]["status"] == "member"
    assert kicked["new_chat_member"] == {
        "status": "kicked",
        "user": tg.bot.to_dict(),
        "until_date": 0,
    }
    # Being added back works again.
    await group.add_bot(by=alice, as_admin=True)
    await api.ok("sendMessage", chat_id=group.id, text="back")


async def test_migration_to_supergroup(tg: FakeTelegram, api: Api) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    group = tg.group("翠苑小区", admins=[alice], members=[bob])
    await group.add_bot(by=alice, as_admin=True)
    offset = (await api.updates())[-1]["update_id"] + 1
    new = await group.migrate()
    assert new.type == "supergroup" and new.id < -1000000000000
    assert group.migrated_to is new
    assert new.admins == [alice] and new.members == [bob] and new.bot_status == "administrator"
    updates = await api.updates(offset=offset)
    assert [u["message"]["chat"]["id"] for u in updates] == [group.id, new.id]
    assert updates[0]["message"]["migrate_to_chat_id"] == new.id
    assert updates[0]["message"]["from"]["id"] == alice.id
    assert updates[1]["message"]["migrate_from_chat_id"] == group.id
    assert updates[1]["message"]["chat"]["type"] == "supergroup"

    body = await api("sendMessage", chat_id=group.id, text="hello")
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": new.id},
    }
    assert tg.violations == [
        f"sendMessage: Bad Request: group chat was upgraded to a supergroup chat (chat {group.id})"
    ]
    await api.ok("sendMessage", chat_id=new.id, text="hello")
    assert (await new.expect_message()).text == "hello"
    with pytest.raises(ValueError, match="upgraded"):
        await bob.send(group, "/help")


async def test_flood_control_in_groups() -> None:
    async with FakeTelegram(spec_path=SPEC, group_rate=(20, 2.0)) as tg:
        seconds = [0.0]  # flood control counts on this clock, so a slow machine refills nothing
        tg.flood_clock = lambda: seconds[0]
        alice = tg.user("Alice")
        group = tg.group("Busy", admins=[alice])
        await group.add_bot(by=alice)
        await alice.send(alice.private, "/start")
        import httpx

        async with httpx.AsyncClient() as client:
            api = Api(tg, client)
            for n in range(20):
                await api.ok("sendMessage", chat_id=group.id, text=f"#{n}")
            body = await api("sendMessage", chat_id=group.id, text="one too many")
            assert body["error_code"] == 429
            assert body["description"] == "Too Many Requests: retry after 1"
            assert body["parameters"] == {"retry_after": 1}
            # edits are charged too; private chats have their own budget
            sent = group.bot_messages[0]
            edit = await api("editMessageText", chat_id=group.id, message_id=sent.message_id, text="changed")
            assert edit["error_code"] == 429
            await api.ok("sendMessage", chat_id=alice.id, text="private is fine")
            assert tg.rate_limited == 2
            assert len(tg.violations) == 2 and "429" not in tg.violations[0]
            assert tg.violations[0].startswith("sendMessage: Too Many Requests: retry after 1")
            seconds[0] += 0.15  # one token per 0.1 s
            await api.ok("sendMessage", chat_id=group.id, text="after waiting")
        assert len(group.bot_messages) == 21


async def test_default_flood_rate_reports_seconds(tg: FakeTelegram, api: Api) -> None:
    tg.flood_clock = lambda: 0.0  # no time passes: twenty a minute leaves a wait of three seconds
    alice = tg.user("Alice")
    group = tg.supergroup("Busy", admins=[alice])
    await group.add_bot(by=alice)
    for n in range(20):
        await api.ok("sendMessage", chat_id=group.id, text=f"#{n}")
    _, description, parameters = await api.error("sendMessage", chat_id=group.id, text="x")
    assert parameters["retry_after"] == 3
    assert description == "Too Many Requests: retry after 3"


async def test_chat_queries(tg: FakeTelegram, api: Api) -> None:
    alice, bob, carol = tg.user("Alice", last_name="Wang"), tg.user("Bob"), tg.user("Carol")
    group = tg.supergroup("翠苑小区", admins=[alice, bob])
    group.add_member(carol)
    await group.add_bot(by=alice)
    chat = await api.ok("getChat", chat_id=group.id)
    assert chat["id"] == group.id and chat["type"] == "supergroup" and chat["title"] == "翠苑小区"
    assert chat["accent_color_id"] == 0 and "accepted_gift_types" in chat
    admins = await api.ok("getChatAdministrators", chat_id=group.id)
    assert [(a["status"], a["user"]["id"]) for a in admins] == [
        ("creator", alice.id),
        ("administrator", bob.id),
    ]
    assert await api.ok("getChatMemberCount", chat_id=group.id) == 4
    member = await api.ok("getChatMember", chat_id=group.id, user_id=carol.id)
    assert member == {"status": "member", "user": carol.to_dict()}
    error = await api.error("pinChatMessage", chat_id=group.id, message_id=1)
    assert error[1] == "Bad Request: not enough rights to manage pinned messages in the chat"
    await group.promote_bot(by=alice)
    admins = await api.ok("getChatAdministrators", chat_id=group.id)
    assert admins[-1]["user"]["id"] == tg.bot_id and admins[-1]["status"] == "administrator"
    sent = await api.ok("sendMessage", chat_id=group.id, text="Rules")
    await api.ok("pinChatMessage", chat_id=group.id, message_id=sent["message_id"])
    assert (await api.ok("getChat", chat_id=group.id))["pinned_message"]["text"] == "Rules"
    await api.ok("unpinChatMessage", chat_id=group.id)
    await api.ok("leaveChat", chat_id=group.id)
    assert group.bot_status == "left"
    error = await api.error("getChat", chat_id=group.id)
    assert error[:2] == (403, "Forbidden: bot is not a member of the supergroup chat")
    updates = await api.updates()
    left = [u["my_chat_member"] for u in updates if "my_chat_member" in u][-1]
    assert left["new_chat_member"]["status"] == "left"
    assert left["from"]["id"] == tg.bot_id
    assert tg.violations == []


async def test_chat_helpers(tg: FakeTelegram, api: Api) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    group = tg.group("G", admins=[alice])
    await group.add_bot(by=alice)
    await api.updates(offset=-1)
    group.add_member(bob)
    update = (await api.updates(offset=-1))[0]["message"]
    assert update["new_chat_members"] == [bob.to_dict()]
    await api.ok("sendMessage", chat_id=group.id, text="Welcome Bob")
    await api.ok("sendMessage", chat_id=group.id, text="second")
    assert (await group.expect_message()).text == "Welcome Bob"
    assert (await group.expect_message()).text == "second"
    await group.expect_no_message(within=0.05)
    with pytest.raises(AssertionError, match="sent no new message"):
        await group.expect_message(timeout=0.05)
    task = asyncio.create_task(group.expect_no_message(within=0.5))
    await asyncio.sleep(0.05)
    await api.ok("sendMessage", chat_id=group.id, text="surprise")
    with pytest.raises(AssertionError, match="surprise"):
        await task


@needs_spec
async def test_update_objects_match_the_api_description(tg: FakeTelegram, api: Api) -> None:
    assert SPEC is not None
    spec = ApiSpec.load(SPEC)
    alice, bob = tg.user("Alice", username="alice_w"), tg.user("Bob", last_name="Li")
    group = tg.group("翠苑小区", admins=[alice], members=[bob])
    await group.add_bot(by=alice, as_admin=True)
    await alice.send(alice.private, "/start")
    await bob.send(group, "/vote@yishi_test_bot https://example.org")
    await bob.send_document(group, "a.csv", b"1,2", caption="/import")
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    sent = await api.ok(
        "sendMessage",
        chat_id=group.id,
        text="<b>Vote</b>",
        parse_mode="HTML",
        reply_markup=markup,
        reply_parameters={"message_id": 2},
    )
    message = group.bot_messages[-1]
    press = asyncio.create_task(bob.press(message, "OK", timeout=0.3))
    await group.migrate()
    with pytest.raises(TimeoutError):
        await press
    updates = await api.updates()
    assert set(kinds(updates)) == {"my_chat_member", "message", "callback_query"}
    for update in updates:
        assert spec.validate_object("Update", update) == [], update
    assert spec.validate_object("Message", sent) == []
    for method, params, kind in [
        ("getMe", {}, "User"),
        ("getChat", {"chat_id": alice.id}, "ChatFullInfo"),
        ("getChat", {"chat_id": group.migrated_to.id}, "ChatFullInfo"),
        ("getChatMember", {"chat_id": group.migrated_to.id, "user_id": alice.id}, "ChatMember"),
        ("getWebhookInfo", {}, "WebhookInfo"),
        ("getFile", {"file_id": group.messages[-3].document.file_id}, "File"),
    ]:
        result = await api.ok(method, **params)
        assert spec.validate_object(kind, result) == [], (method, result)
    for admin in await api.ok("getChatAdministrators", chat_id=group.migrated_to.id):
        assert spec.validate_object("ChatMember", admin) == []
    assert tg.violations == []
