"""The scheduler core: schedules live in SQLite, PTB's JobQueue only wakes us up.

The next firing of every active schedule is kept in memory (an Agenda: ids and
times, not the schedules), computed from the injectable clock and the last
firing recorded. One JobQueue job (named ``scheduler:wake``) is armed for the
earliest; when it runs, each schedule whose time has come is handled in its
own task, under a per-schedule lock: every firing that came due since the last
one recorded is either delivered (claimed first under the unique key
schedule/occurrence/offset, so it is never sent twice) or, when it is later
than the grace period, recorded as skipped and logged (a deadline, which closes
something, is delivered however late). A delivery that fails is
retried 30 seconds later; a chat that blocked the bot pauses, one that became a
supergroup is followed.

At start-up every schedule is armed from one query (each schedule with its
last recorded firing) in the background, so polling starts at once; a chat
that comes back is armed again the same way. Nothing due while the bot was
down is lost. When the clock moves, the wake-up is set again against the new
time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta

from telegram.error import ChatMigrated, Forbidden, NetworkError
from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.domain.agenda import Agenda
from bot.domain.models import Firing, Schedule
from bot.domain.recurrence import firings, next_firing
from bot.ratelimit import bulk
from storage import schedules
from storage.db import Database

log = logging.getLogger(__name__)

Deliver = Callable[[CallbackContext, Firing], Awaitable[None]]
RETRY = timedelta(seconds=30)
WAKE = "scheduler:wake"
_BATCH = 500  # schedules armed between two looks at the event loop
AT_ONCE = 32  # schedules delivered side by side: enough to keep 30 sends a second going, and the
              # first of 1,000 reminders due at one moment goes out at once, not after all are read


class Scheduler:
    def __init__(self, application: Application, clock: Clock, grace: timedelta) -> None:
        self._app = application
        self._clock = clock
        self._grace = grace
        self._deadlines: set[str] = set()
        self._kinds: dict[str, Deliver] = {}
        self._db: Database | None = None
        self.on_forbidden: Callable[[int], Awaitable[None]] | None = None
        self.on_migrated: Callable[[int, int], Awaitable[None]] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task] = set()
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # the lock, and how many want it
        self._agenda = Agenda()
        self._at_once = asyncio.Semaphore(AT_ONCE)
        self._running: set[int] = set()  # schedules being handled (out of the agenda meanwhile)
        self._wake_at: datetime | None = None
        self._loading: asyncio.Task | None = None

    def register(self, kind: str, deliver: Deliver, *, deadline: bool = False) -> None:
        """A feature says how to deliver the firings of its kind of schedule. With ``deadline``
        its firings at the occurrence itself (offset 0: a vote or a consultation closing) are
        delivered however late, since a deadline missed must still close what it ends; its
        reminders before it are skipped beyond the grace period as any others."""
        self._kinds[kind] = deliver
        if deadline:
            self._deadlines.add(kind)

    async def start(self, db: Database) -> None:
        """Free what the last stop interrupted and arm every schedule (in the background)."""
        self._db = db
        freed = await schedules.release_interrupted(db)
        if freed:
            log.warning("%d delivery(ies) interrupted by the last stop will be retried", freed)
        self._unsubscribe = self._clock.subscribe(self._clock_moved)
        self._loading = self._spawn(self._load(), "scheduler-arm")

    async def _load(self) -> None:
        try:
            await self.arm_all()
        except Exception:
            log.exception("schedules could not be armed")

    async def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work: Coroutine, name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _clock_moved(self) -> None:
        self._wake_at = None  # the same moment is now nearer: set the wake-up again
        self._set_wake()

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("scheduler not started")
        return self._db

    async def _loaded(self) -> None:
        if self._loading is not None and not self._loading.done():
            await asyncio.shield(self._loading)

    async def add(self, *, chat_id: int, kind: str, first_at: datetime, tz: str,
                  rrule: str | None = None, offsets: tuple[int, ...] = (0,),
                  ref: str | None = None, payload: dict | None = None,
                  origin: str | None = None) -> Schedule:
        """A new schedule, armed; ``origin``: the key of the update that makes it, so that
        handling that update again after a crash makes no second one."""
        schedule = await schedules.add(
            self.db, chat_id=chat_id, kind=kind, ref=ref, first_at=first_at, rrule=rrule, tz=tz,
            offsets=offsets, payload=payload or {}, now=self._clock.now(), origin=origin,
        )
        await self.arm(schedule)
        return schedule

    async def cancel(self, schedule_id: int) -> None:
        await schedules.set_active(self.db, schedule_id, False)
        self._agenda.drop(schedule_id)
        self._set_wake()

    async def cancel_ref(self, kind: str, ref: str) -> None:
        """Cancel the active schedules of ``kind`` for ``ref`` (a vote's, a meeting's …)."""
        for schedule in await schedules.of_ref(self.db, kind, ref):
            if schedule.active:
                await self.cancel(schedule.id)

    async def arm_all(self, chat_id: int | None = None) -> None:
        """Arm every active schedule of the active chats (of one chat, when given)."""
        finished = []
        for count, (schedule, last) in enumerate(await schedules.armable(self.db, chat_id), 1):
            if not self._put(schedule, last) and schedule.id not in self._running:
                finished.append(schedule.id)
            if count % _BATCH == 0:
                self._set_wake()
                await asyncio.sleep(0)  # let updates be answered meanwhile
        self._set_wake()
        if finished:
            await schedules.finish(self.db, finished)

    async def next_after(self, moment: datetime) -> datetime | None:
        """When the first active schedule fires next after ``moment`` (a clock that jumps
        forward stops there, so nothing in between is skipped as missed)."""
        await self._loaded()
        upcoming = []
        late = set(self._running)
        for schedule_id, fire_at in self._agenda.firings():
            if fire_at > moment:
                upcoming.append(fire_at)
            else:
                late.add(schedule_id)  # due, or waiting for a retry: what comes after ``moment``
        for schedule_id in late:
            for schedule, last in await schedules.armable(self.db, schedule_id=schedule_id):
                found = next_firing(schedule, max(self._since(schedule, last), moment))
                if found is not None:
                    upcoming.append(found.fire_at)
        return min(upcoming, default=None)

    async def pause_chat(self, chat_id: int) -> None:
        for schedule_id in await schedules.ids_of_chat(self.db, chat_id):
            self._agenda.drop(schedule_id)
        self._set_wake()

    async def arm(self, schedule: Schedule, retry: bool = False) -> None:
        """Arm the schedule for its next firing (now, if one is already due)."""
        if retry:
            now = self._clock.now()
            self._agenda.put(schedule.id, now, now + RETRY)
        else:
            self._put(schedule, await schedules.last_fire(self.db, schedule.id))
        self._set_wake()

    def _put(self, schedule: Schedule, last: datetime | None) -> bool:
        """Put the schedule's next firing in the agenda; False when it has none left."""
        upcoming = next_firing(schedule, self._since(schedule, last))
        if upcoming is None:
            self._agenda.drop(schedule.id)
            return False
        self._agenda.put(schedule.id, upcoming.fire_at)
        return True

    @staticmethod
    def _since(schedule: Schedule, last: datetime | None) -> datetime:
        return max(last, schedule.created_at) if last else schedule.created_at

    def _set_wake(self) -> None:
        """Arm the one JobQueue job for the earliest entry of the agenda (if it moved)."""
        earliest = self._agenda.earliest()
        if earliest == self._wake_at:
            return
        jobs = self._app.job_queue
        for job in jobs.get_jobs_by_name(WAKE):
            job.schedule_removal()
        self._wake_at = earliest
        if earliest is None:
            return
        delay = max((earliest - self._clock.now()).total_seconds(), 0.0)
        jobs.run_once(self._wake, when=delay, name=WAKE, job_kwargs={"misfire_grace_time": None})

    async def _wake(self, context: CallbackContext) -> None:
        """Hand each schedule that is due to its own task; then wait for the next one."""
        self._wake_at = None
        for schedule_id in self._agenda.take_due(self._clock.now()):
            self._running.add(schedule_id)
            self._spawn(self._run(schedule_id), f"schedule-{schedule_id}")
        self._set_wake()

    def busy(self) -> bool:
        """Whether work is in hand: arming or delivering, or a job about to wake us."""
        if self._tasks:
            return True
        soon = datetime.now(UTC) + timedelta(milliseconds=50)  # the JobQueue keeps real time
        return any(job.next_t is not None and job.next_t <= soon for job in self._app.job_queue.jobs())

    async def _run(self, schedule_id: int) -> None:
        lock, wanted = self._locks.get(schedule_id, (asyncio.Lock(), 0))
        self._locks[schedule_id] = (lock, wanted + 1)
        try:
            async with lock, self._at_once:
                await self._fire_due(schedule_id)
        except Exception:
            log.exception("schedule %s could not be handled; retrying", schedule_id)
            now = self._clock.now()
            self._agenda.put(schedule_id, now, now + RETRY)
            self._set_wake()
        finally:
            self._running.discard(schedule_id)
            lock, wanted = self._locks[schedule_id]
            if wanted > 1:
                self._locks[schedule_id] = (lock, wanted - 1)
            else:
                del self._locks[schedule_id]

    async def _fire_due(self, schedule_id: int) -> None:
        found = list(await schedules.armable(self.db, schedule_id=schedule_id))
        if not found:
            return  # cancelled, or its chat paused
        schedule, last = found[0]
        context = CallbackContext(self._app)
        now = self._clock.now()
        for firing in firings(schedule, self._since(schedule, last), now):
            if now - firing.fire_at > self._grace and not (
                    firing.offset == 0 and schedule.kind in self._deadlines):
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
        for fresh, last in await schedules.armable(self.db, schedule_id=schedule_id):
            if not self._put(fresh, last):
                await schedules.finish(self.db, [fresh.id])
            self._set_wake()

    async def _deliver(self, context: CallbackContext, firing: Firing) -> str:
        deliver = self._kinds.get(firing.schedule.kind)
        if deliver is None:
            log.error("no delivery registered for schedule kind %r", firing.schedule.kind)
            return "retry"
        if not await schedules.claim(self.db, firing, self._clock.now()):
            return "done"
        try:
            with bulk():  # reminders and digests give way to what residents are waiting for
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
