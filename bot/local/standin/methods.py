"""The Bot API methods of the Telegram stand-in, with Telegram's checks and error texts."""

from __future__ import annotations

import json
import math
import time
from collections import deque
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.local.standin.html import HtmlError, parse_html
from bot.local.standin.params import ApiError, Params, bad_request
from bot.local.standin.scenario import CallbackAnswer, FakeChat, FakeDocument, FakeMessage
from bot.local.standin.spec import Upload
from bot.local.standin.text import merge_detected, sort_entities, trim, utf16_len

if TYPE_CHECKING:
    from bot.local.standin.server import FakeTelegram

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)


class ApiMethods:
    """Bot API method implementations; ``api_<name>`` answers the method ``<name>``."""

    # -- shared checks ---------------------------------------------------------------------

    def _chat_for_bot(self: FakeTelegram, p: Params, field: str = "chat_id") -> FakeChat:
        """The chat a call targets, if the bot may act there (else Telegram's error)."""
        raw = p.raw.get(field)
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            user = self.users.get(chat_id)
            if user is None:
                raise bad_request("chat not found")
            chat = user.private
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                parameters={"migrate_to_chat_id": chat.migrated_to.id},
                violation=True,
            )
        if chat.type == "private":
            user = chat.user
            assert user is not None
            if user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return chat
        kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
        if chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}", violation=True)
        if chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
        return chat

    def _users_by_id(self: FakeTelegram) -> dict[int, dict[str, Any]]:
        return {user.id: user.to_dict() for user in self.users.values()}

    def _format(
        self: FakeTelegram,
        p: Params,
        *,
        text_field: str,
        entities_field: str,
        caption: bool,
    ) -> tuple[str | None, list[dict[str, Any]], str | None, str | None]:
        """Text, entities, raw HTML and parse mode of a message text or caption."""
        raw = p.str(text_field)
        if raw is None:
            if caption:
                return None, [], None, None
            raise bad_request("message text is empty", violation=True)
        mode = p.str("parse_mode") or None
        html = None
        if mode is not None and mode.lower() == "html":
            try:
                text, entities = parse_html(raw, self._users_by_id())
            except HtmlError as error:
                raise bad_request(f"can't parse entities: {error}", violation=True) from None
            html = raw
        elif mode is not None and mode.lower() in ("markdown", "markdownv2"):
            text, entities = raw, []
        elif mode is not None:
            raise bad_request(f'unsupported parse_mode "{mode}"', violation=True)
        else:
            text = raw
            entities = self._given_entities(p, entities_field, raw)
        text, entities = trim(text, entities)
        entities = merge_detected(text, entities)
        size = utf16_len(text)
        if caption:
            if size > 1024:
                raise bad_request("message caption is too long", violation=True)
            return (text or None), entities, html, mode
        if size == 0:
            raise bad_request("message text is empty", violation=True)
        if size > 4096:
            raise bad_request("message is too long", violation=True)
        return text, entities, html, mode

    def _given_entities(self, p: Params, field: str, text: str) -> list[dict[str, Any]]:
        given = p.json(field)
        if given is None:
            return []
        if not isinstance(given, list):
            raise bad_request(f"can't parse {field} JSON object", violation=True)
        total = utf16_len(text)
        out = []
        for entity in given:
            if not isinstance(entity, dict) or entity.get("type") not in ENTITY_TYPES:
                raise bad_request("can't parse entities: unsupported entity", violation=True)
            offset, length = entity.get("offset"), entity.get("length")
            if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
                raise bad_request("can't parse entities: wrong entity offset", violation=True)
            if length <= 0 or offset + length > total:
                continue  # Telegram silently drops entities outside of the text
            out.append(dict(entity))
        return sort_entities(out)

    def _markup(self: FakeTelegram, p: Params, *, inline_only: bool = False) -> Any:
        """The validated reply_markup; only inline keyboards are kept on messages."""
        markup = p.json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object", violation=True)
        if "inline_keyboard" not in markup:
            if inline_only:
                raise bad_request("inline keyboard expected", violation=True)
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard button: rows must be Arrays", violation=True)
        for row in rows:
            for button in row:
                _check_button(button)
        if not any(rows):
            return None
        return {"inline_keyboard": [[dict(b) for b in row] for row in rows if row]}

    def _reply_target(self: FakeTelegram, p: Params, chat: FakeChat) -> FakeMessage | None:
        reply = p.json("reply_parameters")
        allow = p.bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply", allow))
        else:
            message_id = p.int("reply_to_message_id")
        if message_id is None:
            return None
        target = self._find_message(chat, message_id)
        if target is None or target.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _charge(self: FakeTelegram, chat: FakeChat) -> None:
        """Flood control: sliding windows of messages sent or edited, on ``flood_clock``.

        A send is refused when the chat's window (``group_rate`` or ``private_rate``) or the
        window across all chats (``global_rate``) already holds its limit; the answer says how
        many seconds until the oldest send leaves the full window. A refused send is not counted.
        """
        now = self.flood_clock()
        limit, period = self.private_rate if chat.type == "private" else self.group_rate
        chat_sends = self._flood_sends.setdefault(chat.id, deque())
        overall, overall_period = self.global_rate
        wait = max(_window_wait(chat_sends, limit, period, now),
                   _window_wait(self._all_sends, overall, overall_period, now))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                parameters={"retry_after": retry_after},
                violation=True,
            )
        chat_sends.append(now)
        self._all_sends.append(now)

    def _editable(self: FakeTelegram, p: Params) -> FakeMessage:
        if p.has("inline_message_id"):
            raise bad_request("message to edit not found")
        chat = self._chat_for_bot(p)
        message = self._find_message(chat, p.int("message_id", required=True))
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if message.sender is not self.bot or message.service:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(self: FakeTelegram, message: FakeMessage, **changes: Any) -> dict[str, Any]:
        current = {key: getattr(message, key) for key in changes}
        compare = {k: v for k, v in changes.items() if k not in ("html", "parse_mode")}
        if all(current[k] == v for k, v in compare.items()):
            self.not_modified += 1
            raise ApiError(400, NOT_MODIFIED)
        self._charge(message.chat)
        message.versions.append(message.text)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = int(time.time())
        self._notify("edit", message)
        return message.to_dict()

    def _send_media(self: FakeTelegram, p: Params, field: str, folder: str) -> dict[str, Any]:
        chat = self._chat_for_bot(p)
        value = p.file(field)
        if value is None or value == "":
            raise bad_request(f"there is no {field} in the request", violation=True)
        document = self._resolve_file(value, folder)
        media = {"photo": document} if folder == "photos" else {"document": document}
        return self._post(chat, p, "caption", **media)

    def _post(self: FakeTelegram, chat: FakeChat, p: Params, text_field: str,
              **media: FakeDocument) -> dict[str, Any]:
        """A new message from the bot: text or caption formatted, keyboard checked, flood charged."""
        caption = text_field == "caption"
        text, entities, html, mode = self._format(
            p, text_field=text_field, entities_field=f"{text_field}_entities" if caption else "entities",
            caption=caption,
        )
        markup = self._markup(p)
        reply_to = self._reply_target(p, chat)
        self._charge(chat)
        message = self._add_message(
            chat,
            self.bot,
            text=text,
            entities=entities,
            html=html,
            parse_mode=mode,
            reply_markup=markup,
            reply_to=reply_to,
            **media,
        )
        return message.to_dict()

    def _resolve_file(self: FakeTelegram, value: Upload | str, folder: str) -> FakeDocument:
        if isinstance(value, Upload):
            return self._store_file(
                value.data,
                file_name=value.filename,
                mime_type=value.content_type,
                folder=folder,
            )
        known = self._files.get(value)
        if known is not None:
            return known
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.netloc:
            name = PurePosixPath(parts.path).name or None
            return self._store_file(b"", file_name=name, mime_type=None, folder=folder)
        raise bad_request("wrong file identifier/HTTP URL specified", violation=True)

    # -- getting updates ---------------------------------------------------------------------

    async def api_getUpdates(self: FakeTelegram, p: Params) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.int("offset") or 0
        limit = min(max(p.int("limit") or 100, 1), 100)
        timeout = max(p.int("timeout") or 0, 0)
        allowed = p.json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise bad_request("can't parse allowed_updates JSON object", violation=True)
            self._allowed_updates = [str(kind) for kind in allowed]
            self._updates = [u for u in self._updates if self._allowed(u.kind)]
        if offset > 0:
            self._updates = [u for u in self._updates if u.update_id >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        if not self._updates and timeout > 0:
            await self._wait_until(
                lambda: (
                    bool(self._updates)
                    or self._closed
                    or self.webhook is not None
                    or self._poll_generation != generation
                ),
                timeout,
            )
        if self._poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        batch = self._updates[:limit]
        if batch:
            for update in batch:
                update.delivered = True
            self._last_activity = time.monotonic()
        return [update.to_dict() for update in batch]

    async def api_setWebhook(self: FakeTelegram, p: Params) -> Any:
        url = p.str("url") or ""
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        allowed = p.json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if not url:
            self.webhook = None
            self._touch()
            return True
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise bad_request("bad webhook: invalid webhook URL specified", violation=True)
        secret = p.str("secret_token")
        if secret is not None and (
            not 1 <= len(secret) <= 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise bad_request("secret token contains unallowed characters", violation=True)
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": p.int("max_connections") or 40,
        }
        self._webhook_error = None
        self._touch()
        return True

    async def api_deleteWebhook(self: FakeTelegram, p: Params) -> Any:
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        self._touch()
        return True

    async def api_getWebhookInfo(self: FakeTelegram, p: Params) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    # -- the bot itself -------------------------------------------------------------------------

    async def api_getMe(self: FakeTelegram, p: Params) -> Any:
        return {
            **self.bot.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def api_logOut(self: FakeTelegram, p: Params) -> Any:
        return True

    async def api_close(self: FakeTelegram, p: Params) -> Any:
        return True

    async def api_setMyCommands(self: FakeTelegram, p: Params) -> Any:
        commands = p.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object", violation=True)
        clean = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object", violation=True)
            name = command.get("command")
            description = command.get("description")
            if (
                not isinstance(name, str)
                or not 1 <= len(name) <= 32
                or not all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name)
            ):
                raise bad_request("BOT_COMMAND_INVALID", violation=True)
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("command description is invalid", violation=True)
            clean.append({"command": name, "description": description})
        self.commands[self._commands_key(p)] = clean
        return True

    async def api_getMyCommands(self: FakeTelegram, p: Params) -> Any:
        return list(self.commands.get(self._commands_key(p), []))

    async def api_deleteMyCommands(self: FakeTelegram, p: Params) -> Any:
        self.commands.pop(self._commands_key(p), None)
        return True

    def _commands_key(self: FakeTelegram, p: Params) -> tuple[str, str]:
        scope = p.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object", violation=True)
        scope = dict(scope)
        for key in ("chat_id", "user_id"):
            if isinstance(scope.get(key), str) and scope[key].lstrip("-").isdigit():
                scope[key] = int(scope[key])
        canonical = json.dumps(scope, sort_keys=True, separators=(",", ":"))
        return canonical, p.str("language_code") or ""

    async def _set_text(self: FakeTelegram, p: Params, kind: str, field: str, limit: int) -> Any:
        value = p.str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{kind} is too long", violation=True)
        key = (kind, p.str("language_code") or "")
        if value:
            self.descriptions[key] = value
        else:
            self.descriptions.pop(key, None)
        return True

    def _get_text(self: FakeTelegram, p: Params, kind: str, field: str) -> Any:
        lang = p.str("language_code") or ""
        value = self.descriptions.get((kind, lang), self.descriptions.get((kind, ""), ""))
        if kind == "name" and not value:
            value = self.bot.first_name
        return {field: value}

    async def api_setMyDescription(self: FakeTelegram, p: Params) -> Any:
        return await self._set_text(p, "description", "description", 512)

    async def api_getMyDescription(self: FakeTelegram, p: Params) -> Any:
        return self._get_text(p, "description", "description")

    async def api_setMyShortDescription(self: FakeTelegram, p: Params) -> Any:
        return await self._set_text(p, "short_description", "short_description", 120)

    async def api_getMyShortDescription(self: FakeTelegram, p: Params) -> Any:
        return self._get_text(p, "short_description", "short_description")

    async def api_setMyName(self: FakeTelegram, p: Params) -> Any:
        return await self._set_text(p, "name", "name", 64)

    async def api_getMyName(self: FakeTelegram, p: Params) -> Any:
        return self._get_text(p, "name", "name")

    # -- messages --------------------------------------------------------------------------------

    async def api_sendMessage(self: FakeTelegram, p: Params) -> Any:
        return self._post(self._chat_for_bot(p), p, "text")

    async def api_sendDocument(self: FakeTelegram, p: Params) -> Any:
        return self._send_media(p, "document", "documents")

    async def api_sendPhoto(self: FakeTelegram, p: Params) -> Any:
        return self._send_media(p, "photo", "photos")

    async def api_forwardMessage(self: FakeTelegram, p: Params) -> Any:
        return self._copy(p, forward=True).to_dict()

    async def api_copyMessage(self: FakeTelegram, p: Params) -> Any:
        return {"message_id": self._copy(p, forward=False).message_id}

    def _copy(self: FakeTelegram, p: Params, *, forward: bool) -> FakeMessage:
        source_chat = self._chat_for_bot(p, "from_chat_id")
        chat = self._chat_for_bot(p)
        source = self._find_message(source_chat, p.int("message_id", required=True))
        if source is None or source.deleted or source.service:
            raise bad_request("message to copy not found")
        text, entities, html, mode = source.text, source.entities, source.html, source.parse_mode
        markup = None
        if not forward:
            if p.has("caption"):
                text, entities, html, mode = self._format(
                    p, text_field="caption", entities_field="caption_entities", caption=True
                )
            markup = self._markup(p)
        reply_to = None if forward else self._reply_target(p, chat)
        self._charge(chat)
        message = self._add_message(
            chat,
            self.bot,
            text=text,
            entities=list(entities),
            html=html,
            parse_mode=mode,
            reply_markup=markup,
            reply_to=reply_to,
            document=source.document,
            photo=source.photo,
        )
        if forward:
            message.extra["forward_origin"] = {
                "type": "user",
                "date": source.date,
                "sender_user": source.sender.to_dict(),
            }
        return message

    async def api_editMessageText(self: FakeTelegram, p: Params) -> Any:
        return self._edit_text(p, caption=False)

    async def api_editMessageCaption(self: FakeTelegram, p: Params) -> Any:
        return self._edit_text(p, caption=True)

    def _edit_text(self: FakeTelegram, p: Params, *, caption: bool) -> Any:
        message = self._editable(p)
        if message.has_media != caption:
            raise bad_request(f"there is no {'caption' if caption else 'text'} in the message to edit")
        text, entities, html, mode = self._format(
            p, text_field="caption" if caption else "text",
            entities_field="caption_entities" if caption else "entities", caption=caption,
        )
        markup = self._markup(p, inline_only=True)
        return self._apply_edit(
            message, text=text, entities=entities, reply_markup=markup, html=html, parse_mode=mode
        )

    async def api_editMessageReplyMarkup(self: FakeTelegram, p: Params) -> Any:
        message = self._editable(p)
        return self._apply_edit(message, reply_markup=self._markup(p, inline_only=True))

    async def api_deleteMessage(self: FakeTelegram, p: Params) -> Any:
        chat = self._chat_for_bot(p)
        message = self._find_message(chat, p.int("message_id", required=True))
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if message.sender is not self.bot and chat.type != "private" and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        message.deleted = True
        self._notify("delete", message)
        return True

    async def api_sendChatAction(self: FakeTelegram, p: Params) -> Any:
        self._chat_for_bot(p)
        if p.str("action", required=True) not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request", violation=True)
        return True

    async def api_answerCallbackQuery(self: FakeTelegram, p: Params) -> Any:
        query_id = p.str("callback_query_id", required=True) or ""
        query = self._queries.get(query_id)
        if query is None or query.future.done():
            raise ApiError(400, QUERY_TOO_OLD)
        text = p.str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG", violation=True)
        del self._queries[query_id]
        query.future.set_result(
            CallbackAnswer(text=text or None, show_alert=p.bool("show_alert"), url=p.str("url"))
        )
        self._touch()
        return True

    async def api_pinChatMessage(self: FakeTelegram, p: Params) -> Any:
        chat = self._chat_for_bot(p)
        self._check_pin_rights(chat)
        message = self._find_message(chat, p.int("message_id", required=True))
        if message is None or message.deleted:
            raise bad_request("message to pin not found")
        chat.pinned = message
        return True

    async def api_unpinChatMessage(self: FakeTelegram, p: Params) -> Any:
        chat = self._chat_for_bot(p)
        self._check_pin_rights(chat)
        chat.pinned = None
        return True

    async def api_unpinAllChatMessages(self: FakeTelegram, p: Params) -> Any:
        return await self.api_unpinChatMessage(p)

    def _check_pin_rights(self, chat: FakeChat) -> None:
        if chat.type != "private" and chat.bot_status != "administrator":
            raise bad_request("not enough rights to manage pinned messages in the chat")

    # -- chats and members -----------------------------------------------------------------------

    async def api_getChat(self: FakeTelegram, p: Params) -> Any:
        chat = self._chat_for_bot(p)
        info = chat.to_dict()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.type != "private":
            info["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        if chat.pinned is not None and not chat.pinned.deleted:
            info["pinned_message"] = chat.pinned.to_dict()
        return info

    async def api_getChatAdministrators(self: FakeTelegram, p: Params) -> Any:
        chat = self._chat_for_bot(p)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = [self._member(chat, user) for user in chat.admins]
        if chat.bot_status == "administrator":
            admins.append(self._member(chat, self.bot))
        return admins

    async def api_getChatMember(self: FakeTelegram, p: Params) -> Any:
        chat = self._chat_for_bot(p)
        user_id = p.int("user_id", required=True)
        user = self.bot if user_id == self.bot_id else self.users.get(user_id or 0)
        if user is None:
            raise bad_request("user not found")
        return self._member(chat, user)

    async def api_getChatMemberCount(self: FakeTelegram, p: Params) -> Any:
        chat = self._chat_for_bot(p)
        if chat.type == "private":
            return 2
        return len(chat.everyone) + (1 if chat.bot_status in ("member", "administrator") else 0)

    async def api_leaveChat(self: FakeTelegram, p: Params) -> Any:
        chat = self._chat_for_bot(p)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        await self._set_bot_status(chat, self.bot, "left")
        self._add_message(chat, self.bot, service={"left_chat_member": self.bot})
        return True

    # -- files ---------------------------------------------------------------------------------

    async def api_getFile(self: FakeTelegram, p: Params) -> Any:
        file_id = p.str("file_id", required=True) or ""
        document = self._files.get(file_id)
        if document is None:
            raise bad_request("invalid file_id", violation=True)
        return {
            "file_id": document.file_id,
            "file_unique_id": document.file_unique_id,
            "file_size": len(document.data),
            "file_path": self._file_paths[file_id],
        }


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: object expected", violation=True)
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID", violation=True)
    actions = [key for key in BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard", violation=True)
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields "
            f"must be used, got {', '.join(actions)}",
            violation=True,
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID", violation=True)
    if "url" in button:
        url = button["url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if (
            parts is None
            or parts.scheme not in ("http", "https", "tg")
            or not (parts.netloc or parts.scheme == "tg")
        ):
            raise bad_request("BUTTON_URL_INVALID", violation=True)


def _window_wait(sends: deque[float], limit: int, length: float, now: float) -> float:
    """Seconds until one more send fits the window of ``length`` seconds (0 when it fits now)."""
    while sends and sends[0] <= now - length:
        sends.popleft()
    if len(sends) < limit:
        return 0.0
    return sends[len(sends) - limit] + length - now
