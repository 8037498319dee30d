"""The supervisor: owns the slots and every task they run, from claim to recorded outcome.

Only the supervisor's main thread starts attempts and ends them. The fetcher, the
heartbeat and the control thread post events to its inbox, where the main loop also reads
its process slots' pipes (inbox.py); it handles the events one at a time, so the
bookkeeping of slots and capacity needs no locks.
Every ending (an outcome, a timeout, a crash, a cancel, a hand-back) goes to the outcome
writer (endings.py), so the loop never waits for the database.

Its parts: the slots (slot_pool.py), the lease guard (lease_guard.py), the buffer and its
sizing (buffer.py, buffer_sizing.py), the worker's own row (registration.py) and the
stop sequence (shutdown.py).
"""

from __future__ import annotations

import logging
import os
import time
from uuid import UUID

from django.db import connections

from scheduler_core.alert_wiring import build_alert_services
from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, Worker, WorkerState
from scheduler_core.domain.liveness import silence_allowed
from scheduler_core.domain.progress import Progress
from scheduler_core.domain.records import TIMED_OUT
from scheduler_core.domain.worker_commands import WorkerCommand

from .batching import RunTimes
from .buffer import TaskBuffer
from .buffer_sizing import BUFFER_WHILE_TASKS_UNDER, LONG_RUN, BufferSizing
from .capacity import Capacity
from .config import WorkerConfig
from .control import ControlThread
from .endings import (
    HANDED_BACK,
    Ending,
    Settled,
    ended_by_worker,
    gives_attempt_back,
    queued_endings,
)
from .events import (
    Claimed,
    Controlled,
    Event,
    Exited,
    Fenced,
    Finished,
    GivenBack,
    Heartbeat,
    Progressed,
)
from .fetcher import Fetcher
from .handovers import Handover, next_look, sort_handovers
from .heartbeat import HeartbeatThread
from .held import HeldAttempts
from .inbox import Inbox
from .lease_clock import LeaseClock
from .lease_guard import LeaseGuard
from .load_report import OutcomeTally
from .log_fields import log_outcome
from .maintenance import MaintenanceThread
from .outcomes import OutcomeRecorder
from .progress_writer import ProgressWriter
from .registration import REGISTER_PAUSE, Registration
from .shutdown import (
    EXIT_FORCED,
    WRITER_STOP_TIMEOUT,
    StopSignals,
    hand_back_buffered,
    release_all,
    stop_threads,
)
from .slot_pool import SlotPool
from .slots import Slot
from .watchdog import EXIT_LEASE_LAPSED
from .writer import OutcomeWriter

__all__ = ["BUFFER_WHILE_TASKS_UNDER", "EXIT_FORCED", "Supervisor"]

logger = logging.getLogger(__name__)

# How often the main loop looks at timeouts and signals when no event arrives.
TICK = 0.1
SLOT_CRASHED = "scheduler_core.SlotCrashed"


