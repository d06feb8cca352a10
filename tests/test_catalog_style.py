"""The Chinese catalogs follow the house style.

1. No space between a Han character and a number, a placeholder or a Latin word (either side), and
   none next to full-width punctuation; a command example keeps its spaces: a slash command
   (/event 小区夜话, /idea_state 3 declined 预算不足), a console command (:skip 1天) or a setting
   keyword with its value (时间 每周四19:30, 提醒 30分钟) up to the next full-width punctuation mark.
2. Full-width punctuation next to Han text: ，。：；！？（）, not , . : ; ! ? ( ).
3. Quotes: zh_Hans “ ” (‘ ’ inside), zh_Hant 「 」 (『 』 inside); never ASCII quotes.
4. One register: 您, never 你 or 妳 (迷你 is a word, not the pronoun).
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
LOCALES_DIR = REPO / "locales"
LOCALES = ("zh_Hans", "zh_Hant")

SPACED_ON_PURPOSE: set[str] = set()  # msgids whose Chinese keeps a space on purpose: none

HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
FULL_WIDTH = "，。：；！？、（）「」『』“”‘’《》"
PLACEHOLDER = r"%\(\w+\)[sdr]"

# Setting keywords the bot reads at the start of a line (events, polls, owner votes, minutes).
KEYWORDS = ("时间", "時間", "地点", "地點", "主持人", "主持", "时长", "時長", "提醒", "类型", "類型",
            "原因", "截止", "期限", "名额", "名額", "范围", "範圍", "结果", "結果", "多选", "多選",
            "选项", "選項")
# Where a command example starts: a slash or console command (also as a placeholder), or a
# keyword at the start of a line or after a space, ： or 、 and followed by a space and its value.
COMMAND = re.compile(rf"(?<![\w/:])[/:](?:[A-Za-z]\w*|{PLACEHOLDER})|%\(command\)s")
KEYWORD = re.compile(rf"(?:^|(?<=[\s：、]))(?:{'|'.join(KEYWORDS)})(?= \S)", re.M)
EXAMPLE_START = re.compile(f"{COMMAND.pattern}|{KEYWORD.pattern}", re.M)
EXAMPLE_END = re.compile(rf"[{FULL_WIDTH}\n]")

SPACE_RULES = (
    (re.compile(rf"(?<={HAN}) +(?=[A-Za-z0-9#%])"), "space between Han and a number/placeholder/Latin"),
    (re.compile(rf"(?<=[A-Za-z0-9%]) +(?={HAN})"), "space between a number/placeholder/Latin and Han"),
    (re.compile(rf" +(?=[{FULL_WIDTH}])|(?<=[{FULL_WIDTH}]) +"), "space next to full-width punctuation"),
)
# (pattern, why, whether a command example may have it: /settings reminders 24h 2h, 1d ...)
PUNCTUATION_RULES = (
    (re.compile(rf"{HAN}[,.:;!?()]|[,.:;!?()]{HAN}"), "ASCII punctuation next to Han", False),
    (re.compile(rf"\([^()\n]*{HAN}[^()\n]*\)"), "ASCII parentheses around Chinese text", False),
    (re.compile(r"(?<=[A-Za-z0-9])[.,;:!?](?=\s|$)"), "ASCII punctuation ends a Chinese clause", True),
)
QUOTES = {
    "zh_Hans": {"outer": "“”", "inner": "‘’", "wrong": "「」『』"},
    "zh_Hant": {"outer": "「」", "inner": "『』", "wrong": "“”‘’"},
}
PRONOUN = (re.compile(r"(?<!迷)[你妳]|您们|您們"), "not the respectful 您")


def _examples(text: str) -> list[tuple[int, int]]:
    """The spans of command examples, whose spaces are the command's own syntax."""
    spans = []
    for start in EXAMPLE_START.finditer(text):
        end = EXAMPLE_END.search(text, start.end())
        spans.append((start.start(), end.start() if end else len(text)))
    return spans


def _space_problems(text: str) -> list[str]:
    spans = _examples(text)
    found = []
    for pattern, why in SPACE_RULES:
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in spans):
                continue  # inside a command example
            if COMMAND.match(text, m.end()):
                continue  # the space that sets a command off from the text before it
            found.append(f"{why}: …{text[max(0, m.start() - 8):m.end() + 8]}…")
    return found


