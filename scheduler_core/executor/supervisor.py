"""The supervisor: owns the slots and every task they run, from claim to recorded outcome.

Only the supervisor's main thread starts attempts and records outcomes. The fetcher, the
heartbeat and the slots' readers post events to its inbox; the main loop handles them one
at a time, so the bookkeeping of slots and capacity needs no locks.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import time
from datetime import timedelta
from types import FrameType
from uuid import UUID

from django.db import close_old_connections, connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, Worker, WorkerState
from scheduler_core.domain.records import TIMED_OUT

from .buffer import TaskBuffer
from .capacity import Capacity
from .codec import Outcome
from .config import WorkerConfig
from .events import Claimed, Event, Exited, Finished, Heartbeat
from .fetcher import Fetcher
from .heartbeat import HeartbeatThread
from .held import HeldAttempts
from .log_fields import task_fields
from .maintenance import MaintenanceThread
from .outcomes import OutcomeRecorder
from .slots import ProcessSlot, Slot, ThreadSlot
from .writer import OutcomeWriter

logger = logging.getLogger(__name__)

# How often the main loop looks at timeouts and signals when no event arrives.
TICK = 0.1
# Events handled per round of the main loop at most.
MAX_EVENTS_PER_ROUND = 200
# How long stopping waits for the outcome writer to store what finished (s): longer than
# its retries of a failing write, which end by leaving the tasks to the rescuer.
WRITER_STOP_TIMEOUT = 60.0
# The local buffer of claimed tasks opens while a typical task takes less than this (s):
# then a slot waiting for a claim would cost more than the task itself. Half of it opens
# below this, all of it below half this, so the work waiting there stays under the same
# fraction of a second while the shortest tasks get the biggest (cheapest) claims.
BUFFER_WHILE_TASKS_UNDER = 0.1
# Weight of the newest duration in the running average that decides it.
DURATION_WEIGHT = 0.2
# The exit code after a second signal cut the drain short.
EXIT_FORCED = 1
SLOT_CRASHED = "scheduler_core.SlotCrashed"


class Supervisor:
    """One worker process: registers itself, runs tasks in its slots, drains on SIGTERM."""

    def __init__(self, config: WorkerConfig, services: Services) -> None:
        self.config = config
        self.services = services
        self.inbox: queue.Queue[Event] = queue.Queue()
        self.capacity = Capacity(config.concurrency, config.buffer)
        # Starts above the bar, so that a few short tasks must finish before the buffer opens.
        self.typical_duration = 2 * BUFFER_WHILE_TASKS_UNDER
        # The attempts whose leases the heartbeat extends: claimed and not yet let go of.
        self.held = HeldAttempts()
        self.recorder = OutcomeRecorder(services, config.database, self.held)
        self.slots: list[Slot] = []
        # Claimed tasks waiting for a slot (the buffer), and when each claim arrived.
        self.pending = TaskBuffer()
        # When the last heartbeat that extended our leases was sent (monotonic); see
        # _stop_if_leases_lapse.
        self.leases_renewed_at = time.monotonic()
        # Attempts that finished this round, handed to the writer after the round's events.
        self.finished: list[tuple[Task, Outcome]] = []
        self.writer = OutcomeWriter(self.recorder, self._freed)
        self.signals = 0
        self.draining_since: float | None = None
        now = services.clock.now()
        self.worker = Worker(
            id=config.worker_id,
            hostname=config.hostname,
            pid=os.getpid(),
            queues=config.queues,
            concurrency=config.concurrency,
            started_at=now,
            last_heartbeat=now,
        )
        self.fetcher = Fetcher(
            services=services,
            worker=self.worker,
            capacity=self.capacity,
            inbox=self.inbox,
            idle_wait=config.idle_wait,
            held=self.held,
            prefetch=config.buffer,
        )
        self.heartbeat = HeartbeatThread(
            services=services,
            worker=self.worker,
            inbox=self.inbox,
            interval=config.heartbeat_interval,
            held=self.held,
        )
        self.maintenance = MaintenanceThread(
            services=services,
            interval=config.maintenance_interval,
            stale_after=config.lease + timedelta(seconds=config.heartbeat_interval),
        )

    # -- life cycle --------------------------------------------------------------------

    def run(self) -> int:
        """Work until signalled; return the process exit code (0 after a clean drain)."""
        self._install_signal_handlers()
        self.services.workers.register(self.worker)
        self.slots = [self._new_slot() for _ in range(self.config.concurrency)]
        # Starting the slots takes seconds; a connection cut meanwhile (a database restart,
        # pg_terminate_backend) must not fail the start, so check it out afresh.
        close_old_connections()
        self.services.workers.start(self.worker.id)
        self.worker.state = WorkerState.RUNNING
        self.leases_renewed_at = time.monotonic()
        for thread in (self.writer, self.fetcher, self.heartbeat, self.maintenance):
            thread.start()
        logger.info(
            "worker %s started: %d %s slots on queues %s",
            self.worker.id,
            self.config.concurrency,
            self.config.pool,
            ",".join(self.config.queues),
        )
        try:
            code = self._loop()
        finally:
            self._stop_everything()
        logger.info("worker %s stopped (exit code %d)", self.worker.id, code)
        return code

    def _loop(self) -> int:
        while True:
            if self.signals >= 2:
                self._release_running("a second signal asked to stop at once")
                return EXIT_FORCED
            if self.signals == 1 and self.draining_since is None:
                self._begin_drain()
            if self.draining_since is not None:
                # Buffered tasks are run, not handed back: they are short by construction,
                # and a handed-back task would cost an attempt.
                idle = not self.pending and not any(slot.busy for slot in self.slots)
                if idle and not self.finished and self.writer.idle:
                    return 0
                if time.monotonic() - self.draining_since > self.config.shutdown_timeout:
                    self._release_running("the shutdown timeout passed")
                    return 0
            for event in self._next_events():
                self._handle(event)
            self._stop_if_leases_lapse()
            # Freed slots take their next (buffered) task at once; the writer thread stores
            # the round's outcomes meanwhile, so no slot waits for the database.
            self._dispatch()
            if self.finished:
                self._hand_over_finished()
            self._enforce_timeouts()

    def _next_events(self) -> list[Event]:
        """The next event (waiting up to a tick) and every other one already waiting."""
        try:
            events = [self.inbox.get(timeout=TICK)]
        except queue.Empty:
            return []
        while len(events) < MAX_EVENTS_PER_ROUND:
            try:
                events.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        return events

    def _hand_over_finished(self) -> None:
        finished, self.finished = self.finished, []
        self.writer.submit(finished)

    def _begin_drain(self) -> None:
        logger.info(
            "worker %s draining: no new tasks; waiting up to %ss for %d running",
            self.worker.id,
            self.config.shutdown_timeout,
            sum(s.busy for s in self.slots),
        )
        self.draining_since = time.monotonic()
        self.fetcher.stopping.set()
        self._set_state(WorkerState.DRAINING)

    def _stop_everything(self) -> None:
        self.fetcher.stopping.set()
        self.heartbeat.stopping.set()
        self.maintenance.stopping.set()
        for thread in (self.fetcher, self.heartbeat, self.maintenance):
            if thread.is_alive():
                thread.join(timeout=self.config.idle_wait + 5)
        # A claim that landed while we stopped is handed back for rescue, not lost.
        while not self.inbox.empty():
            event = self.inbox.get_nowait()
            if isinstance(event, Claimed):
                for task in event.tasks:
                    self.recorder.release(task)
        # What finished is stored before the worker says it stopped (a forced stop included:
        # those attempts did finish, and rerunning them would cost an attempt).
        self._hand_over_finished()
        self.writer.stop(timeout=WRITER_STOP_TIMEOUT)
        if self.writer.is_alive():
            logger.error("outcomes still unwritten at exit; their leases will expire")
        for slot in self.slots:
            slot.stop()
        self._set_state(WorkerState.STOPPED)
        connections.close_all()

    # -- events ------------------------------------------------------------------------

    def _handle(self, event: Event) -> None:
        match event:
            case Claimed(tasks=tasks):
                if self.draining_since is not None:
                    for task in tasks:
                        self.recorder.release(task)
                else:
                    self.pending.add(tasks)
            case Finished(slot=slot, outcome=outcome):
                if slot.retired or slot.task is None or slot.task.id != outcome.task_id:
                    logger.info("ignoring a late outcome of task %s", outcome.task_id)
                    return
                # The slot takes its next task at once; the task's capacity unit comes back
                # once the writer stored its outcome (OutcomeWriter calls _freed).
                duration = time.monotonic() - slot.started_at
                self._note_duration(duration)
                task = slot.done()
                self.finished.append((task, outcome))
                if not outcome.succeeded:
                    # An operator's business at the WARNING level busy workers run at.
                    logger.warning(
                        "task %s raised %s in %.3fs",
                        task.id,
                        outcome.exception_type,
                        duration,
                        extra=task_fields(task, duration=round(duration, 6)),
                    )
                elif logger.isEnabledFor(logging.INFO):
                    # Not built at all at the WARNING level busy workers run at.
                    logger.info(
                        "task %s succeeded in %.3fs",
                        task.id,
                        duration,
                        extra=task_fields(task, duration=round(duration, 6)),
                    )
            case Exited(slot=slot, exit_code=code):
                if slot.retired:
                    return
                if slot.busy:
                    task = slot.done()
                    self.recorder.fail(
                        task,
                        SLOT_CRASHED,
                        f"the executor process exited with code {code} "
                        "while running this task (a crash, os._exit or a signal)",
                    )
                    self._freed()
                self._replace(slot)
            case Heartbeat(asked_at=asked_at, running=running):
                self.leases_renewed_at = max(self.leases_renewed_at, asked_at)
                self._reconcile(asked_at, running)

    def _stop_if_leases_lapse(self) -> None:
        """Stop every attempt before its lease can run out while no heartbeat gets through.

        A lease runs from the database's clock at the last successful heartbeat (or claim);
        the heartbeat was sent before the database stamped it, so time since sending bounds
        the lease's age from above. Past the guard another worker may rescue the task and
        start it, so going on would run it twice at once: stop first, let the rescue retry.
        """
        silent = time.monotonic() - self.leases_renewed_at
        if silent < self.lease_guard:
            return
        if not self.pending and not any(slot.task is not None for slot in self.slots):
            return
        logger.error(
            "no heartbeat got through for %.1fs (lease %ss): stopping every attempt before "
            "its lease can lapse; another worker retries them once rescued",
            silent,
            self.config.lease.total_seconds(),
        )
        while self.pending:
            self.held.let_go([self.pending.take()])
            self._freed()
        for slot in self.slots:
            if slot.task is not None:
                logger.warning("stopping task %s", slot.task.id, extra=task_fields(slot.task))
                self.held.let_go([slot.task])
                self._retire(slot)
                self._freed()

    @property
    def lease_guard(self) -> float:
        """Seconds without a successful heartbeat after which attempts are stopped."""
        lease = self.config.lease.total_seconds()
        # A tenth of the lease (at least half a second) to kill the slots and for clock
        # granularity; the heartbeat's own interval is a third of the lease.
        return lease - max(lease / 10, 0.5)

    def _note_duration(self, seconds: float) -> None:
        self.typical_duration += DURATION_WEIGHT * (seconds - self.typical_duration)
        self.capacity.open_buffer(self._buffer_units())

    def _buffer_units(self) -> int:
        if self.typical_duration < BUFFER_WHILE_TASKS_UNDER / 2:
            return self.config.buffer
        if self.typical_duration < BUFFER_WHILE_TASKS_UNDER:
            return self.config.buffer // 2
        return 0

    def _reconcile(self, asked_at: float, running: list[Task]) -> None:
        held = {(task.id, task.attempt): task for task in running}
        self._reconcile_buffer(asked_at, held)
        for slot in self.slots:
            task = slot.task
            if task is None or slot.started_at > asked_at:
                continue
            stored = held.get((task.id, task.attempt))
            if stored is None:
                # Rescued or cancelled by someone else: stop, so it never runs twice at once.
                message = "lost the lease of task %s; stopping its attempt"
                logger.warning(message, task.id, extra=task_fields(task))
                self._retire(slot)
                self._freed()
            elif stored.cancel_requested:
                logger.info("cancelling task %s as requested", task.id, extra=task_fields(task))
                self._retire(slot)
                self.recorder.confirm_cancel(task)
                self._freed()

    def _reconcile_buffer(self, asked_at: float, held: dict[tuple[UUID, int], Task]) -> None:
        # The heartbeat extends buffered tasks' leases like running ones' (they are running
        # in the store); one taken from us or asked to stop must not start at all.
        lost, cancelled = self.pending.settle(asked_at, held)
        for task in lost:
            message = "lost the lease of buffered task %s; dropping it"
            logger.warning(message, task.id, extra=task_fields(task))
            self._freed()
        for task in cancelled:
            logger.info("cancelling buffered task %s", task.id, extra=task_fields(task))
            self.recorder.confirm_cancel(task)
            self._freed()

    # -- slots -------------------------------------------------------------------------

    def _dispatch(self) -> None:
        for slot in self.slots:
            if not self.pending:
                return
            # An exhausted slot's child is exiting; it is replaced when its exit is seen.
            if slot.accepting:
                slot.run(self.pending.take())

    def _enforce_timeouts(self) -> None:
        now = time.monotonic()
        for slot in self.slots:
            deadline = slot.deadline()
            if deadline is not None and now >= deadline:
                task = slot.task
                assert task is not None
                self._retire(slot)
                how = "killed" if slot.can_kill else "abandoned (a thread cannot be killed)"
                self.recorder.fail(
                    task, TIMED_OUT, f"ran longer than its timeout of {task.timeout}s; {how}"
                )
                self._freed()

    def _retire(self, slot: Slot) -> None:
        slot.task = None
        slot.stop()
        self._replace(slot)

    def _replace(self, slot: Slot) -> None:
        slot.retired = True
        index = self.slots.index(slot)
        self.slots[index] = self._new_slot()

    def _new_slot(self) -> Slot:
        slot: Slot
        if self.config.pool == "process":
            slot = ProcessSlot(self.inbox, self.config.max_tasks_per_child)
        else:
            slot = ThreadSlot(self.inbox)
        slot.start()
        return slot

    def _freed(self, count: int = 1) -> None:
        # Called by the main thread, and by the writer once outcomes are stored.
        if self.draining_since is None:
            self.capacity.release(count)

    def _release_running(self, why: str) -> None:
        while self.pending:
            task = self.pending.take()
            logger.warning("stopping before buffered task %s ran (%s); released", task.id, why)
            self.recorder.release(task)
        for slot in self.slots:
            if slot.task is not None:
                task, slot.task = slot.task, None
                slot.stop()
                logger.warning(
                    "stopping with task %s unfinished (%s); released for rescue", task.id, why
                )
                self.recorder.release(task)

    # -- signals -----------------------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Only count here: the main loop acts on it within a tick.
        self.signals += 1

    def _set_state(self, state: WorkerState) -> None:
        change = {
            WorkerState.DRAINING: self.services.workers.drain,
            WorkerState.STOPPED: self.services.workers.stop,
        }[state]
        try:
            change(self.worker.id)
        except Exception:
            logger.exception("could not record worker %s as %s", self.worker.id, state)
        self.worker.state = state