class Supervisor:
    """One worker process: registers itself, runs tasks in its slots, drains on SIGTERM."""

    def __init__(self, config: WorkerConfig, services: Services) -> None:
        self.config = config
        self.services = services
        self.inbox = Inbox()
        self.capacity = Capacity(config.concurrency, config.buffer)
        self.sizing = BufferSizing(config.buffer, config.concurrency)
        # How long tasks run in the slots, which decides whether they go in batches.
        self.run_times = RunTimes()
        # The attempts whose leases the heartbeat extends: claimed and not yet let go of.
        self.held = HeldAttempts()
        self.recorder = OutcomeRecorder(services, config.database, self.held)
        self.pool = SlotPool(config, self.inbox)
        # Claimed tasks waiting for a slot (the buffer), and when each claim arrived.
        self.pending = TaskBuffer()
        # What the worker can prove about its leases; see LeaseGuard.
        self.lease_clock = LeaseClock(config.lease, config.heartbeat_interval)
        self.guard = LeaseGuard(
            pool=self.pool,
            pending=self.pending,
            held=self.held,
            lease_clock=self.lease_clock,
            end=self._end,
            freed=self._freed,
        )
        # Attempts that ended this round, handed to the writer at the end of the round, and
        # tasks sent to slots, whose starts it stamps once their code began (handovers.py).
        self.finished: list[Settled] = []
        self.handed: list[Handover] = []
        self.writer = OutcomeWriter(self.recorder, self._freed)
        # Started on the first progress report (most workers' tasks never report).
        self.progress_writer: ProgressWriter | None = None
        self.stop_signals = StopSignals()
        self.draining_since: float | None = None
        # How many slots ran one attempt for LONG_RUN or more when last counted, and when the
        # main loop counts them next (_trim_buffer).
        self.long_runs = 0
        self.next_sizing = 0.0
        # Set when buffered tasks went back for having waited LONG_RUN: no slot came free in
        # all that time, so the buffer stays shut until one does (an attempt finishes).
        # Reopened by the count of long runs alone, it claimed them again at once whenever
        # the slots' runs had begun a little after the tasks arrived (not long yet), and
        # handed them back a second later, over and over.
        self.shut_until_an_attempt_ends = False
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
        self.registration = Registration(services, self.worker, self.lease_clock)
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
        # Reported by the heartbeat, shown on the worker's page.
        self.tally = OutcomeTally()
        self.heartbeat = HeartbeatThread(
            services=services,
            worker=self.worker,
            inbox=self.inbox,
            interval=config.heartbeat_interval,
            held=self.held,
            lease_clock=self.lease_clock,
            tally=self.tally,
        )
        self.control = ControlThread(
            control=services.control, worker_id=self.worker.id, held=self.held, inbox=self.inbox
        )
        self.maintenance = MaintenanceThread(
            services=services,
            interval=config.maintenance_interval,
            stale_after=silence_allowed(config.lease),
            # Every worker evaluates the alert rules too (docs/alerts.md).
            alerts=None if config.database is None else build_alert_services(config.database),
        )

    @property
    def slots(self) -> list[Slot]:
        """The slots, in the pool's order."""
        return self.pool.slots

    # -- life cycle --------------------------------------------------------------------

    def run(self) -> int:
        """Work until signalled; return the process exit code (0 after a clean drain)."""
        self.stop_signals.install()
        if not self.registration.register_patiently(give_up=self.stop_signals.asked):
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
        self.registration.start(give_up=self.stop_signals.asked)
        # The threads first: the fetcher's first claim (its connection and the statement's
        # preparation, 25 to 30 ms at a start) runs while the slots fork (15 to 21 ms).
        # Slots fork from the forkserver, never from this process, so its threads do not
        # matter there; what is claimed meanwhile waits in the inbox until the loop begins.
        for thread in (self.writer, self.fetcher, self.heartbeat, self.maintenance, self.control):
            thread.start()
        self.pool.fill()
        logger.info(
            "worker %s started: %d %s slots on queues %s",
            self.worker.id,
            self.config.concurrency,
            self.config.pool,
            ",".join(self.config.queues),
        )

    def _loop(self) -> int:
        while True:
            if self.stop_signals.forced():
                self._release_running("a second signal asked to stop at once")
                return EXIT_FORCED
            if self.stop_signals.asked() and self.draining_since is None:
                self._begin_drain()
            if self.draining_since is not None:
                # The buffer was handed back when the drain began (_begin_drain).
                idle = not self.pending and not self.pool.running
                if idle and not self.finished and self.writer.idle:
                    return 0
                if time.monotonic() - self.draining_since > self.config.shutdown_timeout:
                    self._release_running("the shutdown timeout passed")
                    return 0
            for event in self.inbox.wait(next_look(self.handed, TICK)):
                self._handle(event)
            if self.comeback_at is not None and time.monotonic() >= self.comeback_at:
                self._come_back()
            self.guard.stop_lapsing()
            # Freed slots take their next (buffered) task at once; the writer thread stores
            # the round's endings meanwhile, so no slot waits for the database. A draining
            # worker starts nothing new.
            if self.draining_since is None:
                self.handed.extend(
                    self.pool.dispatch(self.pending, self.lease_clock, self.run_times.typical)
                )
                if time.monotonic() >= self.next_sizing:
                    self._trim_buffer()
                    self.next_sizing = time.monotonic() + TICK
            self._enforce_timeouts()
            if self.finished or self.handed:
                self._hand_over_finished()

    def _end(self, task: Task, ending: Ending) -> None:
        """An attempt ended (or is handed back): written by the writer with the round's others."""
        if gives_attempt_back(ending):
            # Let go now, not once written: written, the task may be claimed again under the
            # same attempt number, by this worker too, and letting go then would drop the
            # new claim's hold (the heartbeat would stop extending its lease).
            self.held.let_go([task])
        self.finished.append((task, ending))

    def _hand_over_finished(self) -> None:
        finished, self.finished = self.finished, []
        started, self.handed = sort_handovers(self.handed)
        self.writer.submit(finished, started)

    def _begin_drain(self) -> None:
        logger.info(
            "worker %s draining: no new tasks; waiting up to %ss for %d running",
            self.worker.id,
            self.config.shutdown_timeout,
            self.pool.running,
        )
        self.draining_since = time.monotonic()
        self.pool.closed = True
        self.fetcher.stopping.set()
        # Claims not started yet go back now, unstarted: they cost no attempt, and another
        # worker can take them at once. Started in a slot freed late in the drain, one could
        # be stopped at the deadline before its body began, its start stamped: an attempt
        # charged for nothing (a chaos run found exactly that).
        hand_back_buffered(self.pending, self._end)
        self.registration.set_state(WorkerState.DRAINING)

    def _stop_everything(self) -> None:
        self.pool.closed = True
        if self.progress_writer is not None:
            self.progress_writer.stop()
        stop_threads(
            (self.fetcher, self.heartbeat, self.maintenance, self.control),
            timeout=self.config.idle_wait + 5,
        )
        # A claim that landed while we stopped is handed back unstarted, not lost.
        while not self.inbox.empty():
            event = self.inbox.get_nowait()
            if isinstance(event, Claimed):
                for task in event.tasks:
                    self._end(task, HANDED_BACK)
        # What ended is stored before the worker says it stopped (a forced stop included:
        # those attempts did finish, and rerunning them would cost an attempt).
        self._hand_over_finished()
        self.writer.stop(timeout=WRITER_STOP_TIMEOUT)
        if self.writer.is_alive():
            logger.error("outcomes still unwritten at exit; their leases will expire")
        self.pool.stop_all()
        self.inbox.close()
        self.registration.set_state(WorkerState.STOPPED)
        connections.close_all()

    def _release_running(self, why: str) -> None:
        release_all(self.pending, self.pool, self._end, why)

    # -- events ------------------------------------------------------------------------

    def _handle(self, event: Event) -> None:
        match event:
            case Claimed(tasks=tasks, sent_at=sent_at):
                self._claimed(tasks, sent_at)
            case Finished(slot=slot, outcome=outcome):
                if slot.retired or slot.task is None or slot.task.id != outcome.task_id:
                    logger.info("ignoring a late outcome of task %s", outcome.task_id)
                    return
                # The slot takes its next task at once; the task's capacity unit comes back
                # once the writer stored its outcome (OutcomeWriter calls _freed).
                duration = time.monotonic() - slot.started_at
                self._note_duration(duration)
                self.run_times.note(outcome.ran)
                task = slot.done()
                self._end(task, outcome)
                self.tally.count(outcome.succeeded)
                log_outcome(logger, task, outcome.succeeded, outcome.exception_type, duration)
            case GivenBack(slot=slot, first=first):
                if not slot.retired:
                    running, lease_sent_at = slot.task, slot.lease_sent_at
                    given = slot.give_back_from(first)
                    self._given_back(given, lease_sent_at)
                    if given and running is not None:
                        logger.info(
                            "slot %d gave back %d tasks queued behind task %s, which runs long",
                            slot.number,
                            len(given),
                            running.id,
                        )
            case Progressed(slot=slot, task_id=task_id, attempt=attempt, progress=progress):
                self._progressed(slot, task_id, attempt, progress)
            case Exited(slot=slot, exit_code=code):
                self._exited(slot, code)
            case Heartbeat(asked_at=asked_at, running=running):
                self.guard.renew(asked_at, running)
                self.guard.reconcile(asked_at, running)
            case Fenced(worker_id=worker_id):
                if worker_id == self.worker.id and self.comeback_at is None:
                    self.guard.fence_all()
                    if self.draining_since is None:
                        self.comeback_at = time.monotonic()
            case Controlled(command=command, cancels=cancels):
                self._obey(command)
                for slot in self.slots:
                    current = slot.task
                    if current is not None and (current.id, current.attempt) in cancels:
                        self.guard.cancel(slot, current)

    def _claimed(self, tasks: list[Task], sent_at: float) -> None:
        # A claim in flight when the drain or an operator's quiet began is handed back
        # unstarted, so it costs no attempt: quiet means nothing new runs here.
        if self.draining_since is not None or self.fetcher.quiet.is_set():
            for task in tasks:
                # Its capacity comes back once written: a quiet worker may be resumed.
                self._end(task, HANDED_BACK)
        elif self.lease_clock.fenced or any(task.worker_id != self.worker.id for task in tasks):
            # Claimed under an identity the store has declared dead: not ours to run.
            # Dropped unwritten; the rescue gives the claims back unstarted.
            self.held.let_go(tasks)
            self._freed(len(tasks))
        else:
            self.pending.add(tasks, sent_at)

    def _given_back(self, tasks: list[Task], lease_sent_at: float) -> None:
        """Tasks a slot gave back unbegun go back to the buffer, still held: the next free
        slot here takes them, and if none frees within LONG_RUN they go back to the store
        as any buffered claim does (_trim_buffer). Handed back to the store at once, this
        worker claimed them straight back into its buffer while its only slot ran on.
        A draining worker starts nothing more: it hands them back."""
        # Their hand-overs go first: the slot numbers its next tasks as it numbered these,
        # and a start counted for one of those must not be taken for one of these.
        self.handed = [h for h in self.handed if not any(h.task is task for task in tasks)]
        if self.draining_since is None:
            self.pending.add(tasks, lease_sent_at)
            return
        for task in tasks:
            self._end(task, HANDED_BACK)

    def _exited(self, slot: Slot, code: int | None) -> None:
        if slot.retired:
            return
        # Every outcome it sent was read before its exit (ProcessSlot._ended): the tasks
        # queued behind the one it ran never began.
        lapsed = code == EXIT_LEASE_LAPSED or time.monotonic() >= slot.lease_deadline
        task, queued = slot.clear()
        if task is not None and lapsed:
            # The slot's watchdog ended the attempt at its lease deadline: the lease is not
            # ours to write under any more, nor that of the tasks queued with it (the
            # rescue gives those back unstarted).
            logger.warning("slot stopped task %s at its lease deadline", task.id)
            self.held.let_go([task, *queued])
            self._freed(1 + len(queued))
        elif task is not None:
            message = (
                f"the executor process exited with code {code} "
                "while running this task (a crash, os._exit or a signal)"
            )
            self._end(task, ended_by_worker(task, SLOT_CRASHED, message))
            for each in queued:
                self._end(each, HANDED_BACK)
        self.pool.replace(slot)

    def _progressed(self, slot: Slot, task_id: UUID, attempt: int, progress: Progress) -> None:
        """Pass a running attempt's report to the progress writer (started on first use)."""
        task = slot.task
        if slot.retired or task is None or (task.id, task.attempt) != (task_id, attempt):
            return
        if task.worker_id is None or self.lease_clock.fenced:
            return
        if self.progress_writer is None:
            self.progress_writer = ProgressWriter(self.services)
            self.progress_writer.start()
        self.progress_writer.offer(task.worker_id, task_id, attempt, progress)

    def _obey(self, command: WorkerCommand | None) -> None:
        """An operator's quiet (claim no more), resume (claim again after a quiet) or stop
        (drain as on SIGTERM, then exit)."""
        if command is None:
            return
        logger.warning("worker %s asked to %s by an operator", self.worker.id, command.value)
        if command is WorkerCommand.QUIET:
            self.fetcher.quiet.set()
        elif command is WorkerCommand.RESUME:
            self.fetcher.quiet.clear()
        elif command is WorkerCommand.STOP:
            self.stop_signals.ask()
        self.services.control.obeyed(self.worker.id, command)

    def _come_back(self) -> None:
        """Register afresh under a new id; retried every REGISTER_PAUSE until it works."""
        if self.registration.come_back(uses_database=self.config.database is not None):
            self.control.worker_id = self.worker.id
            self.comeback_at = None
        else:
            self.comeback_at = time.monotonic() + REGISTER_PAUSE

    def _note_duration(self, seconds: float) -> None:
        self.sizing.note(seconds)
        self.shut_until_an_attempt_ends = False
        self.capacity.open_buffer(self._buffer_units())

    def _buffer_units(self) -> int:
        if self.shut_until_an_attempt_ends:
            return 0
        # The slots busy with long runs as last counted (_trim_buffer, every tick).
        return self.sizing.units(self.long_runs)

    def _trim_buffer(self) -> None:
        """Open the buffer only for the slots not busy with long runs, and hand back the
        tasks that have waited in it for LONG_RUN (called once free slots took their tasks);
        after such a hand-back it stays shut until an attempt ends (_note_duration).

        The average duration alone kept the buffer open while every slot ran a long task of
        a mixed workload: the tasks buffered behind them waited for tens of seconds, and each
        kill of the worker meanwhile dropped their claims (a chaos run found tasks dropped
        ten times that way, after which a lost claim costs an attempt). Handed back, they
        are ready at once for a worker with a free slot, at no cost. By age, not by the
        buffer's size of the moment: slots taking long tasks and finishing them would
        otherwise hand back and claim again a whole buffer each time (a chaos run handed
        back two tasks for every one submitted).
        """
        now = time.monotonic()
        self.long_runs = sum(
            1 for slot in self.pool.slots if slot.busy and now - slot.started_at >= LONG_RUN
        )
        waited = self.pending.take_arrived_before(now - LONG_RUN)
        if waited:
            self.shut_until_an_attempt_ends = True
        # Sized (shut, after a hand-back) before the hand-backs are written, so no claim
        # reserved from now on can take them straight back.
        self.capacity.open_buffer(self._buffer_units())
        for task in waited:
            self._end(task, HANDED_BACK)
        if waited:
            logger.info(
                "handed back %d tasks buffered for over %.0f s (%d of %d slots on long runs)",
                len(waited),
                LONG_RUN,
                self.long_runs,
                self.config.concurrency,
            )

    # -- slots -------------------------------------------------------------------------

    def _enforce_timeouts(self) -> None:
        for slot in self.pool.timed_out():
            task = slot.task
            assert task is not None
            began, unstarted = self.pool.retire(slot)
            how = "killed" if slot.can_kill else "abandoned (a thread cannot be killed)"
            message = f"ran longer than its timeout of {task.timeout}s; {how}"
            self._end(task, ended_by_worker(task, TIMED_OUT, message))
            for queued, ending in queued_endings(began, unstarted):
                self._end(queued, ending)

    def _freed(self, count: int = 1) -> None:
        # Called by the main thread, and by the writer once endings are stored.
        if self.draining_since is None:
            self.capacity.release(count)
