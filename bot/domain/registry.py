"""Reading the household registry (业主名册) that conveners send as a CSV file.

Files saved by Excel in China come as GBK/GB18030, UTF-8 (often with a BOM) or, from
"Unicode text", UTF-16 with tabs; commas or tabs separate the fields. The first line
names the columns in English or either Chinese script; unknown columns are ignored.

Reading is all or nothing: any bad row makes ``parse_registry`` raise ``RegistryError``
listing every problem found (the first ones, then how many more), each an English msgid
with its parameters, so the handler can translate them.

The registry review (业主信息公示, below) is what owners see of it before a vote: the entries
with names masked, the totals per building, and the records of disputes and later changes.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import charset_normalizer

from bot.domain.owner_vote import Household, owner_key
from bot.domain.roles import normalize_building
from bot.i18n import N_

MAX_ROWS = 20_000
ENCODINGS = ("gb18030", "cp950")  # besides UTF-8 and UTF-16: mainland and Traditional-Chinese Excel
MAX_PROBLEMS = 20
MAX_AREA = 1_000_000  # centi-m²: an exclusive part is under 10,000 m²

COLUMNS = {
    "building": ("楼栋", "樓棟", "楼号", "樓號", "栋", "棟", "楼", "樓", "building"),
    "entrance": ("单元", "單元", "entrance"),
    "unit": ("房号", "房號", "户号", "戶號", "室号", "室號", "室", "门牌", "門牌", "unit", "room"),
    "area": ("面积", "面積", "建筑面积", "建築面積", "专有部分面积", "專有部分面積", "area", "area_m2"),
    "owner": ("业主", "業主", "业主姓名", "業主姓名", "owner"),
    "developer": ("开发商", "開發商", "未售", "developer", "unsold"),
}
REQUIRED = ("building", "unit", "area")
_HEADER = {name.casefold(): column for column, names in COLUMNS.items() for name in names}
_YES = frozenset({"是", "是的", "y", "yes", "true", "1", "✓", "√"})
_NO = frozenset({"", "否", "不是", "n", "no", "false", "0"})
_AREA = re.compile(r"([+-]?)(\d+)(?:\.(\d+))?")

NOT_TEXT = N_("The file is not text: save the registry as CSV (UTF-8, GBK or Big5).")
WORKBOOK = N_("The file is an Excel workbook: save it as CSV first.")
EMPTY = N_("The file is empty.")
NO_ROWS = N_("The file has a header but no households.")
TOO_MANY = N_("The file has more than %(max)s households.")
NO_HEADER = N_("Line %(line)s should name the columns, for example: %(example)s")
MISSING = {
    "building": N_("The header has no building column; name it one of: %(names)s"),
    "unit": N_("The header has no unit number column; name it one of: %(names)s"),
    "area": N_("The header has no floor area column; name it one of: %(names)s"),
}
TWICE = N_("The header has two columns for the same thing: %(first)s and %(second)s.")
FIELDS = N_("Line %(line)s has %(found)s fields; the header has %(expected)s.")
NO_BUILDING = N_("Line %(line)s has no building.")
NO_UNIT = N_("Line %(line)s has no unit number.")
BAD_AREA = N_("Line %(line)s: the area %(value)s is not a number of square metres.")
DECIMALS = N_("Line %(line)s: the area %(value)s has more than 2 decimals.")
NOT_POSITIVE = N_("Line %(line)s: the area %(value)s must be more than 0.")
TOO_LARGE = N_("Line %(line)s: the area %(value)s is too large; it must be under 10000 m².")
BAD_DEVELOPER = N_("Line %(line)s: %(value)s in the developer column should be yes or no (是 or 否).")
REPEATED = N_("Line %(line)s repeats line %(first)s: unit %(unit)s.")
MORE = N_("And %(count)s more problems.")
EXAMPLE = "楼栋,单元,房号,面积,业主"


@dataclass(frozen=True)
class RegistryProblem:
    """One problem: an English msgid with %(name)s placeholders and their values."""

    line: int | None
    message: str
    params: dict = field(default_factory=dict)

    def text(self) -> str:
        """The problem in English."""
        return self.message % self.params


def _problem(line: int | None, message: str, **params: object) -> RegistryProblem:
    return RegistryProblem(line, message, {"line": line, **params} if line is not None else params)


class RegistryError(ValueError):
    def __init__(self, problems: list[RegistryProblem]) -> None:
        if len(problems) > MAX_PROBLEMS:
            shown = MAX_PROBLEMS - 1
            problems = [*problems[:shown], _problem(None, MORE, count=len(problems) - shown)]
        super().__init__("\n".join(problem.text() for problem in problems))
        self.problems = problems


def parse_registry(data: bytes) -> list[Household]:
    """The households of a registry file (ids 0, in file order), or RegistryError."""
    text = _decode(data)
    if isinstance(text, RegistryProblem):
        raise RegistryError([text])
    delimiter = "\t" if _first_line(text).count("\t") > _first_line(text).count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []  # (first line of the row, its cells)
    start = 1
    try:
        for row in reader:
            cells = [unicodedata.normalize("NFKC", cell).strip() for cell in row]
            if any(cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error:  # a field over csv's size limit: not a registry
        raise RegistryError([_problem(None, NOT_TEXT)]) from None
    if not rows:
        raise RegistryError([_problem(None, EMPTY)])
    if len(rows) > MAX_ROWS + 1:
        raise RegistryError([_problem(None, TOO_MANY, max=MAX_ROWS)])
    (header_line, header), body = rows[0], rows[1:]
    columns, problems = _columns(header_line, header)
    if problems:
        raise RegistryError(problems)
    if not body:
        raise RegistryError([_problem(None, NO_ROWS)])
    width = max(i for i, cell in enumerate(header) if cell) + 1
    households: list[Household] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in body:
        if len(cells) < width or any(cells[width:]):
            found = len(cells) if len(cells) < width else max(i for i, cell in enumerate(cells) if cell) + 1
            problems.append(_problem(line, FIELDS, found=found, expected=width))
            continue
        household, found_problems = _row(line, {column: cells[i] for column, i in columns.items()})
        problems += found_problems
        if household is None:
            continue
        key = (household.building, household.entrance, household.unit)
        if key in seen:
            problems.append(_problem(line, REPEATED, first=seen[key], unit=household.label))
        else:
            seen[key] = line
            households.append(household)
    if problems:
        raise RegistryError(problems)
    return households


def _decode(data: bytes) -> str | RegistryProblem:
    """The text of a registry file as spreadsheet programs save it: UTF-8 or UTF-16 (with or
    without a byte-order mark), GB18030 (Excel in mainland China) or Big5 (Excel in Traditional
    Chinese), told apart by charset-normalizer."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _problem(None, WORKBOOK)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _or_none(data, "utf-16")
    else:
        text = _or_none(data, "utf-8-sig")
        if text is None:
            best = charset_normalizer.from_bytes(data, cp_isolation=list(ENCODINGS)).best()
            text = _or_none(data, best.encoding) if best is not None else None
    if text is None or "\x00" in text:
        return _problem(None, NOT_TEXT)
    return text if text.strip() else _problem(None, EMPTY)


