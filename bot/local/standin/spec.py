"""Checks Bot API requests against the machine-readable API description (api.json).

The file holds ``methods`` and ``types``; every method and type lists its ``fields`` with
``types`` such as ``Integer``, ``String``, ``Array of MessageEntity`` or an object type name,
and whether the field is ``required``. Types with ``subtypes`` (ChatMember, BotCommandScope,
InputMedia, ...) accept any of their subtypes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_DISCRIMINATOR_RE = re.compile(r'(?:must be|always)\s+["“]?([a-z_]+)["”]?\s*$')
_INT_RE = re.compile(r"-?\d+")
_BOOL_STRINGS = {"true": True, "false": False, "True": True, "False": False, "1": True, "0": False}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart/form-data request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


class ApiSpec:
    """The Bot API description, able to validate the parameters of a method call."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data.get("version", "")
        self.methods: dict[str, dict[str, Any]] = data["methods"]
        self.types: dict[str, dict[str, Any]] = data["types"]
        self._by_lower = {name.lower(): name for name in self.methods}

    @classmethod
    def load(cls, path: str | Path) -> ApiSpec:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def method_name(self, name: str) -> str | None:
        """The canonical name of a method (method names are case-insensitive), or None."""
        return self._by_lower.get(name.lower())

    def validate_call(self, method: str, params: dict[str, Any], uploads: dict[str, Upload]) -> list[str]:
        """Problems with a call: missing or unknown fields and values of the wrong type.

        Top-level values may be strings, as sent in query strings and form data; nested
        objects may then be JSON-encoded strings.
        """
        spec = self.methods[method]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        problems: list[str] = []
        for name, field in fields.items():
            if field["required"] and name not in params:
                problems.append(f"missing required field '{name}'")
        for name, value in params.items():
            field = fields.get(name)
            if field is None:
                if isinstance(value, Upload) and _is_attached(name, params):
                    continue
                problems.append(f"unknown field '{name}'")
                continue
            error = self._check(value, field["types"], top=True, uploads=uploads)
            if error:
                problems.append(f"field '{name}': {error}")
        return problems

    def validate_object(self, type_name: str, value: Any) -> list[str]:
        """Problems with a JSON object claimed to be of the given type."""
        error = self._check(value, [type_name], top=False, uploads={})
        return [error] if error else []

    # -- type checks -------------------------------------------------------------------

    def _check(self, value: Any, types: list[str], *, top: bool, uploads: dict[str, Upload]) -> str | None:
        errors = []
        for type_name in types:
            error = self._check_one(value, type_name, top=top, uploads=uploads)
            if error is None:
                return None
            errors.append(error)
        if len(errors) == 1:
            return errors[0]
        return f"expected {' or '.join(types)}, got {_show(value)} ({'; '.join(errors)})"

    def _check_one(self, value: Any, type_name: str, *, top: bool, uploads: dict[str, Upload]) -> str | None:
        if type_name == "Integer":
            if isinstance(value, int) and not isinstance(value, bool):
                return None
            if top and isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
                return None
            return f"expected Integer, got {_show(value)}"
        if type_name in ("Float", "Float number"):
            if isinstance(value, int | float) and not isinstance(value, bool):
                return None
            if top and isinstance(value, str):
                try:
                    float(value)
                except ValueError:
                    pass
                else:
                    return None
            return f"expected Float, got {_show(value)}"
        if type_name == "String":
            if isinstance(value, str):
                return None
            return f"expected String, got {_show(value)}"
        if type_name in ("Boolean", "True"):
            if top and isinstance(value, str) and value in _BOOL_STRINGS:
                value = _BOOL_STRINGS[value]
            if type_name == "True" and value is True:
                return None
            if type_name == "Boolean" and isinstance(value, bool):
                return None
            return f"expected {type_name}, got {_show(value)}"
        if type_name == "InputFile":
            if isinstance(value, Upload):
                return None
            if isinstance(value, str) and value:
                if value.startswith("attach://") and value[len("attach://") :] not in uploads:
                    return f"'{value}' refers to no uploaded file"
                return None
            return f"expected InputFile, got {_show(value)}"
        if isinstance(value, Upload):
            return f"expected {type_name}, got an uploaded file"
        if type_name.startswith("Array of "):
            inner = type_name[len("Array of ") :]
            value, error = _from_json(value, type_name, top)
            if error:
                return error
            if not isinstance(value, list):
                return f"expected {type_name}, got {_show(value)}"
            for index, item in enumerate(value):
                error = self._check_one(item, inner, top=False, uploads=uploads)
                if error:
                    return f"[{index}]: {error}"
            return None
        type_spec = self.types.get(type_name)
        if type_spec is None:
            return f"unknown type {type_name}"
        value, error = _from_json(value, type_name, top)
        if error:
            return error
        if not isinstance(value, dict):
            return f"expected {type_name}, got {_show(value)}"
        subtypes = type_spec.get("subtypes")
        if subtypes:
            errors = []
            for sub in subtypes:
                error = self._check_object(value, sub, uploads)
                if error is None:
                    return None
                errors.append(f"{sub}: {error}")
            return f"matches none of the {type_name} kinds ({'; '.join(errors)})"
        return self._check_object(value, type_name, uploads)

    def _check_object(self, value: dict[str, Any], type_name: str, uploads: dict[str, Upload]) -> str | None:
        type_spec = self.types[type_name]
        fields = {f["name"]: f for f in type_spec.get("fields", [])}
        if not fields:
            return None
        for name, field in fields.items():
            if field["required"] and name not in value:
                return f"{type_name} lacks required field '{name}'"
        for name, item in value.items():
            field = fields.get(name)
            if field is None:
                return f"{type_name} has unknown field '{name}'"
            match = _DISCRIMINATOR_RE.search(field.get("description", ""))
            if name in ("type", "status", "source") and match and item != match.group(1):
                return f"{type_name}.{name} must be '{match.group(1)}', got {_show(item)}"
            error = self._check(item, field["types"], top=False, uploads=uploads)
            if error:
                return f"{type_name}.{name}: {error}"
        return None


def _is_attached(name: str, params: dict[str, Any]) -> bool:
    """Whether an uploaded part is referenced as attach://name from another field."""
    needle = f"attach://{name}"
    return any(isinstance(v, str) and needle in v for v in params.values())


def _from_json(value: Any, type_name: str, top: bool) -> tuple[Any, str | None]:
    """Form fields carry objects and arrays as JSON text; nested values are already decoded."""
    if top and isinstance(value, str):
        try:
            return json.loads(value), None
        except ValueError:
            return value, f"expected {type_name} as JSON, got {_show(value)}"
    return value, None


def _show(value: Any) -> str:
    if isinstance(value, Upload):
        return "an uploaded file"
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
