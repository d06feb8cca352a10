"""Every guided flow walked to a posted result in Simplified and in Traditional Chinese, with Back,
Edit, Cancel, a restart in the middle and a dialogue put away after a day.

Buttons are pressed by the label the chat's catalog gives them, and what is shown is checked
against the same catalog, so a text left in English fails here.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Translator
from tests.guide import switch_on

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODES = {"zh_Hans": "zh-hans", "zh_Hant": "zh-hant"}
NAMES = {"zh_Hans": ("王芳", "李强", "翠苑小区业主群"), "zh_Hant": ("王芳", "李強", "翠苑小區業主群")}


@pytest.fixture(params=["zh_Hans", "zh_Hant"])
def cast(request, tg, bot):
    """``admin, li, group, _`` in a group of that script; ``_(msgid)`` is the catalog's text."""
    locale = request.param

    async def make():
        bot.locale = locale
        await bot.restart()
        admin_name, li_name, title = NAMES[locale]
        admin = tg.user(admin_name, language_code=CODES[locale])
        li = tg.user(li_name, language_code=CODES[locale])
        group = tg.group(title, admins=[admin], members=[li])
        await group.add_bot(by=admin)
        await group.expect_message()
        for person in (admin, li):
            await person.send(group, "/polls")  # seen in the group
            await group.expect_message()
            await person.send(person.private, "/start")
            await person.private.expect_message()
        t = Translator(locale, SHANGHAI)
        return admin, li, group, t.gettext

    return make


async def asked(person):
    return await person.private.expect_message()


async def says(person, text):
    await person.send(person.private, text)
    return await asked(person)


async def test_a_poll(tg, bot, cast):
    admin, _li, group, _ = await cast()
    await admin.send(group, "/poll")
    assert (await group.expect_message()).text == _("I wrote to you privately: answer my questions there.")
    kind = await asked(admin)
    assert _("What kind of vote?") in kind.text and "What kind" not in kind.text
    await admin.press(kind, _("Single choice"))
    await asked(admin)
    options = await says(admin, "自行车棚建在哪里？")
    for option in ("东门", "西门"):
        options = await says(admin, option)
    await admin.press(options, _("Done"))
    deadline = await asked(admin)
    await admin.press(deadline, _("In 3 days"))
    flags = await asked(admin)
    await bot.restart()  # in the middle: the answers are kept
    await admin.press(flags, _("Done"))
    preview = await asked(admin)
    assert _("This is how it will look. Post it?") in preview.text
    await admin.press(preview, _("✏️ Edit"))
    await tg.until(lambda: _("What would you like to change?") in preview.text, what="the answers to change")
    await admin.press(preview, _("Question"))
    ask = _("What is the question? Write it in one message.")
    await tg.until(lambda: ask in preview.text, what="the question asked again")
    again = await says(admin, "自行车棚建在东门还是西门？")
    await admin.press(again, _("✅ Post"))
    posted = await group.expect_message()
    assert "自行车棚建在东门还是西门？" in posted.text and posted.button_texts[:2] == ["东门 · 0", "西门 · 0"]


async def test_an_owner_vote_for_one_building(tg, bot, cast):
    admin, _li, group, _ = await cast()
    await admin.send(group, "/households import")
    await group.expect_message()
    await admin.send(admin.private, f"/start i{group.id}")
    await asked(admin)
    rows = "\n".join(f"{b}栋,1单元,{f}01,{90 + f}" for b in (6, 7) for f in range(1, 4))
    await admin.send_document(admin.private, "名册.csv", ("楼栋,单元,房号,建筑面积\n" + rows).encode("utf-8"))
    await asked(admin)
    await admin.send(admin.private, "/ownervote")
    await asked(admin)
    scope = await says(admin, "6号楼更换电梯")
    building = _("building %(building)s") % {"building": "6"}
    await admin.press(scope, building)
    await tg.until(lambda: f"✅{building}" in scope.button_texts, what="building 6 picked")
    await admin.press(scope, _("Done"))
    await admin.press(await asked(admin), _("Decide from the question"))
    await admin.press(await asked(admin), _("In a week"))
    preview = await switch_on(tg, admin, await asked(admin), _("Secret ballot"), done=_("Done"))
    await admin.press(preview, _("✅ Post"))
    assert "6号楼更换电梯" in (await group.expect_message()).text


async def test_a_weekly_talk_back_and_cancel(tg, bot, cast):
    admin, _li, group, _ = await cast()
    await admin.send(group, "/event")
    await group.expect_message()
    kind = await asked(admin)
    await admin.press(kind, _("✖ Cancel"))  # cancelled at once: nothing stays
    await tg.until(lambda: kind.text == _("Cancelled: nothing was posted."), what="cancelled")
    await admin.send(admin.private, "/event")
    await admin.press(await asked(admin), _("Evening talk"))
    await asked(admin)
    repeat = await says(admin, "小区夜话")
    await admin.press(repeat, _("Every week"))
    days = await asked(admin)
    await admin.press(days, _("◀ Back"))
    await tg.until(lambda: _("How often is it held?") in days.text, what="asked how often again")
    await admin.press(days, _("Every week"))
    days = await asked(admin)
    await admin.press(await switch_on(tg, admin, days, _("Thursday"), done=_("Done")), "19:30")
    await asked(admin)  # where?
    hosts = await says(admin, "东门凉亭")
    await admin.press(hosts, _("No one named"))
    preview = await switch_on(tg, admin, await asked(admin), _("At noon that day"), done=_("Done"))
    await admin.press(preview, _("✅ Post"))
    card = await group.expect_message()
    assert "小区夜话" in card.text and "东门凉亭" in card.text


async def test_a_meeting_and_a_dialogue_put_away_after_a_day(tg, bot, cast):
    admin, _li, group, _ = await cast()
    await admin.send(admin.private, "/meeting")
    await admin.press(await asked(admin), _("Council meeting"))
    await asked(admin)
    await tg.wait_idle()
    bot.clock.advance(timedelta(days=1, minutes=1))
    note = await asked(admin)
    assert _("New meeting") in note.text and "/meeting" in note.text
    await admin.send(admin.private, "/meeting")
    await admin.press(await asked(admin), _("Council meeting"))
    await asked(admin)  # its title?
    place = await says(admin, "凉亭怎么办")
    await admin.press(place, _("No place"))
    await admin.press(await asked(admin), _("✅ Post"))
    started = (await group.expect_message()).text
    assert started.startswith("第1次") and f"由{admin.first_name}主持" in started


async def test_a_wish_and_a_request(tg, bot, cast):
    _admin, li, group, _ = await cast()
    await li.send(group, "/wish")
    await group.expect_message()
    await asked(li)  # what is it?
    signed = await says(li, "帮6栋王奶奶取快递")
    await li.press(signed, _("With my name"))
    await li.press(await asked(li), _("✅ Post"))
    card = await group.expect_message()
    assert "帮6栋王奶奶取快递" in card.text and li.first_name in card.text
    await li.send(li.private, "/report")
    await li.press(await asked(li), _("noise"))
    await asked(li)
    shown = await says(li, "3-2-501深夜唱卡拉OK")
    await li.press(shown, _("Privately"))
    await li.press(await asked(li), _("✅ Post"))
    received = await asked(li)
    assert _("Request #%(id)s received. You will hear from me when it moves on; /request %(id)s shows "
             "it.") % {"id": 1} == received.text
    await group.expect_no_message()
