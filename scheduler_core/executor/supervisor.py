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

from django.db import DatabaseError, close_old_connections, connections

from scheduler_core.alert_wiring import build_alert_services
from scheduler_core.bootstrap import Services
from scheduler_core.domain import InvalidTransition, Task, Worker, WorkerNotFound, WorkerState
from scheduler_core.domain.records import TIMED_OUT
from scheduler_core.domain.worker_commands import WorkerCommand

from .buffer import TaskBuffer
from .capacity import Capacity
from .codec import Outcome
from .config import WorkerConfig, default_worker_id
from .control import ControlThread
from .events import Claimed, Controlled, Event, Exited, Fenced, Finished, Heartbeat
from .fetcher import Fetcher
from .heartbeat import HeartbeatThread
from .held import HeldAttempts
from .lease_clock import LeaseClock
from .log_fields import task_fields
from .maintenance import MaintenanceThread
from .outcomes import OutcomeRecorder
from .patience import when_database_answers
from .slots import ProcessSlot, Slot, ThreadSlot
from .watchdog import EXIT_LEASE_LAPSED
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
# How often a worker declared dead tries to come back under a new id (s).
REGISTER_PAUSE = 1.0
# Tries at writing the worker's final state (a connection cut earlier must not leave the
# row saying "running" for the maintenance to call dead).
STATE_WRITE_ATTEMPTS = 5


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
        # What the worker can prove about its leases; see _stop_lapsing_attempts.
        self.lease_clock = LeaseClock(config.lease, config.heartbeat_interval)
        # Attempts that finished this round, handed to the writer after the round's events,
        # and attempts that started, whose starts it stamps.
        self.finished: list[tuple[Task, Outcome]] = []
        self.started: list[Task] = []
        self.writer = OutcomeWriter(self.recorder, self._freed)
        self.signals = 0
        self.draining_since: float | None = None
        # Set once the worker stops for good: no slot is forked any more.
        self.stopping = False
        # Set when the store declared this worker dead: when (monotonic) to try coming back.
        self.comeback_at: float | None = None
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
            lease_clock=self.lease_clock,
            prefetch=config.buffer,
        )
        self.heartbeat = HeartbeatThread(
            services=services,
            worker=self.worker,
            inbox=self.inbox,
            interval=config.heartbeat_interval,
            held=self.held,
            lease_clock=self.lease_clock,
        )
        self.control = ControlThread(
            control=services.control, worker_id=self.worker.id, held=self.held, inbox=self.inbox
        )
        self.maintenance = MaintenanceThread(
            services=services,
            interval=config.maintenance_interval,
            stale_after=config.lease + timedelta(seconds=config.heartbeat_interval),
            # Every worker evaluates the alert rules too (docs/alerts.md).
            alerts=None if config.database is None else build_alert_services(config.database),
        )

    # -- life cycle --------------------------------------------------------------------

    def run(self) -> int:
        """Work until signalled; return the process exit code (0 after a clean drain)."""
        self._install_signal_handlers()
        if not self._register_patiently():
            return EXIT_FORCED
        try:
            self._start()
            code = self._loop()
        finally:
            # Also when the start failed: slots ignore SIGTERM, so multiprocessing's exit
            # handler (terminate, then join) would wait for them for ever.
            self._stop_everything()
        logger.info("worker %s stopped (exit code %d)", self.worker.id, code)
        return code

    def _start(self) -> None:
        for _ in range(self.config.concurrency):
            # One by one, so that a failing start still stops the slots already forked.
            self.slots.append(self._new_slot())
        # Starting the slots takes seconds; a connection cut meanwhile (a database restart,
        # pg_terminate_backend) must not fail the start, so check it out afresh.
        close_old_connections()
        sent_at = time.monotonic()
        when_database_answers(
            "starting", lambda: self.services.workers.start(self.worker.id), give_up=self._signalled
        )
        self.worker.state = WorkerState.RUNNING
        self.lease_clock.renewed(sent_at)
        for thread in (self.writer, self.fetcher, self.heartbeat, self.maintenance, self.control):
            thread.start()
        logger.info(
            "worker %s started: %d %s slots on queues %s",
            self.worker.id,
            self.config.concurrency,
            self.config.pool,
            ",".join(self.config.queues),
        )

    def _signalled(self) -> bool:
        return self.signals > 0

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
            if self.comeback_at is not None and time.monotonic() >= self.comeback_at:
                self._come_back()
            self._stop_lapsing_attempts()
            # Freed slots take their next (buffered) task at once; the writer thread stores
            # the round's outcomes meanwhile, so no slot waits for the database.
            self._dispatch()
            if self.finished or self.started:
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
        started, self.started = self.started, []
        self.writer.submit(finished, started)

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
        self.stopping = True
        self.fetcher.stopping.set()
        self.heartbeat.stopping.set()
        self.maintenance.stopping.set()
        self.control.stopping.set()
        for thread in (self.fetcher, self.heartbeat, self.maintenance, self.control):
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
            case Claimed(tasks=tasks, sent_at=sent_at):
                # A claim in flight when the drain or an operator's quiet began is handed
                # back unstarted, so it costs no attempt: quiet means nothing new runs here.
                if self.draining_since is not None or self.fetcher.quiet.is_set():
                    for task in tasks:
                        self.recorder.release(task)
                elif self.lease_clock.fenced or any(
                    task.worker_id != self.worker.id for task in tasks
                ):
                    # Claimed under an identity the store has declared dead: not ours to
                    # run. Dropped unwritten; the rescue gives the claims back unstarted.
                    self.held.let_go(tasks)
                    self._freed(len(tasks))
                else:
                    self.pending.add(tasks, sent_at)
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
                if slot.busy and (
                    code == EXIT_LEASE_LAPSED or time.monotonic() >= slot.lease_deadline
                ):
                    # The slot's watchdog ended the attempt at its lease deadline: the lease
                    # is not ours to write under any more.
                    task = slot.done()
                    logger.warning("slot stopped task %s at its lease deadline", task.id)
                    self.held.let_go([task])
                    self._freed()
                elif slot.busy:
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
                self._renew(asked_at, running)
                self._reconcile(asked_at, running)
            case Fenced(worker_id=worker_id):
                if worker_id == self.worker.id and self.comeback_at is None:
                    self._fence_all()
            case Controlled(command=command, cancels=cancels):
                self._obey(command)
                for slot in self.slots:
                    current = slot.task
                    if current is not None and (current.id, current.attempt) in cancels:
                        self._cancel_in(slot, current)

    def _obey(self, command: WorkerCommand | None) -> None:
        """An operator's quiet (claim no more) or stop (drain as on SIGTERM, then exit)."""
        if command is None:
            return
        logger.warning("worker %s asked to %s by an operator", self.worker.id, command.value)
        if command is WorkerCommand.QUIET:
            self.fetcher.quiet.set()
        elif command is WorkerCommand.STOP:
            self.signals = max(self.signals, 1)
        self.services.control.obeyed(self.worker.id, command)

    def _cancel_in(self, slot: Slot, task: Task) -> None:
        """Stop the slot's attempt and record the cancel its operator asked for."""
        logger.info("cancelling task %s as requested", task.id, extra=task_fields(task))
        self._retire(slot)
        self.recorder.confirm_cancel(task)
        self._freed()

    def _renew(self, sent_at: float, running: list[Task]) -> None:
        """Move the lease deadlines of the attempts a heartbeat sent at `sent_at` extended."""
        listed = {(task.id, task.attempt) for task in running}
        self.pending.renew(sent_at, (task_id for task_id, _ in listed))
        deadline = self.lease_clock.deadline(sent_at)
        for slot in self.slots:
            task = slot.task
            if task is not None and (task.id, task.attempt) in listed:
                slot.renew(sent_at, deadline)

    def _stop_lapsing_attempts(self) -> None:
        """Stop every attempt, and drop every buffered claim, whose lease it cannot prove.

        Each attempt's lease runs from the database's clock at the last write that granted or
        extended it, a moment after that write was sent (LeaseClock). At its deadline another
        worker may soon rescue the task and start it, so going on would run it twice at once:
        stop first (the slot's watchdog does so too, should this loop be frozen), write
        nothing, and let the rescue retry it, or give the claim back if it never started.
        """
        now = time.monotonic()
        cutoff = now - (self.lease_clock.lease - self.lease_clock.margin)
        dropped = self.pending.drop_sent_before(cutoff)
        if dropped:
            logger.warning(
                "dropping %d buffered tasks whose leases could not be renewed (no heartbeat "
                "got through for %.1fs); they are given back unstarted once rescued",
                len(dropped),
                self.lease_clock.silence(),
            )
            self.held.let_go(dropped)
            self._freed(len(dropped))
        for slot in self.slots:
            if slot.task is not None and now >= slot.lease_deadline:
                logger.error(
                    "stopping task %s: its lease could not be renewed (no heartbeat got "
                    "through for %.1fs); another worker retries it once rescued",
                    slot.task.id,
                    self.lease_clock.silence(),
                    extra=task_fields(slot.task),
                )
                self.held.let_go([slot.task])
                self._retire(slot)
                self._freed()

    def _fence_all(self) -> None:
        """The store declared us dead: stop every attempt and drop every claim, unwritten."""
        logger.error(
            "worker %s was declared dead; stopping its %d attempts and %d buffered claims",
            self.worker.id,
            sum(slot.busy for slot in self.slots),
            len(self.pending),
        )
        self.lease_clock.fence()
        while self.pending:
            task, _ = self.pending.take()
            self.held.let_go([task])
            self._freed()
        for slot in self.slots:
            if slot.task is not None:
                self.held.let_go([slot.task])
                self._retire(slot)
                self._freed()
        if self.draining_since is None:
            self.comeback_at = time.monotonic()

    def _come_back(self) -> None:
        """Register afresh under a new id, with a fresh heartbeat; retried until it works."""
        old = self.worker.id
        self.worker.id = default_worker_id(self.config.hostname)
        try:
            if self.config.database is not None:
                # The main thread's connection may have died with the pause or the cut.
                close_old_connections()
            sent_at = time.monotonic()
            self._register()
            self.services.workers.start(self.worker.id)
        except Exception:
            logger.exception("worker %s could not register again; retrying", old)
            self.worker.id = old
            self.comeback_at = time.monotonic() + REGISTER_PAUSE
            return
        self.worker.state = WorkerState.RUNNING
        self.control.worker_id = self.worker.id
        self.comeback_at = None
        self.lease_clock.renewed(sent_at)
        logger.warning("worker %s, declared dead, came back as worker %s", old, self.worker.id)

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
                self._cancel_in(slot, task)

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
                task, sent_at = self.pending.take()
                slot.run(task, sent_at, self.lease_clock.deadline(sent_at))
                self.started.append(task)

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
        if self.stopping or self.draining_since is not None:
            # Never fork while stopping: the forkserver may be gone (a group SIGTERM, a
            # shutdown), and a drain has no use for a new slot.
            return
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
            task, _ = self.pending.take()
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

    def _register_patiently(self) -> bool:
        """Register, waiting for a database that is away (patience.PATIENCE)."""

        try:
            when_database_answers("registering", self._register, give_up=self._signalled)
        except DatabaseError:
            logger.exception("worker %s could not register; giving up", self.worker.id)
            return False
        return True

    def _register(self) -> None:
        # A heartbeat stamped now by the shared clock, not the one of the object's making:
        # a worker coming back after a pause must not look dead from the start.
        self.worker.last_heartbeat = self.services.clock.now()
        self.services.workers.register(self.worker)

    def _set_state(self, state: WorkerState) -> None:
        change = {
            WorkerState.DRAINING: self.services.workers.drain,
            WorkerState.STOPPED: self.services.workers.stop,
        }[state]
        for attempt in range(1, STATE_WRITE_ATTEMPTS + 1):
            try:
                change(self.worker.id)
                break
            except (InvalidTransition, WorkerNotFound):
                # Declared dead meanwhile: there is nothing to correct.
                logger.warning("worker %s cannot be recorded as %s", self.worker.id, state)
                break
            except Exception:
                logger.exception("could not record worker %s as %s", self.worker.id, state)
                # The main thread's connection may have been cut long ago: a fresh one.
                close_old_connections()
                if attempt < STATE_WRITE_ATTEMPTS:
                    time.sleep(REGISTER_PAUSE * attempt)
        self.worker.state = state
