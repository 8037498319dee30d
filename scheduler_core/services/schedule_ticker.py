"""The schedule ticker: every worker runs it, and each due time fires exactly once.

Firing a schedule is one transaction: a compare-and-swap moves its next run on, and only
the caller whose swap changed the row submits the tasks, in the same transaction. Any
number of workers may tick at once; the losers' swaps change nothing and they submit
nothing. Due decisions use the storage's clock, never the worker's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from ..domain import Schedule, plan_fires
from ..domain.defaults import DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE
from ..domain.ports import Clock, CronCalendar, Scheduler, ScheduleRepository, SubmitRequest
from .schedule_workflows import template_requests
from .workflows import WorkflowService

logger = logging.getLogger(__name__)

DEFAULT_TICK_BATCH_SIZE = 100


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one pass did: schedules this ticker fired, and tasks it submitted for them."""

    schedules: int = 0
    tasks: int = 0


class ScheduleTicker:
    """Fires due schedules through the scheduler service, exactly once per due time."""

    def __init__(
        self,
        *,
        schedules: ScheduleRepository,
        scheduler: Scheduler,
        clock: Clock,
        calendar: CronCalendar,
        batch_size: int = DEFAULT_TICK_BATCH_SIZE,
        workflows: WorkflowService | None = None,
    ) -> None:
        self._schedules = schedules
        self._scheduler = scheduler
        # Starts the runs of workflow schedules, in the firing's transaction like a task.
        self._workflows = workflows
        self._clock = clock
        self._calendar = calendar
        self._batch_size = batch_size

    def tick(self) -> TickReport:
        """Fire every schedule that is due by the storage's clock; one failure skips one."""
        now = self._clock.now()
        fired = tasks = 0
        for schedule in self._schedules.due(now, self._batch_size):
            try:
                count = self._fire(schedule, now)
            except Exception:
                # Rolled back: the schedule stays due, and the next pass tries it again.
                logger.exception("schedule %r could not fire; the next pass retries", schedule.name)
                continue
            if count is not None:
                fired += 1
                tasks += count
        return TickReport(fired, tasks)

    def _fire(self, schedule: Schedule, now: datetime) -> int | None:
        assert schedule.next_run_at is not None
        plan = plan_fires(schedule, now, self._calendar)
        if plan is None:
            return None
        last = plan.fire_times[-1] if plan.fire_times else schedule.last_run_at
        with self._schedules.atomic():
            won = self._schedules.advance(
                schedule.name,
                expected_next_run_at=schedule.next_run_at,
                next_run_at=plan.next_run_at,
                last_run_at=last,
            )
            if not won:
                return None
            for fire_time in plan.fire_times:
                if schedule.workflow and self._workflows is not None:
                    self._workflows.enqueue(schedule.task, template_requests(schedule))
                else:
                    self._scheduler.submit(request_for(schedule, fire_time))
        for fire_time in plan.fire_times:
            logger.info("schedule %r fired for %s", schedule.name, fire_time.isoformat())
        return len(plan.fire_times)


def request_for(schedule: Schedule, fire_time: datetime) -> SubmitRequest:
    """The submit request of the task `schedule` fires for `fire_time`."""
    return SubmitRequest(
        name=schedule.task,
        args=list(schedule.args),
        kwargs=dict(schedule.kwargs),
        queue=DEFAULT_QUEUE if schedule.queue is None else schedule.queue,
        priority=0 if schedule.priority is None else schedule.priority,
        max_attempts=(
            DEFAULT_MAX_ATTEMPTS if schedule.max_attempts is None else schedule.max_attempts
        ),
        unique_key=schedule.unique_key(fire_time),
    )
