"""What a message of the bot is made of, checked as Telegram checks it: the text or caption
with its entities, the inline keyboard, the message it replies to, the file it carries."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.local.standin.html import HtmlError, parse_html
from bot.local.standin.params import Params, bad_request
from bot.local.standin.records import FakeDocument
from bot.local.standin.scenario import FakeChat, FakeMessage
from bot.local.standin.spec import Upload
from bot.local.standin.text import merge_detected, sort_entities, trim, utf16_len

if TYPE_CHECKING:
    from bot.local.standin.forum import FakeTopic
    from bot.local.standin.server import FakeTelegram

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


class MessageContent:
    """Checks of what the bot puts in a message, shared by the methods that send and edit."""

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

    def _reply_target(self: FakeTelegram, p: Params, chat: FakeChat,
                      topic: FakeTopic | None = None) -> FakeMessage | None:
        """The message a new one answers; with ``topic``, it must be in that topic."""
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
        if target is None or target.deleted or (topic is not None and target.topic is not topic):
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return target

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
