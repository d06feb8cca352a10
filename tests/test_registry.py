"""Reading the household registry CSV: encodings, headers, values, and every problem."""

from __future__ import annotations

import pytest

from bot.domain import registry as reg
from bot.domain.owner_vote import Household, count, owner_key
from bot.domain.registry import RegistryError, RegistryProblem, parse_registry


def encoded(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def problems_of(data: bytes) -> list[RegistryProblem]:
    with pytest.raises(RegistryError) as caught:
        parse_registry(data)
    for problem in caught.value.problems:
        assert problem.text()  # every msgid formats with its params
        assert problem.params.get("line") == problem.line or problem.line is None
    return caught.value.problems


def one_problem(data: bytes) -> RegistryProblem:
    found = problems_of(data)
    assert len(found) == 1, found
    return found[0]


SIMPLIFIED = "楼栋,单元,房号,面积,业主,开发商\n6栋,2单元,301室,89.50㎡,张伟,\n6号楼,2,302,120.35,,是\n"
TRADITIONAL = "樓棟,單元,房號,面積,業主,開發商\n6棟,2單元,301室,89.50,張偉,否\n6號樓,2,302,120.35平方米,,是\n"
EXPECTED = [
    Household(0, "6", "2", "301", 8950, owner="张伟"),
    Household(0, "6", "2", "302", 12035, developer=True),
]
EXPECTED_HANT = [Household(0, "6", "2", "301", 8950, owner="張偉"), EXPECTED[1]]


# --- encodings and layouts ----------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_with_simplified_headers(encoding):
    assert parse_registry(encoded(SIMPLIFIED, encoding)) == EXPECTED


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "big5", "cp950", "utf-16"])
def test_encodings_with_traditional_headers(encoding):
    assert parse_registry(encoded(TRADITIONAL, encoding)) == EXPECTED_HANT


def test_excel_unicode_text_is_utf16_with_tabs():
    assert parse_registry(encoded(SIMPLIFIED.replace(",", "\t"), "utf-16")) == EXPECTED


def test_english_headers_tabs_and_crlf():
    text = "Building\tEntrance\tUnit\tArea (m2)\tOwner\tDeveloper\r\n6\t2\t301\t89.5m2\tZhang  Wei\tno\r\n" \
           "6\t2\t302\t120.35\t\tyes\r\n"
    assert parse_registry(encoded(text)) == [
        Household(0, "6", "2", "301", 8950, owner="Zhang Wei"),
        Household(0, "6", "2", "302", 12035, developer=True),
    ]
    assert parse_registry(encoded("building,room,area_m2\n6,301,89.5\n")) == [
        Household(0, "6", "", "301", 8950)]


def test_reordered_columns_other_names_and_unknown_columns():
    text = ("电话,建筑面积（㎡）,户号,楼号,业主姓名\n"
            "13800000000,89.5,301,6幢,李娜\n"
            "13900000000,１２０.３５,３０２,６栋,\n")  # full-width digits from a Chinese keyboard
    assert parse_registry(encoded(text)) == [
        Household(0, "6", "", "301", 8950, owner="李娜"),
        Household(0, "6", "", "302", 12035),
    ]
    for header in ("栋,室,专有部分面积", "棟,門牌,專有部分面積", "楼,门牌,建築面積", "樓,室号,area"):
        assert parse_registry(encoded(f"{header}\n7,502,100\n")) == [Household(0, "7", "", "502", 10000)]


def test_blank_lines_trailing_separators_and_quotes():
    text = ('\n楼栋,单元,房号,面积,业主,,\n\n6,1,101,89.5,"Li, Wei",,\n,,,,,,\n'
            '6,1,102,"120.35",,\n\n')
    assert parse_registry(encoded(text)) == [
        Household(0, "6", "1", "101", 8950, owner="Li, Wei"),
        Household(0, "6", "1", "102", 12035),
    ]


@pytest.mark.parametrize(("value", "centi"), [
    ("89.5", 8950), ("89.50", 8950), ("89.50㎡", 8950), ("89.5m2", 8950), ("89.5M2", 8950),
    ("89.5平方米", 8950), ("89.5 平米", 8950), ("89.5m²", 8950), ("89.500", 8950), ("89", 8900),
    ("0.01", 1), ("9999.99", 999999), ("+120.35", 12035),
])
def test_area_values(value, centi):
    assert parse_registry(encoded(f"楼栋,房号,面积\n6,301,{value}\n"))[0].area == centi


