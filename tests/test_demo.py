"""`yishi demo`: the story passes in Traditional script, writes its files, and fails loudly."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.local import demo


async def test_the_story_plays_in_traditional_and_leaves_its_files(tmp_path: Path, capsys) -> None:
    assert await demo.demo("zh_Hant", tmp_path / "out") == 0
    printed = capsys.readouterr().out
    assert "▶ 1." in printed and "6號樓更換電梯" in printed and "✓" in printed

    out = tmp_path / "out"
    minutes = (out / "minutes-1.md").read_text(encoding="utf-8")
    assert "請物業更換為木質座椅" in minutes and "更換涼亭座椅" in minutes
    assert "涼亭的石凳冬天太涼" in (out / "minutes-1.html").read_text(encoding="utf-8")
    result = (out / "vote-1-result.txt").read_text(encoding="utf-8")
    assert "人數38 / 46（82.6%）" in result and "\n通過\n" in result
    export = (out / "vote-1.csv").read_text(encoding="utf-8-sig")
    assert export.count("\n6-") == 48
    assert (out / "transcript.txt").read_text(encoding="utf-8") in printed


async def test_a_step_that_does_not_get_what_it_expects_fails_the_demo(tmp_path: Path, monkeypatch,
                                                                      capsys) -> None:
    # A vote scoped to a building the registry does not have cannot start: the story stops there.
    wrong = dataclasses.replace(demo.SIMPLIFIED, vote=demo.SIMPLIFIED.vote.replace("范围 6栋", "范围 7栋"))
    monkeypatch.setitem(demo.LINES, "zh_Hans", wrong)
    assert await demo.demo("zh_Hans", tmp_path / "out") == 1
    printed = capsys.readouterr().out
    assert "✗" in printed and "▶ 4." not in printed
