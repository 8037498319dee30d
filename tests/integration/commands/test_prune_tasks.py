"""`manage.py prune_tasks` against the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scheduler_core.bootstrap import reset_services
from scheduler_core.domain import Task, TaskNotFound, TaskStatus
from scheduler_core.models import ActivityMinute
from scheduler_core.storage import DjangoTaskRepository

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_services() -> Iterator[None]:
    """Services built from the test settings, forgotten afterwards."""
    reset_services()
    yield
    reset_services()


def succeeded_days_ago(tasks: DjangoTaskRepository, days: int) -> Task:
    """A stored task that succeeded `days` days ago."""
    past = tasks.clock.now() - timedelta(days=days)
    task = Task.create("demo.noop", now=past)
    task.claim("w1", now=past, lease=timedelta(minutes=1))
    task.succeed(None, attempt=1, now=past)
    tasks.add(task)
    return task


def test_deletes_only_tasks_past_retention() -> None:
    tasks = DjangoTaskRepository()
    old, recent = succeeded_days_ago(tasks, 9), succeeded_days_ago(tasks, 2)
    live = Task.create("demo.noop", now=tasks.clock.now() - timedelta(days=90))
    tasks.add(live)
    out = StringIO()

    call_command("prune_tasks", "--days", "7", "--batch-size", "1", stdout=out)

    assert "Deleted 1 finished tasks" in out.getvalue()
    with pytest.raises(TaskNotFound):
        tasks.get(old.id)
    assert tasks.get(recent.id).status is TaskStatus.SUCCEEDED
    assert tasks.get(live.id).status is TaskStatus.READY


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--days", "-1"], "must not be negative"),
        (["--days", "soon"], "not a whole number"),
        (["--batch-size", "0"], "at least 1"),
        (["--days", "30", "--failed-days", "7"], "failures are kept longer"),
        (["--activity-days", "-2"], "must not be negative"),
    ],
)
def test_bad_arguments_are_refused(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("prune_tasks", *arguments)


def test_deletes_the_activity_minutes_past_their_retention() -> None:
    now = DjangoTaskRepository().clock.now()

    def minute(ago: timedelta) -> int:
        return int((now - ago).timestamp()) // 60 * 60

    ages = [timedelta(days=40), timedelta(days=31), timedelta(days=29), timedelta(hours=1)]
    for age in ages:
        ActivityMinute.objects.create(minute=minute(age), queue="default", shard=0, started=1)
    ActivityMinute.objects.create(minute=minute(ages[0]), queue="emails", shard=3, succeeded=2)
    out = StringIO()

    call_command("prune_tasks", stdout=out)

    assert "3 rows of per-minute activity (older than 30 days)" in out.getvalue()
    kept = sorted(ActivityMinute.objects.values_list("minute", flat=True))
    assert kept == [minute(ages[2]), minute(ages[3])]

    call_command("prune_tasks", "--activity-days", "0", stdout=out)
    assert not ActivityMinute.objects.exists()
