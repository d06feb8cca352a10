"""Reading a bulletin, checking its format and sha256, ``verify()`` and the printed report.

Duplicate keys in the JSON are reported: a file that holds two values for one key says one thing
to one reader and another to the next.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.verify.chain import check_log
from bot.verify.recount import (
    CHOICES,
    FORMAT,
    Malformed,
    Recount,
    Unreadable,
    area_text,
    compare,
    get,
    recount,
)


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    recount: Recount | None = None
    log_rows: int | None = None  # rows of the vote's ballot log, when --db was given

    @property
    def ok(self) -> bool:
        return not self.problems


def canonical_sha256(bulletin: dict) -> str:
    rest = {k: v for k, v in bulletin.items() if k != "sha256"}
    text = json.dumps(rest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def load(path: Path | str) -> tuple[dict, list[str]]:
    """The bulletin as a dict, and the keys it repeats in any one object."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        duplicates.extend(k for k, n in Counter(k for k, _ in items).items() if n > 1)
        return dict(items)

    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=_no_constant)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Unreadable(f"cannot read the bulletin {str(path)!r}: {exc}") from exc
    if not isinstance(data, dict):
        raise Unreadable(f"cannot read the bulletin {str(path)!r}: not a JSON object")
    return data, [f"the bulletin repeats the key {k!r} (readers may see different values)"
                  for k in sorted(set(duplicates))]


def verify(bulletin_path: Path | str, db_path: Path | str | None = None) -> Report:
    """Recount the bulletin, compare with what it published; with ``db_path``, check the log."""
    bulletin, problems = load(bulletin_path)
    report = Report(problems)
    if bulletin.get("format") != FORMAT:
        problems.append(f'format: {json.dumps(bulletin.get("format"))} is not "{FORMAT}"')
        return report
    published, computed = bulletin.get("sha256"), canonical_sha256(bulletin)
    if published != computed:
        problems.append(f"sha256: published {published}, computed {computed} (the file was changed "
                        "after it was published, or its hash was never right)")
    try:
        report.recount = recount(bulletin, problems)
    except Malformed as exc:
        problems.append(f"{exc} (cannot recount)")
    if report.recount is not None:
        try:
            result = get(bulletin, "result", "")
            problems.extend(compare(result, report.recount.result, "result"))
            shown = get(result, "deemed", "result")
        except Malformed as exc:
            problems.append(str(exc))
        else:
            if shown is None and report.recount.deemed is not None:
                problems.append(f"result.deemed: published null, recounted a deemed count "
                                f"(non-voters follow {report.recount.majority})")
            elif shown is not None and report.recount.deemed is None:
                why = ("follow_majority is off" if not report.recount.follow_majority
                       else "no choice leads on both owners and area")
                problems.append(f"result.deemed: published a deemed count, recounted null ({why})")
            elif report.recount.deemed is not None:
                problems.extend(compare(shown, report.recount.deemed, "result.deemed"))
    if db_path is not None:
        vote = bulletin.get("vote")
        try:
            found, report.log_rows = check_log(db_path, bulletin, isinstance(vote, dict)
                                               and vote.get("secret") is True)
            problems.extend(found)
        except Malformed as exc:
            problems.append(f"{exc} (cannot check the ballot log)")
    return report


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _owners(count: int) -> str:
    return f"{count} owner" if count == 1 else f"{count} owners"


def describe(report: Report) -> str:
    """The short plain-English report `yishi verify` prints."""
    lines = []
    r = report.recount
    if r is not None:
        lines.append(f"Registry: {_owners(r.owners)}, {r.households} units, {area_text(r.area)} m²; "
                     + ("major matter (at least 3/4)" if r.major else "ordinary matter (more than 1/2)"))
        deemed = f"Deemed (从众: non-voters counted for {r.majority})" if r.majority else "Deemed (从众)"
        for title, c in (("Recount", r.result), (deemed, r.deemed)):
            if c is None:
                if r.follow_majority:
                    lines.append(f"{title}: none (no choice leads on both owners and area)")
                continue
            lines.append(f"{title}: {_owners(c.taking_part.owners)}, {area_text(c.taking_part.area)} m² "
                         "taking part")
            for name in CHOICES:
                tally = getattr(c, name)
                lines.append(f"  {name + ':':<9} {_owners(tally.owners)}, {area_text(tally.area)} m²")
            lines.append(f"  quorum met: {_yes(c.quorum_met)}; approved: {_yes(c.approved)}; "
                         f"passed: {_yes(c.passed)}")
    if report.log_rows is not None:
        lines.append(f"Ballot log: {report.log_rows} rows")
    if report.ok:
        lines.append("The published result matches the recount.")
    else:
        lines.append(f"{len(report.problems)} problem(s):")
        lines.extend(f"  - {p}" for p in report.problems)
    return "\n".join(lines)
