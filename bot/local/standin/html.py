"""Telegram's HTML formatting parser (parse_mode="HTML").

Follows the rules of the Bot API documentation and the error texts of the Telegram server:
only the documented tags are accepted, tags must nest properly, and the only named HTML
entities are ``&lt;``, ``&gt;``, ``&amp;`` and ``&quot;`` (numeric ones are fine too).
Offsets and lengths of the produced entities are counted in UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.local.standin.text import sort_entities

_SPACES = frozenset(b" \t\r\n\0\v")
_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}


class HtmlError(ValueError):
    """The text can't be parsed; ``str(error)`` is Telegram's description after the prefix."""


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    text_pos: int


def _is_alnum(c: int) -> bool:
    return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122


def _decode_entity(text: bytes, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity starting at ``text[pos] == '&'``; return (char, next position)."""
    end = pos + 1
    if text[end] == ord("#"):
        end += 1
        value = 0
        digits = 0
        if text[end] in b"xX":
            end += 1
            while chr(text[end]) in "0123456789abcdefABCDEF":
                value = value * 16 + int(chr(text[end]), 16)
                end += 1
                digits += 1
                if value > 0x10FFFF:
                    return None
        else:
            while 48 <= text[end] <= 57:
                value = value * 10 + text[end] - 48
                end += 1
                digits += 1
                if value > 0x10FFFF:
                    return None
        if digits == 0 or value == 0 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while 65 <= text[end] <= 90 or 97 <= text[end] <= 122:
            end += 1
        name = bytes(text[pos + 1 : end])
        if name not in _NAMED:
            return None
        char = _NAMED[name]
    if text[end] == ord(";"):
        end += 1
    return char, end


def _normalize_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    low = url.lower()
    if low.startswith("tg://"):
        return url
    if "://" not in low:
        url = "http://" + url
        low = url.lower()
    if not (low.startswith("http://") or low.startswith("https://")):
        return None
    parts = urlsplit(url)
    if not parts.hostname or " " in url:
        return None
    if not parts.path and not parts.query and not parts.fragment:
        url += "/"
    return url


