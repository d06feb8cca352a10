"""Reading the household registry (业主名册) that conveners send as a CSV file.

Files saved by Excel in China come as GBK/GB18030, UTF-8 (often with a BOM) or, from
"Unicode text", UTF-16 with tabs; commas or tabs separate the fields. The first line
names the columns in English or either Chinese script; unknown columns are ignored.

Reading is all or nothing: any bad row makes ``parse_registry`` raise ``RegistryError``
listing every problem found (the first ones, then how many more), each an English msgid
with its parameters, so the handler can translate them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

import charset_normalizer

from bot.domain.owner_vote import Household
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