def _punctuation_problems(text: str) -> list[str]:
    if not re.search(HAN, text):
        return []
    spans = _examples(text)
    found = []
    for pattern, why, in_examples in PUNCTUATION_RULES:
        for m in pattern.finditer(text):
            if in_examples and any(a <= m.start() < b for a, b in spans):
                continue  # a command example may have its own punctuation
            found.append(f"{why}: …{text[max(0, m.start() - 8):m.end() + 8]}…")
    return found


def _quote_problems(text: str, locale: str) -> list[str]:
    style = QUOTES[locale]
    found = []
    if re.search(r"\"|(?<=" + HAN + r")'|'(?=" + HAN + ")", text):
        found.append("ASCII quotes")
    found += [f"{c} is not this script's quote" for c in sorted(set(text) & set(style["wrong"]))]
    depth = 0
    for c in text:
        if c == style["outer"][0]:
            if depth:
                found.append(f"{c} inside a quote: use {style['inner']}")
            depth += 1
        elif c == style["outer"][1]:
            depth -= 1
        elif c == style["inner"][0] and not depth:
            found.append(f"{c} outside a quote: use {style['outer']}")
    if depth:
        found.append("unbalanced quotes")
    return found


def _pronoun_problems(text: str) -> list[str]:
    pattern, why = PRONOUN
    return [f"{m.group()} is {why}" for m in pattern.finditer(text)]


def problems(locale: str) -> list[tuple[str, str, str]]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for text in forms:
            if not text:
                continue
            rules = [*_punctuation_problems(text), *_quote_problems(text, locale), *_pronoun_problems(text)]
            if msgid not in SPACED_ON_PURPOSE:
                rules = _space_problems(text) + rules
            found += [(msgid, text, rule) for rule in rules]
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_follows_the_house_style(locale):
    found = problems(locale)
    report = "\n".join(f"{msgid!r}\n    {text!r}\n    -> {rule}" for msgid, text, rule in found)
    assert found == [], f"{locale}: {len(found)} style problems\n{report}"


@pytest.mark.parametrize(("text", "ok"), [
    ("由 %(name)s 主持", False),
    ("由%(name)s主持", True),
    ("提前 1 天和1 小时", False),
    ("共 %(num)s 户", False),
    ("%(owners)s 位业主", False),
    ("%(owners)s位业主，%(area)s m²", True),
    ("导出（CSV 文件）", False),
    ("用法：/event 小区夜话\n时间 每周四19:30\n提醒 30分钟", True),
    ("例如 /idea_state 3 declined 预算不足", True),
    ("例如：截止 周五 18:00", True),
    ("例如 %(command)s 3，或回复", True),
    ("请写 :join 和新邻居的名字。", True),
    ("，截止 %(when)s", False),
    ("待办事项#%(number)s 截止 %(when)s", False),
    ("已保存 。", False),
    ("2 MB", True),
])
def test_the_space_rule(text, ok):
    assert (_space_problems(text) == []) is ok


@pytest.mark.parametrize(("text", "locale", "ok"), [
    ("请先结束投票,然后确认.", "zh_Hans", False),
    ("时间19:30，水费0.4元，共1,000户。", "zh_Hans", True),
    ("面积(m²)超过(两位)小数", "zh_Hans", False),
    ("文件保存在%(files)s.", "zh_Hans", False),
    ("例如 /settings tz Asia/Shanghai。", "zh_Hans", True),
    ("请点“开始”。", "zh_Hans", True),
    ("请点“开始”。", "zh_Hant", False),
    ("请点「开始」。", "zh_Hant", True),
    ("“外“内”外”", "zh_Hans", False),
    ("「外『内』外」", "zh_Hant", True),
    ('请点"开始"。', "zh_Hans", False),
    ("你已报名。", "zh_Hans", False),
    ("您已报名。", "zh_Hans", True),
    ("迷你仓", "zh_Hans", True),
])
def test_the_other_rules(text, locale, ok):
    found = _punctuation_problems(text) + _quote_problems(text, locale) + _pronoun_problems(text)
    assert (found == []) is ok, found
