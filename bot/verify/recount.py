"""The counting rules of docs/bulletin.md, recounted from a bulletin's ``registry``, ``rule`` and
``ballots`` alone, and the comparison with what its ``result`` published.

Areas are whole hundredths of a square metre; every threshold is an integer cross-multiplication.
Readings of the specification where it leaves room (an auditor's choices):
- with nobody taking part nothing is approved (the 3/4 test would otherwise hold as 0 >= 0);
- a ballot whose choice is not agree, disagree or abstain is an error; it is counted as taking
  part, for no choice (so it can neither approve nor lead);
- units in a secret vote's ballots, and secret ballots not sorted by receipt, are problems: the
  first names who voted, the second could tell when.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

FORMAT = "yishi-bulletin/1"
CHOICES = ("agree", "disagree", "abstain")
_AREA = re.compile(r"(0|[1-9][0-9]*)\.[0-9]{2}")


class Unreadable(Exception):
    """The bulletin or the database cannot be read at all (the command exits 2)."""


class Malformed(Exception):
    """A field the recount needs is missing or not what the specification says."""


@dataclass(frozen=True)
class Tally:
    owners: int
    area: int  # hundredths of a m²


@dataclass(frozen=True)
class Count:
    taking_part: Tally
    agree: Tally
    disagree: Tally
    abstain: Tally
    quorum_met: bool
    approved: bool
    passed: bool


@dataclass(frozen=True)
class Recount:
    owners: int  # the registry's N, units and A
    households: int
    area: int
    major: bool
    follow_majority: bool
    result: Count
    majority: str | None  # the choice leading on both owners and area, when 从众 applies
    deemed: Count | None

def area_text(hundredths: int) -> str:
    sign = "-" if hundredths < 0 else ""
    return f"{sign}{abs(hundredths) // 100}.{abs(hundredths) % 100:02d}"


def parse_area(value: object, where: str) -> int:
    if not isinstance(value, str) or not _AREA.fullmatch(value):
        raise Malformed(f'{where}: {json.dumps(value, ensure_ascii=False)} is not an area in m² '
                        'written with exactly two decimals, such as "89.50"')
    whole, cents = value.split(".")
    return int(whole) * 100 + int(cents)


def parse_int(value: object, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise Malformed(f"{where}: {json.dumps(value, ensure_ascii=False)} is not a whole number"
                        + (f" of at least {minimum}" if minimum else ""))
    return value


def get(obj: object, key: str, where: str) -> object:
    if not isinstance(obj, dict):
        raise Malformed(f"{where or 'the bulletin'}: not a JSON object")
    if key not in obj:
        raise Malformed(f"{where + '.' if where else ''}{key}: missing")
    return obj[key]


def count(tallies: dict[str, Tally], owners: int, area: int, major: bool) -> Count:
    """Steps 1-3 of the specification over per-choice tallies (an invalid choice, "other", takes
    part without agreeing), against the registry's ``owners`` and ``area``."""
    n = sum(t.owners for t in tallies.values())
    a = sum(t.area for t in tallies.values())
    agree = tallies["agree"]
    quorum = n >= 1 and 3 * n >= 2 * owners and 3 * a >= 2 * area
    if major:
        approved = n >= 1 and 4 * agree.owners >= 3 * n and 4 * agree.area >= 3 * a
    else:
        approved = n >= 1 and 2 * agree.owners > n and 2 * agree.area > a
    return Count(Tally(n, a), agree, tallies["disagree"], tallies["abstain"],
                 quorum, approved, quorum and approved)


