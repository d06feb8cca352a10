"""`yishi verify` against hand-computed bulletins (docs/bulletin.md).

Independent of the bot's counting and of its tests: every expected figure below is a literal,
worked out by hand in the comment next to it. Areas are in m²; "⅔·600.00 = 400.00" means the
threshold the spec's integer cross-multiplication compares with.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.verify import verify


def T(owners: int, area: str) -> dict:  # a tally, as the bulletin writes it
    return {"owners": owners, "area": area}


def result(taking_part, agree, disagree, abstain, quorum_met, approved, passed, deemed=None) -> dict:
    return {"taking_part": taking_part, "agree": agree, "disagree": disagree, "abstain": abstain,
            "quorum_met": quorum_met, "approved": approved, "passed": passed, "deemed": deemed}


def deemed(taking_part, agree, disagree, abstain, quorum_met, approved, passed) -> dict:
    """A deemed count: the result's fields, without a ``deemed`` of its own."""
    return {"taking_part": taking_part, "agree": agree, "disagree": disagree, "abstain": abstain,
            "quorum_met": quorum_met, "approved": approved, "passed": passed}


def ballot(choice: str, area: str, key: str, households: int = 1, secret: bool = True) -> dict:
    return {("receipt" if secret else "units"): key, "choice": choice, "area": area,
            "households": households}


def bulletin(owners, households, area, ballots, published, *, major=True, follow_majority=False,
             secret=True, chain=None) -> dict:
    """A bulletin as the spec shows it, with its sha256 filled in from the canonical form."""
    data = {
        "format": "yishi-bulletin/1",
        "community": "翠苑小区",
        "vote": {"id": 7, "number": 1, "question": "6号楼更换电梯", "scope": ["6"], "secret": secret,
                 "opened_at": "2026-12-08T19:30:00+08:00", "closed_at": "2026-12-23T20:00:00+08:00",
                 "notice_days": 15},
        "rule": {"major": major, "follow_majority": follow_majority},
        "registry": {"owners": owners, "households": households, "area": area},
        "ballots": ballots,
        "result": published,
        "chain": chain or {"rows": len(ballots), "final_hash": "0" * 64},
    }
    return seal(data)