def _or_none(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _header_name(cell: str) -> str:
    """'建筑面积（㎡）' -> '建筑面积'; 'Area (m2)' -> 'area'."""
    return re.sub(r"\(.*?\)|\[.*?\]|\s", "", cell).casefold()


def _columns(line: int, header: list[str]) -> tuple[dict[str, int], list[RegistryProblem]]:
    columns: dict[str, int] = {}
    problems = []
    for i, cell in enumerate(header):
        column = _HEADER.get(_header_name(cell))
        if column in columns:
            problems.append(_problem(line, TWICE, first=header[columns[column]], second=cell))
        elif column:
            columns[column] = i
    if not columns:
        return columns, [_problem(line, NO_HEADER, example=EXAMPLE)]
    problems += [_problem(line, MISSING[column], names=", ".join(COLUMNS[column]))
                 for column in REQUIRED if column not in columns]
    return columns, problems


def _row(line: int, cells: dict[str, str]) -> tuple[Household | None, list[RegistryProblem]]:
    problems = []
    building = normalize_building(cells["building"])
    if not building:
        problems.append(_problem(line, NO_BUILDING))
    entrance = _strip_suffix(cells.get("entrance", ""), ("单元", "單元")).upper()
    entrance = str(int(entrance)) if re.fullmatch(r"[0-9]{1,6}", entrance) else entrance
    unit = _strip_suffix(cells["unit"], ("室", "号", "號")).upper()
    if not unit:
        problems.append(_problem(line, NO_UNIT))
    area = _area(cells["area"])
    if isinstance(area, str):
        problems.append(_problem(line, area, value=cells["area"][:40]))
    flag = cells.get("developer", "").casefold()
    if flag not in _YES and flag not in _NO:
        problems.append(_problem(line, BAD_DEVELOPER, value=cells["developer"][:40]))
    if problems:
        return None, problems
    owner = " ".join(cells.get("owner", "").split())
    return Household(0, building, entrance, unit, area, owner=owner, developer=flag in _YES), []


def _strip_suffix(text: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        text = text.removesuffix(suffix).strip()
    return text


def _area(text: str) -> int | str:
    """'89.50㎡' -> 8950 centi-m², or the msgid of what is wrong with it."""
    number = _strip_suffix(text.casefold(), ("平方米", "平米", "m2")).replace(" ", "")
    match = _AREA.fullmatch(number)
    if not match:
        return BAD_AREA
    sign, whole, fraction = match.groups(default="")
    if len(fraction.rstrip("0")) > 2:
        return DECIMALS
    centi = int(whole) * 100 + int((fraction + "00")[:2])
    if sign == "-" or centi == 0:
        return NOT_POSITIVE
    return TOO_LARGE if centi >= MAX_AREA else centi


# -- the registry review (业主信息公示) ------------------------------------------------------------
#
# Before a vote the registry of its scope is published for the owners to check: every unit with
# its floor area and its owners' names masked the way Chinese public notices mask them, the
# surname kept and every further character a "*" (张三 -> 张*; a compound surname stays whole
# when a given name follows it: 欧阳娜娜 -> 欧阳**). Co-owners written in one cell (张三、李四, or
# separated by commas, slashes or spaces) are masked one by one. Latin names keep their first
# letter only ("Wang Fang" -> "W*** ****").

REASONS = ("area", "not_mine", "co_owner", "other")
COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "长孙", "宇文",
    "司徒", "司空", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "万俟", "呼延", "申屠", "百里",
    "澹台", "公冶", "太史", "闻人", "钟离", "赫连", "濮阳", "单于", "拓跋", "东郭", "淳于", "仲孙",
    "左丘", "第五", "歐陽", "諸葛", "東方", "長孫", "軒轅", "獨孤", "南宮", "萬俟", "鍾離", "赫連",
    "單于", "聞人", "濮陽",
))
_CO_OWNERS = re.compile(r"(\s*[、,;/&＆；]\s*|(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff]))")


