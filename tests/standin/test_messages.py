"""Sending, editing and deleting messages through the stand-in's HTTP Bot API."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.local.standin import FakeTelegram
from tests.standin.support import SPEC, Api, needs_spec

KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "vote:yes"}]]}


@pytest.fixture
async def alice(tg: FakeTelegram):
    user = tg.user("Alice")
    await user.send(user.private, "/start")
    return user


async def test_get_me_and_tokens(tg: FakeTelegram, api: Api) -> None:
    me = await api.ok("getMe")
    assert me["id"] == tg.bot_id == 123456789
    assert me["is_bot"] is True
    assert me["username"] == "yishi_test_bot"
    assert me["can_join_groups"] is True
    assert me["can_read_all_group_messages"] is False
    async with httpx.AsyncClient() as client:
        wrong = await client.get(f"{tg.url}/bot123:wrong/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        missing = await client.get(f"{tg.url}/bot{tg.token}/sendMesage")
        assert missing.status_code == 404
        assert missing.json()["description"] == "Not Found"
    assert any("sendMesage" in v for v in tg.violations)


async def test_request_encodings(tg: FakeTelegram, alice) -> None:
    url = f"{tg.url}/bot{tg.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        by_query = await client.get(url, params={"chat_id": alice.id, "text": "q"})
        by_form = await client.post(
            url,
            data={"chat_id": str(alice.id), "text": "123", "reply_markup": json.dumps(KEYBOARD)},
        )
        by_multipart = await client.post(
            url, data={"chat_id": str(alice.id), "text": "m"}, files={"x": ("a.txt", b"a")}
        )
        by_json = await client.post(url, json={"chat_id": alice.id, "text": "j"})
    assert [r.status_code for r in (by_query, by_form, by_json)] == [200, 200, 200]
    assert by_form.json()["result"]["text"] == "123"
    assert by_form.json()["result"]["reply_markup"] == KEYBOARD
    texts = [m.text for m in alice.private.bot_messages]
    if SPEC is None:
        assert texts == ["q", "123", "m", "j"]
    else:  # a stray file part is an unknown field
        assert by_multipart.status_code == 400
        assert texts == ["q", "123", "j"]
    assert tg.calls[-1].params == {"chat_id": alice.id, "text": "j"}


async def test_html_message_entities_and_raw_html(tg: FakeTelegram, api: Api, alice) -> None:
    sent = await api.ok(
        "sendMessage",
        chat_id=alice.id,
        text="🏠 <b>翠苑</b> &amp; <a href='https://example.org'>link</a>",
        parse_mode="HTML",
    )
    assert sent["text"] == "🏠 翠苑 & link"
    assert sent["entities"] == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "text_link", "offset": 8, "length": 4, "url": "https://example.org/"},
    ]
    assert sent["from"]["id"] == tg.bot_id
    message = await alice.private.expect_message()
    assert message.html == "🏠 <b>翠苑</b> &amp; <a href='https://example.org'>link</a>"
    assert message.parse_mode == "HTML"
    assert str(message) == "🏠 翠苑 & link"


async def test_bad_html_is_a_violation(tg: FakeTelegram, api: Api, alice) -> None:
    code, description, _ = await api.error("sendMessage", chat_id=alice.id, text="a<br>b", parse_mode="HTML")
    assert code == 400
    assert description == ('Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 1')
    code, description, _ = await api.error(
        "sendMessage", chat_id=alice.id, text="a&nbsp;b", parse_mode="HTML"
    )
    assert description.startswith("Bad Request: can't parse entities:")
    assert len(tg.violations) == 2
    assert alice.private.bot_messages == []


async def test_text_length_limits(tg: FakeTelegram, api: Api, alice) -> None:
    await api.ok("sendMessage", chat_id=alice.id, text="好" * 4096)
    # 2048 emoji are 4096 UTF-16 code units; one more is too long
    await api.ok("sendMessage", chat_id=alice.id, text="😀" * 2048)
    assert (await api.error("sendMessage", chat_id=alice.id, text="😀" * 2049))[1] == (
        "Bad Request: message is too long"
    )
    # markup does not count, only the text after parsing
    await api.ok("sendMessage", chat_id=alice.id, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    for empty in ("", "   \n ", "<b> </b>"):
        error = await api.error("sendMessage", chat_id=alice.id, text=empty, parse_mode="HTML")
        assert error[1] == "Bad Request: message text is empty"
    assert len(tg.violations) == 4


async def test_callback_data_limit(tg: FakeTelegram, api: Api, alice) -> None:
    ok_markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "x" * 64}]]}
    await api.ok("sendMessage", chat_id=alice.id, text="fine", reply_markup=ok_markup)
    for data in ("x" * 65, "议" * 22, ""):
        markup = {"inline_keyboard": [[{"text": "b", "callback_data": data}]]}
        error = await api.error("sendMessage", chat_id=alice.id, text="t", reply_markup=markup)
        assert error[:2] == (400, "Bad Request: BUTTON_DATA_INVALID")
    both = {"inline_keyboard": [[{"text": "b", "callback_data": "a", "url": "https://x.org"}]]}
    assert (await api.error("sendMessage", chat_id=alice.id, text="t", reply_markup=both))[0] == 400
    assert len(tg.violations) == 4


async def test_edits_and_not_modified(tg: FakeTelegram, api: Api, alice) -> None:
    sent = await api.ok(
        "sendMessage", chat_id=alice.id, text="<b>v1</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    mid = sent["message_id"]
    message = await alice.private.expect_message()
    same = {"chat_id": alice.id, "message_id": mid, "text": "<b>v1</b>", "parse_mode": "HTML"}
    error = await api.error("editMessageText", **same, reply_markup=KEYBOARD)
    assert error[1].startswith("Bad Request: message is not modified: specified new message")
    assert tg.not_modified == 1 and tg.violations == []
    # Same text but without reply_markup removes the keyboard: that is a change.
    edited = await api.ok("editMessageText", **same)
    assert "reply_markup" not in edited and "edit_date" in edited
    assert (await alice.private.expect_edit(message)).buttons == []
    await api.ok("editMessageReplyMarkup", chat_id=alice.id, message_id=mid, reply_markup=KEYBOARD)
    assert message.edit_count == 2 and message.buttons[0][0].text == "Yes"
    error = await api.error("editMessageReplyMarkup", chat_id=alice.id, message_id=mid, reply_markup=KEYBOARD)
    assert "message is not modified" in error[1]
    assert tg.not_modified == 2
    await api.ok("editMessageText", chat_id=alice.id, message_id=mid, text="v2")
    assert message.text == "v2" and message.versions == ["v1", "v1", "v1"]
    assert (await alice.private.expect_edit(message)).text == "v2"

    user_message = alice.private.messages[0]
    error = await api.error("editMessageText", chat_id=alice.id, message_id=user_message.message_id, text="x")
    assert error[1] == "Bad Request: message can't be edited"
    error = await api.error("editMessageText", chat_id=alice.id, message_id=999, text="x")
    assert error[1] == "Bad Request: message to edit not found"
    await api.ok("deleteMessage", chat_id=alice.id, message_id=mid)
    assert message.deleted
    error = await api.error("deleteMessage", chat_id=alice.id, message_id=mid)
    assert error[1] == "Bad Request: message to delete not found"
    assert tg.violations == []


async def test_private_chat_rules(tg: FakeTelegram, api: Api) -> None:
    carol = tg.user("Carol")
    error = await api.error("sendMessage", chat_id=carol.id, text="hi")
    assert error[:2] == (403, "Forbidden: bot can't initiate conversation with a user")
    await carol.send(carol.private, "hello")
    await api.ok("sendMessage", chat_id=carol.id, text="hi")
    carol.block_bot()
    error = await api.error("sendMessage", chat_id=carol.id, text="hi")
    assert error[:2] == (403, "Forbidden: bot was blocked by the user")
    assert (await api.error("sendMessage", chat_id=-999, text="x"))[1] == "Bad Request: chat not found"
    updates = await api.updates()
    assert [next(k for k in u if k != "update_id") for u in updates] == ["message", "my_chat_member"]
    assert updates[1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_documents_round_trip(tg: FakeTelegram, api: Api, alice) -> None:
    sent = await alice.send_document(
        alice.private, "households.csv", "户,人\n1,2\n".encode(), caption="/import now"
    )
    update = (await api.updates())[-1]["message"]
    document = update["document"]
    assert document["file_name"] == "households.csv"
    assert document["mime_type"] == "text/csv"
    assert document["file_size"] == len(sent.document.data)
    assert update["caption"] == "/import now"
    assert update["caption_entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]
    file = await api.ok("getFile", file_id=document["file_id"])
    async with httpx.AsyncClient() as client:
        content = await client.get(f"{tg.url}/file/bot{tg.token}/{file['file_path']}")
    assert content.content == "户,人\n1,2\n".encode()

    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{tg.url}/bot{tg.token}/sendDocument",
            data={"chat_id": str(alice.id), "caption": "<i>report</i>", "parse_mode": "HTML"},
            files={"document": ("report.txt", b"hello", "text/plain")},
        )
    result = response.json()["result"]
    assert result["document"]["file_name"] == "report.txt"
    assert result["caption_entities"] == [{"type": "italic", "offset": 0, "length": 6}]
    message = await alice.private.expect_message()
    assert message.document is not None and message.document.data == b"hello"
    assert message.text == "report"
    # resend by file_id
    again = await api.ok("sendDocument", chat_id=alice.id, document=result["document"]["file_id"])
    assert again["document"]["file_id"] == result["document"]["file_id"]
    long_caption = await api.error(
        "sendDocument", chat_id=alice.id, document=result["document"]["file_id"], caption="x" * 1025
    )
    assert long_caption[1] == "Bad Request: message caption is too long"


@needs_spec
async def test_schema_violations(tg: FakeTelegram, api: Api, alice) -> None:
    error = await api.error("sendMessage", chat_id=alice.id, text="x", foo=1)
    assert error[:2] == (400, "Bad Request: unknown field 'foo'")
    assert tg.violations == ["sendMessage: unknown field 'foo'"]
    await api.error("sendMessage", chat_id=alice.id)
    assert tg.violations[-1] == "sendMessage: missing required field 'text'"
    await api.error("sendMessage", chat_id="abc", text="x", disable_notification="maybe")
    assert tg.violations[-1].startswith("sendMessage: field 'disable_notification'")
    bad_markup = {"inline_keyboard": [[{"text": "b", "callback_data": 5}]]}
    await api.error("sendMessage", chat_id=alice.id, text="x", reply_markup=bad_markup)
    assert "reply_markup" in tg.violations[-1]
    await api.ok(
        "setMyCommands",
        commands=[{"command": "help", "description": "帮助"}],
        scope={"type": "all_group_chats"},
    )
    await api.error("setMyCommands", commands=[{"command": "help"}])
    assert "description" in tg.violations[-1]
    await api.error("setMyCommands", commands=[], scope={"type": "chat"})
    assert "scope" in tg.violations[-1]


async def test_commands_store(tg: FakeTelegram, api: Api) -> None:
    commands = [{"command": "start", "description": "开始"}, {"command": "help", "description": "帮助"}]
    await api.ok("setMyCommands", commands=commands, language_code="zh")
    scope = {"type": "chat", "chat_id": -4001}
    await api.ok("setMyCommands", commands=commands[:1], scope=scope)
    assert tg.commands[('{"type":"default"}', "zh")] == commands
    assert tg.commands[('{"chat_id":-4001,"type":"chat"}', "")] == commands[:1]
    assert await api.ok("getMyCommands", language_code="zh") == commands
    assert await api.ok("getMyCommands") == []
    await api.ok("deleteMyCommands", scope=scope)
    assert len(tg.commands) == 1
    bad = await api.error("setMyCommands", commands=[{"command": "Help", "description": "x"}])
    assert bad[1] == "Bad Request: BOT_COMMAND_INVALID"
    await api.ok("setMyDescription", description="议事")
    assert await api.ok("getMyDescription") == {"description": "议事"}


async def test_copy_forward_and_user_edits(tg: FakeTelegram, api: Api, alice) -> None:
    bob = tg.user("Bob")
    group = tg.group("G", admins=[alice], members=[bob])
    await group.add_bot(by=alice)
    original = await bob.send(group, "/report 漏水")
    forwarded = await api.ok(
        "forwardMessage", chat_id=alice.id, from_chat_id=group.id, message_id=original.message_id
    )
    assert forwarded["text"] == "/report 漏水"
    assert forwarded["forward_origin"]["sender_user"]["id"] == bob.id
    copied = await api.ok(
        "copyMessage", chat_id=alice.id, from_chat_id=group.id, message_id=original.message_id
    )
    assert copied == {"message_id": forwarded["message_id"] + 1}
    assert [m.text for m in alice.private.bot_messages] == ["/report 漏水", "/report 漏水"]
    await bob.edit(original, "/report 停电")
    updates = await api.updates()
    assert updates[-1]["edited_message"]["text"] == "/report 停电"
    assert "edit_date" in updates[-1]["edited_message"]
    assert tg.violations == []


async def test_photos_and_unsupported_methods(tg: FakeTelegram, api: Api, alice) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{tg.url}/bot{tg.token}/sendPhoto",
            data={"chat_id": str(alice.id), "caption": "notice"},
            files={"photo": ("notice.jpg", b"\xff\xd8\xff", "image/jpeg")},
        )
    photo = response.json()["result"]["photo"]
    assert photo[0]["file_size"] == 3 and photo[0]["width"] > 0
    message = await alice.private.expect_message()
    assert message.photo is not None and message.photo.data == b"\xff\xd8\xff"
    assert message.text == "notice"
    await api.error("sendDice", chat_id=alice.id)
    assert tg.violations and tg.violations[-1].startswith("sendDice:")
