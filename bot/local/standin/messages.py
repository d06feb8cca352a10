"""The Bot API methods that send, copy, edit, delete and pin the bot's messages, under
Telegram's flood control, with Telegram's checks and error texts."""

from __future__ import annotations

import math
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from bot.local.standin.content import MessageContent
from bot.local.standin.params import ApiError, Params, bad_request
from bot.local.standin.records import FakeDocument
from bot.local.standin.scenario import FakeChat, FakeMessage

if TYPE_CHECKING:
    from bot.local.standin.forum import FakeTopic
    from bot.local.standin.server import FakeTelegram

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
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


class MessageMethods(MessageContent):
    """Sending and editing messages; every send and edit is charged to flood control."""

    # -- flood control and edits -------------------------------------------------------------

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
        topic, reply_to = self._placed(p, chat)
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
            topic=topic,
            **media,
        )
        return message.to_dict()

    def _placed(self: FakeTelegram, p: Params, chat: FakeChat,
                replies: bool = True) -> tuple[FakeTopic | None, FakeMessage | None]:
        """The topic a new message of the bot's goes to, and the message it answers: the topic
        named, or else that of the message answered; in a topic, an answer to its first message
        when it answers none."""
        topic = self._bot_topic(p, chat)
        reply_to = self._reply_target(p, chat, topic) if replies else None
        topic = topic or (reply_to.topic if reply_to is not None else None)
        self._check_open(chat, topic)
        return topic, reply_to or (topic.opening if topic is not None else None)

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
        topic, reply_to = self._placed(p, chat, replies=not forward)
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
            topic=topic,
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
        # In groups the bot must be an administrator with the can_pin_messages right.
        if chat.type != "private" and (chat.bot_status != "administrator" or not chat.bot_can_pin):
            raise bad_request("not enough rights to manage pinned messages in the chat")

    # -- albums --------------------------------------------------------------------------------

    async def api_sendMediaGroup(self: FakeTelegram, p: Params) -> Any:
        """An album of 2-10 photos and videos, or of documents only, or of audio only: one message
        per item, sharing a media_group_id; each item may carry its own caption."""
        chat = self._chat_for_bot(p)
        items = p.json("media")
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise bad_request("can't parse media JSON object", violation=True)
        if not 2 <= len(items) <= 10:
            raise bad_request("media must include 2-10 items", violation=True)
        kinds = {item.get("type") for item in items}
        if not (kinds <= {"photo", "video"} or kinds == {"document"} or kinds == {"audio"}):
            raise bad_request("MEDIA_GROUP_INVALID: documents and audio can't be mixed with other "
                              "types of media", violation=True)
        files = []
        for item in items:
            value = item.get("media")
            if isinstance(value, str) and value.startswith("attach://"):
                value = p.uploads.get(value[len("attach://"):])
            if value is None or value == "":
                raise bad_request("there is no media in the request", violation=True)
            folder = "photos" if item.get("type") == "photo" else "documents"
            caption = Params({key: item[key] for key in ("caption", "parse_mode", "caption_entities")
                              if key in item}, p.uploads)
            files.append((folder, self._resolve_file(value, folder),
                          self._format(caption, text_field="caption", entities_field="caption_entities",
                                       caption=True)))
        topic, reply_to = self._placed(p, chat)
        self._charge(chat)  # one call, as the bot's limiter counts it
        group_id = f"{abs(chat.id)}{chat._next_message_id:08d}"  # unique per chat and album
        sent = []
        for folder, document, (text, entities, html, mode) in files:
            media = {"photo": document} if folder == "photos" else {"document": document}
            message = self._add_message(chat, self.bot, text=text, entities=entities, html=html,
                                        parse_mode=mode, reply_to=reply_to, topic=topic, **media)
            message.extra["media_group_id"] = group_id
            sent.append(message.to_dict())
        return sent


def _window_wait(sends: deque[float], limit: int, length: float, now: float) -> float:
    """Seconds until one more send fits the window of ``length`` seconds (0 when it fits now)."""
    while sends and sends[0] <= now - length:
        sends.popleft()
    if len(sends) < limit:
        return 0.0
    return sends[len(sends) - limit] + length - now
