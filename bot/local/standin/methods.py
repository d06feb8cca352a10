"""The Bot API methods of the Telegram stand-in, with Telegram's checks and error texts.

Here: the bot itself, callback queries, chats and members, files. ``ApiMethods`` inherits the
methods for messages (``messages``); those for updates are in ``updates``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.local.standin.messages import MessageMethods
from bot.local.standin.params import ApiError, Params, bad_request
from bot.local.standin.records import CallbackAnswer
from bot.local.standin.scenario import FakeChat

if TYPE_CHECKING:
    from bot.local.standin.server import FakeTelegram

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiMethods(MessageMethods):
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
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user",
                               violation=True)
            return chat
        kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
        if chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}", violation=True)
        if chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
        return chat

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

    # -- callback queries --------------------------------------------------------------------

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
