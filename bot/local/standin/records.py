"""Plain records of the Telegram stand-in (buttons, answers, calls, files), and what chats and
topics share: reading what the bot wrote there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.local.standin.scenario import FakeChat, FakeMessage
    from bot.local.standin.server import FakeTelegram


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass(frozen=True)
class Call:
    """One request the bot made: method name, decoded parameters, HTTP status of the answer."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None = None


@dataclass
class FakeDocument:
    file_name: str | None
    mime_type: str | None
    data: bytes
    file_id: str = ""
    file_unique_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name is not None:
            out["file_name"] = self.file_name
        if self.mime_type is not None:
            out["mime_type"] = self.mime_type
        out["file_size"] = len(self.data)
        return out


class Reads:
    """Waiting for what the bot writes in a place (a chat, or a topic of a forum)."""

    _tg: FakeTelegram
    _cursor: int  # how many bot messages expect_message already returned

    @property
    def bot_messages(self) -> list[FakeMessage]:
        raise NotImplementedError

    @property
    def _where(self) -> FakeChat:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    async def expect_message(self, timeout: float = 10) -> FakeMessage:  # noqa: ASYNC109
        """The next new message the bot sent here, waiting for it if needed."""

        def ready() -> bool:
            return len(self.bot_messages) > self._cursor

        if not await self._tg._wait_until(ready, timeout):
            raise AssertionError(
                f"the bot sent no new message to {self.describe()} within {timeout}s\n"
                + self._tg._recent_activity(self._where)
            )
        message = self.bot_messages[self._cursor]
        self._cursor += 1
        return message

    async def expect_no_message(self, within: float = 0.5) -> None:
        """Fail if the bot sends a new message here within ``within`` seconds."""
        baseline = len(self.bot_messages)
        if await self._tg._wait_until(lambda: len(self.bot_messages) > baseline, within):
            fresh = self.bot_messages[baseline:]
            raise AssertionError(
                f"the bot unexpectedly wrote to {self.describe()}: " + "; ".join(repr(m.text) for m in fresh)
            )

    async def expect_edit(
        self,
        message: FakeMessage,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> FakeMessage:
        """Wait until ``message`` is edited again (edits already seen don't count)."""
        if not await self._tg._wait_until(lambda: message.edit_count > message._edits_seen, timeout):
            raise AssertionError(
                f"the bot did not edit message {message.message_id} ({message.text!r}) in "
                f"{self.describe()} within {timeout}s\n" + self._tg._recent_activity(self._where)
            )
        message._edits_seen = message.edit_count
        return message

    def skip_messages(self) -> None:
        """Mark every bot message sent so far as already read by expect_message."""
        self._cursor = len(self.bot_messages)
