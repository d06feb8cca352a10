"""A convener adds the bot to the compound's group and sets it up; residents use it."""

from __future__ import annotations

import pytest

from bot.local.standin import FakeTelegram
from storage import chats


@pytest.fixture
def people(tg: FakeTelegram):
    admin = tg.user("王芳", language_code="zh-hans")
    resident = tg.user("李强", language_code="zh-hant")
    neighbour = tg.user("Tom", language_code="en")
    group = tg.group("翠苑小区业主群", admins=[admin], members=[resident, neighbour])
    return admin, resident, neighbour, group


async def joined(people):
    admin, _, _, group = people
    await group.add_bot(by=admin)
    greeting = await group.expect_message()
    return greeting


async def test_added_to_a_group_the_bot_greets_in_the_default_script(bot, people):
    greeting = await joined(people)
    assert "各位邻居好" in greeting.text
    assert "/help" in greeting.text


async def test_help_differs_between_residents_and_conveners(bot, people):
    admin, resident, _, group = people
    await joined(people)
    await resident.send(group, "/help")
    for_resident = await group.expect_message()
    await admin.send(group, "/help")
    for_convener = await group.expect_message()
    assert "您可以使用的命令" in for_resident.text
    assert "召集人和居民可用的命令" in for_convener.text
    await resident.press(for_resident, data="hp:settings")  # the topic 设置
    assert "/roles" in (await group.expect_edit(for_resident)).text
    assert "/lang" not in for_resident.text and "/grant" not in for_resident.text
    await admin.press(for_convener, data="hp:settings")
    page = (await group.expect_edit(for_convener)).text
    assert "/lang" in page and "/grant" in page and "/roles" in page


async def test_the_convener_switches_the_group_to_traditional(bot, tg, people):
    admin, resident, _, group = people
    await joined(people)
    await admin.send(group, "/lang")
    menu = await group.expect_message()
    assert [b.text for b in menu.buttons[0]] == ["✓ 简体中文", "繁體中文", "English"]
    answer = await admin.press(menu, "繁體中文")
    assert answer.text == "語言已設為繁體中文。"
    assert (await group.expect_edit(menu)).text == "語言：繁體中文"
    await resident.send(group, "/help")
    assert "您可以使用的命令" in (await group.expect_message()).text  # same in both scripts
    await resident.send(group, "/roles")
    assert "尚未授予任何角色" in (await group.expect_message()).text
    # the group's menu follows its language
    scoped = [cmds for (scope, lang), cmds in tg.commands.items() if str(group.id) in scope]
    assert scoped and all("語言" in " ".join(c["description"] for c in cmds) for cmds in scoped
                          if any(c["command"] == "lang" for c in cmds))


async def test_residents_cannot_change_the_language(bot, tg, people):
    admin, resident, _, group = people
    await joined(people)
    await resident.send(group, "/lang")
    assert (await group.expect_message()).text == "抱歉，只有本群的召集人可以这样做。"
    # a button pressed by a resident on the convener's menu is refused as well
    await admin.send(group, "/lang")
    menu = await group.expect_message()
    answer = await resident.press(menu, "English")
    assert answer.show_alert and answer.text == "抱歉，只有本群的召集人可以这样做。"
    assert (await chats.get(bot.runtime.store, group.id)).locale is None
    # forged data naming a language that does not exist changes nothing
    forged = await admin.press(menu, data="lang:set:fr")
    assert forged.text == "这个按钮已失效。"
    assert (await chats.get(bot.runtime.store, group.id)).locale is None


async def test_pressing_the_current_language_again_is_harmless(bot, tg, people):
    admin, _, _, group = people
    await joined(people)
    await admin.send(group, "/lang")
    menu = await group.expect_message()
    await admin.press(menu, "English")
    await group.expect_edit(menu)
    await admin.press(menu, data="lang:set:en")  # the edit would change nothing
    await group.expect_no_message(within=0.5)
    assert tg.not_modified == 1


async def test_settings_name_and_time_zone(bot, people):
    admin, resident, _, group = people
    await joined(people)
    await admin.send(group, "/settings 名称 翠苑小区")
    shown = (await group.expect_message()).text
    assert "小区：翠苑小区" in shown and "时区：Asia/Shanghai" in shown
    await admin.send(group, "/settings tz Mars/Base")
    assert "无法识别时区Mars/Base" in (await group.expect_message()).text
    await admin.send(group, "/settings 时区 Asia/Hong_Kong")
    assert "时区：Asia/Hong_Kong" in (await group.expect_message()).text
    await admin.send(group, "/settings colour blue")
    assert (await group.expect_message()).text.startswith("用法：/settings")
    await resident.send(group, "/settings 名称 我家")
    assert "只有本群的召集人" in (await group.expect_message()).text
    chat = await chats.get(bot.runtime.store, group.id)
    assert (chat.community, chat.tz) == ("翠苑小区", "Asia/Hong_Kong")


