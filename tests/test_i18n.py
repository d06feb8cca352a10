"""Languages: negotiation, Babel formats, and catalogs complete in both scripts."""

import ast
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.i18n import CATALOG_LOCALES, Translator, from_telegram, negotiate

REPO = Path(__file__).resolve().parents[1]
LOCALES_DIR = REPO / "locales"


@pytest.mark.parametrize(("code", "locale"), [
    ("zh", "zh_Hans"), ("zh-hans", "zh_Hans"), ("zh-Hans-CN", "zh_Hans"), ("zh-cn", "zh_Hans"),
    ("zh-SG", "zh_Hans"), ("zh-hant", "zh_Hant"), ("zh-Hant-TW", "zh_Hant"), ("zh-tw", "zh_Hant"),
    ("zh-hk", "zh_Hant"), ("zh-MO", "zh_Hant"), ("en", "en"), ("en-GB", "en"),
    ("ru", None), ("", None), (None, None), ("zh-yue", None),
])
def test_telegram_language_codes(code, locale):
    assert from_telegram(code) == locale


def test_negotiation_order():
    assert negotiate("zh_Hant", "group", "en", "zh_Hans") == "zh_Hant"  # chat setting first
    assert negotiate(None, "private", "zh-tw", "zh_Hans") == "zh_Hant"  # then the user, in private
    assert negotiate(None, "group", "zh-tw", "zh_Hans") == "zh_Hans"  # not in groups
    assert negotiate(None, "private", "de", "zh_Hant") == "zh_Hant"  # else the default


def test_dates_and_numbers_follow_locale_and_zone():
    moment = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    hans = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    hant = Translator("zh_Hant", ZoneInfo("Asia/Shanghai"))
    en = Translator("en", ZoneInfo("Europe/London"))
    this_year, next_year, sh = date(2026, 1, 1), date(2027, 1, 1), ZoneInfo("Asia/Shanghai")
    assert Translator("zh_Hans", sh, this_year).datetime(moment) == "7月20日（周一）20:00"
    assert Translator("zh_Hans", sh, next_year).datetime(moment) == "2026年7月20日（周一）20:00"
    assert Translator("zh_Hant", sh, this_year).date(moment) == "7月20日（週一）"
    assert Translator("en", sh, this_year).datetime(moment) == "Mon 20 Jul 20:00"
    assert Translator("en", sh, this_year).month(moment) == "July 2026"
    assert hans.weekday(moment) == "周一"
    assert hant.weekday(moment) == "週一"
    assert en.time(moment) == "13:00"
    assert hans.number(3754) == "3,754"
    assert hans.percent(0.98) == "98%"


def test_translations_differ_by_script():
    hans = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    hant = Translator("zh_Hant", ZoneInfo("Asia/Shanghai"))
    msg = "Sorry, only the conveners of this chat can do that."
    assert hans.gettext(msg) == "抱歉，只有本群的召集人可以这样做。"
    assert hant.gettext(msg) == "抱歉，只有本群的召集人可以這樣做。"
    assert Translator("en", ZoneInfo("UTC")).gettext(msg) == msg


def _pybabel(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("pybabel", path=str(Path(sys.executable).parent)) or "pybabel"
    return subprocess.run([exe, *args], cwd=REPO, capture_output=True, text=True)


def test_template_is_up_to_date_with_the_sources(tmp_path):
    fresh = tmp_path / "messages.pot"
    result = _pybabel("extract", "-F", "locales/babel.cfg", "-k", "N_", "-k", "gettext",
                      "-k", "ngettext:1,2", "--no-location", "--sort-output", "-o", str(fresh), ".")
    assert result.returncode == 0, result.stderr
    with fresh.open("rb") as new, (LOCALES_DIR / "messages.pot").open("rb") as old:
        new_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(new) if m.id}
        old_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(old) if m.id}
    assert new_ids - old_ids == set(), "new strings: run the pybabel extract command in the README"
    assert old_ids - new_ids == set(), "strings gone: run the pybabel extract command in the README"


@pytest.mark.parametrize("locale", CATALOG_LOCALES)
def test_catalog_is_complete_and_not_fuzzy(locale):
    with (LOCALES_DIR / "messages.pot").open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    have = {}
    for message in catalog:
        if message.id:
            key = message.id if isinstance(message.id, str) else message.id[0]
            have[key] = message
    assert wanted - set(have) == set(), f"{locale} misses strings"
    fuzzy = sorted(k for k, m in have.items() if m.fuzzy)
    assert fuzzy == [], f"{locale} has fuzzy entries"
    empty = sorted(k for k, m in have.items()
                   if not (m.string if isinstance(m.string, str) else all(m.string)))
    assert empty == [], f"{locale} has untranslated entries"
    placeholders = sorted(k for k, m in have.items() if isinstance(m.string, str)
                          and _params(k) != _params(m.string))
    assert placeholders == [], f"{locale} changes %(name)s placeholders"


def _params(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


def test_pybabel_update_would_change_nothing():
    result = _pybabel("update", "-i", "locales/messages.pot", "-d", "locales", "-D", "messages",
                      "--no-fuzzy-matching", "--ignore-obsolete", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_part_of_the_compound_reads_as_people_say_it():
    hans = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    hant = Translator("zh_Hant", ZoneInfo("Asia/Shanghai"))
    en = Translator("en", ZoneInfo("Asia/Shanghai"))
    assert hans.place("6") == "6栋" and hans.place("6-2") == "6栋2单元"
    assert hant.place("6-2") == "6棟2單元"
    assert en.place("6-2") == "building 6, entrance 2"


def test_labels_and_remarks_take_the_language_s_punctuation():
    hans = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    en = Translator("en", ZoneInfo("Asia/Shanghai"))
    assert hans.labelled("副召集人", "李强") == "副召集人：李强"
    assert en.labelled("Deputy convener", "Li") == "Deputy convener: Li"
    assert hans.labelled("金点子 #3", "") == "金点子 #3"  # nothing to label: no colon
    assert hans.labelled("同意", 0) == "同意：0"
    assert hans.aside("等材料") == "（等材料）" and en.aside("waiting") == " (waiting)"


# Calls whose text arguments reach a chat: each must come from the catalog (N_, gettext,
# ngettext, a template), never be a literal or an f-string of its own.
SHOWN = {"Refused", "PollInputError", "IdeaError", "EventInputError", "reply", "answer", "send_html",
         "tell_privately", "edit_html", "send_message", "edit_message_text", "answer_callback_query"}
WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]{2,}")


def _literal_words(node: ast.AST) -> str | None:
    """The words of a literal or f-string that would reach a user as they are, if any."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and WORDS.search(node.value):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return next((v.value for v in node.values if _literal_words(v)), None)
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) or _literal_words(node.right)
    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "escape":
        return next((w for a in node.args if (w := _literal_words(a))), None)
    return None


def test_no_text_reaches_users_without_gettext():
    sources = [p for p in (REPO / "bot").rglob("*.py") if "local" not in p.parts]
    sources += list((REPO / "handlers").rglob("*.py"))
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in SHOWN:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg in ("text", "message"))]:
                words = _literal_words(arg)
                if words:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} {name}({words!r})")
    assert found == [], "text shown to users without gettext:\n" + "\n".join(found)
