"""Decoding of Bot API request parameters (query string, JSON, url-encoded or multipart)."""

from __future__ import annotations

import json
from typing import Any

from bot.local.standin.spec import Upload

# Fields that are plain strings even when their value looks like JSON (e.g. text "123").
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "description",
        "short_description",
        "name",
        "language_code",
        "file_id",
        "action",
        "title",
        "business_connection_id",
        "message_effect_id",
        "custom_title",
        "emoji",
        "document",
        "photo",
        "thumbnail",
    }
)


class ApiError(Exception):
    """An unsuccessful Bot API answer."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        violation: bool = False,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.violation = violation

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad_request(description: str, *, violation: bool = False) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", violation=violation)


def decode_value(name: str, value: Any) -> Any:
    """Best-effort typed value of a parameter, for records and for reading."""
    if isinstance(value, str) and name not in STRING_FIELDS:
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        if isinstance(decoded, int | float | bool | list | dict) or decoded is None:
            return decoded
    return value


class Params:
    """Typed access to the parameters of one call, with Telegram-like errors."""

    def __init__(self, raw: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.raw = raw
        self.uploads = uploads

    def has(self, name: str) -> bool:
        return name in self.raw and self.raw[name] not in (None, "")

    def str(self, name: str, *, required: bool = False) -> str | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                raise bad_request(f'parameter "{name}" is required')
            return None
        if isinstance(value, Upload):
            raise bad_request(f'field "{name}" must be a String')
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def int(self, name: str, *, required: bool = False) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f'parameter "{name}" is required')
            return None
        if isinstance(value, bool | Upload):
            raise bad_request(f'field "{name}" must be an Integer')
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be an Integer') from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.lower() in ("true", "1"):
            return True
        if isinstance(value, str) and value.lower() in ("false", "0"):
            return False
        raise bad_request(f'field "{name}" must be a Boolean')

    def json(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def file(self, name: str) -> Upload | str | None:
        """An uploaded file (directly or via attach://) or a file_id/URL string."""
        value = self.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = self.uploads.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f'wrong file identifier/HTTP URL specified for "{name}"')
            return upload
        return value
