"""Languages: locale negotiation, gettext catalogs and Babel formatting.

English msgids are the source text; the catalogs under ``locales/`` carry
Simplified (zh_Hans) and Traditional (zh_Hant) Chinese. Catalogs are compiled
in memory on first use, so a fresh checkout needs no compile step.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel import dates, lists, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.domain.script import simplified

LOCALES = ("zh_Hans", "zh_Hant", "en")
CATALOG_LOCALES = ("zh_Hans", "zh_Hant")
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}

_HANS = ("zh-hans", "zh-cn", "zh-sg")
_HANT = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def from_telegram(code: str | None) -> str | None:
    """Map a Telegram ``language_code`` (an IETF tag) to one of LOCALES, or None."""
    if not code:
        return None
    tag = code.strip().lower().replace("_", "-")
    if tag.startswith(_HANT):
        return "zh_Hant"
    if tag == "zh" or tag.startswith(_HANS):
        return "zh_Hans"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return None


def negotiate(chat_locale: str | None, chat_type: str | None, user_code: str | None,
              default: str) -> str:
    """Chat setting, then (in private chats) the user's Telegram language, then the default."""
    if chat_locale in LOCALES:
        return chat_locale
    if chat_type == "private":
        found = from_telegram(user_code)
        if found:
            return found
    return default


def catalog_path(locale: str):
    return resources.files("locales") / locale / "LC_MESSAGES" / "messages.po"


def _folded(text: object) -> str:
    return simplified(unicodedata.normalize("NFKC", str(text))).casefold().strip()


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``locale`` (English: the msgids themselves)."""
    if locale not in CATALOG_LOCALES:
        return _gettext.NullTranslations()
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as gettext does
    buffer.seek(0)
    return Translations(buffer)


# The one way a day is written, per language (CLDR patterns): 12月8日（周二）, 12月8日（週二）,
# Tue 8 Dec; the year only when it is not this year's.
DAY_PATTERNS = {"zh": ("M月d日（EEE）", "y年M月d日（EEE）"), "en": ("EEE d MMM", "EEE d MMM y")}
MONTH_PATTERNS = {"zh": "y年M月", "en": "MMMM y"}


@dataclass(frozen=True)
class Translator:
    """Everything a reply needs to speak one chat's language and time zone. ``today`` (the bot's
    clock) decides whether a date needs its year."""

    locale: str
    tz: ZoneInfo
    today: date | None = None

    def gettext(self, message: str, /, **params: object) -> str:
        text = translations(self.locale).gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        text = translations(self.locale).ngettext(singular, plural, n)
        return text % {"num": n, **params}

    def date(self, value: date | datetime) -> str:
        """A day in the house style: 12月8日（周二）, Tue 8 Dec; 2027年1月5日（周二） in another year."""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        this_year, other_year = DAY_PATTERNS["zh" if self.locale.startswith("zh") else "en"]
        today = self.today or datetime.now(self.tz).date()
        return dates.format_date(value, format=this_year if value.year == today.year else other_year,
                                 locale=self.babel_locale)

    def time(self, value: datetime | time, fmt: str = "HH:mm") -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.tz)
        return dates.format_time(value, format=fmt, locale=self.babel_locale)

    def holiday(self, value: datetime) -> str:
        """The public holiday the moment falls on, in this language ("国庆节"), or ""."""
        from bot.domain.festivals import public_holiday

        name = public_holiday(value.astimezone(self.tz).date())
        return self.gettext(name) if name else ""

    def days(self, first: date | datetime, last: date | datetime) -> str:
        """From one day to another, both included: 12月1日（周一）–12月7日（周日）."""
        return ("–" if self.locale.startswith("zh") else " – ").join((self.date(first), self.date(last)))

    def month(self, value: date | datetime) -> str:
        """A month: 2026年12月, December 2026."""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return dates.format_date(value, format=MONTH_PATTERNS["zh" if self.locale.startswith("zh") else "en"],
                                 locale=self.babel_locale)

    def datetime(self, value: datetime) -> str:
        """A moment in the chat's zone: 12月8日（周二）19:30, Tue 8 Dec 19:30."""
        return ("" if self.locale.startswith("zh") else " ").join((self.date(value), self.time(value)))

    def weekday(self, value: date | datetime, width: str = "abbreviated") -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.tz)
        return dates.format_date(value, format="EEE" if width == "abbreviated" else "EEEE",
                                 locale=self.babel_locale)

    def number(self, value: float | int) -> str:
        return numbers.format_decimal(value, locale=self.babel_locale)

    def duration(self, value: timedelta) -> str:
        """A length of time in whole units, largest first ("2 hours", "7 hours 30 minutes",
        "7小时30分钟")."""
        left, parts = int(value.total_seconds()), []
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
            if left >= size or (unit == "second" and not parts):
                parts.append(dates.format_timedelta(timedelta(seconds=left // size * size), granularity=unit,
                                                    threshold=float("inf"), locale=self.babel_locale))
                left %= size
        return self.tight(lists.format_list(parts, style="unit-narrow", locale=self.babel_locale))

    def tight(self, text: str) -> str:
        """Chinese text without the spaces some CLDR patterns put between numbers and characters
        ("7 小時 30 分鐘" -> "7小時30分鐘"); other languages as they are."""
        if not self.locale.startswith("zh"):
            return text
        return re.sub(r"(?<=[\d\u3400-\u9fff])\s+(?=[\d\u3400-\u9fff])", "", text)

    def listing(self, items) -> str:
        """Names or units as a list in the language's way ("A, B, and C"; "A、B和C")."""
        return lists.format_list([str(item) for item in items], locale=self.babel_locale)

    def aside(self, remark: object) -> str:
        """A remark after what it belongs to, in the language's brackets: " (moved)", "（已改期）"."""
        return self.gettext(" (%(aside)s)", aside=remark)

    def named(self, kind: object, title: object) -> str:
        """What something is and its title: 小区夜话“凉亭怎么办”; just 小区夜话 when the title only
        repeats the kind, in either script."""
        if _folded(title) == _folded(kind):
            return str(kind)
        return self.gettext("%(kind)s “%(title)s”", kind=kind, title=title)

    def labelled(self, label: object, text: object) -> str:
        """A label, the language's colon and the text: "Idea #3: text", "金点子 #3：text".

        Without text there is no colon: the label stands alone.
        """
        if (not text and text != 0) or _folded(text) == _folded(label):  # not "小区夜话：小区夜话"
            return str(label)
        return self.gettext("%(label)s: %(text)s", label=label, text=text)

    def place(self, scope: str) -> str:
        """A part of the compound written "6" or "6-2", as people say it: 6栋, 6栋2单元."""
        building, _, entrance = scope.partition("-")
        if entrance:
            return self.gettext("building %(building)s, entrance %(entrance)s", building=building,
                                entrance=entrance)
        return self.gettext("building %(building)s", building=building)

    def area(self, centi: int) -> str:
        """A floor area kept in hundredths of a square metre, as square metres."""
        return numbers.format_decimal(Decimal(centi) / 100, format="#,##0.00", locale=self.babel_locale)

    def percent(self, value: float) -> str:
        return numbers.format_percent(value, format="#,##0.#%", locale=self.babel_locale)

    @property
    def babel_locale(self) -> str:
        return self.locale

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES[self.locale]