def recount(bulletin: dict, problems: list[str]) -> Recount:
    """Recount from ``registry``, ``rule`` and ``ballots`` alone; sanity problems are appended."""
    registry, rule = get(bulletin, "registry", ""), get(bulletin, "rule", "")
    owners = parse_int(get(registry, "owners", "registry"), "registry.owners")
    households = parse_int(get(registry, "households", "registry"), "registry.households")
    area = parse_area(get(registry, "area", "registry"), "registry.area")
    flags = {}
    for name in ("major", "follow_majority"):
        flags[name] = get(rule, name, "rule")
        if not isinstance(flags[name], bool):
            raise Malformed(f"rule.{name}: {json.dumps(flags[name])} is not true or false")
    secret = get(get(bulletin, "vote", ""), "secret", "vote")
    if not isinstance(secret, bool):
        raise Malformed(f"vote.secret: {json.dumps(secret)} is not true or false")
    ballots = get(bulletin, "ballots", "")
    if not isinstance(ballots, list):
        raise Malformed("ballots: not a list")
    if owners > households:
        problems.append(f"registry: {owners} owners but only {households} units")

    owners_by = dict.fromkeys(CHOICES, 0)
    area_by = dict.fromkeys(CHOICES, 0)
    units_total, receipts, seen_units = 0, [], Counter()
    for i, ballot in enumerate(ballots):
        where = f"ballots[{i}]"
        b_area = parse_area(get(ballot, "area", where), f"{where}.area")
        b_units = parse_int(get(ballot, "households", where), f"{where}.households", 1)
        units_total += b_units
        if secret:
            receipt = get(ballot, "receipt", where)
            if not isinstance(receipt, str) or not receipt:
                raise Malformed(f"{where}.receipt: not a receipt code")
            receipts.append(receipt)
            label = f"ballot {receipt}"
            if "units" in ballot:
                problems.append(f"{label}: a secret vote's ballot shows its units")
        else:
            listed = get(ballot, "units", where)
            if not isinstance(listed, str) or not all(u.strip() for u in listed.split(",")):
                raise Malformed(f"{where}.units: {json.dumps(listed, ensure_ascii=False)} is not a "
                                "list of units such as \"6-1-101,6-1-102\"")
            label = f"ballot {listed}"
            names = [u.strip() for u in listed.split(",")]
            seen_units.update(names)
            if len(names) != b_units:
                problems.append(f"{label}: lists {len(names)} units but households is {b_units}")
        choice = get(ballot, "choice", where)
        if choice not in CHOICES:
            problems.append(f"{label}: choice {json.dumps(choice, ensure_ascii=False)} is not "
                            "agree, disagree or abstain (counted as taking part, for no choice)")
            owners_by.setdefault("other", 0)
            area_by.setdefault("other", 0)
            choice = "other"
        owners_by[choice] += 1
        area_by[choice] += b_area

    for receipt, times in sorted(Counter(receipts).items()):
        if times > 1:
            problems.append(f"ballots: receipt {receipt} appears {times} times")
    for unit, times in sorted(seen_units.items()):
        if times > 1:
            problems.append(f"ballots: unit {unit} appears {times} times")
    if secret and receipts != sorted(receipts):
        problems.append("ballots: not sorted by receipt (their order could tell who voted when)")
    n, a = len(ballots), sum(area_by.values())
    if n > owners:
        problems.append(f"ballots: {n} owners took part but the registry has only {owners}")
    if a > area:
        problems.append(f"ballots: {area_text(a)} m² took part but the registry has only "
                        f"{area_text(area)} m²")
    if units_total > households:
        problems.append(f"ballots: {units_total} units took part but the registry has only {households}")

    tallies = {c: Tally(owners_by[c], area_by[c]) for c in owners_by}  # "other": invalid choices
    result = count(tallies, owners, area, flags["major"])
    majority = deemed = None
    if flags["follow_majority"]:
        majority = next((c for c in CHOICES if all(
            owners_by[c] > owners_by[d] and area_by[c] > area_by[d] for d in owners_by if d != c)), None)
        if majority is not None:
            lead = tallies[majority]
            everyone = {**tallies, majority: Tally(lead.owners + owners - n, lead.area + area - a)}
            deemed = count(everyone, owners, area, flags["major"])
    return Recount(owners, households, area, flags["major"], flags["follow_majority"],
                   result, majority, deemed)


def compare(published: object, counted: Count, where: str) -> list[str]:
    """Each published field of ``result`` (or ``deemed``) that differs from the recount, by name."""
    if not isinstance(published, dict):
        return [f"{where}: not a JSON object"]
    found = []
    for part in ("taking_part", *CHOICES):
        tally = getattr(counted, part)
        try:
            shown = get(published, part, where)
            pub_owners = get(shown, "owners", f"{where}.{part}")
            if pub_owners != tally.owners or isinstance(pub_owners, bool):
                found.append(f"{where}.{part}.owners: published {json.dumps(pub_owners)}, "
                             f"recounted {tally.owners}")
            pub_area = parse_area(get(shown, "area", f"{where}.{part}"), f"{where}.{part}.area")
            if pub_area != tally.area:
                found.append(f"{where}.{part}.area: published {area_text(pub_area)} m², "
                             f"recounted {area_text(tally.area)} m²")
        except Malformed as exc:
            found.append(str(exc))
    for flag in ("quorum_met", "approved", "passed"):
        try:
            shown = get(published, flag, where)
        except Malformed as exc:
            found.append(str(exc))
            continue
        if shown is not getattr(counted, flag):
            found.append(f"{where}.{flag}: published {json.dumps(shown)}, "
                         f"recounted {json.dumps(getattr(counted, flag))}")
    return found
