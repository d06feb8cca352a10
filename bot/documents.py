"""Files people keep and print: a page of HTML and a Word document, both made from the Markdown a
template rendered (so a deployer's template shapes all three)."""

from __future__ import annotations

import html
import io
import re

from docx import Document
from docx.shared import Pt

PAGE_STYLE = """body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
  white-space: pre-wrap; line-height: 1.6; max-width: 46em; margin: 2em auto; padding: 0 1em; }
@page { size: A4; margin: 2cm; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } }"""
_RUN = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*)")


def language_tag(locale: str) -> str:
    """The HTML and Word language of a catalog locale: zh_Hans -> zh-Hans."""
    return locale.replace("_", "-")


def html_page(title: str, locale: str, body: str) -> bytes:
    """A whole HTML document around Telegram-HTML ``body``: its language, title and print layout."""
    return (f'<!DOCTYPE html>\n<html lang="{language_tag(locale)}"><head><meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{PAGE_STYLE}\n</style></head>\n"
            f"<body>\n{body}\n</body></html>\n").encode()


def docx_from_markdown(markdown: str, title: str, locale: str) -> bytes:
    """A Word document of the Markdown the minutes templates write: # to ### headings, "- " items,
    **bold** and *italic* runs, paragraphs."""
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.language = language_tag(locale)
    doc.styles["Normal"].font.size = Pt(11)
    for line in markdown.splitlines():
        text = line.strip()
        heading = re.match(r"^(#{1,3}) (.+)$", text)
        if heading:
            doc.add_heading(heading[2], level=len(heading[1]) - 1)
        elif text == "---":
            doc.add_page_break()
        elif text.startswith("- "):
            _runs(doc.add_paragraph(style="List Bullet"), text[2:])
        elif text:
            _runs(doc.add_paragraph(), text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _runs(paragraph, text: str) -> None:
    for part in _RUN.split(text):
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            paragraph.add_run(part[1:-1]).italic = True
        elif part:
            paragraph.add_run(part)