def seal(data: dict) -> dict:
    rest = {k: v for k, v in data.items() if k != "sha256"}
    canonical = json.dumps(rest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {**rest, "sha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest()}


def write(tmp_path: Path, data: dict, name: str = "vote-1-bulletin.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def receipts(*choices_and_areas: tuple[str, str]) -> list[dict]:
    """Secret ballots with receipts R01, R02, … (sorted, as the spec wants)."""
    return [ballot(c, a, f"R{i:02d}") for i, (c, a) in enumerate(choices_and_areas, 1)]


def check(tmp_path: Path, data: dict, db: Path | None = None):
    return verify(write(tmp_path, data), db)


# --- quorum: n ≥ ⅔·N and a ≥ ⅔·A --------------------------------------------------------------

def test_quorum_exactly_two_thirds_by_owners_and_area_is_met(tmp_path):
    # N = 6, A = 600.00; n = 4 = ⅔·6, a = 400.00 = ⅔·600.00: met (3·4 = 12 ≥ 2·6 = 12).
    # Major: agree 4 ≥ ¾·4 = 3 and 400.00 ≥ ¾·400.00 = 300.00: approved, passed.
    data = bulletin(6, 6, "600.00", receipts(*[("agree", "100.00")] * 4),
                    result(T(4, "400.00"), T(4, "400.00"), T(0, "0.00"), T(0, "0.00"), True, True, True))
    report = check(tmp_path, data)
    assert report.problems == []
    assert report.ok
    assert report.recount.result.quorum_met and report.recount.result.passed


def test_quorum_one_hundredth_below_is_not_met(tmp_path):
    # a = 100.00 + 100.00 + 100.00 + 99.99 = 399.99 < 400.00: 3·39999 = 119997 < 2·60000 = 120000.
    # Approval still holds (everyone agrees), but without quorum nothing passes.
    data = bulletin(6, 6, "600.00", receipts(("agree", "100.00"), ("agree", "100.00"), ("agree", "100.00"),
                                             ("agree", "99.99")),
                    result(T(4, "399.99"), T(4, "399.99"), T(0, "0.00"), T(0, "0.00"), False, True, False))
    assert check(tmp_path, data).problems == []


def test_quorum_one_owner_below_is_not_met(tmp_path):
    # n = 3 < ⅔·6 = 4 (3·3 = 9 < 12) although a = 200.00 + 100.00 + 100.00 = 400.00 is enough.
    data = bulletin(6, 7, "600.00", receipts(("agree", "200.00"), ("agree", "100.00"), ("agree", "100.00")),
                    result(T(3, "400.00"), T(3, "400.00"), T(0, "0.00"), T(0, "0.00"), False, True, False))
    assert check(tmp_path, data).problems == []


@pytest.mark.parametrize(("last", "met"), [("266.67", True), ("266.66", False)])
def test_quorum_of_an_area_not_divisible_by_three(tmp_path, last, met):
    # A = 1000.00: ⅔·A = 666.666…; 400.00 + 266.67 = 666.67: 3·66667 = 200001 ≥ 200000, met;
    # 400.00 + 266.66 = 666.66: 3·66666 = 199998 < 200000, not met. n = 2 = ⅔·3.
    total = "666.67" if met else "666.66"
    data = bulletin(3, 3, "1000.00", receipts(("agree", "400.00"), ("agree", last)),
                    result(T(2, total), T(2, total), T(0, "0.00"), T(0, "0.00"), met, True, met))
    assert check(tmp_path, data).problems == []


# --- approval -----------------------------------------------------------------------------------

def test_major_approval_exactly_three_quarters_passes(tmp_path):
    # N = 4, A = 400.00, all vote 100.00. Agree 3 ≥ ¾·4 = 3 (4·3 = 12 ≥ 3·4 = 12) and
    # 300.00 ≥ ¾·400.00 = 300.00 (4·30000 = 120000 ≥ 3·40000 = 120000): approved.
    data = bulletin(4, 4, "400.00", receipts(("agree", "100.00"), ("agree", "100.00"), ("agree", "100.00"),
                                             ("disagree", "100.00")),
                    result(T(4, "400.00"), T(3, "300.00"), T(1, "100.00"), T(0, "0.00"), True, True, True))
    assert check(tmp_path, data).problems == []


def test_major_approval_just_below_three_quarters_fails(tmp_path):
    # Agree area 100.00 + 100.00 + 99.99 = 299.99 of 400.00: 4·29999 = 119996 < 120000. Owners 3 ≥ 3.
    data = bulletin(4, 4, "400.00", receipts(("agree", "100.00"), ("agree", "100.00"), ("agree", "99.99"),
                                             ("disagree", "100.01")),
                    result(T(4, "400.00"), T(3, "299.99"), T(1, "100.01"), T(0, "0.00"), True, False, False))
    assert check(tmp_path, data).problems == []


def test_ordinary_exactly_half_fails(tmp_path):
    # Ordinary: more than half. Owners 2 of 4: 2·2 = 4 > 4? no. (Area 250.00 of 400.00 would do.)
    data = bulletin(4, 4, "400.00", receipts(("agree", "150.00"), ("agree", "100.00"), ("disagree", "75.00"),
                                             ("disagree", "75.00")),
                    result(T(4, "400.00"), T(2, "250.00"), T(2, "150.00"), T(0, "0.00"), True, False, False),
                    major=False)
    assert check(tmp_path, data).problems == []


@pytest.mark.parametrize(("second", "against", "approved"), [("50.00", "150.00", False),
                                                             ("50.01", "149.99", True)])
def test_ordinary_area_exactly_half_fails_and_just_above_passes(tmp_path, second, against, approved):
    # N = 3, A = 300.00, all vote. Owners 2 of 3: 2·2 = 4 > 3. Area 100.00 + 50.00 = 150.00 of 300.00:
    # 2·15000 = 30000 > 30000? no. 100.00 + 50.01 = 150.01: 2·15001 = 30002 > 30000: approved.
    agree = "150.00" if second == "50.00" else "150.01"
    data = bulletin(3, 3, "300.00", receipts(("agree", "100.00"), ("agree", second), ("disagree", against)),
                    result(T(3, "300.00"), T(2, agree), T(1, against), T(0, "0.00"),
                           True, approved, approved),
                    major=False)
    assert check(tmp_path, data).problems == []


def test_abstentions_take_part_but_do_not_agree(tmp_path):
    # Ordinary, N = 4, A = 400.00, 100.00 each: agree 2, disagree 1, abstain 1. Agree 2·2 = 4 > 4? no:
    # the abstention counts among those taking part, so half is not more than half.
    data = bulletin(4, 4, "400.00", receipts(("agree", "100.00"), ("abstain", "100.00"), ("agree", "100.00"),
                                             ("disagree", "100.00")),
                    result(T(4, "400.00"), T(2, "200.00"), T(1, "100.00"), T(1, "100.00"),
                           True, False, False),
                    major=False)
    assert check(tmp_path, data).problems == []
    # Major, agree 3 and abstain 1: 4·3 = 12 ≥ 12 and 4·300.00 ≥ 3·400.00: passes.
    data = bulletin(4, 4, "400.00", receipts(("agree", "100.00"), ("agree", "100.00"), ("abstain", "100.00"),
                                             ("agree", "100.00")),
                    result(T(4, "400.00"), T(3, "300.00"), T(0, "0.00"), T(1, "100.00"), True, True, True))
    assert check(tmp_path, data).problems == []


# --- 从众 (follow_majority) ----------------------------------------------------------------------

def test_follow_majority_deems_non_voters_with_a_clear_majority(tmp_path):
    # N = 10, A = 1000.00. Agree 5 (500.00), disagree 1 (100.00): n = 6, a = 600.00.
    # Raw: quorum 3·6 = 18 < 20: not met; approval 4·5 = 20 ≥ 18 and 4·500.00 ≥ 3·600.00: yes; not passed.
    # Agree leads on both (5 > 1, 5 > 0; 500.00 > 100.00, > 0.00): the 10 − 6 = 4 owners and
    # 1000.00 − 600.00 = 400.00 follow it: agree 9 / 900.00 of 10 / 1000.00; quorum met;
    # 4·9 = 36 ≥ 30 and 4·900.00 = 3600.00 ≥ 3000.00: passed.
    data = bulletin(10, 10, "1000.00",
                    receipts(*[("agree", "100.00")] * 5, ("disagree", "100.00")),
                    result(T(6, "600.00"), T(5, "500.00"), T(1, "100.00"), T(0, "0.00"), False, True, False,
                           deemed=deemed(T(10, "1000.00"), T(9, "900.00"), T(1, "100.00"), T(0, "0.00"),
                                         True, True, True)),
                    follow_majority=True)
    report = check(tmp_path, data)
    assert report.problems == []
    assert report.recount.majority == "agree"
    assert report.recount.deemed.passed and not report.recount.result.passed


def test_follow_majority_without_a_choice_leading_on_both_has_no_deemed_count(tmp_path):
    # Agree 3 owners (50.00 each = 150.00), disagree 2 owners (200.00 each = 400.00): agree leads on
    # owners, disagree on area: no majority, deemed null. Raw: n = 5, a = 550.00 of 10 / 1000.00:
    # 3·5 = 15 < 20, not met; 4·3 = 12 < 3·5 = 15: not approved.
    ballots = receipts(("agree", "50.00"), ("agree", "50.00"), ("agree", "50.00"),
                       ("disagree", "200.00"), ("disagree", "200.00"))
    published = result(T(5, "550.00"), T(3, "150.00"), T(2, "400.00"), T(0, "0.00"), False, False, False)
    report = check(tmp_path, bulletin(10, 10, "1000.00", ballots, published, follow_majority=True))
    assert report.problems == []
    assert report.recount.deemed is None
    # A bulletin that deems anyway is caught.
    wrong = deemed(T(10, "1000.00"), T(8, "600.00"), T(2, "400.00"), T(0, "0.00"), True, False, False)
    report = check(tmp_path, bulletin(10, 10, "1000.00", ballots, published | {"deemed": wrong},
                                      follow_majority=True))
    assert report.problems == ["result.deemed: published a deemed count, recounted null "
                               "(no choice leads on both owners and area)"]


def test_a_developer_holding_many_units_is_one_owner_with_a_large_area(tmp_path):
    # Registry: 4 residents with one 100.00 unit each, and the developer's 20 unsold units, 2600.00,
    # as one owner: N = 5, 24 units, A = 3000.00. Everyone votes; the residents agree, the developer
    # does not. Quorum: 5 ≥ ⅔·5 and 3000.00 ≥ 2000.00. Owners: 4·4 = 16 ≥ 3·5 = 15, but area
    # 4·400.00 = 1600.00 < 3·3000.00 = 9000.00: the developer alone blocks the major matter.
    ballots = [*receipts(*[("agree", "100.00")] * 4), ballot("disagree", "2600.00", "R05", households=20)]
    data = bulletin(5, 24, "3000.00", ballots,
                    result(T(5, "3000.00"), T(4, "400.00"), T(1, "2600.00"), T(0, "0.00"),
                           True, False, False))
    report = check(tmp_path, data)
    assert report.problems == []
    assert report.recount.result.taking_part.owners == 5
    # Staying away blocks it too: 4 owners ≥ ⅔·5 (12 ≥ 10), but 400.00 < ⅔·3000.00 = 2000.00.
    data = bulletin(5, 24, "3000.00", receipts(*[("agree", "100.00")] * 4),
                    result(T(4, "400.00"), T(4, "400.00"), T(0, "0.00"), T(0, "0.00"), False, True, False))
    assert check(tmp_path, data).problems == []


# --- a bulletin that does not match ------------------------------------------------------------

def four_of_six() -> dict:  # the quorum case above: 4 of 6 owners, 400.00 of 600.00, all agree
    return bulletin(6, 6, "600.00", receipts(*[("agree", "100.00")] * 4),
                    result(T(4, "400.00"), T(4, "400.00"), T(0, "0.00"), T(0, "0.00"), True, True, True))


def test_altered_counts_are_named_field_by_field(tmp_path):
    data = four_of_six()
    data["result"]["agree"] = T(5, "401.00")
    data["result"]["quorum_met"] = False
    report = check(tmp_path, seal(data))  # a forger who also recomputed the sha256
    assert not report.ok
    assert report.problems == ["result.agree.owners: published 5, recounted 4",
                               "result.agree.area: published 401.00 m², recounted 400.00 m²",
                               "result.quorum_met: published false, recounted true"]


def test_a_changed_file_fails_its_sha256(tmp_path):
    data = four_of_six()
    data["community"] = "别的小区"
    report = check(tmp_path, data)
    assert len(report.problems) == 1
    assert report.problems[0].startswith(f"sha256: published {data['sha256']}, computed ")


@pytest.mark.parametrize("bad", ["89.5", "89.500", "-1.00", "1,000.00", "089.50", "８９.５０", 89.5, None])
def test_a_malformed_area_is_rejected_by_name(tmp_path, bad):
    data = four_of_six()
    data["ballots"][2]["area"] = bad
    report = check(tmp_path, seal(data))
    assert len(report.problems) == 1
    assert report.problems[0].startswith("ballots[2].area: ")
    assert "two decimals" in report.problems[0]
    assert report.recount is None


def test_sanity_checks(tmp_path):
    # 3 ballots for a registry of 2 owners, 250.00 m² of 200.00, a receipt twice, a choice that is none.
    ballots = [ballot("agree", "100.00", "R01"), ballot("agree", "100.00", "R01"),
               ballot("yes", "50.00", "R02")]
    data = bulletin(2, 2, "200.00", ballots,
                    result(T(3, "250.00"), T(2, "200.00"), T(0, "0.00"), T(0, "0.00"), True, False, False))
    problems = check(tmp_path, data).problems
    assert "ballots: receipt R01 appears 2 times" in problems
    assert "ballots: 3 owners took part but the registry has only 2" in problems
    assert "ballots: 250.00 m² took part but the registry has only 200.00 m²" in problems
    assert "ballots: 3 units took part but the registry has only 2" in problems
    assert any(p.startswith('ballot R02: choice "yes" is not agree, disagree or abstain') for p in problems)
    # Named: a unit in two ballots.
    ballots = [ballot("agree", "200.00", "6-1-101,6-1-102", households=2, secret=False),
               ballot("agree", "100.00", "6-1-102", secret=False)]
    data = bulletin(3, 3, "300.00", ballots,
                    result(T(2, "300.00"), T(2, "300.00"), T(0, "0.00"), T(0, "0.00"), True, True, True),
                    secret=False)
    assert check(tmp_path, data).problems == ["ballots: unit 6-1-102 appears 2 times"]


def test_a_deemed_count_without_follow_majority_and_a_wrong_format_are_problems(tmp_path):
    data = four_of_six()
    data["result"]["deemed"] = {k: v for k, v in data["result"].items() if k != "deemed"}
    assert check(tmp_path, seal(data)).problems == [
        "result.deemed: published a deemed count, recounted null (follow_majority is off)"]
    data = four_of_six() | {"format": "yishi-bulletin/2"}
    assert check(tmp_path, seal(data)).problems == ['format: "yishi-bulletin/2" is not "yishi-bulletin/1"']


# --- the ballot log (--db) ---------------------------------------------------------------------

def link(previous: str, poll_id, row_id, voter, household_id, choices, receipt, at) -> str:
    """The spec's row hash, written out here independently of the verifier."""
    text = json.dumps([previous, poll_id, row_id, voter, household_id, choices, receipt, at],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# (id, poll_id, voter, household_id, choices, receipt, at): vote 7's log, with a row of vote 8 at id 2.
# 张三 votes, 李四 votes, 张三 changes his mind, 王五 votes and withdraws.
LOG = [
    (1, 7, "张三", 11, "[0]", "K7M2-Q9XP", "2026-12-09T01:00:00Z"),
    (2, 8, "赵六", 31, "[0]", "AAAA-BBBB", "2026-12-09T01:30:00Z"),
    (3, 7, "李四", 12, "[1]", "H4TW-8RNC", "2026-12-09T02:00:00Z"),
    (4, 7, "张三", 11, "[1]", "K7M2-Q9XP", "2026-12-10T03:00:00Z"),
    (5, 7, "王五", 13, "[0]", "ZZZZ-0000", "2026-12-11T04:00:00Z"),
    (6, 7, "王五", None, "[]", None, "2026-12-12T05:00:00Z"),
]


def chained(rows) -> list[tuple]:
    previous: dict[int, str] = {}
    out = []
    for row in rows:
        row_id, poll_id, voter, household_id, choices, receipt, at = row
        h = link(previous.get(poll_id, ""), poll_id, row_id, voter, household_id, choices, receipt, at)
        previous[poll_id] = h
        out.append((*row, h))
    return out


def make_db(path: Path, rows) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE ballot_log (id INTEGER PRIMARY KEY, poll_id INTEGER NOT NULL, "
                 "voter TEXT NOT NULL, user_id INTEGER NOT NULL, household_id INTEGER, "
                 "choices TEXT NOT NULL, note TEXT, source TEXT UNIQUE, at TEXT NOT NULL, "
                 "receipt TEXT, hash TEXT)")
    conn.executemany("INSERT INTO ballot_log (id, poll_id, voter, user_id, household_id, choices, note, "
                     "source, at, receipt, hash) VALUES (?, ?, ?, 1000 + ?, ?, ?, NULL, 'cb:' || ?, ?, ?, ?)",
                     [(i, p, v, i, h, c, i, at, r, hh) for i, p, v, h, c, r, at, hh in rows])
    conn.commit()
    conn.close()
    return path


def logged_vote() -> dict:
    # 10 owners, 1000.00 m²; 张三 (K7M2, 100.00) and 李四 (H4TW, 120.00) disagree in the end:
    # n = 2, a = 220.00: 3·2 < 20, not met; agree 0: not approved.
    rows = chained(LOG)
    return bulletin(10, 10, "1000.00",
                    [ballot("disagree", "120.00", "H4TW-8RNC"), ballot("disagree", "100.00", "K7M2-Q9XP")],
                    result(T(2, "220.00"), T(0, "0.00"), T(2, "220.00"), T(0, "0.00"), False, False, False),
                    chain={"rows": 5, "final_hash": rows[-1][-1]})


def test_an_untouched_log_matches(tmp_path):
    db = make_db(tmp_path / "yishi.sqlite3", chained(LOG))
    before = db.read_bytes()
    report = check(tmp_path, logged_vote(), db)
    assert report.problems == []
    assert report.log_rows == 5
    assert db.read_bytes() == before  # opened read-only


def test_an_edited_row_is_named(tmp_path):
    rows = chained(LOG)
    rows[3] = (*rows[3][:4], "[0]", *rows[3][5:])  # row 4: 张三's change of mind, turned back
    report = check(tmp_path, logged_vote(), make_db(tmp_path / "yishi.sqlite3", rows))
    assert report.problems == ["ballot log row 4 was changed after it was written"]


def test_a_deleted_middle_row_breaks_the_chain(tmp_path):
    rows = [r for r in chained(LOG) if r[0] != 3]  # 李四's ballot removed
    problems = check(tmp_path, logged_vote(), make_db(tmp_path / "yishi.sqlite3", rows)).problems
    assert problems[0] == ("ballot log row 4 does not follow row 1: a row between them was deleted, "
                           "or row 4 was changed")
    assert "ballot log: 4 rows for vote 7, the bulletin's chain says 5 (rows were removed)" in problems
    assert any(p.startswith("ballot log: receipt H4TW-8RNC") for p in problems)


def test_a_deleted_last_row_changes_rows_and_final_hash(tmp_path):
    rows = chained(LOG)[:-1]  # 王五's withdrawal removed: his ballot would count again
    problems = check(tmp_path, logged_vote(), make_db(tmp_path / "yishi.sqlite3", rows)).problems
    assert "ballot log: 4 rows for vote 7, the bulletin's chain says 5 (rows were removed)" in problems
    assert any(p.startswith(f"ballot log: final hash {rows[-1][-1]} differs from the bulletin's "
                            "chain.final_hash") for p in problems)
    assert any(p.startswith("ballot log: receipt ZZZZ-0000") for p in problems)
    assert not any("row 5" in p and "changed" in p for p in problems)  # what is left still chains


def test_a_row_moved_in_from_another_vote_reads_as_inserted(tmp_path):
    rows = chained(LOG)
    rows[1] = (2, 7, *rows[1][2:])  # vote 8's row now claims vote 7
    problems = check(tmp_path, logged_vote(), make_db(tmp_path / "yishi.sqlite3", rows)).problems
    assert problems[:2] == ["ballot log row 2 was changed after it was written",
                            "ballot log row 3 follows row 1 in the chain, not row 2: the rows between "
                            "were inserted after it was written"]


def test_a_rewritten_chain_no_longer_matches_the_published_final_hash(tmp_path):
    rows = [r[:7] for r in chained(LOG)]
    rows[3] = (*rows[3][:4], "[0]", *rows[3][5:])
    report = check(tmp_path, logged_vote(), make_db(tmp_path / "yishi.sqlite3", chained(rows)))
    assert len(report.problems) == 1
    assert report.problems[0].startswith("ballot log: final hash ")


# --- the command --------------------------------------------------------------------------------

def test_cli_ok_prints_the_recount(tmp_path, capsys):
    assert main(["verify", str(write(tmp_path, four_of_six()))]) == 0
    out = capsys.readouterr().out
    assert "Recount: 4 owners, 400.00 m² taking part" in out
    assert "agree:    4 owners, 400.00 m²" in out
    assert "quorum met: yes; approved: yes; passed: yes" in out
    assert out.strip().endswith("The published result matches the recount.")


def test_cli_mismatch_exits_1_naming_the_field(tmp_path, capsys):
    data = four_of_six()
    data["result"]["agree"]["area"] = "5012.30"
    assert main(["verify", str(write(tmp_path, seal(data)))]) == 1
    out = capsys.readouterr().out
    assert "result.agree.area: published 5012.30 m², recounted 400.00 m²" in out
    assert "matches" not in out


def test_cli_with_db(tmp_path, capsys):
    rows = chained(LOG)
    path = write(tmp_path, logged_vote())
    assert main(["verify", str(path), "--db", str(make_db(tmp_path / "good.sqlite3", rows))]) == 0
    assert "Ballot log: 5 rows" in capsys.readouterr().out
    rows[3] = (*rows[3][:4], "[0]", *rows[3][5:])
    assert main(["verify", str(path), "--db", str(make_db(tmp_path / "edited.sqlite3", rows))]) == 1
    assert "ballot log row 4 was changed after it was written" in capsys.readouterr().out


@pytest.mark.parametrize("content", [None, "{not json", b"\xff\xfe{}", "[1, 2]", '{"a": NaN}'])
def test_cli_unreadable_bulletin_exits_2(tmp_path, capsys, content):
    path = tmp_path / "vote-1-bulletin.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["verify", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("yishi: ") and captured.err.count("\n") == 1


@pytest.mark.parametrize("kind", ["missing", "garbage", "no table"])
def test_cli_unreadable_database_exits_2(tmp_path, capsys, kind):
    db = tmp_path / "yishi.sqlite3"
    if kind == "garbage":
        db.write_bytes(b"this is not a database, just some bytes " * 50)
    elif kind == "no table":
        sqlite3.connect(db).execute("CREATE TABLE other (x)").connection.close()
    assert main(["verify", str(write(tmp_path, logged_vote())), "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("yishi: ") and captured.err.count("\n") == 1
