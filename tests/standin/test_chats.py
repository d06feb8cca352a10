"""Groups and supergroups: membership of the bot, migration, flood control, chat queries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
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


@pytest.fixture
async def strict() -> AsyncIterator[tuple[FakeTelegram, Api]]:
    """The stand-in with its default flood windows, and a client."""
    async with FakeTelegram(spec_path=SPEC) as tg, httpx.AsyncClient() as client:
        yield tg, Api(tg, client)


class HeldClock:
    """The clock flood control counts on, moved only by the test, so a slow machine changes nothing."""

    def __init__(self, tg: FakeTelegram) -> None:
        self.now = 0.0
        tg.flood_clock = lambda: self.now


async def test_group_window_slides(strict: tuple[FakeTelegram, Api]) -> None:
    """Twenty a minute into one group, counted over the last sixty seconds: no burst refills."""
    tg, api = strict
    clock = HeldClock(tg)
    alice = tg.user("Alice")
    group = tg.supergroup("Busy", admins=[alice])
    await group.add_bot(by=alice)

    async def send(text: str) -> dict:
        return await api("sendMessage", chat_id=group.id, text=text)

    for n in range(20):
        assert (await send(f"#{n}"))["ok"]
    clock.now = 30.0
    body = await send("one too many")
    assert body["error_code"] == 429
    assert body["description"] == "Too Many Requests: retry after 30"
    assert body["parameters"] == {"retry_after": 30}
    # edits are charged too
    first = group.bot_messages[0]
    edit = await api("editMessageText", chat_id=group.id, message_id=first.message_id, text="changed")
    assert edit["parameters"] == {"retry_after": 30}
    clock.now = 59.5
    assert (await send("still too early"))["parameters"] == {"retry_after": 1}
    assert tg.rate_limited == 3
    assert len(tg.violations) == 3
    assert tg.violations[0] == f"sendMessage: Too Many Requests: retry after 30 (chat {group.id})"
    # at sixty seconds the first twenty leave; the refused sends took no place
    clock.now = 60.0
    for n in range(20):
        assert (await send(f"again #{n}"))["ok"]
    assert (await send("21st"))["parameters"] == {"retry_after": 60}
    # a burst after 59 s of quiet: a bucket would have refilled, the window still holds twenty
    clock.now = 119.0
    assert (await send("burst"))["parameters"] == {"retry_after": 1}
    clock.now = 120.0
    assert (await send("a minute later"))["ok"]
    assert len(group.bot_messages) == 41
    assert tg.rate_limited == 5


async def test_group_window_counts_each_send_for_a_minute(strict: tuple[FakeTelegram, Api]) -> None:
    """Sends spread over the minute leave the window one by one, each sixty seconds after it came."""
    tg, api = strict
    clock = HeldClock(tg)
    alice = tg.user("Alice")
    group = tg.group("Spread", admins=[alice])
    await group.add_bot(by=alice)
    for n in range(20):
        clock.now = 3.0 * n  # one every three seconds: 0, 3, ..., 57
        await api.ok("sendMessage", chat_id=group.id, text=f"#{n}")
    clock.now = 58.0
    assert (await api.error("sendMessage", chat_id=group.id, text="x"))[2] == {"retry_after": 2}
    clock.now = 60.0  # the send at 0 left; the one at 3 has not
    await api.ok("sendMessage", chat_id=group.id, text="in place of #0")
    assert (await api.error("sendMessage", chat_id=group.id, text="x"))[2] == {"retry_after": 3}
    clock.now = 63.0
    await api.ok("sendMessage", chat_id=group.id, text="in place of #1")


async def test_private_chat_window(strict: tuple[FakeTelegram, Api]) -> None:
    """One message a second into one private chat; each private chat has its own window."""
    tg, api = strict
    clock = HeldClock(tg)
    alice, bob = tg.user("Alice"), tg.user("Bob")
    for person in (alice, bob):
        await person.send(person.private, "/start")
    await api.ok("sendMessage", chat_id=alice.id, text="hello")
    clock.now = 0.5
    error = await api.error("sendMessage", chat_id=alice.id, text="too soon")
    assert error == (429, "Too Many Requests: retry after 1", {"retry_after": 1})
    sent = alice.private.bot_messages[0]
    error = await api.error("editMessageText", chat_id=alice.id, message_id=sent.message_id, text="edit")
    assert error[0] == 429
    await api.ok("sendMessage", chat_id=bob.id, text="Bob has his own window")
    clock.now = 0.999
    assert (await api.error("sendMessage", chat_id=alice.id, text="still too soon"))[0] == 429
    clock.now = 1.0
    await api.ok("editMessageText", chat_id=alice.id, message_id=sent.message_id, text="edited")
    assert tg.rate_limited == 3


async def test_overall_window(strict: tuple[FakeTelegram, Api]) -> None:
    """Thirty messages a second across all chats, however they are spread over the chats."""
    tg, api = strict
    clock = HeldClock(tg)
    alice = tg.user("Alice")
    groups = [tg.group(f"Block {n}", admins=[alice]) for n in range(3)]
    for group in groups:
        await group.add_bot(by=alice)
    a, b, c = (group.id for group in groups)
    for n in range(15):
        await api.ok("sendMessage", chat_id=a, text=f"a{n}")
    clock.now = 0.4
    for n in range(15):
        await api.ok("sendMessage", chat_id=b, text=f"b{n}")
    clock.now = 0.5
    error = await api.error("sendMessage", chat_id=c, text="the 31st in a second")
    assert error == (429, "Too Many Requests: retry after 1", {"retry_after": 1})
    clock.now = 1.0  # the fifteen sent at 0 left
    for n in range(15):
        await api.ok("sendMessage", chat_id=c, text=f"c{n}")
    assert (await api.error("sendMessage", chat_id=c, text="x"))[2] == {"retry_after": 1}
    clock.now = 1.4
    await api.ok("sendMessage", chat_id=a, text="after the b's left")
    assert tg.rate_limited == 2 and len(tg.violations) == 2


async def test_flood_windows_are_configurable() -> None:
    async with FakeTelegram(spec_path=SPEC, group_rate=(2, 10.0), private_rate=(3, 1.0),
                            global_rate=(4, 5.0)) as tg:
        clock = HeldClock(tg)
        alice = tg.user("Alice")
        group = tg.group("Small", admins=[alice])
        await group.add_bot(by=alice)
        await alice.send(alice.private, "/start")
        async with httpx.AsyncClient() as client:
            api = Api(tg, client)
            await api.ok("sendMessage", chat_id=group.id, text="1")
            await api.ok("sendMessage", chat_id=group.id, text="2")
            assert (await api.error("sendMessage", chat_id=group.id, text="3"))[2] == {"retry_after": 10}
            await api.ok("sendMessage", chat_id=alice.id, text="1")
            await api.ok("sendMessage", chat_id=alice.id, text="2")
            assert (await api.error("sendMessage", chat_id=alice.id, text="3"))[2] == {"retry_after": 5}
            clock.now = 5.0
            await api.ok("sendMessage", chat_id=alice.id, text="3")


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
