"""The scheduler core: what is due is sent once, across restarts; what is too late is skipped."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.domain.models import Firing
from bot.local.sandbox import Sandbox
from storage import chats, schedules
from storage.db import Database

KIND = "notice"


def sends_payload(runtime) -> None:
    async def deliver(context, firing: Firing) -> None:
        await context.bot.send_message(firing.schedule.chat_id, firing.schedule.payload["text"])

    runtime.scheduler.register(KIND, deliver)


@pytest.fixture
async def setup(tg, bot):
    admin = tg.user("王芳", language_code="zh-hans")
    group = tg.group("翠苑", admins=[admin])
    await group.add_bot(by=admin)
    await group.expect_message()  # greeting
    bot.prepare.append(sends_payload)
    sends_payload(bot.runtime)
    return bot, group, admin


async def add(bot, group, in_, text, **kw):
    return await bot.runtime.scheduler.add(
        chat_id=group.id, kind=KIND, first_at=bot.clock.now() + in_, tz="Asia/Shanghai",
        payload={"text": text}, **kw)


async def test_due_while_stopped_is_sent_once_after_restart(setup):
    bot, group, _ = setup
    s = await add(bot, group, timedelta(hours=1), "电梯维修通知")
    await bot.stop()
    bot.clock.advance(timedelta(hours=1, minutes=5))  # within the one-hour grace
    await bot.start()
    assert (await group.expect_message()).text == "电梯维修通知"
    await bot.restart()
    await group.expect_no_message(within=1.0)
    assert [st for _, _, st in await schedules.deliveries(bot.runtime.store, s.id)] == ["sent"]


async def test_missed_beyond_grace_is_skipped_and_logged(setup, caplog):
    bot, group, _ = setup
    s = await add(bot, group, timedelta(hours=1), "太迟了")
    await bot.stop()
    bot.clock.advance(timedelta(hours=3))
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        await bot.start()
        await bot.tg.wait_idle()
    await group.expect_no_message(within=0.5)
    assert [st for _, _, st in await schedules.deliveries(bot.runtime.store, s.id)] == ["skipped"]
    assert any("beyond the grace period" in r.getMessage() for r in caplog.records)


async def test_moving_the_clock_fires_reminders_and_recurrences(setup):
    bot, group, _ = setup
    await add(bot, group, timedelta(days=1), "小区夜话", rrule="FREQ=DAILY",
              offsets=(0, 3600))
    await group.expect_no_message(within=0.3)
    bot.clock.advance(timedelta(hours=23, minutes=1))  # one hour before
    assert (await group.expect_message()).text == "小区夜话"
    bot.clock.advance(timedelta(hours=1))  # at the occurrence
    assert (await group.expect_message()).text == "小区夜话"
    bot.clock.advance(timedelta(hours=23))  # next day's reminder
    assert (await group.expect_message()).text == "小区夜话"
    await group.expect_no_message(within=0.5)


async def test_a_cancelled_schedule_stays_quiet(setup):
    bot, group, _ = setup
    s = await add(bot, group, timedelta(minutes=30), "取消了")
    await bot.runtime.scheduler.cancel(s.id)
    bot.clock.advance(timedelta(hours=1))
    await group.expect_no_message(within=0.5)


async def test_removed_from_the_group_pauses_and_re_added_resumes_within_grace(setup):
    bot, group, admin = setup
    await add(bot, group, timedelta(minutes=30), "接待日提醒")
    await group.kick_bot(by=admin)
    await bot.tg.wait_idle()
    bot.clock.advance(timedelta(minutes=40))
    await bot.tg.wait_idle()
    assert not [c for c in bot.tg.calls if c.method == "sendMessage" and c.status != 200]
    await group.add_bot(by=admin)
    texts = [(await group.expect_message()).text, (await group.expect_message()).text]
    assert "接待日提醒" in texts and any("各位邻居好" in t for t in texts)


async def test_a_chat_that_disappeared_pauses_its_schedules(setup):
    bot, group, admin = setup
    s = await add(bot, group, timedelta(minutes=30), "x")
    await bot.stop()
    await group.kick_bot(by=admin)  # while the bot was down: Telegram answers 403
    bot.clock.advance(timedelta(minutes=31))
    await bot.start()
    await bot.tg.wait_idle()
    assert await schedules.deliveries(bot.runtime.store, s.id) == []
    assert not (await chats.get(bot.runtime.store, group.id)).active
    # the one refused send is Telegram's answer the bot could not foresee; it sends no more
    refused = [c for c in bot.tg.calls if c.status == 403]
    assert len(refused) <= 1
    bot.tg.violations[:] = [v for v in bot.tg.violations if "kicked" not in v]


# -- many schedules --------------------------------------------------------------------------------

MANY = 400


async def add_many(bot, group, start, count=MANY):
    """Schedules written as the features write them, each with a reminder an hour before."""
    db, now = bot.runtime.store, bot.clock.now()
    for n in range(count):
        await schedules.add(db, chat_id=group.id, kind=KIND, ref=None, first_at=start + timedelta(minutes=n),
                            rrule=None, tz="Asia/Shanghai", offsets=(0, 3600),
                            payload={"text": f"第{n}号"}, now=now)


def count_statements(monkeypatch) -> list[str]:
    """Every statement about schedules or deliveries sent to the database from now on."""
    seen: list[str] = []
    for name in ("execute", "fetchall", "fetchone"):
        original = getattr(Database, name)

        async def counted(self, sql, params=(), _original=original):
            if "schedules" in sql or "deliveries" in sql:
                seen.append(" ".join(sql.split()))
            return await _original(self, sql, params)

        monkeypatch.setattr(Database, name, counted)
    return seen


def wake_jobs(bot) -> list:
    return [job for job in bot.app.job_queue.jobs() if not job.removed]


async def test_many_schedules_are_armed_by_one_query_and_wait_on_one_job(setup, monkeypatch):
    bot, group, _ = setup
    await add_many(bot, group, bot.clock.now() + timedelta(days=2))
    await bot.runtime.scheduler.arm_all()
    assert len(wake_jobs(bot)) == 1
    await bot.stop()
    statements = count_statements(monkeypatch)
    await bot.start()
    assert await bot.runtime.scheduler.next_after(bot.clock.now()) is not None  # arming is done
    assert len(statements) <= 3, statements  # freeing interrupted claims, the one query, no per-schedule
    assert len(wake_jobs(bot)) == 1
    await group.expect_no_message(within=0.3)


async def test_among_many_a_reminder_and_its_deadline_fire_after_a_restart(setup):
    bot, group, _ = setup
    await add_many(bot, group, bot.clock.now() + timedelta(days=2))
    late = await add(bot, group, timedelta(minutes=10), "太迟了")
    await bot.stop()
    bot.clock.advance(timedelta(hours=1, minutes=15))  # "太迟了" is past the one-hour grace
    await bot.start()
    await add(bot, group, timedelta(minutes=30), "停水通知", offsets=(0, 600))
    await group.expect_no_message(within=0.5)
    assert [st for _, _, st in await schedules.deliveries(bot.runtime.store, late.id)] == ["skipped"]
    bot.clock.advance(timedelta(minutes=21))  # ten minutes before
    assert (await group.expect_message()).text == "停水通知"
    bot.clock.advance(timedelta(minutes=10))  # at the time
    assert (await group.expect_message()).text == "停水通知"
    await group.expect_no_message(within=0.5)
    assert len(wake_jobs(bot)) == 1


async def test_a_jump_of_the_clock_stops_at_each_firing_on_the_way():
    async with Sandbox() as box:
        seen: list[tuple[str, timedelta]] = []

        async def deliver(context, firing: Firing) -> None:
            seen.append((firing.schedule.payload["text"], box.clock.now() - firing.fire_at))

        scheduler = box.bot.runtime.scheduler
        scheduler.register(KIND, deliver)
        start = box.clock.now()
        for hours, text in ((3, "三点"), (1, "一点"), (5, "五点")):
            await scheduler.add(chat_id=box.group.id, kind=KIND, first_at=start + timedelta(hours=hours),
                                tz="Asia/Shanghai", offsets=(0, 1800), payload={"text": text})
        await box.skip(timedelta(hours=6))
        assert [text for text, _ in seen] == ["一点", "一点", "三点", "三点", "五点", "五点"]
        assert all(timedelta(0) <= lateness < timedelta(minutes=1) for _, lateness in seen), seen
