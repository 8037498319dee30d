"""Creating schedules and syncing the ones declared in code, without clobbering operators."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import Schedule, ScheduleInvalid, Task, TaskInvalid, upcoming_runs
from ..domain.ports import Clock, CronCalendar, Scheduler, ScheduleRepository, TaskCatalog
from .schedule_ticker import request_for
from .schedule_workflows import check_template_tasks, template_requests
from .workflows import WorkflowService

logger = logging.getLogger(__name__)

# The fields a code definition owns; enabled and the run times belong to operators and ticks.
DEFINITION_FIELDS = (
    "task",
    "args",
    "kwargs",
    "cron",
    "interval_seconds",
    "timezone",
    "catch_up",
    "catch_up_limit",
    "queue",
    "priority",
    "max_attempts",
    "code_hash",
)
TIMING_FIELDS = ("cron", "interval_seconds", "timezone")


@dataclass(slots=True)
class SyncReport:
    """Names of the code-declared schedules a sync created, updated and left alone."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class ScheduleService:
    """Validates schedules against the domain rules and the task registry, and stores them."""

    def __init__(
        self,
        *,
        schedules: ScheduleRepository,
        catalog: TaskCatalog,
        clock: Clock,
        calendar: CronCalendar,
        scheduler: Scheduler,
        workflows: WorkflowService | None = None,
    ) -> None:
        self._schedules = schedules
        self._scheduler = scheduler
        # Starts the runs of workflow schedules; without it they are only stored.
        self._workflows = workflows
        self._catalog = catalog
        self._clock = clock
        self._calendar = calendar

    def get(self, name: str) -> Schedule:
        """The stored schedule called `name`; ScheduleNotFound if there is none."""
        return self._schedules.get(name)

    def all(self) -> list[Schedule]:
        """Every stored schedule, by name."""
        return self._schedules.all()

    def delete(self, name: str) -> Schedule:
        """Remove the schedule called `name` and return it; ScheduleNotFound if there is none."""
        schedule = self._schedules.get(name)
        self._schedules.delete(name)
        return schedule

    def set_enabled(self, name: str, enabled: bool) -> Schedule:
        """Pause (False) or resume (True) a schedule; its run times are left as they are."""
        schedule = self._schedules.get(name)
        schedule.enabled = enabled
        self._schedules.save(schedule)
        return self._schedules.get(name)

    def run_now(self, name: str, *, actor: str = "system") -> Task:
        """Submit the schedule's task once, at once, paused or not; its next run stays put.

        The task gets the unique key a firing at this instant would get, so it counts as a run
        of the schedule (the dashboard's "last runs"). The schedule's last_run_at, the last
        due time the ticker fired, is left alone.
        """
        schedule = self._schedules.get(name)
        if schedule.workflow and self._workflows is not None:
            # A workflow schedule starts a run; its first step stands for it.
            run = self._workflows.enqueue(schedule.task, template_requests(schedule))
            logger.info("schedule %r run now by %s: workflow run %s", name, actor, run.id)
            return run.steps[0]
        task = self._scheduler.submit(request_for(schedule, self._clock.now())).task
        logger.info("schedule %r run now by %s: task %s", name, actor, task.id)
        return task

    def preview(
        self, *, cron: str | None, interval_seconds: int | None, timezone: str, count: int = 5
    ) -> list[datetime]:
        """The first `count` runs a new schedule with this timing would have.

        ScheduleInvalid names the field at fault (cron, interval_seconds or timezone), with
        the same message a create would give.
        """
        probe = Schedule(
            name="preview",
            task="preview",
            cron=cron,
            interval_seconds=interval_seconds,
            timezone=timezone,
        )
        # The name and task are fixed and valid, so the first rule broken is a timing one.
        probe.validate(self._calendar)
        return upcoming_runs(probe, self._clock.now(), self._calendar, count)

    def validate(self, schedule: Schedule) -> None:
        """Raise ScheduleInvalid naming the field at fault, the task's registration included."""
        schedule.validate(self._calendar)
        if schedule.workflow:
            check_template_tasks(schedule, self._catalog)
            return
        if not self._catalog.is_registered(schedule.task):
            raise ScheduleInvalid("task", f"{schedule.task!r} is not a registered task")
        # Checked like a submit, or every firing would fail with the same TypeError.
        try:
            self._catalog.check_call(schedule.task, schedule.args, schedule.kwargs)
        except TaskInvalid as error:
            raise ScheduleInvalid(error.field, error.message) from error

    def create(self, schedule: Schedule) -> Schedule:
        """Validate and store a new schedule, due at its first run after now."""
        self.validate(schedule)
        if schedule.next_run_at is None:
            schedule.next_run_at = schedule.first_run_after(self._clock.now(), self._calendar)
        self._schedules.add(schedule)
        return schedule

    def change(self, schedule: Schedule) -> Schedule:
        """Store an edited schedule; a new timing restarts it from its first run after now."""
        self.validate(schedule)
        stored = self._schedules.get(schedule.name)
        self._schedules.save(schedule)
        if any(getattr(stored, name) != getattr(schedule, name) for name in TIMING_FIELDS):
            first = schedule.first_run_after(self._clock.now(), self._calendar)
            self._schedules.reschedule(schedule.name, first)
        return self._schedules.get(schedule.name)

    def next_runs(self, schedule: Schedule, count: int = 5) -> list[datetime]:
        """The schedule's next `count` due times, by the storage's clock."""
        return upcoming_runs(schedule, self._clock.now(), self._calendar, count)

    def sync(self, declared: Mapping[str, Schedule]) -> SyncReport:
        """Create missing code schedules; update one only when its code definition changed.

        A schedule an operator disabled stays disabled, and one whose code is unchanged keeps
        whatever the operator set, since only a new definition hash overwrites its fields.
        """
        # Every declaration is checked before anything is written: all or nothing.
        for name, code in declared.items():
            try:
                self.validate(code)
            except ScheduleInvalid as error:
                raise ScheduleInvalid(error.field, f"schedule {name!r}: {error.message}") from error
        report = SyncReport()
        if not declared:
            # Nothing to create or update (a sync never removes), so no read: a worker
            # starting without declared schedules spends no round trip on them.
            return report
        stored = {schedule.name: schedule for schedule in self._schedules.all()}
        for name, code in sorted(declared.items()):
            current = stored.get(name)
            if current is None:
                try:
                    self.create(code)
                except ScheduleInvalid as error:
                    # Another worker starting at the same moment created it first.
                    if error.field != "name" or name not in self._names():
                        raise
                    report.unchanged.append(name)
                    continue
                report.created.append(name)
            elif current.code_hash == code.code_hash:
                report.unchanged.append(name)
            else:
                for name_of_field in DEFINITION_FIELDS:
                    setattr(current, name_of_field, getattr(code, name_of_field))
                self.change(current)
                report.updated.append(name)
        return report

    def _names(self) -> set[str]:
        return {schedule.name for schedule in self._schedules.all()}
