"""The scheduler core: schedules live in SQLite, PTB's JobQueue only wakes us up.

Each active schedule has one JobQueue job (id ``schedule:<id>``) armed for its
next firing, computed from the injectable clock. When the job runs, every
firing that came due since the last one recorded is either delivered (claimed
first under the unique key schedule/occurrence/offset, so it is never sent
twice) or, when it is later than the grace period, recorded as skipped and
logged. At start-up, after a chat comes back, and whenever the clock moves,
every schedule is armed again, so nothing due while the bot was down is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from telegram.error import ChatMigrated, Forbidden, NetworkError
from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.domain.models import Firing, Schedule
from bot.domain.recurrence import firings, next_firing
from storage import schedules
from storage.db import Database

log = logging.getLogger(__name__)

Deliver = Callable[[CallbackContext, Firing], Awaitable[None]]
RETRY = timedelta(seconds=30)


class Scheduler:
    def __init__(self, application: Application, clock: Clock, grace: timedelta) -> None:
        self._app = application
        self._clock = clock
        self._grace = grace
        self._kinds: dict[str, Deliver] = {}
        self._db: Database | None = None
        self.on_forbidden: Callable[[int], Awaitable[None]] | None = None
        self.on_migrated: Callable[[int, int], Awaitable[None]] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task] = set()
        self._locks: dict[int, asyncio.Lock] = {}

    def register(self, kind: str, deliver: Deliver) -> None:
        """A feature says how to deliver the firings of its kind of schedule."""
        self._kinds[kind] = deliver

    async def start(self, db: Database) -> None:
        self._db = db
        freed = await schedules.release_interrupted(db)
        if freed:
            log.warning("%d delivery(ies) interrupted by the last stop will be retried", freed)
        await self.arm_all()
        self._unsubscribe = self._clock.subscribe(self._clock_moved)

    async def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        for task in list(self._tasks):
            await task

    def _clock_moved(self) -> None:
        task = asyncio.get_running_loop().create_task(self.arm_all())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("scheduler not started")
        return self._db

    async def add(self, *, chat_id: int, kind: str, first_at: datetime, tz: str,
                  rrule: str | None = None, offsets: tuple[int, ...] = (0,),
                  ref: str | None = None, payload: dict | None = None) -> Schedule:
        schedule = await schedules.add(
            self.db, chat_id=chat_id, kind=kind, ref=ref, first_at=first_at, rrule=rrule, tz=tz,
            offsets=offsets, payload=payload or {}, now=self._clock.now(),
        )
        await self.arm(schedule)
        return schedule

    async def cancel(self, schedule_id: int) -> None:
        await schedules.set_active(self.db, schedule_id, False)
        self._remove_job(schedule_id)

    async def arm_all(self, chat_id: int | None = None) -> None:
        for schedule in await schedules.armable(self.db, chat_id):
            await self.arm(schedule)

    async def next_after(self, moment: datetime) -> datetime | None:
        """When the first active schedule fires next after ``moment`` (a clock that jumps
        forward stops there, so nothing in between is skipped as missed)."""
        upcoming = []
        for schedule in await schedules.armable(self.db, None):
            found = next_firing(schedule, max(await self._since(schedule), moment))
            if found is not None:
                upcoming.append(found.fire_at)
        return min(upcoming, default=None)

    async def pause_chat(self, chat_id: int) -> None:
        for schedule in await schedules.of_chat(self.db, chat_id):
            self._remove_job(schedule.id)

    async def arm(self, schedule: Schedule, retry: bool = False) -> None:
        """Arm the schedule's job for its next firing (now, if one is already due)."""
        now = self._clock.now()
        if retry:
            when = now + RETRY
        else:
            after = await self._since(schedule)
            due = firings(schedule, after, now)
            upcoming = due[0] if due else next_firing(schedule, max(after, now))
            if upcoming is None:
                self._remove_job(schedule.id)
                return
            when = upcoming.fire_at
        delay = max((when - now).total_seconds(), 0.0)
        name = self._job_id(schedule.id)
        self._app.job_queue.run_once(
            self._wake, when=delay, data=schedule.id, name=name,
            job_kwargs={"id": name, "replace_existing": True, "misfire_grace_time": None},
        )

    async def _since(self, schedule: Schedule) -> datetime:
        last = await schedules.last_fire(self.db, schedule.id)
        return max(last, schedule.created_at) if last else schedule.created_at

    async def _wake(self, context: CallbackContext) -> None:
        """The job only wakes us: the work runs as its own task, so re-arming the same job
        id from inside it never collides with the job still running."""
        task = self._app.create_task(self._run(context.job.data), name=f"schedule-{context.job.data}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def busy(self) -> bool:
        """Whether work is in hand: arming or delivering, or a job about to wake us."""
        if self._tasks:
            return True
        soon = datetime.now(UTC) + timedelta(milliseconds=50)  # the JobQueue keeps real time
        return any(job.next_t is not None and job.next_t <= soon for job in self._app.job_queue.jobs())

    async def _run(self, schedule_id: int) -> None:
        async with self._locks.setdefault(schedule_id, asyncio.Lock()):
            await self._fire_due(schedule_id)

    async def _fire_due(self, schedule_id: int) -> None:
        schedule = await schedules.get(self.db, schedule_id)
        if schedule is None or not schedule.active:
            return
        context = CallbackContext(self._app)
        now = self._clock.now()
        for firing in firings(schedule, await self._since(schedule), now):
            if now - firing.fire_at > self._grace:
                await schedules.skip(self.db, firing, now)
                log.warning("schedule %s (%s) missed %s by %s, beyond the grace period: skipped",
                            schedule.id, schedule.kind, firing.fire_at.isoformat(),
                            now - firing.fire_at)
                continue
            outcome = await self._deliver(context, firing)
            if outcome == "stop":
                return
            if outcome == "retry":
                await self.arm(schedule, retry=True)
                return
        fresh = await schedules.get(self.db, schedule.id)
        if fresh is not None and fresh.active:
            await self.arm(fresh)

    async def _deliver(self, context: CallbackContext, firing: Firing) -> str:
        deliver = self._kinds.get(firing.schedule.kind)
        if deliver is None:
            log.error("no delivery registered for schedule kind %r", firing.schedule.kind)
            return "retry"
        if not await schedules.claim(self.db, firing, self._clock.now()):
            return "done"
        try:
            await deliver(context, firing)
        except Forbidden:
            await schedules.release(self.db, firing)
            log.warning("chat %s no longer reachable; its schedules pause", firing.schedule.chat_id)
            if self.on_forbidden:
                await self.on_forbidden(firing.schedule.chat_id)
            return "stop"
        except ChatMigrated as exc:
            await schedules.release(self.db, firing)
            if self.on_migrated:
                await self.on_migrated(firing.schedule.chat_id, exc.new_chat_id)
            return "retry"
        except NetworkError:
            await schedules.release(self.db, firing)
            log.warning("schedule %s: Telegram unreachable, retrying", firing.schedule.id,
                        exc_info=True)
            return "retry"
        except Exception:
            await schedules.release(self.db, firing)
            log.exception("schedule %s failed to deliver %s", firing.schedule.id,
                          firing.fire_at.isoformat())
            return "retry"
        await schedules.settle(self.db, firing, self._clock.now())
        return "done"

    def _remove_job(self, schedule_id: int) -> None:
        for job in self._app.job_queue.get_jobs_by_name(self._job_id(schedule_id)):
            job.schedule_removal()

    @staticmethod
    def _job_id(schedule_id: int) -> str:
        return f"schedule:{schedule_id}"
