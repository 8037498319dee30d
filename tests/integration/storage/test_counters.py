"""The trigger-kept counters stay exact through every kind of write, on every database."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from uuid import UUID

import pytest
from django.db import connections, transaction

from scheduler_core.bootstrap import Services
from scheduler_core.domain import InvalidTransition, Task, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import ActivityMinute, QueueCount, TaskEvent, TaskRecord, TaskTotals
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository
from scheduler_core.storage.counters import install_counters, uninstall_counters
from scheduler_core.storage.counters.reads import queue_counts, task_totals

from .counter_oracle import Oracle, counted, group_by_count, minute_of

QUEUES = ("alpha", "beta", "gamma")
LEASE = timedelta(minutes=5)
WRITERS = 6


def _ids(using: str, *statuses: str) -> list[UUID]:
    return list(
        TaskRecord.objects.using(using)
        .filter(status__in=statuses)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _request(rng: random.Random, services: Services) -> SubmitRequest:
    later = services.clock.now() + timedelta(hours=1)
    return SubmitRequest(
        name="demo.noop",
        queue=rng.choice(QUEUES),
        run_after=later if rng.random() < 0.2 else None,
        max_attempts=rng.choice((1, 2, 3)),
    )


def test_a_random_mix_of_writes_keeps_every_counter_exact(services: Services, alias: str) -> None:
    rng = random.Random(5)
    tasks = DjangoTaskRepository(alias)
    queue = DjangoQueue(tasks)
    oracle = Oracle(alias)
    held: list[Task] = []
    for step in range(160):
        op = rng.choice(
            [
                "submit",
                "submit_many",
                "claim",
                "claim",
                "complete",
                "fail",
                "retry",
                "cancel",
                "run_now",
                "delete",
                "prune",
                "rescue",
                "request_cancel",
            ]
        )
        if op == "submit":
            services.tasks.submit(_request(rng, services))
            oracle.enqueued += 1
        elif op == "submit_many":
            batch = [_request(rng, services) for _ in range(rng.randint(1, 12))]
            oracle.enqueued += len(services.tasks.submit_many(batch))
        elif op == "claim":
            # A zero lease leaves the batch for the rescuer half of the time.
            lease = LEASE if rng.random() < 0.5 else timedelta(0)
            claimed = queue.claim(f"w{step}", list(QUEUES), rng.randint(1, 8), lease)
            oracle.claimed(claimed)
            held += claimed
        elif op in ("complete", "fail") and held:
            task = held.pop(rng.randrange(len(held)))
            try:
                if op == "complete":
                    services.workers.complete(task, {"ok": True})
                else:
                    services.workers.fail(task, RuntimeError("boom"), retryable=rng.random() < 0.7)
            except Exception:  # noqa: BLE001 - rescued or cancelled meanwhile: a stale write
                pass
        elif op in ("retry", "cancel", "run_now", "delete", "request_cancel"):
            statuses = {
                "retry": ("failed", "cancelled"),
                "cancel": ("ready", "scheduled", "retrying"),
                "run_now": ("scheduled", "retrying"),
                "delete": ("succeeded", "failed", "cancelled"),
                "request_cancel": ("running",),
            }[op]
            candidates = _ids(alias, *statuses)
            if not candidates:
                continue
            task_id = rng.choice(candidates)
            before = oracle.before_delete() if op == "delete" else None
            if op == "request_cancel":
                services.tasks.cancel(task_id)
            else:
                getattr(services.tasks, op)(task_id)
            if before is not None:
                oracle.after_delete(before)
        elif op == "prune":
            before = oracle.before_delete()
            tasks.prune(
                statuses=frozenset({TaskStatus.SUCCEEDED, TaskStatus.CANCELLED}),
                finished_before=services.clock.now() + timedelta(seconds=1),
                limit=rng.randint(1, 5),
            )
            oracle.after_delete(before)
        elif op == "rescue":
            services.rescuer.rescue_expired()
        if step % 20 == 0:
            oracle.check()
    oracle.check()
    # The mix reached every kind of counter.
    totals = task_totals(alias)
    assert all(totals[kind] > 0 for kind in ("started", "succeeded", "retried", "rescued"))
    assert totals["enqueued"] > sum(n for n in group_by_count(alias).values())


def test_readers_sum_the_shards_and_leave_out_emptied_queues(alias: str) -> None:
    rows = QueueCount.objects.using(alias)
    rows.bulk_create(
        [
            QueueCount(queue="mail", status="ready", shard=3, n=5),
            QueueCount(queue="mail", status="ready", shard=7, n=-2),
            QueueCount(queue="gone", status="succeeded", shard=1, n=4),
            QueueCount(queue="gone", status="succeeded", shard=2, n=-4),
        ]
    )
    counts = queue_counts(alias)
    assert set(counts) == {"mail"}
    assert counts["mail"][TaskStatus.READY] == 3
    assert counts["mail"][TaskStatus.RUNNING] == 0


def test_a_move_between_queues_and_a_lease_extension_count_right(
    services: Services, alias: str
) -> None:
    [task] = services.tasks.submit_many([SubmitRequest(name="demo.noop", queue="alpha")])
    TaskRecord.objects.using(alias).filter(id=task.id).update(queue="beta")
    assert counted(alias) == {("beta", "ready"): 1}
    [claimed] = DjangoQueue(DjangoTaskRepository(alias)).claim("w1", ["beta"], 1, LEASE)
    DjangoTaskRepository(alias).extend_leases("w1", {(claimed.id, claimed.attempt)}, LEASE)
    assert counted(alias) == {("beta", "running"): 1} == group_by_count(alias)
    assert claimed.started_at is not None
    [minute] = ActivityMinute.objects.using(alias).filter(queue="beta")
    assert (minute.minute, minute.started, minute.wait_count) == (
        minute_of(claimed.started_at),
        1,
        1,
    )


def test_the_backfill_counts_rows_written_without_triggers(services: Services, alias: str) -> None:
    """Rows stored before migration 0008 (no triggers yet) are counted when it installs them."""
    connection = connections[alias]
    tasks = DjangoTaskRepository(alias)
    uninstall_counters(connection)
    try:
        submitted = services.tasks.submit_many(
            [SubmitRequest(name="demo.noop", queue=q) for q in ("alpha", "alpha", "beta", "beta")]
        )
        claimed = DjangoQueue(tasks).claim("w1", ["alpha", "beta"], 3, LEASE)
        services.workers.complete(claimed[0], None)
        services.workers.fail(claimed[1], RuntimeError("x"), retryable=False)
        services.tasks.cancel(next(t.id for t in submitted if t.id not in {c.id for c in claimed}))
        assert not QueueCount.objects.using(alias).exists()
        assert not TaskTotals.objects.using(alias).exists()
    finally:
        install_counters(connection)
    oracle = Oracle(alias, enqueued=4)
    oracle.claimed(claimed)
    oracle.check()
    assert task_totals(alias) == {
        "enqueued": 4,
        "started": 3,
        "succeeded": 1,
        "failed": 1,
        "retried": 0,
        "cancelled": 1,
        "rescued": 0,
    }
    # Counting goes on from there, by the triggers.
    services.workers.complete(claimed[2], None)
    assert counted(alias) == group_by_count(alias)
    assert task_totals(alias)["succeeded"] == 2


def test_a_rolled_back_write_leaves_the_counters_alone(services: Services, alias: str) -> None:
    try:
        with transaction.atomic(using=alias):
            services.tasks.submit(SubmitRequest(name="demo.noop", queue="alpha"))
            assert counted(alias) == {("alpha", "ready"): 1}
            raise InvalidTransition("roll back")
    except InvalidTransition:
        pass
    assert counted(alias) == {}
    assert task_totals(alias)["enqueued"] == 0


@pytest.mark.parametrize("backend", ["postgres"])
def test_concurrent_writers_on_their_own_connections_keep_counts_exact(
    services: Services, alias: str
) -> None:
    """Threads submit, claim, finish and prune at once, each on its own connection."""
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS + 1)

    def work(seed: int) -> None:
        rng = random.Random(seed)
        queue = DjangoQueue(DjangoTaskRepository(alias))
        try:
            start.wait()
            for _ in range(12):
                services.tasks.submit_many(
                    [SubmitRequest(name="demo.noop", queue=rng.choice(QUEUES)) for _ in range(8)]
                )
                for task in queue.claim(f"w{seed}", list(QUEUES), 6, LEASE):
                    if rng.random() < 0.7:
                        services.workers.complete(task, None)
                    else:
                        services.workers.fail(task, RuntimeError("x"), retryable=False)
                if seed == 0:
                    DjangoTaskRepository(alias).prune(
                        statuses=frozenset({TaskStatus.SUCCEEDED}),
                        finished_before=services.clock.now(),
                        limit=5,
                    )
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert counted(alias) == group_by_count(alias)
    totals = task_totals(alias)
    assert totals["enqueued"] == WRITERS * 12 * 8
    events = TaskEvent.objects.using(alias)
    started = events.filter(to_status="running").count()
    succeeded = events.filter(to_status="succeeded").count()
    # Pruning removed some succeeded tasks with their log: the totals keep them.
    assert totals["started"] >= started and totals["succeeded"] >= succeeded
    running = sum(n for (_, status), n in counted(alias).items() if status == "running")
    assert totals["started"] == totals["succeeded"] + totals["failed"] + running
    # Several connections wrote, each to its own shard.
    assert TaskTotals.objects.using(alias).count() > 1
