"""Minutes taken live, played by a convener and residents in a group (the pavilion story)."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from docx import Document

from bot.domain.event_time import parse_event_time

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def meeting(admin, li, group, start="/meeting talk 凉亭怎么办"):
    await admin.send(group, start)
    assert admin.first_name in (await group.expect_message()).text  # started, with the chair named
    await admin.send(group, "/topic 凉亭漏雨")
    await group.expect_message()
    said = await li.send(group, "顶棚漏雨，下雨天没法坐 <b>")
    await admin.send(group, "/note", reply_to=said)
    await group.expect_message()
    await admin.send(group, "/note 大家希望尽快修")
    await group.expect_message()
    await admin.send(group, "/decision 请物业两周内修好")
    await group.expect_message()
    await admin.send(group, "/action 物业 修好凉亭顶棚\n截止 两周后")
    return await group.expect_message()


async def test_the_pavilion_story_in_english(bot, tg, english_group):
    admin, (li, _zhao), group = await english_group("Li", "Zhao")
    await admin.send(group, "/topic nothing running")
    assert "No meeting is running" in (await group.expect_message()).text
    recorded = await meeting(admin, li, group)
    assert "Action item #1 for 物业" in recorded.text
    await admin.send(group, "/meeting again")
    assert "running already" in (await group.expect_message()).text
    await li.send(group, "/note 我也说一句")
    assert "Only the chair (Wang Fang)" in (await group.expect_message()).text
    await admin.send(group, "/action 修好")
    assert "Who does it?" in (await group.expect_message()).text
    await admin.send(group, "/action 物业 修好\n截止 whenever-ish")
    refused = (await group.expect_message()).text
    assert "I cannot read the time whenever-ish. Examples that work: 7月20日 20:00" in refused
    await admin.send(group, "/note oops")
    await group.expect_message()
    await admin.send(group, "/undo")
    assert "Taken back: oops" in (await group.expect_message()).text
    await admin.send(group, "/endmeeting")
    minutes = await group.expect_message()
    for part in (
        "Evening talk: 凉亭怎么办",
        "Chair: Wang Fang",
        "凉亭漏雨",
        "Li: 顶棚漏雨，下雨天没法坐 <b>",
        "Agreed: 请物业两周内修好",
        "#1 修好凉亭顶棚 — 物业",
        "Who does what by when",
        "Who spoke",
    ):
        assert part in minutes.text, part
    assert "oops" not in minutes.text and "Community:" not in minutes.text  # no community name set
    docx_doc, html_doc, md_doc = [await group.expect_message() for _ in range(3)]
    assert docx_doc.document.file_name == "minutes-1.docx"
    word = Document(io.BytesIO(docx_doc.document.data))
    assert word.paragraphs[0].style.name == "Title" and word.paragraphs[0].text.startswith("Evening talk")
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["凉亭漏雨", "Who does what by when"]
    assert any(p.text == "Agreed: 请物业两周内修好" and p.style.name == "List Bullet"
               for p in word.paragraphs)
    page = html_doc.document.data.decode()
    assert html_doc.document.file_name == "minutes-1.html" and "&lt;b&gt;" in page
    assert '<html lang="en">' in page and "<title>Cuiyuan owners: Minutes of meeting #1</title>" in page
    assert "@media print" in page
    assert (
        md_doc.document.file_name == "minutes-1.md"
        and "顶棚漏雨，下雨天没法坐 <b>" in md_doc.document.data.decode()
    )

    await admin.send(group, "/actions")
    assert "#1 修好凉亭顶棚 — 物业" in (await group.expect_message()).text
    bot.clock.advance(timedelta(days=13, minutes=1))
    before = await group.expect_message()
    assert "Reminder: action item #1 is due" in before.text and "修好凉亭顶棚" in before.text
    bot.clock.advance(timedelta(days=1))
    due = await group.expect_message()
    assert "Action item #1 is due now" in due.text and "修好凉亭顶棚" in due.text
    bot.clock.advance(timedelta(minutes=1))
    await admin.send(group, "/actions")
    assert "[not started] ⚠️overdue" in (await group.expect_message()).text  # nobody has started it
    await admin.send(group, "/started 1 已联系施工队")
    assert "Action item #1: in progress." in (await group.expect_message()).text
    await admin.send(group, "/actions")
    assert "[in progress] ⚠️overdue (已联系施工队)" in (await group.expect_message()).text
    await li.send(group, "/done 1")
    assert "Only the owner" in (await group.expect_message()).text
    await admin.send(group, "/done 1 已修好")
    assert "Action item #1: done." in (await group.expect_message()).text

    await admin.send(group, "/meeting council 下一次")
    await group.expect_message()
    await admin.send(group, "/endmeeting")
    second = await group.expect_message()
    assert (
        "Look-back" in second.text
        and "#1 修好凉亭顶棚 — 物业" in second.text
        and "[done] (已修好)" in second.text
    )
    for _ in range(3):  # its files
        await group.expect_message()
    await admin.send(group, "/meetings")
    listing = await group.expect_message()
    assert "#1" in listing.text and "#2" in listing.text
    await admin.send(group, "/minutes 1")
    assert "凉亭漏雨" in (await group.expect_message()).text
    for _ in range(3):
        await group.expect_message()
    await admin.send(group, "/minutes_export")
    export = await group.expect_message()
    assert export.document.file_name == "minutes-all.md" and "凉亭漏雨" in export.document.data.decode()


async def chinese_group(tg, names, code, button):
    admin = tg.user(names[0], language_code=code)
    li = tg.user(names[1], language_code=code)
    group = tg.group(names[2], admins=[admin], members=[li])
    await group.add_bot(by=admin)
    await group.expect_message()
    if button:  # the bot speaks 简体中文 by default
        await admin.send(group, "/lang")
        await admin.press(await group.expect_message(), button)
    group.skip_messages()
    return admin, li, group


async def test_the_pavilion_story_in_both_scripts(bot, tg):
    simplified = ("会议纪要", "主持人：王芳", "决议：请物业两周内修好", "分工与期限", "，截止")
    traditional = ("會議紀要", "主持人：王芳", "決議：请物业两周内修好", "分工與期限", "，截止")
    for names, code, button, words in (
        (("王芳", "李强", "翠苑业主群"), "zh-hans", None, simplified),
        (("王芳", "李強", "翠苑業主群"), "zh-hant", "繁體中文", traditional),
    ):
        admin, li, group = await chinese_group(tg, names, code, button)
        await meeting(admin, li, group, "/meeting 夜话 凉亭怎么办")
        await admin.send(group, "/endmeeting")
        minutes = await group.expect_message()
        for part in (
            "凉亭怎么办",
            "凉亭漏雨",
            "顶棚漏雨，下雨天没法坐 <b>",
            "请物业两周内修好",
            "修好凉亭顶棚",
            *words,
        ):
            assert part in minutes.text, part
        _, html_doc, md_doc = [await group.expect_message() for _ in range(3)]
        assert "修好凉亭顶棚" in html_doc.document.data.decode() and md_doc.document.file_name.endswith(".md")
        lang = "zh-Hans" if code == "zh-hans" else "zh-Hant"
        assert f'<html lang="{lang}">' in html_doc.document.data.decode()
        assert "\n## 凉亭漏雨\n" in md_doc.document.data.decode()  # a topic under the title, not ###


async def test_a_meeting_of_500_entries_is_split_within_limits(bot, tg, english_group):
    admin, (_li,), group = await english_group("Li")
    await admin.send(group, "/meeting council 长会")
    await group.expect_message()
    meeting_row = await bot.runtime.store.fetchone("SELECT id FROM meetings")
    from storage import minutes as store

    for k in range(500):
        await store.record(
            bot.runtime.store,
            meeting_row["id"],
            kind="topic" if k % 50 == 0 else "note",
            text=f"第{k}条 <记录> & " + "很长的发言" * 8,
            author_id=admin.id,
            author_name="Wang Fang",
            now=bot.clock.now(),
        )
    await admin.send(group, "/endmeeting")
    await tg.wait_idle(quiet=1)
    parts = [m for m in group.bot_messages if m.text and "第" in m.text]
    assert len(parts) > 3
    assert all(len(m.text.encode("utf-16-le")) // 2 <= 4096 for m in parts)
    text = "".join(m.text for m in parts)
    for k in (0, 250, 499):
        assert f"第{k}条 <记录> & " in text


async def test_an_open_meeting_is_closed_automatically(bot, tg, english_group):
    admin, (_li,), group = await english_group("Li")
    await admin.send(group, "/meeting talk")
    await group.expect_message()
    await admin.send(group, "/note something")
    await group.expect_message()
    bot.clock.advance(timedelta(hours=4, minutes=1))
    notice = await group.expect_message()
    assert "closed now" in notice.text
    minutes = await group.expect_message()
    assert "something" in minutes.text and "closed automatically" in minutes.text


async def test_the_chair_is_handed_over(bot, tg, english_group):
    admin, (li, _zhao), group = await english_group("Li", "Zhao")
    await admin.send(group, "/meeting talk")
    await group.expect_message()
    said = await li.send(group, "I can chair")
    await admin.send(group, "/chair", reply_to=said)
    assert "Li chairs the meeting now." in (await group.expect_message()).text
    await admin.send(group, "/note x")
    assert "Only the chair (Li)" in (await group.expect_message()).text
    await li.send(group, "/note from the new chair")
    assert "Recorded." in (await group.expect_message()).text
    await li.send(group, "/endmeeting")
    minutes = await group.expect_message()
    assert "Chair: Li" in minutes.text and "from the new chair" in minutes.text


async def test_a_deployer_template_blocked_items_and_idea_references(bot, tg, english_group, tmp_path):
    (tmp_path / "minutes_talk.html.j2").write_text(
        '{% extends "minutes.html.j2" %}{% block heading %}Cuiyuan pavilion talk{% endblock %}',
        encoding="utf-8")
    bot.templates = tmp_path
    admin, (li,), group = await english_group("Li")
    await li.send(group, "/idea Warmer seats in the pavilion")
    await group.expect_message()
    await meeting(admin, li, group, "/meeting talk 凉亭怎么办\n地点 东门凉亭")
    await admin.send(group, "/ref 1")
    assert (await group.expect_message()).text == "Recorded."
    await admin.send(group, "/endmeeting")
    minutes = await group.expect_message()
    assert minutes.text.startswith("Cuiyuan pavilion talk") and "Place: 东门凉亭" in minutes.text
    assert "Warmer seats in the pavilion" in minutes.text
    await tg.wait_idle()
    group.skip_messages()  # the minutes' files
    await li.send(group, "/blocked 1 waiting")
    assert "Only the owner of action item #1 or a convener" in (await group.expect_message()).text
    await admin.send(group, "/blocked 1 waiting for the wood")
    await group.expect_message()
    await admin.send(group, "/actions")
    listed = (await group.expect_message()).text
    assert "#1 修好凉亭顶棚" in listed and "waiting for the wood" in listed


async def test_open_action_items_are_on_the_next_talks_agenda(bot, tg, english_group):
    admin, (li,), group = await english_group("Li")
    await meeting(admin, li, group)
    await admin.send(group, "/endmeeting")
    await group.expect_message()
    await tg.wait_idle()
    group.skip_messages()
    await admin.send(group, "/event 小区夜话\n时间 每周四 19:30")
    await admin.press(await group.expect_message(), "Save")
    await group.expect_message()
    await admin.send(group, "/agenda 1")
    agenda = (await group.expect_message()).text
    assert "Look-back" in agenda and "#1 修好凉亭顶棚 — 物业" in agenda and "[not started]" in agenda
    await admin.send(group, "/done 1 已修好")
    await group.expect_message()
    await admin.send(group, "/agenda 1")
    assert "修好凉亭顶棚" not in (await group.expect_message()).text  # done: no longer open


async def test_a_title_that_repeats_the_kind_is_said_once(bot, tg):
    admin, _, group = await chinese_group(tg, ("王芳", "李强", "翠苑业主群"), "zh-hans", None)
    await admin.send(group, "/event 小区夜话\n时间 每周四 19:30")
    preview = (await group.expect_message()).text
    assert preview.startswith("请确认：小区夜话\n") and "“小区夜话”" not in preview
    await admin.send(group, "/meeting 夜话 小区夜话")
    await group.expect_message()
    await admin.send(group, "/endmeeting")
    minutes = (await group.expect_message()).text
    assert minutes.startswith("小区夜话\n") and "小区夜话：小区夜话" not in minutes
    assert "小区：" not in minutes  # no community name was set: no line for it


async def test_the_minutes_of_a_talk_list_everyone_who_was_there_and_its_agenda(bot, tg, english_group):
    admin, (_, zhao, sun), group = await english_group("Li", "Zhao", "Sun")
    await admin.send(group, "/event 小区夜话\n时间 每周四 19:30")
    await admin.press(await group.expect_message(), "Save")
    card = await group.expect_message()
    await admin.send(group, "/agenda 1 Pavilion roof")
    await group.expect_message()
    await zhao.press(card, "Going · 0")  # says they will come, and never speaks
    first = parse_event_time("每周四 19:30", bot.clock.now().astimezone(SHANGHAI)).start
    bot.clock.advance(first + timedelta(minutes=5) - bot.clock.now())
    await tg.wait_idle(quiet=0.3)
    group.skip_messages()  # the reminder
    await admin.send(group, "/meeting")
    await group.expect_message()
    said = await sun.send(group, "I am here too")
    await admin.send(group, "/present", reply_to=said)
    assert "Present: Sun" in (await group.expect_message()).text
    await admin.send(group, "/note Li: 顶棚漏雨")
    await group.expect_message()
    await admin.send(group, "/action 物业 修好顶棚")
    await group.expect_message()
    await admin.send(group, "/endmeeting")
    minutes = (await group.expect_message()).text
    present = next(line for line in minutes.splitlines() if line.startswith("Present:"))
    assert "Zhao" in present and "Sun" in present and "Wang Fang" in present, present
    assert "Agenda\n1. Pavilion roof" in minutes


async def test_an_action_item_goes_to_a_member_by_name_or_username_and_an_unheld_role_is_said(
        bot, tg, english_group):
    admin, (li,), group = await english_group("Li")
    zhang = tg.user("张师傅", language_code="zh-hans", username="zhang_repairs")
    group.add_member(zhang, announce=False)
    for user in (li, zhang):
        await user.send(group, "/actions")  # seen in the group
        await group.expect_message()
    await admin.send(group, "/meeting talk")
    await group.expect_message()
    await admin.send(group, "/action 张师傅 修水管")
    assert "Action item #1 for 张师傅 recorded." in (await group.expect_message()).text
    await admin.send(group, "/action @zhang_repairs 换灯泡")
    assert "Action item #2 for 张师傅 recorded." in (await group.expect_message()).text
    await admin.send(group, "/action 物业 修好顶棚")
    said = (await group.expect_message()).text
    assert "Action item #3 for 物业 recorded." in said and "No one holds that role" in said
    await admin.send(group, "/action 王五 修门")  # no one of that name here
    assert "Who does it?" in (await group.expect_message()).text
    await zhang.send(group, "/done 1 修好了")  # the owner may mark it: the item is his
    assert "Action item #1: done." in (await group.expect_message()).text