def mask_name(owner: str) -> str:
    """The owner cell as the review shows it: each co-owner's surname, the rest masked."""
    parts = _CO_OWNERS.split(owner.strip())
    return "".join(part if i % 2 else _mask_one(part) for i, part in enumerate(parts))


def _mask_one(name: str) -> str:
    keep = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:keep] + "".join(c if c.isspace() else "*" for c in name[keep:])


@dataclass(frozen=True)
class ReviewEntry:
    """One unit as the review publishes it: ``owner`` masked ("" when the registry names none)."""

    label: str
    area: int
    owner: str
    developer: bool


def review_entry(h: Household) -> ReviewEntry:
    return ReviewEntry(h.label, h.area, mask_name(h.owner), h.developer)


@dataclass(frozen=True)
class BuildingTotals:
    building: str
    households: int
    owners: int  # counted as an owner vote counts heads (owner_key)
    area: int


@dataclass(frozen=True)
class ReviewSummary:
    """Per building and in all. An owner of units in two buildings counts once in all, so the
    total of owners can be less than the buildings' owners added up."""

    buildings: tuple[BuildingTotals, ...]
    households: int
    owners: int
    area: int


def summarize(units: Sequence[Household]) -> ReviewSummary:
    by_building: dict[str, list[Household]] = {}
    for h in units:
        by_building.setdefault(h.building, []).append(h)
    buildings = tuple(
        BuildingTotals(b, len(us), len({owner_key(h) for h in us}), sum(h.area for h in us))
        for b, us in sorted(by_building.items(), key=lambda item: (len(item[0]), item[0])))
    return ReviewSummary(buildings, len(units), len({owner_key(h) for h in units}),
                         sum(h.area for h in units))


@dataclass(frozen=True)
class Review:
    id: int
    chat_id: int  # where it was published from
    number: int
    scope: tuple[str, ...]
    published_by: int
    published_at: datetime


@dataclass(frozen=True)
class Dispute:
    id: int
    review_id: int
    review_number: int
    household_id: int
    label: str
    user_id: int
    name: str  # the owner's Telegram name (shown to conveners only)
    reason: str
    note: str
    state: str
    resolution: str | None
    created_at: datetime
    main_chat_id: int | None  # of the review's community


@dataclass(frozen=True)
class RegistryChange:
    """An import's change to a unit after a review: ``field`` area / owner / developer (``old``
    and ``new`` as stored), added / retired (``new`` / ``old``: the unit's area)."""

    household_id: int
    label: str
    building: str
    entrance: str
    field: str
    old: str | None
    new: str | None
    by: int | None
    at: datetime


def shown_change(change: RegistryChange) -> RegistryChange:
    """The change as a group may see it: owners' names masked."""
    if change.field != "owner":
        return change
    return replace(change, old=mask_name(change.old or ""), new=mask_name(change.new or ""))