def parse_html(
    source: str, users: dict[int, dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and the entities of an HTML-formatted message text.

    ``users`` maps user ids to User objects, for ``tg://user?id=`` links.
    Raises HtmlError with a Telegram-like description on invalid markup.
    """
    text = source.encode("utf-8") + b"\0"
    size = len(text) - 1
    result: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    utf16 = 0
    i = 0
    plain_start = 0  # start of the current run of raw bytes copied verbatim

    def flush(upto: int) -> None:
        if upto > plain_start:
            result.append(text[plain_start:upto].decode("utf-8"))

    while i < size:
        c = text[i]
        if c == ord("&"):
            decoded = _decode_entity(text, i)
            if decoded is None:
                end = i + 1
                while _is_alnum(text[end]) or text[end] == ord("#"):
                    end += 1
                name = text[i:end].decode("utf-8", errors="replace")
                if text[end] == ord(";"):
                    raise HtmlError(
                        f'Unsupported HTML entity "{name};" at byte offset {i}; '
                        "only &lt; &gt; &amp; &quot; and numeric entities are supported"
                    )
                raise HtmlError(f'Character "&" must be escaped as "&amp;" at byte offset {i}')
            flush(i)
            char, i = decoded
            result.append(char)
            utf16 += 2 if ord(char) > 0xFFFF else 1
            plain_start = i
            continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:
                utf16 += 2 if c >= 0xF0 else 1
            i += 1
            continue

        flush(i)
        begin = i
        i += 1
        if text[i] != ord("/"):
            while text[i] not in _SPACES and text[i] != ord(">"):
                i += 1
            if text[i] == 0:
                raise HtmlError(f"Unclosed start tag at byte offset {begin}")
            tag = text[begin + 1 : i].decode("utf-8", errors="replace").lower()
            if tag not in _ALLOWED_TAGS:
                raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while text[i] != ord(">"):
                while text[i] != 0 and text[i] in _SPACES:
                    i += 1
                if text[i] == ord(">"):
                    break
                attr_begin = i
                while text[i] not in _SPACES and text[i] not in (ord("="), ord(">")):
                    i += 1
                attr = text[attr_begin:i].decode("utf-8", errors="replace")
                if not attr:
                    raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while text[i] != 0 and text[i] in _SPACES:
                    i += 1
                if text[i] != ord("="):
                    if text[i] == 0:
                        raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attr == "expandable":
                        argument = "1"
                    continue
                i += 1
                while text[i] != 0 and text[i] in _SPACES:
                    i += 1
                if text[i] == 0:
                    raise HtmlError(f"Unclosed start tag at byte offset {begin}")
                if text[i] not in (ord("'"), ord('"')):
                    token_begin = i
                    while _is_alnum(text[i]) or text[i] in (ord("."), ord("-")):
                        i += 1
                    value = text[token_begin:i].decode("utf-8").lower()
                    if text[i] not in _SPACES and text[i] != ord(">"):
                        raise HtmlError(f"Unexpected end of name token at byte offset {token_begin}")
                else:
                    quote = text[i]
                    i += 1
                    chunks: list[str] = []
                    run = i
                    while text[i] != quote and text[i] != 0:
                        if text[i] == ord("&"):
                            decoded = _decode_entity(text, i)
                            if decoded is not None:
                                chunks.append(text[run:i].decode("utf-8"))
                                chunks.append(decoded[0])
                                i = run = decoded[1]
                                continue
                        i += 1
                    chunks.append(text[run:i].decode("utf-8"))
                    value = "".join(chunks)
                    if text[i] == quote:
                        i += 1
                if text[i] == 0:
                    raise HtmlError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            if tag == "tg-emoji" and not argument.isdigit():
                raise HtmlError("Custom emoji identifier expected")
            text_so_far = "".join(result)
            result = [text_so_far]
            stack.append(_Open(tag, argument, utf16, len(text_so_far)))
        else:
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {begin}")
            while text[i] not in _SPACES and text[i] != ord(">"):
                i += 1
            end_name = text[begin + 2 : i].decode("utf-8", errors="replace")
            while text[i] != 0 and text[i] in _SPACES:
                i += 1
            if text[i] != ord(">"):
                raise HtmlError(f"Unclosed end tag at byte offset {begin}")
            opened = stack[-1]
            if end_name and end_name.lower() != opened.tag:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", '
                    f'found "</{end_name}>"'
                )
            if utf16 > opened.utf16_offset:
                _close(opened, utf16, "".join(result), entities, users or {})
            stack.pop()
        i += 1
        plain_start = i

    flush(size)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(result), sort_entities(strip_code_languages(entities))


def _close(
    opened: _Open,
    utf16_end: int,
    text_so_far: str,
    entities: list[dict[str, Any]],
    users: dict[int, dict[str, Any]],
) -> None:
    offset = opened.utf16_offset
    length = utf16_end - offset
    tag = opened.tag
    if tag in _SIMPLE:
        entities.append({"type": _SIMPLE[tag], "offset": offset, "length": length})
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif tag == "tg-emoji":
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": opened.argument,
            }
        )
    elif tag == "a":
        url = opened.argument or text_so_far[opened.text_pos :]
        if url.lower().startswith("tg://user?id="):
            raw_id = url[len("tg://user?id=") :]
            if raw_id.isdigit() and int(raw_id) in users:
                entities.append(
                    {
                        "type": "text_mention",
                        "offset": offset,
                        "length": length,
                        "user": users[int(raw_id)],
                    }
                )
                return
        normalized = _normalize_url(url)
        if normalized is not None:
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": normalized})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
            and opened.argument
        ):
            last["language"] = opened.argument
        elif opened.argument:
            # A language is only meaningful inside <pre>; remember it until <pre> closes.
            entities.append({"type": "code", "offset": offset, "length": length, "language": opened.argument})
        else:
            entities.append({"type": "code", "offset": offset, "length": length})


def strip_code_languages(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop languages left on inline code entities (only pre blocks carry one)."""
    out = []
    for ent in entities:
        if ent["type"] == "code" and "language" in ent:
            ent = {k: v for k, v in ent.items() if k != "language"}
        out.append(ent)
    return out