@pytest.mark.parametrize("value", ["是", "是的", "Y", "y", "yes", "YES", "true", "TRUE", "1", "✓", "√"])
def test_developer_marker_truthy(value):
    assert parse_registry(encoded(f"楼栋,房号,面积,未售\n6,301,89.5,{value}\n"))[0].developer


@pytest.mark.parametrize("value", ["", "否", "no", "No", "0", "false"])
def test_developer_marker_falsy(value):
    assert not parse_registry(encoded(f"楼栋,房号,面积,unsold\n6,301,89.5,{value}\n"))[0].developer


def test_developer_units_share_one_owner():
    text = "楼栋,房号,面积,开发商\n6,1501,89.5,是\n6,1502,120.35,√\n6,1401,89.5,\n"
    households = parse_registry(encoded(text))
    assert len({owner_key(h) for h in households}) == 2


# --- problems -----------------------------------------------------------------------------------

def test_not_text():
    assert one_problem(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == RegistryProblem(None, reg.NOT_TEXT, {})
    assert one_problem(b"\xff\x00\xff\x00\x80\x81").message == reg.NOT_TEXT
    assert one_problem(b"PK\x03\x04\x14\x00\x06\x00").message == reg.WORKBOOK


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf", b",,,\n,,,\n"])
def test_empty(data):
    assert one_problem(data) == RegistryProblem(None, reg.EMPTY, {})


def test_header_without_rows():
    assert one_problem(encoded("楼栋,房号,面积\n\n")).message == reg.NO_ROWS


def test_no_header():
    problem = one_problem(encoded("\n6,2,301,89.5\n6,2,302,120.35\n"))
    assert (problem.line, problem.message) == (2, reg.NO_HEADER)
    assert problem.params == {"line": 2, "example": reg.EXAMPLE}


def test_missing_columns_name_which_and_the_accepted_names():
    found = problems_of(encoded("楼栋,单元,业主\n6,2,张伟\n"))
    assert [p.message for p in found] == [reg.MISSING["unit"], reg.MISSING["area"]]
    assert all(p.line == 1 for p in found)
    assert "房号" in found[0].params["names"] and "room" in found[0].params["names"]
    assert "面積" in found[1].params["names"]
    assert one_problem(encoded("单元,房号,面积\n2,301,89.5\n")).message == reg.MISSING["building"]


def test_two_columns_for_the_same_thing():
    problem = one_problem(encoded("楼栋,房号,面积,建筑面积\n6,301,89.5,89.5\n"))
    assert problem == RegistryProblem(1, reg.TWICE, {"line": 1, "first": "面积", "second": "建筑面积"})


def test_wrong_number_of_fields():
    text = "楼栋,单元,房号,面积\n6,2,301\n6,2,302,120.35,张伟\n6,2,303,89.5,,\n"
    assert problems_of(encoded(text)) == [
        RegistryProblem(2, reg.FIELDS, {"line": 2, "found": 3, "expected": 4}),
        RegistryProblem(3, reg.FIELDS, {"line": 3, "found": 5, "expected": 4}),
    ]


def test_missing_building_or_unit():
    text = "楼栋,单元,房号,面积\n,2,301,89.5\n6,2,,89.5\n6,2,室,89.5\n栋,2,303,89.5\n"
    assert [(p.line, p.message) for p in problems_of(encoded(text))] == [
        (2, reg.NO_BUILDING), (3, reg.NO_UNIT), (4, reg.NO_UNIT), (5, reg.NO_BUILDING)]


@pytest.mark.parametrize(("value", "message"), [
    ("八十", reg.BAD_AREA), ("abc", reg.BAD_AREA), ("", reg.BAD_AREA), ("89.5.1", reg.BAD_AREA),
    ("1e3", reg.BAD_AREA), (".5", reg.BAD_AREA), ("89.5 ft2", reg.BAD_AREA),
    ("0", reg.NOT_POSITIVE), ("0.00", reg.NOT_POSITIVE), ("-89.5", reg.NOT_POSITIVE),
    ("10000", reg.TOO_LARGE), ("12000.5", reg.TOO_LARGE),
    ("89.555", reg.DECIMALS), ("89.501", reg.DECIMALS),
])
def test_area_problems(value, message):
    problem = one_problem(encoded(f"楼栋,房号,面积\n6,301,1\n6,302,{value}\n"))
    assert problem == RegistryProblem(3, message, {"line": 3, "value": value})


def test_unreadable_developer_marker():
    problem = one_problem(encoded("楼栋,房号,面积,开发商\n6,301,89.5,maybe\n"))
    assert problem == RegistryProblem(2, reg.BAD_DEVELOPER, {"line": 2, "value": "maybe"})


def test_duplicate_unit_names_the_first_line():
    text = ("楼栋,单元,房号,面积\n6栋,2单元,301,89.5\n6,1,301,89.5\n\n"
            "6,2,301室,89.5\n7,2,301,89.5\n6,2,301,90\n")
    assert problems_of(encoded(text)) == [
        RegistryProblem(5, reg.REPEATED, {"line": 5, "first": 2, "unit": "6-2-301"}),
        RegistryProblem(7, reg.REPEATED, {"line": 7, "first": 2, "unit": "6-2-301"}),
    ]


def test_too_many_rows():
    rows = "\n".join(f"6,{i},50" for i in range(1, reg.MAX_ROWS + 2))
    assert one_problem(encoded(f"楼栋,房号,面积\n{rows}\n")) == RegistryProblem(
        None, reg.TOO_MANY, {"max": 20_000})
    rows = "\n".join(f"6,{i},50" for i in range(1, reg.MAX_ROWS + 1))
    assert len(parse_registry(encoded(f"楼栋,房号,面积\n{rows}\n"))) == reg.MAX_ROWS


def test_every_bad_row_is_reported_and_nothing_returned():
    text = ("楼栋,单元,房号,面积,开发商\n"
            "6,1,101,89.5,\n"       # 2: fine
            ",1,102,abc,\n"         # 3: no building, bad area
            "6,1,103,89.5\n"        # 4: 4 fields
            "6,1,104,89.123,否\n"   # 5: decimals
            "6,1,101,89.5,\n"       # 6: repeats 2
            "6,1,105,-1,x\n")       # 7: not positive, bad marker
    assert [(p.line, p.message) for p in problems_of(encoded(text))] == [
        (3, reg.NO_BUILDING), (3, reg.BAD_AREA), (4, reg.FIELDS), (5, reg.DECIMALS),
        (6, reg.REPEATED), (7, reg.NOT_POSITIVE), (7, reg.BAD_DEVELOPER)]


def test_problems_are_capped():
    rows = "\n".join(f"6,{i},abc" for i in range(1, 31))
    found = problems_of(encoded(f"楼栋,房号,面积\n{rows}\n"))
    assert len(found) == reg.MAX_PROBLEMS
    assert [p.line for p in found[:-1]] == list(range(2, 21))
    assert found[-1] == RegistryProblem(None, reg.MORE, {"count": 11})
    exactly = "\n".join(f"6,{i},abc" for i in range(1, 21))
    assert len(problems_of(encoded(f"楼栋,房号,面积\n{exactly}\n"))) == 20


def test_error_message_is_the_english_text():
    with pytest.raises(RegistryError, match="Line 2: the area abc is not a number"):
        parse_registry(encoded("楼栋,房号,面积\n6,301,abc\n"))


# --- building 6 ---------------------------------------------------------------------------------

def building_6_csv() -> str:
    """Entrances 1 and 2, floors 1-15, x01 89.50 m² and x02 120.35 m², written the way
    conveners do: mixed suffixes; Zhang Wei owns 6-1-301 and 6-1-302; the developer
    has not sold 6-2-1501 and 6-2-1502."""
    lines = ["楼栋,单元,房号,建筑面积（㎡）,业主,开发商"]
    for entrance in (1, 2):
        for floor in range(1, 16):
            owner = "张伟" if (entrance, floor) == (1, 3) else ""
            developer = "是" if (entrance, floor) == (2, 15) else ""
            lines.append(f"6栋,{entrance}单元,{floor}01室,89.50㎡,{owner},{developer}")
            lines.append(f"6号楼,{entrance},{floor}02,120.35,{owner},{developer}")
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_building_6_registry(encoding):
    households = parse_registry(encoded(building_6_csv(), encoding))
    assert len(households) == 60
    assert households[0].label == "6-1-101" and households[-1].label == "6-2-1502"
    assert {h.building for h in households} == {"6"} and {h.entrance for h in households} == {"1", "2"}
    assert sum(h.area for h in households) == 30 * 8950 + 30 * 12035 == 629550
    assert [h.label for h in households if h.developer] == ["6-2-1501", "6-2-1502"]
    assert [h.label for h in households if h.owner] == ["6-1-301", "6-1-302"]
    stored = [Household(i, h.building, h.entrance, h.unit, h.area, h.owner, h.developer)
              for i, h in enumerate(households, 1)]
    tally = count(stored, [])
    assert (tally.eligible_heads, tally.eligible_area) == (58, 629550)