async def test_roles_are_granted_by_reply_and_give_rights(bot, people):
    admin, resident, neighbour, group = people
    await joined(people)
    said = await resident.send(group, "我来当副召集人吧")
    await neighbour.send(group, "/grant deputy", reply_to=said)
    assert "只有本小区的召集人" in (await group.expect_message()).text
    await admin.send(group, "/grant 副召集人", reply_to=said)
    assert (await group.expect_message()).text == "李强现为副召集人。"
    await admin.send(group, "/grant 楼长", reply_to=await neighbour.send(group, "hi"))
    assert "需要指定楼栋" in (await group.expect_message()).text
    await admin.send(group, "/grant 楼长 6栋", reply_to=await neighbour.send(group, "ok"))
    assert (await group.expect_message()).text == "Tom现为6栋的楼栋召集人。"
    await admin.send(group, "/grant mayor", reply_to=said)
    assert "/grant <角色>" in (await group.expect_message()).text
    # the deputy now convenes
    await resident.send(group, "/settings 名称 翠苑")
    assert "小区：翠苑" in (await group.expect_message()).text
    await resident.send(group, "/roles")
    listing = (await group.expect_message()).text
    assert "副召集人：李强" in listing and "楼栋召集人（6栋）：Tom" in listing
    await admin.send(group, "/revoke deputy", reply_to=said)
    assert (await group.expect_message()).text == "李强不再担任副召集人。"
    await resident.send(group, "/settings 名称 我家")
    assert "只有本群的召集人" in (await group.expect_message()).text


async def test_private_start_speaks_the_users_language(bot, tg):
    for code, expected in (("zh-hant", "在小區自己的群裡協商議事"), ("zh-CN", "在小区自己的群里协商议事"),
                           ("en", "your community's deliberation"), ("ru", "在小区自己的群里协商议事")):
        user = tg.user("U", language_code=code)
        await user.send(user.private, "/start")
        reply = await user.private.expect_message()
        assert expected in reply.text
        assert any("startgroup=true" in e.get("url", "") for e in reply.entities)


async def test_commands_menus_are_set_at_start(bot, tg):
    await tg.wait_idle()
    by_scope = {(scope, lang): [c["command"] for c in cmds] for (scope, lang), cmds in tg.commands.items()}
    default = [v for (scope, lang), v in by_scope.items() if '"default"' in scope]
    admins = [v for (scope, lang), v in by_scope.items() if "all_chat_administrators" in scope]
    assert len(default) == 2 and len(admins) == 2  # English default and "zh"
    assert all("lang" not in v and "help" in v for v in default)
    assert all("lang" in v and "grant" in v for v in admins)
    zh = tg.commands[next(k for k in tg.commands if '"default"' in k[0] and k[1] == "zh")]
    assert any(c["description"] == "这里可以使用的命令" for c in zh)


async def test_removed_and_re_added(bot, people):
    admin, _, _, group = people
    await joined(people)
    await group.kick_bot(by=admin)
    await bot.tg.wait_idle()
    assert not (await chats.get(bot.runtime.store, group.id)).active
    await group.add_bot(by=admin)
    assert "各位邻居好" in (await group.expect_message()).text
    assert (await chats.get(bot.runtime.store, group.id)).active


async def test_group_upgraded_to_supergroup_keeps_its_setup(bot, people):
    admin, resident, _, group = people
    await joined(people)
    await admin.send(group, "/lang")
    await admin.press(await group.expect_message(), "繁體中文")
    await admin.send(group, "/settings 名称 翠苑")
    await group.expect_message()
    supergroup = await group.migrate()
    await bot.tg.wait_idle()
    await resident.send(supergroup, "/settings")
    assert "只有本群的召集人可以這樣做" in (await supergroup.expect_message()).text
    await admin.send(supergroup, "/settings")
    shown = (await supergroup.expect_message()).text
    assert "小區：翠苑" in shown
    assert await chats.get(bot.runtime.store, group.id) is None


async def test_settings_survive_a_restart(bot, people):
    admin, _, _, group = people
    await joined(people)
    await admin.send(group, "/lang")
    await admin.press(await group.expect_message(), "English")
    await bot.restart()
    await admin.send(group, "/settings")
    assert "Settings of this chat" in (await group.expect_message()).text


async def test_a_failure_is_logged_and_the_user_told(tg, tmp_path, people, caplog):
    from bot.local.sandbox import LocalBot

    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "help.html.j2").write_text("{{ commands.nope.missing() }}")
    runner = LocalBot(tg, tmp_path / "y.sqlite3")
    runner.templates = broken
    await runner.start()
    try:
        _, resident, _, group = people
        await joined(people)
        await resident.send(group, "/help")
        assert (await group.expect_message()).text == "抱歉，出了点问题，请稍后再试。"
        assert any("failed" in r.getMessage() and r.exc_info for r in caplog.records)
        await resident.send(group, "/roles")  # the bot carries on
        assert "尚未授予任何角色" in (await group.expect_message()).text
    finally:
        await runner.stop()


async def test_a_reply_follows_a_group_that_migrated_meanwhile(bot, tg, people):
    admin, resident, _, group = people
    await joined(people)
    await admin.send(group, "/settings 名称 翠苑")
    await group.expect_message()
    await resident.send(group, "/roles")
    supergroup = await group.migrate()  # before the bot answers
    assert "尚未授予任何角色" in (await supergroup.expect_message()).text
    await admin.send(supergroup, "/settings")
    assert "小区：翠苑" in (await supergroup.expect_message()).text
    # Telegram's answer to the one send that raced the upgrade is expected, not a fault
    assert all("upgraded" in v or "migrate" in v for v in tg.violations)
    tg.violations.clear()


async def test_flood_limits_are_waited_out_not_lost(tmp_path):
    """A Telegram stricter than usual answers 429; the bot waits and delivers everything."""
    from bot.local.sandbox import LocalBot, api_spec

    async with FakeTelegram(spec_path=api_spec(), group_rate=(3, 3.0)) as strict:
        admin = strict.user("王芳", language_code="zh-hans")
        group = strict.group("翠苑", admins=[admin])
        runner = LocalBot(strict, tmp_path / "f.sqlite3")
        runner.group_rate, runner.group_window = 20, 60.0  # the bot expects Telegram's usual limits
        await runner.start()
        try:
            await group.add_bot(by=admin)
            await group.expect_message()
            for _ in range(6):
                await admin.send(group, "/roles")
            for _ in range(6):
                assert "尚未授予任何角色" in (await group.expect_message(timeout=30)).text
            assert strict.rate_limited > 0
            assert all("429" in v or "Too Many Requests" in v for v in strict.violations)
        finally:
            await runner.stop()


async def test_a_private_chat_marks_the_person_reachable(bot, tg):
    from storage import users

    user = tg.user("张伟", language_code="zh-cn")
    group = tg.group("g", admins=[user])
    await group.add_bot(by=user)
    await group.expect_message()
    await user.send(group, "/help")
    await group.expect_message()
    assert not (await users.get(bot.runtime.store, user.id)).started
    await user.send(user.private, "/start")
    await user.private.expect_message()
    assert (await users.get(bot.runtime.store, user.id)).started
    await user.send(group, "/help")
    await group.expect_message()
    assert (await users.get(bot.runtime.store, user.id)).started


async def test_a_new_administrator_convenes_at_once_when_the_bot_is_admin(bot, people):
    admin, resident, _, group = people
    await joined(people)
    await group.promote_bot(by=admin)
    await resident.send(group, "/settings")
    assert "只有本群的召集人" in (await group.expect_message()).text
    await group.promote(resident, by=admin)  # Telegram tells an admin bot: chat_member
    await resident.send(group, "/settings")
    assert "本群设置" in (await group.expect_message()).text


async def test_otherwise_the_administrator_list_is_read_again_after_a_few_minutes(bot, people):
    from datetime import timedelta

    admin, resident, _, group = people
    await joined(people)
    await resident.send(group, "/settings")
    assert "只有本群的召集人" in (await group.expect_message()).text
    await group.promote(resident, by=admin)  # a member bot is not told
    await resident.send(group, "/settings")
    assert "只有本群的召集人" in (await group.expect_message()).text
    bot.clock.advance(timedelta(minutes=6))
    await resident.send(group, "/settings")
    assert "本群设置" in (await group.expect_message()).text
